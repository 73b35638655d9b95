package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/recap-dev/recap/llm/llmtest"
	"github.com/recap-dev/recap/youtube/youtubetest"
)

// gate holds the fake LLM's answers about some videos until it is opened.
type gate struct {
	once sync.Once
	ch   chan struct{}
}

func newGate() *gate  { return &gate{ch: make(chan struct{})} }
func (g *gate) open() { g.once.Do(func() { close(g.ch) }) }
func (g *gate) wait() { <-g.ch }

// batchState is what the batch page shows of its batch: its status and
// its counts by item status, read from the page itself.
const batchStateJS = `(() => {
	const b = document.querySelector('[data-batch]'), c = {};
	document.querySelectorAll('[data-count]').forEach(e => c[e.getAttribute('data-count')] = +e.querySelector('.n').textContent);
	return {status: b.getAttribute('data-status'), counts: c,
		rows: [...document.querySelectorAll('#items .item')].map(r => r.getAttribute('data-status'))};
})()`

type batchState struct {
	Status string
	Counts map[string]int
	Rows   []string
}

// TestBrowserBatches: backlogs in the web app. A playlist submitted
// through the home form becomes a batch whose page follows it to the end;
// a failed item is retried and an item's summary opened; a batch is
// canceled from its page without JavaScript; a subscription is added and
// deleted; item titles and skip reasons carrying payloads stay text; the
// pages fit a phone.
func TestBrowserBatches(t *testing.T) {
	ctx, watch := newTab(t)
	held, slow := newGate(), newGate()
	f := newFakes(t, llmtest.WithScript(func(r llmtest.Request) *llmtest.Reply {
		switch {
		case strings.Contains(r.Text(), "Held video"):
			held.wait()
		case strings.Contains(r.Text(), "Slow video"):
			slow.wait()
		}
		return nil
	}))
	dir := t.TempDir()
	f.env["RECAP_HTTP_ADDR"] = "127.0.0.1:0"
	f.env["RECAP_WORKERS"] = "2"
	f.env["RECAP_YOUTUBE_RPM"] = "0" // a fake YouTube: no pace
	f.env["RECAP_BATCH_DIR"] = dir

	// A playlist of three videos, one private until it is retried, a
	// deleted entry, and a last video that the form's limit leaves out.
	tide := f.videos("tp", 3, 4*time.Minute)
	tide = append(tide, youtubetest.Item{ID: "tpPrivate01", Title: "Private for now", Duration: 4 * time.Minute},
		youtubetest.Item{ID: "tpDeleted01", Deleted: true})
	tide = append(tide, f.videos("tl", 1, 4*time.Minute)...)
	f.yt.AddVideo(youtubetest.Video{ID: "tpPrivate01", Title: "Private for now", Private: true})
	f.yt.AddPlaylist(youtubetest.Playlist{ID: "PLtidePools01", Title: "Tide pools, explained", Items: tide, PageSize: 3})
	// A playlist whose videos the LLM holds, to cancel.
	heldItems := f.videos("hd", 12, 4*time.Minute)
	for i := range heldItems {
		v := youtubetest.SyntheticVideo(heldItems[i].ID, 4*time.Minute, 2, int64(i))
		v.Title = fmt.Sprintf("Held video %d", i+1)
		f.yt.AddVideo(v)
	}
	f.yt.AddPlaylist(youtubetest.Playlist{ID: "PLheldVideos1", Title: "To cancel", Items: heldItems})
	// A yt-dlp flat playlist whose title, entry titles and extractor name
	// (which the skip reason quotes) carry the payloads.
	slowItems := f.videos("sl", 2, 4*time.Minute)
	for i := range slowItems {
		v := youtubetest.SyntheticVideo(slowItems[i].ID, 4*time.Minute, 2, int64(i))
		v.Title = fmt.Sprintf("Slow video %d", i+1)
		f.yt.AddVideo(v)
	}
	flat := map[string]any{"_type": "playlist", "id": "flat", "title": "Flat " + payloads[0] + payloads[3], "entries": []map[string]any{
		{"_type": "url", "ie_key": "Youtube", "id": slowItems[0].ID, "url": "https://www.youtube.com/watch?v=" + slowItems[0].ID, "title": "Entry " + payloads[1], "duration": 240},
		{"_type": "url", "ie_key": "Youtube", "id": slowItems[1].ID, "url": "https://www.youtube.com/watch?v=" + slowItems[1].ID, "title": payloads[2], "duration": 240},
		{"_type": "url", "ie_key": "Vimeo" + payloads[0], "id": "123456", "url": "https://vimeo.com/123456", "title": "Elsewhere " + payloads[3]},
		{"_type": "url", "ie_key": "Youtube", "id": "slPrivate01", "url": "https://www.youtube.com/watch?v=slPrivate01", "title": "[Private video]"},
	}}
	data, _ := json.Marshal(flat)
	if err := os.WriteFile(filepath.Join(dir, "flat.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	// A channel to subscribe to.
	f.yt.AddChannel(youtubetest.Channel{ID: "UCrockPoolsChannel000001", Title: "Rock Pools", Handle: "@rockpools",
		Videos: f.videos("rp", 2, 4*time.Minute), Grid: youtubetest.GridLockup})

	s := f.serveInProcess(t)
	t.Cleanup(s.stop)
	t.Cleanup(func() { held.open(); slow.open() }) // before the server stops
	state := func(t *testing.T) batchState { return eval[batchState](t, ctx, batchStateJS) }

	var batchPath string
	t.Run("SubmitFollowRetryOpen", func(t *testing.T) {
		open(t, ctx, s.base+"/")
		// The first five items only, through the options; the page's
		// keyboard path: the summary unfolds them, the fields are labelled.
		if eval[bool](t, ctx, "document.querySelector('form.submit details').open") {
			t.Error("the options are unfolded before anything is set")
		}
		do(t, ctx, chromedp.SendKeys(chromedp.ID("url"), "youtube.com/playlist?list=PLtidePools01"),
			chromedp.Focus(chromedp.CSS("form.submit details summary")), chromedp.KeyEvent("\r"))
		waitJS(t, ctx, "document.querySelector('form.submit details').open", 5*time.Second)
		if label := eval[string](t, ctx, "document.querySelector('#opt-limit').labels[0].textContent"); label != "Limit" {
			t.Errorf("the limit field's label is %q", label)
		}
		do(t, ctx, chromedp.SendKeys(chromedp.ID("opt-limit"), "5"), chromedp.Click(chromedp.CSS("form.submit button[type=submit]")))
		waitJS(t, ctx, "location.pathname.startsWith('/b/')", 20*time.Second)
		batchPath = eval[string](t, ctx, "location.pathname")
		if v := s.batch(t, strings.TrimPrefix(batchPath, "/b/")); v.Options.Limit != 5 {
			t.Errorf("the form's batch has limit %d; want 5", v.Options.Limit)
		}
		// The script follows the batch in the page, without reloading it.
		do(t, ctx, chromedp.Evaluate[chromedp.Void]("window.__stayed = true"))
		waitJS(t, ctx, "document.querySelector('[data-batch]').getAttribute('data-status') === 'done'", 90*time.Second)
		if !eval[bool](t, ctx, "window.__stayed === true") {
			t.Error("the batch page reloaded itself instead of following the batch")
		}
		st := state(t)
		if st.Counts["done"] != 3 || st.Counts["failed"] != 1 || st.Counts["skipped"] != 1 || st.Counts["all"] != 5 || len(st.Rows) != 5 {
			t.Fatalf("batch page shows %+v; want 3 done, 1 failed, 1 skipped", st)
		}
		if title := eval[string](t, ctx, "document.querySelector('#batch-h').textContent"); title != "Tide pools, explained" {
			t.Errorf("title %q", title)
		}
		// Each row has its title and length (the script drew the rows when
		// the page opened before the playlist was listed).
		rows := eval[[]string](t, ctx, "[...document.querySelectorAll('#items .item')].map(r => r.querySelector('.it-title').textContent + ' ' + r.querySelector('.it-dur').textContent)")
		if len(rows) != 5 || rows[0] != "Synthetic video tp 1 4:00" || rows[3] != "Private for now 4:00" {
			t.Errorf("rows %q", rows)
		}
		if p := eval[[]float64](t, ctx, "[document.querySelector('#batch-progress').value, document.querySelector('#batch-progress').max]"); p[0] != 5 || p[1] != 5 {
			t.Errorf("progress %v; want 5 of 5", p)
		}
		failed := eval[map[string]string](t, ctx, `(() => { const r = document.querySelector('.item[data-status=failed]');
			return {reason: r.querySelector('.it-reason').textContent, link: r.querySelector('.it-title a').getAttribute('href')}; })()`)
		if !strings.Contains(strings.ToLower(failed["reason"]), "private") || !strings.HasPrefix(failed["link"], "/s/") {
			t.Errorf("failed item %v; want the reason and a link to its job page", failed)
		}
		skipped := eval[map[string]any](t, ctx, `(() => { const r = document.querySelector('.item[data-status=skipped]');
			return {reason: r.querySelector('.it-reason').textContent, links: r.querySelectorAll('a').length}; })()`)
		if skipped["reason"] != "deleted video" || skipped["links"] != 0.0 {
			t.Errorf("skipped item %v; want its reason and no link", skipped)
		}
		if eval[bool](t, ctx, "document.querySelector('#batch-retry').hidden || !document.querySelector('#batch-cancel').hidden") {
			t.Error("a done batch with a failed item should offer retry, not cancel")
		}
		clean(t, ctx, watch, "batch page")
		shoot(t, ctx, "batch", "batch")

		// The private video becomes public; retry the failed item.
		f.yt.AddVideo(youtubetest.SyntheticVideo("tpPrivate01", 4*time.Minute, 2, 7))
		do(t, ctx, chromedp.Click(chromedp.CSS("#batch-retry button")))
		waitJS(t, ctx, "location.search === '?requeued=1'", 20*time.Second)
		if note := eval[string](t, ctx, "document.querySelector('.note').textContent"); note != "1 item was queued again." {
			t.Errorf("after retry the page says %q", note)
		}
		waitJS(t, ctx, "document.querySelector('[data-batch]').getAttribute('data-status') === 'done' && document.querySelector('[data-count=failed] .n').textContent === '0'", 60*time.Second)
		if st := state(t); st.Counts["done"] != 4 || st.Counts["skipped"] != 1 {
			t.Errorf("after retry %+v; want 4 done", st)
		}
		// An item's title opens its summary.
		want := eval[string](t, ctx, "document.querySelector('.item[data-status=done] .it-title a').getAttribute('href')")
		do(t, ctx, chromedp.Click(chromedp.CSS(".item[data-status=done] .it-title a")))
		waitJS(t, ctx, "document.querySelectorAll('.chapter').length > 0 && location.pathname.startsWith('/s/')", 20*time.Second)
		if at := eval[string](t, ctx, "location.pathname"); at != want {
			t.Errorf("the item opened %s; want %s", at, want)
		}
		clean(t, ctx, watch, "retry and summary")
	})

	t.Run("CancelWithoutJavaScript", func(t *testing.T) {
		code, body := s.do(t, "POST", "/v1/batches", `{"url": "https://www.youtube.com/playlist?list=PLheldVideos1"}`)
		var v batchView
		if code != http.StatusAccepted || json.Unmarshal(body, &v) != nil {
			t.Fatalf("POST /v1/batches = %d %s", code, body)
		}
		// Two items run (their LLM answers held), two more are queued.
		deadline := time.Now().Add(60 * time.Second)
		for b := s.batch(t, v.ID); b.Counts["running"] < 2; b = s.batch(t, v.ID) {
			if time.Now().After(deadline) {
				t.Fatalf("the held batch never ran two items: %+v", b)
			}
			time.Sleep(50 * time.Millisecond)
		}
		js := func(on bool) {
			if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on}); err != nil {
				t.Fatal(err)
			}
		}
		js(false)
		defer js(true)
		open(t, ctx, s.base+"/b/"+v.ID)
		if !eval[bool](t, ctx, "!!document.querySelector('noscript meta[http-equiv=refresh], meta[http-equiv=refresh]') && !document.querySelector('#batch-live .nojs-only').hidden") {
			t.Error("a running batch's page without JavaScript neither reloads itself nor offers a reload link")
		}
		if st := state(t); st.Status != "running" || st.Counts["all"] != 12 || len(st.Rows) != 12 {
			t.Errorf("held batch page %+v", st)
		}
		shoot(t, ctx, "batch-running", "")
		do(t, ctx, chromedp.Click(chromedp.CSS("#batch-cancel button")))
		waitJS(t, ctx, "document.querySelector('[data-batch]').getAttribute('data-status') === 'canceled'", 20*time.Second)
		st := state(t)
		if st.Counts["canceled"] != 10 || st.Counts["running"] != 2 {
			t.Errorf("canceled batch page %+v; want 10 canceled, the 2 running still running", st)
		}
		if eval[bool](t, ctx, "!document.querySelector('#batch-cancel').hidden || !!document.querySelector('meta[http-equiv=refresh]')") {
			t.Error("a canceled batch still offers cancel, or still reloads itself")
		}
		held.open()
		deadline = time.Now().Add(60 * time.Second)
		for b := s.batch(t, v.ID); b.Counts["done"] != 2; b = s.batch(t, v.ID) {
			if time.Now().After(deadline) || b.Status != "canceled" {
				t.Fatalf("after cancel: %+v; want canceled, and the 2 running items done", b)
			}
			time.Sleep(50 * time.Millisecond)
		}
		clean(t, ctx, watch, "cancel")
	})

	var payloadPath string
	t.Run("PayloadsStayText", func(t *testing.T) {
		v := s.postBatch(t, `{"url": "flat.json"}`)
		payloadPath = "/b/" + v.ID
		open(t, ctx, s.base+payloadPath)
		waitJS(t, ctx, "document.querySelectorAll('#items .item[data-status=running]').length === 2", 60*time.Second)
		// The done items, while the LLM holds both videos: none. As they
		// finish, the script draws their rows from progress.json.
		open(t, ctx, s.base+payloadPath+"?status=done")
		if eval[int](t, ctx, "document.querySelectorAll('#items .item').length") != 0 || eval[bool](t, ctx, "document.querySelector('#items-empty').hidden") {
			t.Fatal("the page of done items shows items, or not that it has none, before any is done")
		}
		slow.open()
		waitJS(t, ctx, "document.querySelector('[data-batch]').getAttribute('data-status') === 'done'", 60*time.Second)
		drawn := eval[[]string](t, ctx, "[...document.querySelectorAll('#items .item .it-title a')].map(a => a.textContent + ' ' + a.getAttribute('href').slice(0, 3))")
		if len(drawn) != 2 || drawn[0] != "Entry "+payloads[1]+" /s/" || drawn[1] != payloads[2]+" /s/" || !eval[bool](t, ctx, "document.querySelector('#items-empty').hidden") {
			t.Errorf("rows the script drew: %q; want both done items, their titles as text, linking to their summaries", drawn)
		}
		clean(t, ctx, watch, "rows drawn by the script")
		open(t, ctx, s.base+payloadPath)
		st := state(t)
		if st.Counts["done"] != 2 || st.Counts["skipped"] != 2 {
			t.Errorf("payload batch %+v; want 2 done, 2 skipped", st)
		}
		text := eval[string](t, ctx, "document.querySelector('main').textContent")
		for _, want := range []string{"Flat " + payloads[0], "Entry " + payloads[1], payloads[2], "not a YouTube video (Vimeo" + payloads[0], "Elsewhere " + payloads[3]} {
			if !strings.Contains(text, want) {
				t.Errorf("the page does not show %q as text", want)
			}
		}
		if n := eval[int](t, ctx, "document.querySelectorAll('main script, main img, main svg, a[href^=javascript]').length"); n != 0 {
			t.Errorf("%d payload elements made it into the page", n)
		}
		clean(t, ctx, watch, "batch page with payloads")
		open(t, ctx, s.base+"/b")
		clean(t, ctx, watch, "batches page with payloads")
		shoot(t, ctx, "batches", "")
	})

	t.Run("Subscriptions", func(t *testing.T) {
		open(t, ctx, s.base+"/")
		do(t, ctx, chromedp.Click(chromedp.CSS("header .nav a")))
		waitJS(t, ctx, "location.pathname === '/b'", 10*time.Second)
		do(t, ctx, chromedp.Click(chromedp.CSS(".lede a[href='/subscriptions']")))
		waitJS(t, ctx, "location.pathname === '/subscriptions' && document.querySelector('#sub-url')", 10*time.Second)
		do(t, ctx, chromedp.SendKeys(chromedp.ID("sub-url"), "https://www.youtube.com/@rockpools"),
			chromedp.SetValue(chromedp.ID("sub-interval"), "2h"), chromedp.SetValue(chromedp.ID("sub-backfill"), "1"),
			chromedp.Click(chromedp.CSS("form.stack button")))
		waitJS(t, ctx, "document.querySelectorAll('.sub').length === 1", 10*time.Second)
		if meta := eval[string](t, ctx, "document.querySelector('.sub .meta').textContent"); !strings.HasPrefix(meta, "every 2h · backfill 1 · ") {
			t.Errorf("subscription shows %q", meta)
		}
		shoot(t, ctx, "subscriptions", "")
		// Its batch summarizes the newest video (the backfill).
		do(t, ctx, chromedp.Click(chromedp.CSS(".sub .meta a")))
		waitJS(t, ctx, "location.pathname.startsWith('/b/')", 10*time.Second)
		deadline := time.Now().Add(60 * time.Second)
		for {
			open(t, ctx, s.base+eval[string](t, ctx, "location.pathname"))
			if st := state(t); st.Counts["done"] == 1 {
				break
			} else if time.Now().After(deadline) {
				t.Fatalf("the subscription's batch %+v; want its newest video done", st)
			}
			time.Sleep(200 * time.Millisecond)
		}
		open(t, ctx, s.base+"/subscriptions")
		do(t, ctx, chromedp.Click(chromedp.CSS(".sub form button")))
		waitJS(t, ctx, "location.pathname === '/subscriptions' && document.querySelectorAll('.sub').length === 0 && document.querySelector('.empty')", 10*time.Second)
		clean(t, ctx, watch, "subscriptions")
	})

	t.Run("Phone", func(t *testing.T) {
		if batchPath == "" || payloadPath == "" {
			t.Skip("no batch pages to look at")
		}
		defer do(t, ctx, chromedp.EmulateViewport(1280, 900))
		for _, width := range []int64{390, 360} {
			do(t, ctx, chromedp.EmulateViewport(width, 844, chromedp.EmulateMobile))
			for _, p := range []struct{ name, path string }{
				{"batch", batchPath}, {"batch-payloads", payloadPath}, {"batches", "/b"}, {"subscriptions", "/subscriptions"},
			} {
				open(t, ctx, s.base+p.path)
				fits(t, ctx, fmt.Sprintf("%s at %d px", p.name, width))
				if width == 390 {
					shoot(t, ctx, "phone-"+p.name, "")
				}
			}
		}
		clean(t, ctx, watch, "phone pages")
	})
}
