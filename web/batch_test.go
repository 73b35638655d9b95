package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap/batch"
	"github.com/recap-dev/recap/source"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/storage/storagetest"
)

const hostile = `<script>alert(1)</script>"><img src=x onerror=alert(2)>`

// withBatches gives the test app the batch service (no queue: a batch
// stays expanding until the test expands it) and the Backlog hook.
func (ta *testApp) withBatches() *batch.Service {
	svc := &batch.Service{Store: ta.store, Resolver: &source.Resolver{Files: source.FilesNone}, Language: "en"}
	ta.app.Batches = svc
	ta.app.Backlog = func(ctx context.Context, input string, o BacklogOptions) (string, error) {
		req := batch.Request{Sources: []string{input}, Language: o.Language, Force: o.Force, Limit: o.Limit,
			MaxCostUSD: o.MaxCostUSD, Transcribe: o.Transcribe}
		if o.Since != "" {
			since, err := batch.ParseSince(o.Since)
			if err != nil {
				return "", err
			}
			req.Since = since
		}
		b, _, err := svc.Create(ctx, req)
		if err != nil {
			return "", err
		}
		return BatchLink(b.ID), nil
	}
	return svc
}

// expand gives batch id items as an expansion would: a done one, a
// running one, a failed one, a skipped one and pending ones, with
// hostile titles and reasons.
func (ta *testApp) expand(t *testing.T, id string, pending int) []*storage.BatchItem {
	t.Helper()
	ctx := context.Background()
	items := storagetest.NewItems("vid", 4+pending)
	items[0].Title = "Title " + hostile
	items[3].Status, items[3].ErrorCode, items[3].Error = storage.ItemSkipped, "skipped", "private video "+hostile
	if _, err := ta.store.AddBatchItems(ctx, id, items); err != nil {
		t.Fatal(err)
	}
	if err := ta.store.FinishExpansion(ctx, id, "Playlist "+hostile); err != nil {
		t.Fatal(err)
	}
	claimed, err := ta.store.ClaimBatchItems(ctx, storage.ClaimOptions{Window: 3, StaleAfter: time.Minute})
	if err != nil || len(claimed) != 3 {
		t.Fatalf("claimed %d items, %v", len(claimed), err)
	}
	for i, it := range claimed {
		job := storagetest.NewJob(it.Ref, "k"+it.Ref)
		job.Priority = "low"
		j, _, err := ta.store.SubmitJob(ctx, job, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := ta.store.LinkBatchItem(ctx, id, it.Position, j.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := ta.store.StartJob(ctx, j.ID, storagetest.Lease); err != nil {
			t.Fatal(err)
		}
		switch i {
		case 0:
			d := doc()
			d.ID, d.Video.ID = j.ID, it.Ref
			if err := ta.store.FinishJob(ctx, j.ID, storagetest.Lease.Owner, d); err != nil {
				t.Fatal(err)
			}
		case 2:
			if err := ta.store.FailJob(ctx, j.ID, storagetest.Lease.Owner, "llm_failed", "the model said no "+hostile); err != nil {
				t.Fatal(err)
			}
		}
		items[i].JobID = j.ID
	}
	return items
}

// rows is the part of a batch page that lists items (before the row
// template).
func rows(page string) string {
	rows, _, _ := strings.Cut(page, `<template id="item-template">`)
	return rows
}

func TestBatchPage(t *testing.T) {
	ta := newTestApp(t)
	ta.withBatches()
	// The submit box makes a batch of a playlist and goes to its page.
	w := ta.serve("POST", "/", url.Values{"url": {"https://www.youtube.com/playlist?list=PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf"}})
	link := w.Header().Get("Location")
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(link, "/b/") || len(ta.submits) != 0 {
		t.Fatalf("playlist submit = %d → %q", w.Code, link)
	}
	id := strings.TrimPrefix(link, "/b/")
	w = ta.serve("GET", link, nil)
	body := w.Body.String()
	if w.Code != 200 || !strings.Contains(body, "Listing the sources") || !strings.Contains(body, `http-equiv="refresh"`) ||
		!strings.Contains(body, `data-live="true"`) || !strings.Contains(body, "The items show once the sources are listed") {
		t.Fatalf("expanding batch page = %d:\n%s", w.Code, body)
	}

	items := ta.expand(t, id, 2)
	w = ta.serve("GET", link, nil)
	body = w.Body.String()
	if w.Code != 200 {
		t.Fatalf("batch page = %d %s", w.Code, body)
	}
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") ||
		strings.Count(body, "&lt;script&gt;alert(1)&lt;/script&gt;") < 4 {
		t.Errorf("hostile title, item title, skip and failure reasons not shown escaped:\n%s", body)
	}
	for _, want := range []string{
		"3 of 6 items finished", `<progress id="batch-progress" max="6" value="3"`,
		`href="/s/` + items[0].JobID + `"`, `href="/s/` + items[1].JobID + `"`, `href="/s/` + items[2].JobID + `"`,
		`data-count="done"`, `<span class="n">1</span>`, `data-count="queued"`, "Retry failed items", "Cancel the batch",
		`action="/b/` + id + `/cancel"`, `data-progress="/b/` + id + `/progress.json"`, "0 LLM calls",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("batch page lacks %q", want)
		}
	}
	if strings.Contains(body, `href="/s/"`) {
		t.Error("an item without a job links to a job")
	}

	// Filtered by status; progress.json is the same view.
	w = ta.serve("GET", link+"?status=skipped", nil)
	if body := w.Body.String(); w.Code != 200 || strings.Count(rows(body), `class="item"`) != 1 || !strings.Contains(body, "private video &lt;script&gt;") ||
		!strings.Contains(body, `aria-current="page">skipped`) {
		t.Errorf("skipped items = %d:\n%s", w.Code, body)
	}
	w = ta.serve("GET", link+"/progress.json?status=queued", nil)
	var p Batch
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || w.Code != 200 || p.Status != "running" || p.Total != 6 || p.Finished != 3 ||
		!p.Live || !p.CanCancel || !p.CanRetry || len(p.Items) != 2 || p.Items[0].Position != 5 || p.Items[0].Status != "queued" {
		t.Errorf("progress.json = %d %s", w.Code, w.Body)
	}
	for path, want := range map[string]int{
		link + "?status=pending": 400, link + "?cursor=nope": 400, "/b/no-such-batch": 404, link + "/passwd": 404,
	} {
		if w := ta.serve("GET", path, nil); w.Code != want {
			t.Errorf("%s = %d, want %d", path, w.Code, want)
		}
	}

	// Retry puts the failed item back, and says so.
	w = ta.serve("POST", link+"/retry", url.Values{})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != link+"?requeued=1" {
		t.Fatalf("retry = %d → %q", w.Code, w.Header().Get("Location"))
	}
	if body := ta.serve("GET", link+"?requeued=1", nil).Body.String(); !strings.Contains(body, "1 item was queued again") {
		t.Error("the page does not say what the retry did")
	}
	// With a session, the forms need their CSRF token.
	ta.sess = Session{OK: true, Required: true, SignedIn: true, CSRF: "tok3n"}
	if w := ta.serve("POST", link+"/cancel", url.Values{}); w.Code != http.StatusForbidden {
		t.Errorf("cancel without CSRF = %d", w.Code)
	}
	w = ta.serve("POST", link+"/cancel", url.Values{"csrf": {"tok3n"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != link {
		t.Fatalf("cancel = %d → %q", w.Code, w.Header().Get("Location"))
	}
	body = ta.serve("GET", link, nil).Body.String()
	if !strings.Contains(body, `data-status="canceled"`) || !strings.Contains(body, `id="batch-cancel" hidden`) ||
		!strings.Contains(body, `id="batch-retry" hidden`) || strings.Contains(body, `http-equiv="refresh"`) {
		t.Errorf("canceled batch page:\n%s", body)
	}
	// Retrying a canceled batch is a conflict, said as such.
	if w := ta.serve("POST", link+"/retry", url.Values{"csrf": {"tok3n"}}); w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "nothing to retry") {
		t.Errorf("retry of a canceled batch = %d %s", w.Code, w.Body)
	}

	// The batches list, newest first, links each batch.
	w = ta.serve("GET", "/b", nil)
	if body := w.Body.String(); w.Code != 200 || !strings.Contains(body, `href="`+link+`"`) || !strings.Contains(body, "Playlist &lt;script&gt;") ||
		!strings.Contains(body, `href="/b">Batches</a>`) {
		t.Errorf("batches page = %d:\n%s", w.Code, body)
	}

	// Signed out, every page and form asks for the token.
	ta.sess = Session{Required: true}
	for _, path := range []string{"/b", link, link + "/progress.json", "/subscriptions"} {
		if w := ta.serve("GET", path, nil); w.Code != 401 || !strings.Contains(w.Body.String(), `name="token"`) || strings.Contains(w.Body.String(), "Playlist") {
			t.Errorf("%s signed out = %d", path, w.Code)
		}
	}
	for _, path := range []string{link + "/cancel", link + "/retry", "/subscriptions"} {
		if w := ta.serve("POST", path, url.Values{"url": {"https://www.youtube.com/@x"}}); w.Code != 401 {
			t.Errorf("POST %s signed out = %d", path, w.Code)
		}
	}
}

func TestSubscriptionsPage(t *testing.T) {
	ta := newTestApp(t)
	ta.withBatches()
	if body := ta.serve("GET", "/subscriptions", nil).Body.String(); !strings.Contains(body, "No subscriptions yet") || !strings.Contains(body, `value="1h"`) {
		t.Errorf("empty subscriptions page:\n%s", body)
	}
	w := ta.serve("POST", "/subscriptions", url.Values{"url": {"https://www.youtube.com/@crabs"}, "interval": {"2h"}, "backfill": {"3"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/subscriptions" {
		t.Fatalf("subscribe = %d %s", w.Code, w.Body)
	}
	subs, err := ta.store.ListSubscriptions(context.Background())
	if err != nil || len(subs) != 1 || subs[0].Interval != 2*time.Hour || subs[0].Backfill != 3 {
		t.Fatalf("subscriptions %+v, %v", subs, err)
	}
	body := ta.serve("GET", "/subscriptions", nil).Body.String()
	for _, want := range []string{"every 2h · backfill 3 · 0 polls", `href="/b/` + subs[0].BatchID + `"`,
		`action="/subscriptions/` + subs[0].ID + `/delete"`, `href="https://www.youtube.com/@crabs"`} {
		if !strings.Contains(body, want) {
			t.Errorf("subscriptions page lacks %q:\n%s", want, body)
		}
	}
	// Bad input: a 400 that says what was wrong, with the form as sent.
	for _, tc := range []struct{ url, interval, backfill, msg string }{
		{"https://www.youtube.com/@x", "often", "0", "not a duration"},
		{"https://www.youtube.com/@x", "10s", "0", "between"},
		{"https://www.youtube.com/@x", "1h", "three", "not a whole number"},
		{"https://www.youtube.com/@x", "1h", "5000", "backfill 5000"},
		{"", "1h", "0", "is required"},
		{"https://feeds.example/" + hostile, "1d", "0", ""},
	} {
		w := ta.serve("POST", "/subscriptions", url.Values{"url": {tc.url}, "interval": {tc.interval}, "backfill": {tc.backfill}})
		if tc.msg == "" {
			if w.Code != http.StatusSeeOther {
				t.Errorf("subscribe %q = %d %s", tc.url, w.Code, w.Body)
			}
			continue
		}
		if body := w.Body.String(); w.Code != 400 || !strings.Contains(body, tc.msg) || !strings.Contains(body, `value="`+tc.interval+`"`) {
			t.Errorf("subscribe %+v = %d:\n%s", tc, w.Code, body)
		}
	}
	body = ta.serve("GET", "/subscriptions", nil).Body.String()
	if strings.Contains(body, "<script>alert") || !strings.Contains(body, "every 1d") {
		t.Errorf("hostile subscription URL not escaped, or 1d not shown:\n%s", body)
	}
	w = ta.serve("POST", "/subscriptions/"+subs[0].ID+"/delete", url.Values{})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("delete = %d %s", w.Code, w.Body)
	}
	if _, err := ta.store.GetSubscription(context.Background(), subs[0].ID); err == nil {
		t.Error("the subscription is still there")
	}
	if w := ta.serve("POST", "/subscriptions/"+subs[0].ID+"/delete", url.Values{}); w.Code != 404 {
		t.Errorf("deleting it again = %d, want 404", w.Code)
	}
}

func TestEvery(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Hour: "1h", 30 * time.Minute: "30m", 90 * time.Minute: "1h30m", 48 * time.Hour: "2d", 25 * time.Hour: "25h", 10 * time.Hour: "10h",
	} {
		got := Every(d)
		if got != want {
			t.Errorf("Every(%v) = %q; want %q", d, got, want)
		}
		if back, err := batch.ParseInterval(got); err != nil || back != d {
			t.Errorf("ParseInterval(Every(%v)) = %v, %v", d, back, err)
		}
	}
}

func TestNewBatchStates(t *testing.T) {
	cost := 0.25
	for _, tc := range []struct {
		b                   storage.Batch
		stage, reason       string
		live, cancel, retry bool
	}{
		{storage.Batch{Status: storage.BatchExpanding, Sources: []string{"https://feeds.example/show.xml"}},
			"Listing the sources", "", true, true, false},
		{storage.Batch{Status: storage.BatchPaused, Error: "paused by the budget: spent $0.2500", Total: 4,
			Counts: map[string]int{storage.ItemDone: 1, storage.ItemPaused: 3}, Usage: storage.BatchUsage{LLMCalls: 3, CostUSD: &cost}},
			"1 of 4 items finished", "paused by the budget: spent $0.2500", false, true, true},
		{storage.Batch{Status: storage.BatchFailed, Error: "no such playlist"}, "The sources could not be listed", "no such playlist", false, false, true},
		{storage.Batch{Status: storage.BatchDone, Total: 2, Counts: map[string]int{storage.ItemDone: 1, storage.ItemSkipped: 1}},
			"2 of 2 items finished", "", false, false, false},
		{storage.Batch{Status: storage.BatchCanceled, Total: 2, Counts: map[string]int{storage.ItemFailed: 1, storage.ItemCanceled: 1}},
			"2 of 2 items finished", "", false, false, false},
	} {
		tc.b.ID = "b1"
		v := NewBatch(&tc.b, nil, "", "", "")
		if v.Stage != tc.stage || v.Reason != tc.reason || v.Live != tc.live || v.CanCancel != tc.cancel || v.CanRetry != tc.retry {
			t.Errorf("%s batch: stage %q, reason %q, live %v, cancel %v, retry %v", tc.b.Status, v.Stage, v.Reason, v.Live, v.CanCancel, v.CanRetry)
		}
	}
	paused := NewBatch(&storage.Batch{ID: "b/2", Status: storage.BatchPaused, Title: "  ", Sources: []string{"a", "b"},
		Usage: storage.BatchUsage{LLMCalls: 3, PromptTokens: 10, CompletionTokens: 5, CostUSD: &cost}}, nil, "paused", "c1", "c2")
	if paused.Title != "A batch of 2 sources" || paused.Usage != "3 LLM calls, 10 prompt + 5 completion tokens, $0.2500" ||
		paused.Link != "/b/b%2F2" || paused.Next != "/b/b%2F2?cursor=c2&status=paused" || paused.First != "/b/b%2F2?status=paused" ||
		paused.Progress != "/b/b%2F2/progress.json?cursor=c1&status=paused" {
		t.Errorf("view %+v", paused)
	}
	for _, c := range paused.Counts {
		if c.Current != (c.Status == "paused") {
			t.Errorf("count %+v: only paused is the page's filter", c)
		}
	}
}
