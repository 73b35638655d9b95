package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/batch"
	"github.com/recap-dev/recap/storage"
)

// batchRequest is the body of POST /v1/batches.
type batchRequest struct {
	URL        string   `json:"url"`
	URLs       []string `json:"urls"`
	Limit      int      `json:"limit"`
	Since      string   `json:"since"`
	Language   string   `json:"language"`
	Force      bool     `json:"force"`
	MaxCostUSD *float64 `json:"max_cost_usd"`
	Transcribe bool     `json:"transcribe"`
}

// batchView is a batch as the API shows it.
type batchView struct {
	ID      string         `json:"id"`
	Status  string         `json:"status"`
	Source  string         `json:"source"`
	Sources []string       `json:"sources"`
	Title   string         `json:"title"`
	Total   int            `json:"total"`
	Counts  map[string]int `json:"counts"`
	Usage   usageView      `json:"usage"`
	Options optionsView    `json:"options"`
	Error   *apiError      `json:"error"`
	// Requeued is how many items a retry put back.
	Requeued   *int       `json:"requeued,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	ExpandedAt *time.Time `json:"expanded_at"`
	FinishedAt *time.Time `json:"finished_at"`
}

type usageView struct {
	LLMCalls         int      `json:"llm_calls"`
	PromptTokens     int      `json:"prompt_tokens"`
	CompletionTokens int      `json:"completion_tokens"`
	CostUSD          *float64 `json:"cost_usd"`
}

type optionsView struct {
	Language   string   `json:"language"`
	Force      bool     `json:"force"`
	Limit      int      `json:"limit"`
	Since      string   `json:"since,omitempty"`
	MaxCostUSD *float64 `json:"max_cost_usd"`
	Transcribe bool     `json:"transcribe"`
}

func newBatchView(b *storage.Batch) *batchView {
	v := &batchView{
		ID: b.ID, Status: b.Status, Source: strings.Join(b.Sources, " "), Sources: b.Sources, Title: b.Title,
		Total: b.Total, Counts: batch.ShownCounts(b.Counts),
		Usage: usageView{b.Usage.LLMCalls, b.Usage.PromptTokens, b.Usage.CompletionTokens, b.Usage.CostUSD},
		Options: optionsView{Language: b.Options.Language, Force: b.Options.Force, Limit: b.Options.Limit,
			MaxCostUSD: b.Options.MaxCostUSD, Transcribe: b.Options.Transcribe},
		CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt, ExpandedAt: b.ExpandedAt, FinishedAt: b.FinishedAt,
	}
	if !b.Options.Since.IsZero() {
		v.Options.Since = b.Options.Since.Format(time.DateOnly)
	}
	if b.Error != "" {
		v.Error = &apiError{Code: b.ErrorCode, Message: b.Error}
	}
	return v
}

func (s *Server) createBatch(w http.ResponseWriter, r *http.Request) {
	var req batchRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	b, err := s.newBatch(r.Context(), req)
	if err != nil {
		s.error(w, r, err)
		return
	}
	w.Header().Set("Location", "/v1/batches/"+b.ID)
	s.json(w, http.StatusAccepted, newBatchView(b))
}

// newBatch checks a batch request and has the service create its batch,
// or find the unfinished one of the same sources and options: POST
// /v1/batches and the web app's submit box both go through it.
func (s *Server) newBatch(ctx context.Context, req batchRequest) (*storage.Batch, error) {
	br := batch.Request{Sources: req.URLs, Limit: req.Limit, Language: req.Language, Force: req.Force, MaxCostUSD: req.MaxCostUSD,
		Transcribe: req.Transcribe}
	switch {
	case req.URL != "" && len(req.URLs) > 0:
		return nil, recap.Errorf(recap.EINVALID, `give "url" or "urls", not both`)
	case req.URL != "":
		br.Sources = []string{req.URL}
	case len(req.URLs) == 0:
		return nil, recap.Errorf(recap.EINVALID, `"url" or "urls" is required: a playlist, channel or podcast feed URL, or a list of them`)
	}
	if req.Since != "" {
		since, err := batch.ParseSince(req.Since)
		if err != nil {
			return nil, err
		}
		br.Since = since
	}
	b, _, err := s.Batches.Create(ctx, br)
	return b, err
}

func (s *Server) getBatch(w http.ResponseWriter, r *http.Request) {
	b, err := s.Batches.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.json(w, http.StatusOK, newBatchView(b))
}

type batchListView struct {
	Batches    []*batchView `json:"batches"`
	NextCursor string       `json:"next_cursor,omitempty"`
}

func (s *Server) listBatches(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := limitParam(q.Get("limit"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	page, err := s.Store.ListBatches(r.Context(), storage.BatchFilter{Status: q.Get("status"), Limit: limit, Cursor: q.Get("cursor")})
	if err != nil {
		s.error(w, r, err)
		return
	}
	out := batchListView{Batches: make([]*batchView, 0, len(page.Batches)), NextCursor: page.NextCursor}
	for _, b := range page.Batches {
		out.Batches = append(out.Batches, newBatchView(b))
	}
	s.json(w, http.StatusOK, out)
}

// itemView is a batch item as the API shows it.
type itemView struct {
	Position        int       `json:"position"`
	VideoID         string    `json:"video_id"`
	Kind            string    `json:"kind,omitempty"`
	Title           string    `json:"title"`
	DurationSeconds int64     `json:"duration_seconds,omitempty"`
	Published       string    `json:"published,omitempty"`
	Status          string    `json:"status"`
	JobID           string    `json:"job_id,omitempty"`
	Error           *apiError `json:"error"`
}

type itemListView struct {
	Items      []*itemView `json:"items"`
	NextCursor string      `json:"next_cursor,omitempty"`
}

func (s *Server) listBatchItems(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := limitParam(q.Get("limit"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	statuses, err := batch.StatusFilter(q.Get("status"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	f := storage.BatchItemFilter{BatchID: r.PathValue("id"), Statuses: statuses, Limit: limit, Cursor: q.Get("cursor")}
	page, err := s.Store.ListBatchItems(r.Context(), f)
	if err != nil {
		s.error(w, r, err)
		return
	}
	out := itemListView{Items: make([]*itemView, 0, len(page.Items)), NextCursor: page.NextCursor}
	for _, it := range page.Items {
		v := &itemView{Position: it.Position, VideoID: it.ItemID, Kind: it.Kind, Title: it.Title,
			DurationSeconds: int64(it.Duration / time.Second), Status: batch.ShownStatus(it.Status), JobID: it.JobID}
		if !it.Published.IsZero() {
			v.Published = it.Published.Format(time.DateOnly)
		}
		if it.Error != "" {
			v.Error = &apiError{Code: it.ErrorCode, Message: it.Error}
		}
		out.Items = append(out.Items, v)
	}
	s.json(w, http.StatusOK, out)
}

func (s *Server) cancelBatch(w http.ResponseWriter, r *http.Request) {
	b, err := s.Batches.Cancel(r.Context(), r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.json(w, http.StatusOK, newBatchView(b))
}

func (s *Server) retryBatch(w http.ResponseWriter, r *http.Request) {
	b, n, err := s.Batches.Retry(r.Context(), r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	v := newBatchView(b)
	v.Requeued = &n
	s.json(w, http.StatusAccepted, v)
}
