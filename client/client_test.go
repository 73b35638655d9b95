package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
)

func TestClient(t *testing.T) {
	var gotAuth, gotBody string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth = r.Header.Get("Authorization")
		switch r.Method + " " + r.URL.Path {
		case "POST /v1/batches":
			data, _ := io.ReadAll(r.Body)
			gotBody = string(data)
			w.WriteHeader(http.StatusAccepted)
			fmt.Fprint(w, `{"id": "b1", "status": "expanding", "sources": ["PLx"], "total": 0, "counts": {}, "usage": {"cost_usd": null}, "error": null}`)
		case "GET /v1/batches/b1":
			fmt.Fprint(w, `{"id": "b1", "status": "paused", "title": "T", "total": 3, "counts": {"queued": 1, "done": 1, "paused": 1},
				"usage": {"llm_calls": 3, "prompt_tokens": 10, "completion_tokens": 5, "cost_usd": 0.5}, "error": {"code": "over_budget", "message": "paused by the budget"}}`)
		case "GET /v1/batches/b1/items":
			if r.URL.Query().Get("limit") != "100" || r.URL.Query().Get("cursor") != "c1" {
				http.Error(w, "bad query "+r.URL.RawQuery, 500)
				return
			}
			fmt.Fprint(w, `{"items": [{"position": 0, "video_id": "aaaaaaaaaaa", "title": "A", "duration_seconds": 61, "published": "2024-01-02", "status": "queued"},
				{"position": 1, "video_id": "bbbbbbbbbbb", "status": "queued", "job_id": "j2"},
				{"position": 2, "video_id": "ccccccccccc", "status": "failed", "job_id": "j3", "error": {"code": "no_captions", "message": "none"}}], "next_cursor": "c2"}`)
		case "GET /v1/summaries/j1":
			if f := r.URL.Query().Get("format"); f == "json" {
				fmt.Fprint(w, `{"id": "j1", "video": {"id": "aaaaaaaaaaa", "title": "A"}}`)
			} else {
				fmt.Fprint(w, "# A ("+f+")\n")
			}
		case "GET /v1/batches/nope":
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error": {"code": "unauthorized", "message": "missing or wrong token"}}`)
		case "GET /v1/batches/down":
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprint(w, `<html>bad gateway</html>`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	if _, err := New("ftp://x", "", nil); recap.ErrorCode(err) != recap.EINVALID {
		t.Fatalf("ftp URL: %v", err)
	}
	c, err := New(srv.URL+"/", "tok", nil)
	if err != nil {
		t.Fatal(err)
	}
	cost := 2.5
	b, err := c.CreateBatch(ctx, BatchRequest{URLs: []string{"PLx"}, Limit: 3, Since: "2024-01-01", MaxCostUSD: &cost})
	if err != nil || b.ID != "b1" || b.Status != storage.BatchExpanding || gotAuth != "Bearer tok" {
		t.Fatalf("CreateBatch = %+v, %v (auth %q)", b, err, gotAuth)
	}
	if gotBody != `{"urls":["PLx"],"limit":3,"since":"2024-01-01","max_cost_usd":2.5}` {
		t.Errorf("body = %s", gotBody)
	}
	b, err = c.Batch(ctx, "b1")
	if err != nil || b.Status != storage.BatchPaused || b.Counts[storage.ItemQueued] != 1 || b.Counts[storage.ItemDone] != 1 ||
		b.Usage.CostUSD == nil || *b.Usage.CostUSD != 0.5 || b.ErrorCode != "over_budget" {
		t.Fatalf("Batch = %+v, %v", b, err)
	}
	page, err := c.Items(ctx, storage.BatchItemFilter{BatchID: "b1", Limit: 100, Cursor: "c1"})
	if err != nil || len(page.Items) != 3 || page.NextCursor != "c2" {
		t.Fatalf("Items = %+v, %v", page, err)
	}
	if it := page.Items[0]; it.Status != storage.ItemPending || it.Duration.Seconds() != 61 || it.Published.Format("2006-01-02") != "2024-01-02" {
		t.Errorf("queued without a job: %+v; want pending", it)
	}
	if it := page.Items[1]; it.Status != storage.ItemQueued {
		t.Errorf("queued with a job: %+v", it)
	}
	if it := page.Items[2]; it.ErrorCode != "no_captions" || it.Error != "none" {
		t.Errorf("failed item: %+v", it)
	}
	doc, data, err := c.Document(ctx, "j1", "md")
	if err != nil || doc.Video.ID != "aaaaaaaaaaa" || string(data) != "# A (md)\n" {
		t.Errorf("Document = %+v %q %v", doc, data, err)
	}
	if _, data, _ := c.Document(ctx, "j1", "json"); !strings.Contains(string(data), `"video"`) {
		t.Errorf("json rendering = %q", data)
	}
	if _, err := c.Batch(ctx, "nope"); recap.ErrorCode(err) != recap.EUNAUTHORIZED || !strings.Contains(err.Error(), "RECAP_API_TOKEN") {
		t.Errorf("401: %v", err)
	}
	if _, err := c.Batch(ctx, "down"); recap.ErrorCode(err) != recap.EFETCH || recap.Permanent(err) {
		t.Errorf("502: %v; want a transient fetch error", err)
	}
	if _, err := c.Batch(ctx, "missing"); recap.ErrorCode(err) != recap.EINVALID {
		t.Errorf("404 without a JSON error: %v", err)
	}
}
