package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/storage/storagetest"
)

// A list page is the bytes encoding/json writes for its listView, kept
// views or not: jobs in every state, titles that JSON escapes, a cursor.
func TestListWrittenAsEncoded(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	titles := []string{`A <b>&</b> "quoted" \ title`, "line\nbreak\u2028sep \x01", "ünïcödé ✓", ""}
	var ids []string
	for i, title := range titles {
		vid := fmt.Sprintf("vid%08d", i)
		if err := b.store.PutVideo(ctx, recap.Video{ID: vid, Title: title}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, decode[jobView](t, b.do(t, "POST", "/v1/summaries", `{"url": "`+vid+`"}`)).ID)
	}
	b.finish(t, ids[0])
	if _, err := b.store.StartJob(ctx, ids[1], storagetest.Lease); err != nil {
		t.Fatal(err)
	}
	if err := b.store.FailJob(ctx, ids[1], storagetest.Lease.Owner, recap.EINVALID, `the video is <private> & "gone"`); err != nil {
		t.Fatal(err)
	}
	if _, err := b.store.StartJob(ctx, ids[2], storagetest.Lease); err != nil {
		t.Fatal(err)
	}
	for round := range 2 { // the second from the kept views
		for _, f := range []storage.JobFilter{{Limit: 3}, {Limit: 50}} {
			page, err := b.store.ListJobs(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if f.Limit == 3 && page.NextCursor == "" {
				t.Fatal("no next page")
			}
			w := b.do(t, "GET", fmt.Sprintf("/v1/summaries?limit=%d", f.Limit), "")
			want := listView{NextCursor: page.NextCursor}
			for _, j := range page.Jobs {
				want.Summaries = append(want.Summaries, newJobView(j))
			}
			var enc bytes.Buffer
			e := json.NewEncoder(&enc)
			e.SetEscapeHTML(false)
			if err := e.Encode(want); err != nil {
				t.Fatal(err)
			}
			if w.Code != 200 || w.Body.String() != enc.String() {
				t.Errorf("round %d, limit %d:\n%s\nwant\n%s", round, f.Limit, w.Body, enc.String())
			}
		}
	}
}

// What changes shows in the list: an unfinished job's progress and
// status, and a finished job's title when its video is fetched again.
func TestListShowsChanges(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	if err := b.store.PutVideo(ctx, recap.Video{ID: "vid00000001", Title: "First title"}); err != nil {
		t.Fatal(err)
	}
	id := decode[jobView](t, b.do(t, "POST", "/v1/summaries", `{"url": "vid00000001"}`)).ID
	list := func() jobView {
		t.Helper()
		page := decode[listView](t, b.do(t, "GET", "/v1/summaries", ""))
		if len(page.Summaries) != 1 {
			t.Fatalf("listed %d jobs", len(page.Summaries))
		}
		return *page.Summaries[0]
	}
	if v := list(); v.Status != storage.StatusQueued {
		t.Fatalf("status %q", v.Status)
	}
	if _, err := b.store.StartJob(ctx, id, storagetest.Lease); err != nil {
		t.Fatal(err)
	}
	if err := b.store.SetJobProgress(ctx, id, storagetest.Lease.Owner, 2, 5); err != nil {
		t.Fatal(err)
	}
	if v := list(); v.Status != storage.StatusRunning || v.Progress != (progressView{2, 5}) {
		t.Fatalf("running job listed as %s %+v", v.Status, v.Progress)
	}
	if err := b.store.SetJobProgress(ctx, id, storagetest.Lease.Owner, 4, 5); err != nil {
		t.Fatal(err)
	}
	if v := list(); v.Progress != (progressView{4, 5}) {
		t.Fatalf("progress listed as %+v", v.Progress)
	}
	if err := b.store.FailJob(ctx, id, storagetest.Lease.Owner, recap.EINTERNAL, "broke"); err != nil {
		t.Fatal(err)
	}
	if v := list(); v.Status != storage.StatusFailed || v.Error == nil || v.Error.Message != "broke" || v.Title != "First title" {
		t.Fatalf("failed job listed as %+v", v)
	}
	if err := b.store.PutVideo(ctx, recap.Video{ID: "vid00000001", Title: "Second title"}); err != nil {
		t.Fatal(err)
	}
	if v := list(); v.Title != "Second title" {
		t.Errorf("title after the video changed = %q", v.Title)
	}
}

// A job's answer is the bytes encoding/json writes for its jobView, the
// document embedded once done: kept or not, in every state.
func TestJobWrittenAsEncoded(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	if err := b.store.PutVideo(ctx, recap.Video{ID: "vid00000001", Title: `<b>Tom & "Jerry"</b>`}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, vid := range []string{"vid00000001", "vid00000002", "vid00000003"} {
		ids = append(ids, decode[jobView](t, b.do(t, "POST", "/v1/summaries", `{"url": "`+vid+`"}`)).ID)
	}
	b.finish(t, ids[0]) // its document has HTML in its title
	if _, err := b.store.StartJob(ctx, ids[1], storagetest.Lease); err != nil {
		t.Fatal(err)
	}
	if err := b.store.FailJob(ctx, ids[1], storagetest.Lease.Owner, recap.EINVALID, "it is <private>"); err != nil {
		t.Fatal(err)
	}
	for round := range 2 { // the second from the kept views
		for _, id := range ids {
			j, err := b.store.GetJob(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			want := newJobView(j)
			if j.Status == storage.StatusDone {
				doc, err := b.store.GetDocument(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if want.Summary, err = compactJSON(doc); err != nil {
					t.Fatal(err)
				}
			}
			var enc bytes.Buffer
			e := json.NewEncoder(&enc)
			e.SetEscapeHTML(false)
			if err := e.Encode(want); err != nil {
				t.Fatal(err)
			}
			w := b.do(t, "GET", "/v1/summaries/"+id, "")
			if w.Code != 200 || w.Body.String() != enc.String() || w.Header().Get("Content-Type") != "application/json" {
				t.Errorf("round %d, %s job: %d %s\n%s\nwant\n%s", round, j.Status, w.Code, w.Header(), w.Body, enc.String())
			}
		}
	}
	// Submitting a done video again answers 200 with the same view.
	w := b.do(t, "POST", "/v1/summaries", `{"url": "vid00000001"}`)
	if got := b.do(t, "GET", "/v1/summaries/"+ids[0], ""); w.Code != 200 || w.Body.String() != got.Body.String() || w.Header().Get("Location") != "/v1/summaries/"+ids[0] {
		t.Errorf("resubmit = %d %v %s", w.Code, w.Header(), w.Body)
	}
}

// A list page reads in full only the jobs it keeps no view of that is
// still theirs: the unfinished ones, finished ones seen for the first
// time, and every finished one once after a video's title changed.
func TestListReadsOnlyWhatChanged(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	cs := &countingStore{Store: b.store}
	b.server.Store = cs
	b.handler = NewHandler(b.server)
	var ids []string
	for i := range 4 {
		vid := fmt.Sprintf("vid%08d", i)
		if err := b.store.PutVideo(ctx, recap.Video{ID: vid, Title: "Title " + vid}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, decode[jobView](t, b.do(t, "POST", "/v1/summaries", `{"url": "`+vid+`"}`)).ID)
	}
	b.finish(t, ids[0])
	b.finish(t, ids[1])
	if _, err := b.store.StartJob(ctx, ids[2], storagetest.Lease); err != nil {
		t.Fatal(err)
	}
	read := func() []string {
		t.Helper()
		cs.mu.Lock()
		cs.jobsRead = nil
		cs.mu.Unlock()
		if w := b.do(t, "GET", "/v1/summaries?limit=50", ""); w.Code != 200 {
			t.Fatalf("list = %d %s", w.Code, w.Body)
		}
		cs.mu.Lock()
		defer cs.mu.Unlock()
		slices.Sort(cs.jobsRead)
		return cs.jobsRead
	}
	sorted := func(ids ...string) []string { slices.Sort(ids); return ids }
	if got, want := read(), sorted(ids...); !slices.Equal(got, want) {
		t.Errorf("first list read %v in full; want every job %v", got, want)
	}
	if got, want := read(), sorted(ids[2], ids[3]); !slices.Equal(got, want) {
		t.Errorf("second list read %v in full; want the unfinished %v", got, want)
	}
	if err := b.store.PutVideo(ctx, recap.Video{ID: "vid00000001", Title: "Renamed"}); err != nil {
		t.Fatal(err)
	}
	if got, want := read(), sorted(ids...); !slices.Equal(got, want) {
		t.Errorf("list after a rename read %v in full; want every job %v", got, want)
	}
	if got, want := read(), sorted(ids[2], ids[3]); !slices.Equal(got, want) {
		t.Errorf("second list after a rename read %v in full; want the unfinished %v", got, want)
	}
	page := decode[listView](t, b.do(t, "GET", "/v1/summaries?limit=50", ""))
	for _, v := range page.Summaries {
		if v.ID == ids[1] && v.Title != "Renamed" {
			t.Errorf("renamed job listed with title %q", v.Title)
		}
	}
}

// A done job's summary is answered from its kept view and document, with
// no read of the job, while no title has changed; a rename shows on the
// next request, and a job not done yet is read every time.
func TestDoneSummaryKept(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	if err := b.store.PutVideo(ctx, recap.Video{ID: "vid00000001", Title: "First title"}); err != nil {
		t.Fatal(err)
	}
	done := decode[jobView](t, b.do(t, "POST", "/v1/summaries", `{"url": "vid00000001"}`)).ID
	queued := decode[jobView](t, b.do(t, "POST", "/v1/summaries", `{"url": "vid00000002"}`)).ID
	b.finish(t, done)
	sc := &stampCounter{Store: b.store}
	b.server.Store = countingCounter{sc}
	b.handler = NewHandler(b.server)
	get := func(path string, jobReads int) *httptest.ResponseRecorder {
		t.Helper()
		sc.jobReads()
		w := b.do(t, "GET", path, "")
		if w.Code != 200 {
			t.Fatalf("GET %s = %d %s", path, w.Code, w.Body)
		}
		if n := sc.jobReads(); n != jobReads {
			t.Errorf("GET %s read the job %d times; want %d", path, n, jobReads)
		}
		return w
	}
	first := get("/v1/summaries/"+done, 1)
	if again := get("/v1/summaries/"+done, 0); again.Body.String() != first.Body.String() {
		t.Errorf("kept answer differs:\n%s\n----\n%s", again.Body, first.Body)
	}
	if v := decode[jobView](t, first); v.Title != "First title" || summaryOf(t, v) == nil {
		t.Errorf("done job = %+v; want its title and document", v)
	}
	get("/v1/summaries/"+done+"?format=md", 0) // its document is kept
	if err := b.store.PutVideo(ctx, recap.Video{ID: "vid00000001", Title: "Renamed"}); err != nil {
		t.Fatal(err)
	}
	if v := decode[jobView](t, get("/v1/summaries/"+done, 1)); v.Title != "Renamed" || summaryOf(t, v) == nil {
		t.Errorf("after a rename: title %q; want Renamed, with the document", v.Title)
	}
	get("/v1/summaries/"+done, 0)
	get("/v1/summaries/"+queued, 1)
	get("/v1/summaries/"+queued, 1)

	// A store that does not count title changes has the job read each time.
	b.server.Store = sc
	b.handler = NewHandler(b.server)
	get("/v1/summaries/"+done, 1)
	get("/v1/summaries/"+done, 1)
}
