// Package client calls a recap serve's HTTP API (see DESIGN.md): it
// submits batches and reads them, their items and summaries, for `recap
// batch --server` and `recap get --server`.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/render"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/textclean"
)

// maxBody bounds what is read of one answer (a summary document is far
// smaller).
const maxBody = 32 << 20

// Client calls the API at BaseURL (http://host:port) with Token, when set,
// as its bearer token.
type Client struct {
	BaseURL string
	Token   string
	HTTP    *http.Client // http.DefaultClient when nil
}

// name is the server as messages name it: its URL without a password.
func (c *Client) name() string {
	if u, err := url.Parse(c.BaseURL); err == nil {
		return u.Redacted()
	}
	return c.BaseURL
}

// New checks base, the URL of a recap serve.
func New(base, token string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(strings.TrimSpace(base))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, recap.Errorf(recap.EINVALID, "server %q: expected the http(s) URL of a recap serve, such as http://127.0.0.1:8080", base)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return &Client{BaseURL: u.String(), Token: token, HTTP: hc}, nil
}

// BatchRequest is the body of POST /v1/batches.
type BatchRequest struct {
	URLs       []string `json:"urls"`
	Limit      int      `json:"limit,omitempty"`
	Since      string   `json:"since,omitempty"`
	Language   string   `json:"language,omitempty"`
	Force      bool     `json:"force,omitempty"`
	MaxCostUSD *float64 `json:"max_cost_usd,omitempty"`
	Transcribe bool     `json:"transcribe,omitempty"`
}

// batchView is GET /v1/batches/{id}.
type batchView struct {
	ID      string         `json:"id"`
	Status  string         `json:"status"`
	Sources []string       `json:"sources"`
	Title   string         `json:"title"`
	Total   int            `json:"total"`
	Counts  map[string]int `json:"counts"`
	Usage   struct {
		LLMCalls         int      `json:"llm_calls"`
		PromptTokens     int      `json:"prompt_tokens"`
		CompletionTokens int      `json:"completion_tokens"`
		CostUSD          *float64 `json:"cost_usd"`
	} `json:"usage"`
	Error      *apiError  `json:"error"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	ExpandedAt *time.Time `json:"expanded_at"`
	FinishedAt *time.Time `json:"finished_at"`
}

type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (v *batchView) batch() *storage.Batch {
	b := &storage.Batch{
		ID: v.ID, Status: v.Status, Sources: v.Sources, Title: v.Title, Total: v.Total, Counts: storage.NewCounts(),
		Usage:     storage.BatchUsage{LLMCalls: v.Usage.LLMCalls, PromptTokens: v.Usage.PromptTokens, CompletionTokens: v.Usage.CompletionTokens, CostUSD: v.Usage.CostUSD},
		CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt, ExpandedAt: v.ExpandedAt, FinishedAt: v.FinishedAt,
	}
	for s, n := range v.Counts {
		b.Counts[s] = n // the API counts pending items as queued
	}
	if v.Error != nil {
		b.ErrorCode, b.Error = v.Error.Code, v.Error.Message
	}
	return b
}

// CreateBatch submits a batch; the server returns the unfinished batch of
// the same sources and options instead of making another.
func (c *Client) CreateBatch(ctx context.Context, req BatchRequest) (*storage.Batch, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	var v batchView
	if _, err := c.do(ctx, http.MethodPost, "/v1/batches", body, &v); err != nil {
		return nil, err
	}
	return v.batch(), nil
}

// Batch reads a batch.
func (c *Client) Batch(ctx context.Context, id string) (*storage.Batch, error) {
	var v batchView
	if _, err := c.do(ctx, http.MethodGet, "/v1/batches/"+url.PathEscape(id), nil, &v); err != nil {
		return nil, err
	}
	return v.batch(), nil
}

// Items reads a page of a batch's items. An item the API shows as queued
// without a job is waiting for the dispatcher: storage.ItemPending.
func (c *Client) Items(ctx context.Context, f storage.BatchItemFilter) (storage.BatchItemPage, error) {
	q := url.Values{}
	if f.Limit > 0 {
		q.Set("limit", fmt.Sprint(f.Limit))
	}
	if f.Cursor != "" {
		q.Set("cursor", f.Cursor)
	}
	if len(f.Statuses) > 1 {
		return storage.BatchItemPage{}, recap.Errorf(recap.EINVALID, "the API filters items by one status at a time")
	}
	if len(f.Statuses) == 1 {
		q.Set("status", f.Statuses[0])
	}
	var page struct {
		Items []struct {
			Position        int       `json:"position"`
			VideoID         string    `json:"video_id"`
			Kind            string    `json:"kind"`
			Title           string    `json:"title"`
			DurationSeconds int64     `json:"duration_seconds"`
			Published       string    `json:"published"`
			Status          string    `json:"status"`
			JobID           string    `json:"job_id"`
			Error           *apiError `json:"error"`
		} `json:"items"`
		NextCursor string `json:"next_cursor"`
	}
	path := "/v1/batches/" + url.PathEscape(f.BatchID) + "/items?" + q.Encode()
	if _, err := c.do(ctx, http.MethodGet, path, nil, &page); err != nil {
		return storage.BatchItemPage{}, err
	}
	out := storage.BatchItemPage{NextCursor: page.NextCursor, Items: make([]*storage.BatchItem, 0, len(page.Items))}
	for _, v := range page.Items {
		it := &storage.BatchItem{
			BatchID: f.BatchID, Position: v.Position, ItemID: v.VideoID, Kind: v.Kind, Title: v.Title,
			Duration: time.Duration(v.DurationSeconds) * time.Second, Status: v.Status, JobID: v.JobID,
		}
		if it.Status == storage.ItemQueued && it.JobID == "" {
			it.Status = storage.ItemPending
		}
		if t, err := time.Parse(time.DateOnly, v.Published); err == nil {
			it.Published = t
		}
		if v.Error != nil {
			it.ErrorCode, it.Error = v.Error.Code, v.Error.Message
		}
		out.Items = append(out.Items, it)
	}
	return out, nil
}

// Summary reads the server's rendering in format (render.FormatJSON: the
// document) of the summary with the id, which must be done.
func (c *Client) Summary(ctx context.Context, id, format string) ([]byte, error) {
	return c.do(ctx, http.MethodGet, "/v1/summaries/"+url.PathEscape(id)+"?format="+url.QueryEscape(format), nil, nil)
}

// VideoSummary reads the rendering of a video's newest finished summary.
func (c *Client) VideoSummary(ctx context.Context, videoID, format string) ([]byte, error) {
	return c.do(ctx, http.MethodGet, "/v1/videos/"+url.PathEscape(videoID)+"/summary?format="+url.QueryEscape(format), nil, nil)
}

// Document reads the document of a done job, and the server's rendering
// of it in format.
func (c *Client) Document(ctx context.Context, jobID, format string) (*recap.Document, []byte, error) {
	data, err := c.Summary(ctx, jobID, render.FormatJSON)
	if err != nil {
		return nil, nil, err
	}
	var doc recap.Document
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, nil, fmt.Errorf("summary %s: not a document: %w", jobID, err)
	}
	if format == render.FormatJSON {
		return &doc, data, nil
	}
	if data, err = c.Summary(ctx, jobID, format); err != nil {
		return nil, nil, err
	}
	return &doc, data, nil
}

// do sends a request and decodes a 2xx JSON answer into out (when set),
// returning the body. Error answers become *recap.Error with the API's
// code and message.
func (c *Client) do(ctx context.Context, method, path string, body []byte, out any) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, recap.WrapError(recap.EFETCH, err, "recap server %s: %v", c.name(), textclean.Line(err.Error()))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, recap.WrapError(recap.EFETCH, err, "recap server %s: %v", c.name(), err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		var e struct {
			Error *apiError `json:"error"`
		}
		if json.Unmarshal(data, &e) == nil && e.Error != nil && e.Error.Code != "" {
			msg := textclean.Line(e.Error.Message)
			if resp.StatusCode == http.StatusUnauthorized {
				msg += ": set RECAP_API_TOKEN to one of the server's RECAP_API_TOKENS"
			}
			return nil, recap.Errorf(textclean.Line(e.Error.Code), "recap server %s: %s", c.name(), msg)
		}
		code := recap.EFETCH // 5xx, a proxy's page: try again later
		if resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests {
			code = recap.EINVALID
		}
		return nil, recap.Errorf(code, "recap server %s: %s %s answered %s", c.name(), method, pathOnly(path), resp.Status)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return nil, fmt.Errorf("recap server %s: %s %s: unexpected answer: %w", c.name(), method, pathOnly(path), err)
		}
	}
	return data, nil
}

func pathOnly(p string) string {
	if i := strings.IndexByte(p, '?'); i >= 0 {
		return p[:i]
	}
	return p
}
