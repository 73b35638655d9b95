package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/batch"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/source"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/storage/storagetest"
)

// recordingTasks stands in for asynq: it records expansion tasks.
type recordingTasks struct {
	mu    sync.Mutex
	tasks []string
}

func (r *recordingTasks) EnqueueContext(_ context.Context, t *asynq.Task, _ ...asynq.Option) (*asynq.TaskInfo, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tasks = append(r.tasks, t.Type()+" "+string(t.Payload()))
	return &asynq.TaskInfo{}, nil
}

// perMillion prices tokens at $1 per million.
type perMillion struct{}

func (perMillion) Estimate(p, c int) float64 { return float64(p+c) / 1e6 }

func setupBatches(t *testing.T) (*testBundle, *recordingTasks) {
	t.Helper()
	b := setup(t)
	tasks := &recordingTasks{}
	b.server.Batches = &batch.Service{
		Store: b.store, Resolver: &source.Resolver{Files: source.FilesNone}, Tasks: tasks, Language: "en", Pricer: perMillion{},
	}
	b.server.MaxBodyBytes = 1 << 16
	b.handler = NewHandler(b.server)
	return b, tasks
}

func TestCreateBatch(t *testing.T) {
	b, tasks := setupBatches(t)
	w := b.do(t, "POST", "/v1/batches", `{"url": "https://www.youtube.com/playlist?list=PLx", "limit": 20, "since": "2024-01-02", "max_cost_usd": 2.5}`)
	if w.Code != http.StatusAccepted {
		t.Fatalf("POST = %d %s", w.Code, w.Body)
	}
	v := decode[batchView](t, w)
	if v.ID == "" || v.Status != "expanding" || v.Source != "https://www.youtube.com/playlist?list=PLx" || v.Total != 0 ||
		v.Options.Language != "en" || v.Options.Limit != 20 || v.Options.Since != "2024-01-02" || *v.Options.MaxCostUSD != 2.5 {
		t.Fatalf("batch view = %+v", v)
	}
	if got := w.Header().Get("Location"); got != "/v1/batches/"+v.ID {
		t.Errorf("Location = %q", got)
	}
	for _, s := range []string{"queued", "running", "done", "failed", "skipped", "paused", "canceled"} {
		if _, ok := v.Counts[s]; !ok {
			t.Errorf("counts lack %q: %v", s, v.Counts)
		}
	}
	if _, ok := v.Counts["pending"]; ok {
		t.Errorf("counts show the internal status pending: %v", v.Counts)
	}
	if len(tasks.tasks) != 1 || !strings.Contains(tasks.tasks[0], batch.TypeExpand) || !strings.Contains(tasks.tasks[0], v.ID) {
		t.Errorf("tasks = %v; want one expansion of %s", tasks.tasks, v.ID)
	}

	// The same request again: the same (unfinished) batch.
	w = b.do(t, "POST", "/v1/batches", `{"urls": ["https://www.youtube.com/playlist?list=PLx"], "limit": 20, "since": "2024-01-02", "max_cost_usd": 2.5, "language": "en"}`)
	if again := decode[batchView](t, w); w.Code != http.StatusAccepted || again.ID != v.ID {
		t.Errorf("same request again = %d, batch %s; want %s", w.Code, again.ID, v.ID)
	}

	w = b.do(t, "GET", "/v1/batches/"+v.ID, "")
	if got := decode[batchView](t, w); w.Code != 200 || got.ID != v.ID || got.Status != "expanding" {
		t.Errorf("GET = %d %s", w.Code, w.Body)
	}
	w = b.do(t, "GET", "/v1/batches/no-such-batch", "")
	if w.Code != 404 {
		t.Errorf("GET of an unknown batch = %d", w.Code)
	}
	w = b.do(t, "GET", "/v1/batches", "")
	if list := decode[batchListView](t, w); w.Code != 200 || len(list.Batches) != 1 || list.Batches[0].ID != v.ID {
		t.Errorf("list = %d %s", w.Code, w.Body)
	}
}

func TestCreateBatchBadInput(t *testing.T) {
	b, _ := setupBatches(t)
	for _, tc := range []struct {
		name, body, msg string
	}{
		{"no url", `{}`, `"url" or "urls" is required`},
		{"both", `{"url": "a", "urls": ["b"]}`, "not both"},
		{"empty source", `{"urls": ["a", " "]}`, "source 2 is empty"},
		{"control characters", `{"url": "https://youtu.be/x\u0000y"}`, "control characters"},
		{"since", `{"url": "a", "since": "last week"}`, "not a date"},
		{"language", `{"url": "a", "language": "english!"}`, "language"},
		{"limit", `{"url": "a", "limit": -1}`, "limit"},
		{"budget", `{"url": "a", "max_cost_usd": 0}`, "max_cost_usd"},
		{"unknown field", `{"url": "a", "max_cost": 3}`, `"max_cost"`},
		{"too many", `{"urls": [` + strings.TrimSuffix(strings.Repeat(`"a",`, 1001), ",") + `]}`, "1001 sources"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := b.do(t, "POST", "/v1/batches", tc.body)
			e := decode[errorBody](t, w)
			if w.Code != 400 || e.Error.Code != recap.EINVALID || !strings.Contains(e.Error.Message, tc.msg) {
				t.Errorf("POST %s = %d %s; want 400 invalid mentioning %q", tc.body, w.Code, w.Body, tc.msg)
			}
		})
	}
	// A budget needs prices.
	b.server.Batches.Pricer = nil
	w := b.do(t, "POST", "/v1/batches", `{"url": "a", "max_cost_usd": 1}`)
	if e := decode[errorBody](t, w); w.Code != 400 || !strings.Contains(e.Error.Message, "RECAP_LLM_PRICE_INPUT") {
		t.Errorf("budget without prices = %d %s", w.Code, w.Body)
	}
}

// TestUnrecognisedSourceFailsAtExpansion: the 202 comes at once; the
// batch then says what was wrong with its source.
func TestUnrecognisedSourceFailsAtExpansion(t *testing.T) {
	b, _ := setupBatches(t)
	w := b.do(t, "POST", "/v1/batches", `{"url": "https://www.youtube.com/feed/trending"}`)
	v := decode[batchView](t, w)
	if err := b.server.Batches.Expand(context.Background(), v.ID, false); err != nil {
		t.Fatal(err)
	}
	w = b.do(t, "GET", "/v1/batches/"+v.ID, "")
	got := decode[batchView](t, w)
	if got.Status != "failed" || got.Error == nil || got.Error.Code != recap.EINVALID || !strings.Contains(got.Error.Message, "trending") {
		t.Errorf("batch of an unrecognisable URL: %s %+v", got.Status, got.Error)
	}
	// Local paths are not read by this server.
	w = b.do(t, "POST", "/v1/batches", `{"url": "/etc/passwd"}`)
	v = decode[batchView](t, w)
	b.server.Batches.Expand(context.Background(), v.ID, false)
	got = decode[batchView](t, b.do(t, "GET", "/v1/batches/"+v.ID, ""))
	if got.Status != "failed" || !strings.Contains(got.Error.Message, "local files are not read here") {
		t.Errorf("batch of a local path: %s %+v", got.Status, got.Error)
	}
}

func TestBatchItemsCancelRetry(t *testing.T) {
	b, _ := setupBatches(t)
	ctx := context.Background()
	w := b.do(t, "POST", "/v1/batches", `{"url": "https://www.youtube.com/@crabs"}`)
	id := decode[batchView](t, w).ID
	items := storagetest.NewItems("v", 5)
	items[1].Status, items[1].Error = storage.ItemSkipped, "private video"
	if _, err := b.store.AddBatchItems(ctx, id, items); err != nil {
		t.Fatal(err)
	}
	if err := b.store.FinishExpansion(ctx, id, "Crabs"); err != nil {
		t.Fatal(err)
	}
	claimed, err := b.store.ClaimBatchItems(ctx, storage.ClaimOptions{Window: 1, StaleAfter: time.Minute})
	if err != nil || len(claimed) != 1 {
		t.Fatal(claimed, err)
	}
	if err := b.store.FailBatchItem(ctx, id, claimed[0].Position, recap.ENOCAPTIONS, "no captions"); err != nil {
		t.Fatal(err)
	}

	w = b.do(t, "GET", "/v1/batches/"+id+"/items?limit=2", "")
	page := decode[itemListView](t, w)
	if w.Code != 200 || len(page.Items) != 2 || page.NextCursor == "" {
		t.Fatalf("items page 1 = %d %s", w.Code, w.Body)
	}
	if it := page.Items[0]; it.VideoID != "v-0" || it.Status != "failed" || it.Error == nil || it.Error.Message != "no captions" {
		t.Errorf("first item: %+v", it)
	}
	if it := page.Items[1]; it.Status != "skipped" || it.Error.Code != recap.ESKIPPED || it.Error.Message != "private video" {
		t.Errorf("second item: %+v", it)
	}
	w = b.do(t, "GET", "/v1/batches/"+id+"/items?cursor="+page.NextCursor, "")
	page = decode[itemListView](t, w)
	if len(page.Items) != 3 || page.Items[0].VideoID != "v-2" || page.Items[0].Status != "queued" || page.Items[0].DurationSeconds != 3600 {
		t.Errorf("items page 2 = %s", w.Body)
	}
	w = b.do(t, "GET", "/v1/batches/"+id+"/items?status=queued", "")
	if page := decode[itemListView](t, w); len(page.Items) != 3 {
		t.Errorf("queued items = %s; want the 3 pending", w.Body)
	}
	for _, q := range []string{"status=pending", "limit=0", "limit=101", "cursor=%25%25"} {
		if w := b.do(t, "GET", "/v1/batches/"+id+"/items?"+q, ""); w.Code != 400 {
			t.Errorf("items?%s = %d %s; want 400", q, w.Code, w.Body)
		}
	}
	if w := b.do(t, "GET", "/v1/batches/nope/items", ""); w.Code != 404 {
		t.Errorf("items of an unknown batch = %d", w.Code)
	}

	w = b.do(t, "GET", "/v1/batches/"+id, "")
	v := decode[batchView](t, w)
	if v.Title != "Crabs" || v.Total != 5 || v.Counts["queued"] != 3 || v.Counts["failed"] != 1 || v.Counts["skipped"] != 1 {
		t.Errorf("batch = %s", w.Body)
	}

	w = b.do(t, "POST", "/v1/batches/"+id+"/retry", "")
	v = decode[batchView](t, w)
	if w.Code != http.StatusAccepted || v.Requeued == nil || *v.Requeued != 1 || v.Counts["queued"] != 4 {
		t.Errorf("retry = %d %s", w.Code, w.Body)
	}
	w = b.do(t, "DELETE", "/v1/batches/"+id, "")
	v = decode[batchView](t, w)
	if w.Code != 200 || v.Status != "canceled" || v.Counts["canceled"] != 4 || v.FinishedAt == nil {
		t.Errorf("cancel = %d %s", w.Code, w.Body)
	}
	w = b.do(t, "POST", "/v1/batches/"+id+"/retry", "")
	if e := decode[errorBody](t, w); w.Code != 409 || !strings.Contains(e.Error.Message, "canceled") {
		t.Errorf("retry of a canceled batch = %d %s", w.Code, w.Body)
	}
	if w := b.do(t, "DELETE", "/v1/batches/nope", ""); w.Code != 404 {
		t.Errorf("cancel of an unknown batch = %d", w.Code)
	}
}

func TestSubscriptionsAPI(t *testing.T) {
	b, _ := setupBatches(t)
	w := b.do(t, "POST", "/v1/subscriptions", `{"url": "https://www.youtube.com/@crabs", "interval": "2h", "backfill": 3}`)
	if w.Code != http.StatusCreated {
		t.Fatalf("POST = %d %s", w.Code, w.Body)
	}
	v := decode[subscriptionView](t, w)
	if v.ID == "" || v.BatchID == "" || v.IntervalSeconds != 7200 || v.Backfill != 3 || v.Polls != 0 || v.Error != nil {
		t.Errorf("subscription = %+v", v)
	}
	w = b.do(t, "POST", "/v1/subscriptions", `{"url": "https://www.youtube.com/@crabs"}`)
	if again := decode[subscriptionView](t, w); w.Code != 200 || again.ID != v.ID {
		t.Errorf("subscribing again = %d %s", w.Code, w.Body)
	}
	for _, tc := range []struct{ body, msg string }{
		{`{"url": "https://www.youtube.com/@x", "interval": "often"}`, "not a duration"},
		{`{"url": "https://www.youtube.com/@x", "interval": "5s"}`, "between"},
		{`{"url": "https://www.youtube.com/@x", "backfill": -2}`, "backfill"},
		{`{"interval": "1h"}`, `"url" is required`},
	} {
		w := b.do(t, "POST", "/v1/subscriptions", tc.body)
		if e := decode[errorBody](t, w); w.Code != 400 || !strings.Contains(e.Error.Message, tc.msg) {
			t.Errorf("POST %s = %d %s; want 400 mentioning %q", tc.body, w.Code, w.Body, tc.msg)
		}
	}
	w = b.do(t, "GET", "/v1/subscriptions", "")
	if list := decode[subscriptionListView](t, w); w.Code != 200 || len(list.Subscriptions) != 1 {
		t.Errorf("list = %d %s", w.Code, w.Body)
	}
	if w := b.do(t, "DELETE", "/v1/subscriptions/"+v.ID, ""); w.Code != http.StatusNoContent {
		t.Errorf("DELETE = %d %s", w.Code, w.Body)
	}
	if w := b.do(t, "DELETE", "/v1/subscriptions/"+v.ID, ""); w.Code != 404 {
		t.Errorf("DELETE twice = %d", w.Code)
	}
	// The batch of a deleted subscription stays.
	if w := b.do(t, "GET", "/v1/batches/"+v.BatchID, ""); w.Code != 200 {
		t.Errorf("batch of a deleted subscription = %d", w.Code)
	}
}

func TestBatchRoutesNeedToken(t *testing.T) {
	b, _ := setupBatches(t)
	b.server.Tokens = []string{"s3cret"}
	b.handler = NewHandler(b.server)
	for _, r := range []string{"POST /v1/batches", "GET /v1/batches", "GET /v1/batches/x", "GET /v1/batches/x/items",
		"DELETE /v1/batches/x", "POST /v1/batches/x/retry", "POST /v1/subscriptions", "GET /v1/subscriptions",
		"DELETE /v1/subscriptions/x",
		"GET /b", "GET /b/x", "GET /b/x/progress.json", "POST /b/x/cancel", "POST /b/x/retry", "GET /subscriptions",
		"POST /subscriptions", "POST /subscriptions/x/delete"} {
		method, path, _ := strings.Cut(r, " ")
		if w := b.do(t, method, path, `{}`); w.Code != 401 {
			t.Errorf("%s without a token = %d", r, w.Code)
		}
	}
	w := b.do(t, "GET", "/v1/batches", "", "Authorization", "Bearer s3cret")
	if w.Code != 200 {
		t.Errorf("with the token = %d %s", w.Code, fmt.Sprint(w.Body))
	}
}

// The web app's submit box makes a batch exactly as POST /v1/batches
// does: the same source finds the same unfinished batch, and bad input
// gets the API's message. The batch pages are served with the service,
// and only with it.
func TestWebSubmitMakesBatches(t *testing.T) {
	b, tasks := setupBatches(t)
	const playlist = "https://www.youtube.com/playlist?list=PLweb"
	v := decode[batchView](t, b.do(t, "POST", "/v1/batches", `{"url": "`+playlist+`"}`))
	w := b.do(t, "POST", "/", url.Values{"url": {playlist}}.Encode(), "Content-Type", formType)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/b/"+v.ID {
		t.Fatalf("submit box with %s = %d → %q; want the batch of POST /v1/batches, /b/%s", playlist, w.Code, w.Header().Get("Location"), v.ID)
	}
	w = b.do(t, "POST", "/", url.Values{"url": {"https://feeds.example/a\x01b.xml"}}.Encode(), "Content-Type", formType)
	if w.Code != 400 || !strings.Contains(w.Body.String(), "control characters") {
		t.Errorf("a feed URL with a control character = %d %s", w.Code, w.Body)
	}
	w = b.do(t, "POST", "/", url.Values{"url": {"https://feeds.example/show.xml"}, "force": {"on"}}.Encode(), "Content-Type", formType)
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/b/") {
		t.Fatalf("a feed = %d %s", w.Code, w.Body)
	}
	feed := decode[batchView](t, b.do(t, "GET", "/v1"+strings.Replace(w.Header().Get("Location"), "/b/", "/batches/", 1), ""))
	if feed.Source != "https://feeds.example/show.xml" || !feed.Options.Force || !strings.Contains(tasks.tasks[len(tasks.tasks)-1], feed.ID) {
		t.Errorf("the feed's batch = %+v (tasks %v); want it forced and its expansion queued", feed, tasks.tasks)
	}
	for _, path := range []string{"/b", "/b/" + v.ID, "/b/" + v.ID + "/progress.json", "/subscriptions"} {
		if w := b.do(t, "GET", path, ""); w.Code != 200 {
			t.Errorf("GET %s = %d", path, w.Code)
		}
	}
	if w := b.do(t, "POST", "/b/"+v.ID+"/cancel", "", "Content-Type", formType); w.Code != http.StatusSeeOther {
		t.Errorf("cancel = %d %s", w.Code, w.Body)
	}
	if got := decode[batchView](t, b.do(t, "GET", "/v1/batches/"+v.ID, "")); got.Status != "canceled" {
		t.Errorf("after the page's cancel, the batch is %s", got.Status)
	}

	plain := setup(t)
	if w := plain.do(t, "GET", "/b", ""); w.Code != 404 {
		t.Errorf("/b without the batch service = %d, want 404", w.Code)
	}
	if body := plain.do(t, "GET", "/", "").Body.String(); strings.Contains(body, `href="/b"`) {
		t.Error("the header links to batches without the batch service")
	}
}

// modelOnly stands in for a speech-to-text service the API never calls.
type modelOnly struct{}

func (modelOnly) TranscribeFile(context.Context, string, string) (*pipeline.Transcription, error) {
	return nil, errors.New("the API does not transcribe")
}
func (modelOnly) Model() string { return "whisper-test" }

// The submit box's options go through the owners of POST /v1/summaries
// and POST /v1/batches: what the form sends is what the job and the batch
// store, and their refusals come back with the form.
func TestWebFormOptionsReachJobsAndBatches(t *testing.T) {
	b, _ := setupBatches(t)
	post := func(form url.Values) *httptest.ResponseRecorder {
		return b.do(t, "POST", "/", form.Encode(), "Content-Type", formType)
	}
	if strings.Contains(b.do(t, "GET", "/", "").Body.String(), `name="transcribe"`) {
		t.Error("the home page offers transcribe without speech-to-text")
	}
	w := post(url.Values{"url": {"youtu.be/dQw4w9WgXcQ"}, "language": {"DE"}, "summary_language": {"fr"}})
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/s/") {
		t.Fatalf("video with languages = %d %s", w.Code, w.Body)
	}
	job := decode[jobView](t, b.do(t, "GET", "/v1/summaries/"+strings.TrimPrefix(w.Header().Get("Location"), "/s/"), ""))
	if job.Language != "de" || job.SummaryLanguage != "fr" || job.Transcribe {
		t.Errorf("job %+v; want caption language de, summary language fr", job)
	}
	for form, msg := range map[string]string{
		"language=x_y!":             "is not a language tag",
		"transcribe=on":             "speech-to-text is not configured",
		"force=on&since=2024-01-01": "is one video",
	} {
		v, _ := url.ParseQuery(form)
		v.Set("url", "dQw4w9WgXcQ")
		if w := post(v); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), msg) {
			t.Errorf("video with %s = %d; want 400 with %q", form, w.Code, msg)
		}
	}

	w = post(url.Values{"url": {"https://www.youtube.com/@crabs"}, "limit": {"7"}, "since": {"2024-02-03"}, "max_cost_usd": {"1.5"}, "language": {"fr"}, "force": {"on"}})
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/b/") {
		t.Fatalf("channel with options = %d %s", w.Code, w.Body)
	}
	bv := decode[batchView](t, b.do(t, "GET", "/v1/batches/"+strings.TrimPrefix(w.Header().Get("Location"), "/b/"), ""))
	if o := bv.Options; o.Limit != 7 || o.Since != "2024-02-03" || o.MaxCostUSD == nil || *o.MaxCostUSD != 1.5 || o.Language != "fr" || !o.Force || o.Transcribe {
		t.Errorf("batch options %+v; want limit 7, since 2024-02-03, $1.50, fr, forced", o)
	}
	if w := post(url.Values{"url": {"https://www.youtube.com/@crabs"}, "max_cost_usd": {"-1"}}); w.Code != http.StatusBadRequest ||
		!strings.Contains(w.Body.String(), "expected an amount of US dollars above 0") || !strings.Contains(w.Body.String(), `value="-1"`) {
		t.Errorf("negative max cost = %d %s", w.Code, w.Body)
	}

	// With speech-to-text, the box offers it and the job and the batch
	// ask for it.
	b.server.Submitter.Pipeline.Transcriber = modelOnly{}
	b.server.Batches.ASR = &batch.ASR{PricePerMinute: 0.006}
	b.handler = NewHandler(b.server)
	if !strings.Contains(b.do(t, "GET", "/", "").Body.String(), `name="transcribe"`) {
		t.Error("the home page does not offer transcribe with speech-to-text")
	}
	w = post(url.Values{"url": {"dQw4w9WgXcQ"}, "transcribe": {"on"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("video with transcribe = %d %s", w.Code, w.Body)
	}
	if job := decode[jobView](t, b.do(t, "GET", "/v1/summaries/"+strings.TrimPrefix(w.Header().Get("Location"), "/s/"), "")); !job.Transcribe {
		t.Errorf("job %+v; want transcribe", job)
	}
	w = post(url.Values{"url": {"https://feeds.example/show.xml"}, "transcribe": {"on"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("feed with transcribe = %d %s", w.Code, w.Body)
	}
	if bv := decode[batchView](t, b.do(t, "GET", "/v1/batches/"+strings.TrimPrefix(w.Header().Get("Location"), "/b/"), "")); !bv.Options.Transcribe {
		t.Errorf("batch options %+v; want transcribe", bv.Options)
	}
}
