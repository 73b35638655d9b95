package main

// Browser tests: the web app in a real headless Chromium, driven with
// chromedp, on an in-process `recap serve` with the fake YouTube and the
// fake LLM. They skip when no Chromium is installed (.ci/run installs
// Debian's). Chromium resolves no host but 127.0.0.1, so the pages' links
// to YouTube's player and image hosts never leave the machine.
//
// Screenshots of every page, in both themes, go to $RECAP_ARTIFACTS (or a
// temporary folder, logged); -update-screenshots also writes the README's
// small ones to docs/screenshots.

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/recap-dev/recap/llm/llmtest"
	"github.com/recap-dev/recap/render"
	"github.com/recap-dev/recap/youtube/youtubetest"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "write the README's page screenshots to docs/screenshots")

// chromium is the one browser of the test binary; each test opens tabs.
var chromium struct {
	once   sync.Once
	ctx    context.Context
	cancel func()
	err    error
}

// chromiumPath finds the browser: $RECAP_CHROMIUM, else the usual names.
func chromiumPath() string {
	if p := os.Getenv("RECAP_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func stopChromium() {
	if chromium.cancel != nil {
		chromium.cancel()
	}
}

// pageWatch collects what must never happen on a page: dialogs, script
// errors, CSP reports, and console errors other than failed loads (the
// YouTube hosts do not resolve here).
type pageWatch struct {
	mu       sync.Mutex
	problems []string
}

func (w *pageWatch) add(s string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.problems = append(w.problems, s)
}

// take returns and clears what was collected.
func (w *pageWatch) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	p := w.problems
	w.problems = nil
	return p
}

// spyJS runs before every page's own scripts: it records CSP violations,
// counts the payloads' canary, and records the messages the page posts to
// the player's frame (the frame itself cannot load here).
const spyJS = `
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) { window.__csp.push(e.violatedDirective + ' ' + e.blockedURI); });
window.__posts = [];
Object.defineProperty(HTMLIFrameElement.prototype, 'contentWindow', {configurable: true, get: function () {
  return {postMessage: function (m, o) { window.__posts.push({m: String(m), o: String(o)}); }};
}});
`

// newTab opens a tab in the shared browser, or skips the test when there is
// no browser.
func newTab(t *testing.T) (context.Context, *pageWatch) {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		t.Skip("no Chromium found (apt-get install chromium, or set RECAP_CHROMIUM): browser tests skipped")
	}
	chromium.once.Do(func() {
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1280, 900),
			// Nothing but this machine: every other host fails to resolve.
			chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
			chromedp.Flag("hide-scrollbars", true),
		)
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(alloc)
		chromium.ctx, chromium.cancel = ctx, func() { cancel(); cancelAlloc() }
		chromium.err = chromedp.Do(ctx)
	})
	if chromium.err != nil {
		t.Fatalf("start %s: %v", path, chromium.err)
	}
	ctx, cancel := chromedp.NewContext(chromium.ctx)
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancelTimeout)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: spyJS}); err != nil {
		t.Fatal(err)
	}
	w := &pageWatch{}
	if err := chromedp.Listen(ctx, func(ev any) {
		if d, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			w.add(fmt.Sprintf("a %s dialog opened: %q", d.Type, d.Message))
			go chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}); err != nil {
		t.Fatal(err)
	}
	console := chromedp.Console(ctx)
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			if m.Source == "network" || (m.Type != chromedp.ConsoleError && m.Type != chromedp.ConsoleException && m.Source != "security") {
				continue
			}
			w.add(fmt.Sprintf("console %s (%s) at %s: %s", m.Type, m.Source, m.URL, m.Text))
		}
	}()
	return ctx, w
}

func do(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// open navigates and returns the HTTP status of the page.
func open(t *testing.T, ctx context.Context, u string) int64 {
	t.Helper()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(u))
	if err != nil {
		t.Fatalf("open %s: %v", u, err)
	}
	return resp.Status
}

// waitJS waits until the expression is true, across page loads.
func waitJS(t *testing.T, ctx context.Context, js string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+js+")"))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			loc, _ := chromedp.Run(ctx, chromedp.Evaluate[string]("location.href"))
			t.Fatalf("waited %v for %s (at %s, last error %v)", timeout, js, loc, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// clean fails t for anything the watch or the spy collected on the page.
func clean(t *testing.T, ctx context.Context, w *pageWatch, what string) {
	t.Helper()
	time.Sleep(100 * time.Millisecond) // let the console catch up
	for _, p := range w.take() {
		t.Errorf("%s: %s", what, p)
	}
	if csp := eval[[]string](t, ctx, "window.__csp || []"); len(csp) > 0 {
		t.Errorf("%s: CSP violations %q", what, csp)
	}
	if n := eval[int](t, ctx, "window.__xss || 0"); n != 0 {
		t.Errorf("%s: a payload ran %d times", what, n)
	}
}

// fits checks that the page does not scroll sideways.
func fits(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	if !eval[bool](t, ctx, "document.documentElement.scrollWidth <= window.innerWidth") {
		w := eval[string](t, ctx, "document.documentElement.scrollWidth + ' > ' + window.innerWidth")
		t.Errorf("%s scrolls sideways: %s", what, w)
	}
}

// artifacts is where screenshots go.
var artifacts = sync.OnceValue(func() string {
	if d := os.Getenv("RECAP_ARTIFACTS"); d != "" {
		os.MkdirAll(d, 0o755)
		return d
	}
	d, _ := os.MkdirTemp("", "recap-screenshots-")
	return d
})

// readmeThemes is the theme of each screenshot the README shows; "both"
// shows it in each, as README-light.png and README-dark.png.
var readmeThemes = map[string]string{
	"home": "dark", "summary": "light", "chapters": "dark", "search": "light", "job": "light",
	"failed": "dark", "phone-summary": "dark", "sign-in": "light", "podcast": "light", "batch": "both",
}

// shoot saves a screenshot of the viewport in both themes; with
// -update-screenshots, readme names the one the README shows ("" none),
// in the theme readmeThemes gives it.
func shoot(t *testing.T, ctx context.Context, name, readme string) {
	t.Helper()
	for _, theme := range []string{"light", "dark"} {
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: theme}},
		}); err != nil {
			t.Fatal(err)
		}
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(artifacts(), name+"-"+theme+".png")
		if err := os.WriteFile(file, png, 0o644); err != nil {
			t.Fatal(err)
		}
		if *updateScreenshots && readme != "" && (readmeThemes[readme] == theme || readmeThemes[readme] == "both") {
			name := readme + ".png"
			if readmeThemes[readme] == "both" {
				name = readme + "-" + theme + ".png"
			}
			if err := os.WriteFile(filepath.Join("..", "..", "docs", "screenshots", name), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots of %s in %s", name, artifacts())
}

// phrase is said at the start of a chapter of the test video, so its
// passage starts at that cue.
const phrase = "the marmalade telescope hums"

// webVideo is a synthetic video with phrase in the first cue of its third
// chapter; it returns the video and the second the phrase is said at.
func webVideo(id string) (youtubetest.Video, int64) {
	v := youtubetest.SyntheticVideo(id, 30*time.Minute, 5, 8)
	chs := youtubetest.SyntheticChapters(30*time.Minute, 5, 8)
	at := int64(-1)
	for i, s := range v.Tracks[0].Segments {
		if s.Start >= chs[2].Start {
			v.Tracks[0].Segments[i].Text = "So " + phrase + " over the hill."
			at = int64(s.Start / time.Second)
			break
		}
	}
	v.Transcript = v.Tracks[0].Segments
	return v, at
}

// The payloads go into every field that comes from YouTube, the
// transcript or the LLM; each would count window.__xss up if it ran.
var payloads = []string{
	`<script>window.__xss=(window.__xss||0)+1</script>`,
	`<img src=x onerror="window.__xss=(window.__xss||0)+1">`,
	`javascript:window.__xss=(window.__xss||0)+1`,
	`"><svg onload="window.__xss=(window.__xss||0)+1">`,
	`'-alert(1)-'`,
}

func payloadVideo(id string) youtubetest.Video {
	v := youtubetest.SyntheticVideo(id, 12*time.Minute, 3, 9)
	all := strings.Join(payloads, " ")
	v.Title = "Payload " + payloads[0] + payloads[3]
	v.Channel = "Channel " + payloads[1]
	v.Description = strings.ReplaceAll(v.Description, "\nThanks", "\n"+all+"\nThanks")
	chs := youtubetest.SyntheticChapters(12*time.Minute, 3, 9)
	v.Description = strings.Replace(v.Description, chs[1].Title, chs[1].Title+" "+payloads[3], 1)
	for i := range v.Tracks[0].Segments {
		if i%5 == 0 {
			v.Tracks[0].Segments[i].Text += " payloadword " + payloads[i/5%len(payloads)]
		}
	}
	v.Transcript = v.Tracks[0].Segments
	return v
}

// payloadAnswers makes the fake LLM put the payloads into every answer
// about the payload video.
func payloadAnswers(r llmtest.Request) *llmtest.Reply {
	if !strings.Contains(r.Text(), "payloadword") && !strings.Contains(r.Text(), "Payload") {
		return nil
	}
	return &llmtest.Reply{Content: func(answer string) string {
		all := strings.ReplaceAll(strings.Join(payloads, " "), `"`, `\"`)
		short := strings.ReplaceAll(payloads[1]+payloads[3], `"`, `\"`) // a title has at most 200 characters
		answer = strings.Replace(answer, `"title":"`, `"title":"`+short+` `, 1)
		answer = strings.Replace(answer, `"summary":"`, `"summary":"`+all+` `, 1)
		answer = strings.Replace(answer, `"overview":"`, `"overview":"`+all+` `, 1)
		return strings.Replace(answer, `"bullets":["`, `"bullets":["`+all+`","`, 1)
	}}
}

func TestBrowserApp(t *testing.T) {
	ctx, watch := newTab(t)
	f := newFakes(t, llmtest.WithLatency(300*time.Millisecond), llmtest.WithScript(payloadAnswers))
	f.env["RECAP_HTTP_ADDR"] = "127.0.0.1:0"
	f.env["RECAP_WORKERS"] = "2"
	video, said := webVideo("webVideo001")
	f.yt.AddVideo(video)
	f.yt.AddVideo(payloadVideo("xssVideo001"))
	f.yt.AddVideo(youtubetest.Video{ID: "privateVid3", Title: "Gone", Private: true})
	s := f.serveInProcess(t)
	t.Cleanup(s.stop)

	var jobID, againID string
	t.Run("SubmitProgressSummary", func(t *testing.T) {
		if open(t, ctx, s.base+"/") != 200 {
			t.Fatal("home is not 200")
		}
		shoot(t, ctx, "home-empty", "")
		do(t, ctx, chromedp.SendKeys(chromedp.ID("url"), "youtube.com/watch?v=webVideo001"),
			chromedp.Click(chromedp.CSS("form.submit button")))
		waitJS(t, ctx, "location.pathname.startsWith('/s/')", 20*time.Second)
		jobID = strings.TrimPrefix(eval[string](t, ctx, "location.pathname"), "/s/")
		// The job page follows the job until the summary shows.
		stages := map[string]bool{}
		deadline := time.Now().Add(90 * time.Second)
		for time.Now().Before(deadline) {
			st, err := chromedp.Run(ctx, chromedp.Evaluate[string](
				// A page still being parsed may hold only its first chapters.
				"document.readyState === 'complete' && document.querySelectorAll('.chapter').length ? 'summary' : (document.querySelector('#stage') || {}).textContent || ''"))
			if err == nil && st == "summary" {
				break
			}
			if err == nil && st != "" && !stages[st] {
				stages[st] = true
				if len(stages) == 1 {
					shoot(t, ctx, "job-running", "job")
				}
			}
			time.Sleep(30 * time.Millisecond)
		}
		if len(stages) == 0 {
			t.Error("the job page never showed a stage")
		}
		t.Logf("stages seen: %v", stages)
		job := s.job(t, jobID)
		if job.Summary == nil {
			t.Fatalf("job %s = %+v, want done", jobID, job)
		}
		titles := eval[[]string](t, ctx, "[...document.querySelectorAll('.chapter h2 span')].map(e => e.textContent)")
		if len(titles) != len(job.Summary.Chapters) || len(titles) != 5 {
			t.Fatalf("summary page shows %d chapters, the document has %d", len(titles), len(job.Summary.Chapters))
		}
		for i, c := range job.Summary.Chapters {
			if titles[i] != c.Title {
				t.Errorf("chapter %d is %q on the page, %q in the document", i, titles[i], c.Title)
			}
		}
		if eval[int](t, ctx, "document.querySelectorAll('details.transcript[open]').length") != 0 ||
			eval[int](t, ctx, "document.querySelectorAll('details.transcript .passage').length") < 20 {
			t.Error("each chapter's transcript should be folded, with its passages")
		}
		clean(t, ctx, watch, "summary page")
		shoot(t, ctx, "summary", "summary")
		do(t, ctx, chromedp.Evaluate[chromedp.Void]("window.scrollTo(0, document.querySelector('.chapter').offsetTop)"))
		shoot(t, ctx, "summary-chapters", "chapters")
	})
	if jobID == "" {
		t.Fatal("no summary to go on with")
	}
	doc := s.job(t, jobID).Summary
	if doc == nil {
		t.Fatal("no summary to go on with")
	}

	t.Run("ChapterTimeSeeks", func(t *testing.T) {
		open(t, ctx, s.base+"/")
		do(t, ctx, chromedp.Evaluate[chromedp.Void]("document.querySelector('form.submit details').open = true"))
		shoot(t, ctx, "home", "home")
		open(t, ctx, s.base+"/s/"+jobID)
		hrefs := eval[[]string](t, ctx, "[...document.querySelectorAll('.toc a.time')].map(a => a.href)")
		for i, c := range doc.Chapters {
			if want := fmt.Sprintf("v=webVideo001&t=%ds", c.StartSeconds); i >= len(hrefs) || !strings.HasSuffix(hrefs[i], want) {
				t.Errorf("chapter %d's time links to %q; want …%s (the link without JavaScript)", i, hrefs, want)
			}
		}
		// The first click loads the player at that second...
		c2, c3 := doc.Chapters[2].StartSeconds, doc.Chapters[3].StartSeconds
		do(t, ctx, chromedp.Click(chromedp.CSS(".toc li:nth-child(3) a.time")))
		waitJS(t, ctx, "document.querySelector('#player iframe')", 5*time.Second)
		src := eval[string](t, ctx, "document.querySelector('#player iframe').src")
		if !strings.HasPrefix(src, "https://www.youtube-nocookie.com/embed/webVideo001?") || !strings.Contains(src, fmt.Sprintf("start=%d", c2)) {
			t.Errorf("player src = %q; want the nocookie embed starting at %d", src, c2)
		}
		if at := eval[string](t, ctx, "location.href"); strings.Contains(at, "youtube") {
			t.Errorf("the click left the page for %s", at)
		}
		// ...and the next seeks it with the IFrame API's postMessage.
		do(t, ctx, chromedp.Click(chromedp.CSS(".toc li:nth-child(4) a.time")))
		waitJS(t, ctx, "window.__posts.length >= 2", 5*time.Second)
		posts := eval[[]map[string]string](t, ctx, "window.__posts")
		want := fmt.Sprintf(`{"event":"command","func":"seekTo","args":[%d,true]}`, c3)
		if posts[0]["m"] != want || posts[0]["o"] != "https://www.youtube-nocookie.com" {
			t.Errorf("posted %v; want %s to https://www.youtube-nocookie.com", posts, want)
		}
		if st := eval[string](t, ctx, "document.querySelector('#seek-status').textContent"); st != "Playing from "+render.Timestamp(c3) {
			t.Errorf("status %q", st)
		}
		clean(t, ctx, watch, "seeking")
	})

	t.Run("SearchFindsMoment", func(t *testing.T) {
		open(t, ctx, s.base+"/")
		do(t, ctx, chromedp.SendKeys(chromedp.ID("top-q"), `"marmalade telescope"`),
			chromedp.Click(chromedp.CSS("form.search button")))
		waitJS(t, ctx, "document.querySelector('.result')", 10*time.Second)
		// The transcript's moment (the chapter's title, made by the fake
		// LLM from the chapter's words, may match too).
		first := eval[map[string]string](t, ctx, `(() => { const r = document.querySelector('.result[data-kind=passage]');
			return {time: r.querySelector('.time').textContent, summary: r.querySelector('.where a').getAttribute('href'),
			  watch: r.querySelector('.meta a').href, mark: [...r.querySelectorAll('mark')].map(m => m.textContent).join('|')}; })()`)
		if first["time"] != render.Timestamp(said) || first["summary"] != fmt.Sprintf("/v/webVideo001#t%d", said) ||
			!strings.HasSuffix(first["watch"], fmt.Sprintf("v=webVideo001&t=%ds", said)) {
			t.Errorf("first result %v; want the moment at %d s (%s)", first, said, render.Timestamp(said))
		}
		if !strings.Contains(strings.ToLower(first["mark"]), "marmalade") {
			t.Errorf("highlighted %q; want the phrase", first["mark"])
		}
		clean(t, ctx, watch, "search page")
		shoot(t, ctx, "search", "search")
		do(t, ctx, chromedp.Click(chromedp.CSS(".result[data-kind=passage] .where a:not(.time)")))
		waitJS(t, ctx, fmt.Sprintf("location.hash === '#t%d' && document.getElementById('t%d')", said, said), 10*time.Second)
		waitJS(t, ctx, fmt.Sprintf("document.getElementById('t%d').closest('details').open", said), 5*time.Second)
		text := eval[string](t, ctx, fmt.Sprintf("document.getElementById('t%d').textContent", said))
		if !strings.Contains(text, phrase) || !strings.HasPrefix(text, render.Timestamp(said)) {
			t.Errorf("passage t%d = %q; want its time and the phrase", said, text)
		}
		shoot(t, ctx, "summary-passage", "")
		// A query the parser refuses is a 400 with its message.
		if code := open(t, ctx, s.base+"/search?q="+url.QueryEscape(`"unclosed`)); code != 400 {
			t.Errorf("bad query = %d, want 400", code)
		}
		if msg := eval[string](t, ctx, "document.querySelector('.err').textContent"); !strings.Contains(msg, "unbalanced quote") {
			t.Errorf("bad query says %q", msg)
		}
		// Search within the video.
		open(t, ctx, s.base+"/s/"+jobID)
		do(t, ctx, chromedp.SendKeys(chromedp.ID("in-video-q"), "marmalade"), chromedp.Click(chromedp.CSS(".tools form.search button")))
		waitJS(t, ctx, "document.querySelector('.result') && location.search.includes('video_id=webVideo001')", 10*time.Second)
	})

	t.Run("PayloadsStayText", func(t *testing.T) {
		code, v := s.post(t, `{"url": "xssVideo001"}`)
		if code != http.StatusAccepted {
			t.Fatalf("POST = %d", code)
		}
		done := s.wait(t, v.ID, "done", finished)
		if done.Summary == nil || !strings.Contains(done.Summary.Overview, "<script>") {
			t.Fatalf("the payload job = %+v (%+v); want a summary that carries the payloads", done, done.Error)
		}
		watch.take()
		pages := map[string]string{
			"home": "/", "summary": "/s/" + v.ID, "search": "/search?q=payloadword", "video": "/v/xssVideo001",
		}
		for name, path := range pages {
			open(t, ctx, s.base+path)
			// Open every folded transcript, and follow every time link.
			do(t, ctx, chromedp.Evaluate[chromedp.Void]("document.querySelectorAll('details').forEach(d => d.open = true)"))
			clean(t, ctx, watch, name)
		}
		open(t, ctx, s.base+"/s/"+v.ID)
		if title := eval[string](t, ctx, "document.querySelector('h1').textContent"); !strings.Contains(title, payloads[0]) {
			t.Errorf("the title shows as %q; want the payload as text", title)
		}
		if n := eval[int](t, ctx, "document.querySelectorAll('main script, main img[onerror], main svg, a[href^=javascript]').length"); n != 0 {
			t.Errorf("%d payload elements made it into the page", n)
		}
		shoot(t, ctx, "payloads", "")
	})

	t.Run("FailedJobRetry", func(t *testing.T) {
		open(t, ctx, s.base+"/")
		do(t, ctx, chromedp.SendKeys(chromedp.ID("url"), "https://www.youtube.com/watch?v=privateVid3"),
			chromedp.Click(chromedp.CSS("form.submit button")))
		waitJS(t, ctx, "document.querySelector('section.job .err')", 60*time.Second)
		first := eval[string](t, ctx, "location.pathname")
		if msg := eval[string](t, ctx, "document.querySelector('section.job .err').textContent"); !strings.Contains(strings.ToLower(msg), "private") {
			t.Errorf("failed job says %q; want the reason", msg)
		}
		if code := open(t, ctx, s.base+first); code != http.StatusGone {
			t.Errorf("failed job page = %d, want 410", code)
		}
		shoot(t, ctx, "job-failed", "failed")
		do(t, ctx, chromedp.Click(chromedp.CSS("section.job form button")))
		waitJS(t, ctx, fmt.Sprintf("location.pathname.startsWith('/s/') && location.pathname !== %q", first), 20*time.Second)
		clean(t, ctx, watch, "failed job page")
	})

	t.Run("WithoutJavaScript", func(t *testing.T) {
		js := func(on bool) {
			if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on}); err != nil {
				t.Fatal(err)
			}
		}
		js(false)
		defer js(true)
		open(t, ctx, s.base+"/s/"+jobID)
		if n := eval[int](t, ctx, "document.querySelectorAll('.chapter').length"); n != 5 {
			t.Errorf("%d chapters without JavaScript", n)
		}
		href := eval[string](t, ctx, "document.querySelector('.toc li:nth-child(2) a.time').href")
		if !strings.HasSuffix(href, fmt.Sprintf("&t=%ds", doc.Chapters[1].StartSeconds)) {
			t.Errorf("chapter link without JavaScript = %q", href)
		}
		// The form works, and the job page reloads itself.
		open(t, ctx, s.base+"/")
		// The options unfold without JavaScript.
		do(t, ctx, chromedp.SendKeys(chromedp.ID("url"), "webVideo001"), chromedp.Click(chromedp.CSS("form.submit details summary")),
			chromedp.Click(chromedp.CSS("#main input[name=force]")), chromedp.Click(chromedp.CSS("form.submit button[type=submit]")))
		waitJS(t, ctx, "location.pathname.startsWith('/s/') && location.pathname !== '/s/"+jobID+"'", 20*time.Second)
		againID = strings.TrimPrefix(eval[string](t, ctx, "location.pathname"), "/s/")
		if eval[bool](t, ctx, "!!document.querySelector('[data-job]')") {
			if !eval[bool](t, ctx, "!!document.querySelector('noscript meta[http-equiv=refresh], meta[http-equiv=refresh]') && !document.querySelector('.nojs-only').hidden") {
				t.Error("the job page without JavaScript neither reloads itself nor offers a reload link")
			}
		}
		clean(t, ctx, watch, "without JavaScript")
	})

	t.Run("Phone", func(t *testing.T) {
		do(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
		defer do(t, ctx, chromedp.EmulateViewport(1280, 900))
		for _, p := range []struct{ name, path string }{
			{"home", "/"}, {"summary", "/s/" + jobID}, {"search", "/search?q=marmalade"}, {"search-error", "/search?q=-only"},
		} {
			open(t, ctx, s.base+p.path)
			do(t, ctx, chromedp.Evaluate[chromedp.Void]("document.querySelectorAll('details').forEach(d => d.open = true)"))
			fits(t, ctx, p.name)
			shoot(t, ctx, "phone-"+p.name, map[string]string{"summary": "phone-summary"}[p.name])
		}
		clean(t, ctx, watch, "phone pages")
	})

	t.Run("Home", func(t *testing.T) {
		open(t, ctx, s.base+"/")
		// One entry per video, however often it was summarized: the
		// first video has two summaries by now.
		if againID != "" {
			s.wait(t, againID, "done", finished)
			open(t, ctx, s.base+"/")
		}
		items := eval[[]string](t, ctx, "[...document.querySelectorAll('.library .title')].map(e => e.textContent)")
		seen := map[string]int{}
		for _, it := range items {
			seen[it]++
		}
		if len(items) != 2 || seen[doc.Video.Title] != 1 || !eval[bool](t, ctx, "!!document.querySelector('.library a[href=\"/s/"+againID+"\"]')") {
			t.Errorf("library = %q; want the two summarized videos once each", items)
		}
		shoot(t, ctx, "home-all", "")
		// A playlist becomes a batch; one YouTube does not have fails at
		// expansion, and its page says why.
		do(t, ctx, chromedp.SendKeys(chromedp.ID("url"), "https://www.youtube.com/playlist?list=PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf"),
			chromedp.Click(chromedp.CSS("form.submit button")))
		waitJS(t, ctx, "location.pathname.startsWith('/b/')", 10*time.Second)
		waitJS(t, ctx, "document.querySelector('[data-batch]').getAttribute('data-status') === 'failed' && !document.querySelector('#batch-reason').hidden", 30*time.Second)
		if msg := eval[string](t, ctx, "document.querySelector('#batch-reason').textContent"); !strings.Contains(msg, "PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf") {
			t.Errorf("the failed batch says %q; want why", msg)
		}
		clean(t, ctx, watch, "home")
	})
}

func TestBrowserTokens(t *testing.T) {
	ctx, watch := newTab(t)
	f := newFakes(t)
	f.env["RECAP_HTTP_ADDR"] = "127.0.0.1:0"
	f.env["RECAP_API_TOKENS"] = "tok-one,tok-two"
	f.yt.AddVideo(youtubetest.SyntheticVideo("tokVideo001", 10*time.Minute, 3, 3))
	s := f.serveInProcess(t)
	t.Cleanup(s.stop)

	open(t, ctx, s.base+"/")
	if eval[int](t, ctx, "document.querySelectorAll('#url, .library').length") != 0 {
		t.Fatal("the home page shows the library without a token")
	}
	shoot(t, ctx, "sign-in", "sign-in")
	do(t, ctx, chromedp.SendKeys(chromedp.ID("token"), "wrong"), chromedp.Click(chromedp.CSS("form.stack button")))
	waitJS(t, ctx, "document.querySelector('.err')", 10*time.Second)
	do(t, ctx, chromedp.SendKeys(chromedp.ID("token"), "tok-two"), chromedp.Click(chromedp.CSS("form.stack button")))
	waitJS(t, ctx, "document.querySelector('#url')", 10*time.Second)

	cookies, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{})
	if err != nil {
		t.Fatal(err)
	}
	var session *network.Cookie
	for _, c := range cookies.Cookies {
		if c.Name == "recap_session" {
			session = c
		}
	}
	if session == nil || !session.HTTPOnly || session.SameSite != network.CookieSameSiteStrict || strings.Contains(session.Value, "tok-two") {
		t.Fatalf("session cookie %+v; want HttpOnly, SameSite=Strict, without the token", session)
	}
	if eval[string](t, ctx, "document.querySelector('form.submit input[name=csrf]').value") == "" {
		t.Error("the submit form carries no CSRF token")
	}
	// A script on the page cannot post the form without the CSRF token,
	// and the session does not open the API.
	status := eval[int](t, ctx, `(async () => (await fetch('/', {method: 'POST', body: new URLSearchParams({url: 'tokVideo001'})})).status)()`)
	if status != http.StatusForbidden {
		t.Errorf("a POST without the CSRF token = %d, want 403", status)
	}
	if st := eval[int](t, ctx, `(async () => (await fetch('/v1/summaries')).status)()`); st != http.StatusUnauthorized {
		t.Errorf("the API with only the session cookie = %d, want 401", st)
	}
	do(t, ctx, chromedp.SendKeys(chromedp.ID("url"), "tokVideo001"), chromedp.Click(chromedp.CSS("form.submit button")))
	waitJS(t, ctx, "document.querySelectorAll('.chapter').length === 3", 60*time.Second)
	clean(t, ctx, watch, "signed in")
	do(t, ctx, chromedp.Click(chromedp.CSS("form.signout button")))
	waitJS(t, ctx, "document.querySelector('#token')", 10*time.Second)
	if code := open(t, ctx, s.base+"/search?q=topic"); code != http.StatusUnauthorized {
		t.Errorf("search after signing out = %d, want 401", code)
	}
}
