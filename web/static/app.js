// recap's pages work without this script; with it, chapter times seek the
// player in the page, the job and batch pages follow their progress, a
// link to a passage opens its folded transcript, and "Link to this
// summary" copies.
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

  // The batch page follows the batch: its state, counts and usage, and
  // the items it shows, from progress.json (the same view as the page).
  // Untrusted text only ever goes in as textContent.
  var batch = $('[data-batch]');
  if (batch && batch.getAttribute('data-live') === 'true') {
    each('#batch-live .js-only', function (x) { x.hidden = false; });
    each('#batch-live .nojs-only', function (x) { x.hidden = true; });
    var purl = batch.getAttribute('data-progress');
    var text = function (sel, s) { var el = $(sel); if (el) el.textContent = s; };
    var fillItem = function (row, it) {
      row.setAttribute('data-pos', String(it.position));
      row.setAttribute('data-status', it.status);
      row.querySelector('.pos').textContent = String(it.position);
      var title = row.querySelector('.it-title'), a = title.querySelector('a');
      if (!a || a.getAttribute('href') !== it.link || a.textContent !== it.title) {
        var t = doc.createElement(it.link ? 'a' : 'span');
        if (it.link) t.setAttribute('href', it.link);
        t.textContent = it.title;
        title.replaceChildren(t);
      }
      var badge = row.querySelector('.it-meta .badge');
      badge.textContent = it.status;
      badge.setAttribute('data-status', it.status);
      var dur = row.querySelector('.it-dur'), date = row.querySelector('.it-date');
      dur.textContent = it.duration;
      dur.hidden = !it.duration;
      date.textContent = it.date;
      date.setAttribute('datetime', it.date);
      date.hidden = !it.date;
      var reason = row.querySelector('.it-reason');
      reason.textContent = it.reason || '';
      reason.hidden = !it.reason;
    };
    var fillItems = function (items) {
      var list = $('#items'), rows = list.querySelectorAll('.item');
      var same = rows.length === items.length;
      for (var i = 0; same && i < rows.length; i++) {
        same = rows[i].getAttribute('data-pos') === String(items[i].position);
      }
      if (same) {
        items.forEach(function (it, i) { fillItem(rows[i], it); });
      } else {
        var tmpl = $('#item-template');
        list.replaceChildren.apply(list, items.map(function (it) {
          var row = tmpl.content.firstElementChild.cloneNode(true);
          fillItem(row, it);
          return row;
        }));
      }
      var empty = $('#items-empty');
      if (empty) empty.hidden = items.length > 0;
    };
    var follow = function () {
      fetch(purl, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (b) {
          text('#batch-h', b.title);
          text('#batch-stage', b.stage);
          var st = $('#batch-status');
          st.textContent = b.status;
          st.setAttribute('data-status', b.status);
          var reason = $('#batch-reason');
          reason.textContent = b.reason;
          reason.hidden = !b.reason;
          var p = $('#batch-progress');
          p.max = b.total || 1;
          p.value = b.finished;
          text('#batch-usage', b.usage);
          b.counts.forEach(function (c) {
            var chip = doc.querySelector('[data-count="' + c.status + '"]');
            if (!chip) return;
            chip.querySelector('.n').textContent = String(c.n);
            chip.parentElement.hidden = !c.n && !chip.hasAttribute('aria-current');
          });
          $('#batch-retry').hidden = !b.can_retry;
          $('#batch-cancel').hidden = !b.can_cancel;
          fillItems(b.items);
          batch.setAttribute('data-status', b.status);
          if (!b.live) {
            $('#batch-live').hidden = true;
            batch.setAttribute('data-live', 'false');
            return;
          }
          setTimeout(follow, 1000);
        })
        .catch(function () { setTimeout(follow, 3000); });
    };
    setTimeout(follow, 500);
  }
})();
