// recap's pages work without this script; with it, chapter times seek the
// player in the page, the job page follows its progress, a link to a
// passage opens its folded transcript, and "Link to this summary" copies.
(function () {
  'use strict';
  var doc = document;
  function $(s) { return doc.querySelector(s); }
  function each(s, fn) { Array.prototype.forEach.call(doc.querySelectorAll(s), fn); }
  function clock(s) {
    var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, x = s % 60;
    var mm = h ? (m < 10 ? '0' : '') + m : String(m);
    return (h ? h + ':' : '') + mm + ':' + (x < 10 ? '0' : '') + x;
  }
  function say(msg) {
    var st = $('#seek-status');
    if (st) st.textContent = msg;
  }

  // The player: YouTube's embed is loaded only when asked for (a click on
  // it or on a time), then seeked with the IFrame API's postMessage
  // commands, without loading YouTube's script. A podcast's audio element
  // is seeked directly.
  var player = $('#player'), audio = $('#audio'), frame = null;
  function seek(sec) {
    if (audio) {
      audio.currentTime = sec;
      var p = audio.play();
      if (p && p.catch) p.catch(function () {});
    } else if (player && player.getAttribute('data-embed')) {
      var embed = player.getAttribute('data-embed');
      if (!frame) {
        frame = doc.createElement('iframe');
        frame.src = embed + (sec > 0 ? '&start=' + sec : '');
        frame.title = 'Video player';
        frame.allow = 'autoplay; encrypted-media; picture-in-picture; fullscreen';
        frame.allowFullscreen = true;
        frame.referrerPolicy = 'strict-origin-when-cross-origin';
        player.replaceChildren(frame);
      } else {
        var origin = new URL(embed).origin;
        var send = function (func, args) {
          frame.contentWindow.postMessage(JSON.stringify({ event: 'command', func: func, args: args }), origin);
        };
        send('seekTo', [sec, true]);
        send('playVideo', []);
      }
    } else {
      return false;
    }
    (player || audio).setAttribute('data-at', String(sec));
    say('Playing from ' + clock(sec));
    (player || audio).scrollIntoView({ block: 'nearest' });
    return true;
  }

  doc.addEventListener('click', function (e) {
    if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey || !e.target.closest) return;
    var t = e.target.closest('a[data-seek]');
    if (t && seek(parseInt(t.getAttribute('data-seek'), 10) || 0)) {
      e.preventDefault();
      return;
    }
    if (e.target.closest('.facade') && seek(0)) {
      e.preventDefault();
      return;
    }
    var c = e.target.closest('a[data-copy]');
    if (c && navigator.clipboard) {
      e.preventDefault();
      navigator.clipboard.writeText(new URL(c.getAttribute('data-copy'), location.href).href).then(
        function () { say('Link copied'); },
        function () { say('Could not copy the link'); });
    }
  });

  // A thumbnail that cannot load leaves its placeholder, not a broken
  // image.
  function hideBroken(img) { img.hidden = true; }
  doc.addEventListener('error', function (e) {
    if (e.target && e.target.tagName === 'IMG') hideBroken(e.target);
  }, true);
  each('img', function (img) { if (img.complete && !img.naturalWidth) hideBroken(img); });

  // A link to a passage opens the transcript it is folded in.
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && doc.getElementById(id);
    if (!el) return;
    var d = el.closest('details');
    if (d && !d.open) {
      d.open = true;
      el.scrollIntoView();
    }
    each('.hit', function (x) { x.classList.remove('hit'); });
    if (el.classList.contains('passage')) el.classList.add('hit');
  }
  window.addEventListener('hashchange', openTarget);
  openTarget();

  // The job page follows the job and shows the summary when it is done.
  var job = $('[data-job]');
  if (job && (job.getAttribute('data-status') === 'queued' || job.getAttribute('data-status') === 'running')) {
    each('.js-only', function (x) { x.hidden = false; });
    each('.nojs-only', function (x) { x.hidden = true; });
    var url = '/s/' + encodeURIComponent(job.getAttribute('data-job')) + '/progress.json';
    var tick = function () {
      fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (j) {
          $('#stage').textContent = j.stage;
          var p = $('#progress');
          if (p) { p.max = j.total || 1; p.value = j.done; }
          if (j.status === 'done' || j.status === 'failed') {
            location.replace(j.link);
            return;
          }
          setTimeout(tick, 1000);
        })
        .catch(function () { setTimeout(tick, 3000); });
    };
    setTimeout(tick, 500);
  }
})();
