package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/render"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/worker"
)

// createRequest is the body of POST /v1/summaries.
type createRequest struct {
	URL             string `json:"url"`
	Language        string `json:"language"`
	SummaryLanguage string `json:"summary_language"`
	Priority        string `json:"priority"`
	Force           bool   `json:"force"`
	// Transcribe asks for the transcript from speech-to-text, whatever
	// captions the video has.
	Transcribe bool `json:"transcribe"`
}

// jobView is a job as the API shows it.
type jobView struct {
	ID       string `json:"id"`
	VideoID  string `json:"video_id"`
	Title    string `json:"title,omitempty"`
	Input    string `json:"input"`
	Language string `json:"language"`
	// SummaryLanguage is the language asked for the summary; absent
	// means the transcript's.
	SummaryLanguage string `json:"summary_language,omitempty"`
	// Transcribe says the job asked for speech-to-text; absent when not.
	Transcribe bool         `json:"transcribe,omitempty"`
	Priority   string       `json:"priority"`
	Status     string       `json:"status"`
	Progress   progressView `json:"progress"`
	Error      *apiError    `json:"error"`
	Attempts   int          `json:"attempts"`
	CreatedAt  time.Time    `json:"created_at"`
	UpdatedAt  time.Time    `json:"updated_at"`
	FinishedAt *time.Time   `json:"finished_at,omitempty"`
	// Summary is the document (as compact JSON) once the job is done;
	// null before.
	Summary json.RawMessage `json:"summary"`
}

type progressView struct {
	Done  int `json:"done"`
	Total int `json:"total"`
}

func newJobView(j *storage.Job) *jobView {
	v := &jobView{
		ID: j.ID, VideoID: j.VideoID, Title: j.VideoTitle, Input: j.Input, Language: j.Language, SummaryLanguage: j.SummaryLanguage,
		Transcribe: j.Transcribe, Priority: j.Priority, Status: j.Status, Progress: progressView{j.Done, j.Total},
		Attempts: j.Attempts, CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt, FinishedAt: j.FinishedAt,
	}
	if j.Error != "" {
		v.Error = &apiError{Code: j.ErrorCode, Message: j.Error}
	}
	return v
}

// submit checks a request's URL and hands it to the submitter.
func (s *Server) submit(ctx context.Context, req createRequest) (*storage.Job, bool, error) {
	if strings.TrimSpace(req.URL) == "" {
		return nil, false, recap.Errorf(recap.EINVALID, `"url" is required: expected a YouTube video URL or an 11-character video id`)
	}
	videoID, err := pipeline.ParseVideoID(req.URL)
	if err != nil {
		return nil, false, err
	}
	// The fields are checked here to name them in errors; the submitter
	// checks them again for every caller.
	if _, err := recap.ParseLanguage(`"language"`, req.Language); err != nil {
		return nil, false, err
	}
	if _, err := recap.ParseLanguage(`"summary_language"`, req.SummaryLanguage); err != nil {
		return nil, false, err
	}
	return s.Submitter.Submit(ctx, worker.Submission{
		Input:           pipeline.YouTubeInput(videoID),
		Display:         req.URL,
		Language:        req.Language,
		SummaryLanguage: req.SummaryLanguage,
		Priority:        req.Priority,
		Force:           req.Force,
		Transcribe:      req.Transcribe,
	})
}

func (s *Server) createSummary(w http.ResponseWriter, r *http.Request) {
	var req createRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	job, _, err := s.submit(r.Context(), req)
	if err != nil {
		s.error(w, r, err)
		return
	}
	status := http.StatusAccepted
	if job.Status == storage.StatusDone {
		status = http.StatusOK
	}
	w.Header().Set("Location", "/v1/summaries/"+job.ID)
	if err := s.writeJob(r.Context(), w, status, job); err != nil {
		s.error(w, r, err)
	}
}

func (s *Server) getSummary(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	format, err := formatParam(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	id := r.PathValue("id")
	// A done job is final but for its video's title, so reading it can
	// be spared: a kept document says the job is done, and a kept view
	// of a done job is its view while the store's count of title changes
	// stands (a store that does not count them has the job read).
	var titles int64
	if format != "" {
		if d, ok := s.docs.cache.Get(id); ok {
			s.writeDocument(w, r, d, format)
			return
		}
	} else if counter, ok := s.Store.(storage.JobListCounter); ok {
		if _, titles, err = counter.JobListChanges(ctx); err != nil {
			s.error(w, r, err)
			return
		}
		if v, ok := s.views.keptDone(id, titles); ok {
			if err := s.writeView(ctx, w, http.StatusOK, id, true, v); err != nil {
				s.error(w, r, err)
			}
			return
		}
	}
	job, err := s.Store.GetJob(ctx, id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	switch {
	case format == "":
		// titles was read before the job: its view is at least as new.
		v, err := s.views.viewOf(job, titles)
		if err == nil {
			err = s.writeView(ctx, w, http.StatusOK, job.ID, job.Status == storage.StatusDone, v)
		}
		if err != nil {
			s.error(w, r, err)
		}
	case job.Status == storage.StatusFailed:
		// Gone for good, and why: the job's own error code and message.
		code := job.ErrorCode
		if code == "" {
			code = recap.EINTERNAL
		}
		s.json(w, http.StatusGone, errorBody{apiError{code, "summary " + job.ID + " failed: " + job.Error}})
	case job.Status != storage.StatusDone:
		s.error(w, r, recap.Errorf(recap.ECONFLICT, "summary %s is %s (%d of %d chapters): no document to render yet", job.ID, job.Status, job.Done, job.Total))
	default:
		d, err := s.document(ctx, job.ID)
		if err != nil {
			s.error(w, r, err)
			return
		}
		s.writeDocument(w, r, d, format)
	}
}

// writeJob writes job's view with status, a done job's with its document
// in "summary", as json would write the jobView.
func (s *Server) writeJob(ctx context.Context, w http.ResponseWriter, status int, job *storage.Job) error {
	v, err := s.views.json(job)
	if err != nil {
		return err
	}
	return s.writeView(ctx, w, status, job.ID, job.Status == storage.StatusDone, v)
}

// writeView writes a job's view v, a done job's with its document in
// "summary": the view and the document are JSON encoded once (jobViews,
// documents) and put together here (the document is most of the answer,
// and encoding/json would scan it again byte by byte).
func (s *Server) writeView(ctx context.Context, w http.ResponseWriter, status int, id string, done bool, v json.RawMessage) error {
	if !done {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write(v) // v may be kept: never append to it
		io.WriteString(w, "\n")
		return nil
	}
	d, err := s.document(ctx, id)
	if err != nil {
		return err
	}
	doc, err := d.compact()
	if err != nil {
		return err
	}
	// The view ends with its last field, "summary", null until now.
	head, ok := bytes.CutSuffix(v, []byte(`null}`))
	if !ok {
		return fmt.Errorf("job view %s does not end with its summary: %.40q", id, v[max(0, len(v)-40):])
	}
	buf := answerBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 4<<20 {
			buf.Reset()
			answerBuffers.Put(buf)
		}
	}()
	buf.Grow(len(head) + len(doc) + 2)
	buf.Write(head)
	buf.Write(doc)
	buf.WriteString("}\n")
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
	return nil
}

// answerBuffers hold answers while they are put together (a summary is
// tens of kilobytes): reused, not made anew for every request.
var answerBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (s *Server) getVideoSummary(w http.ResponseWriter, r *http.Request) {
	format, err := formatParam(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	id, err := pipeline.ParseItemID(r.PathValue("video_id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	doc, err := s.Store.LatestDocument(r.Context(), id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if format == "" {
		format = render.FormatJSON
	}
	s.writeDocument(w, r, &document{doc: doc, out: map[string][]byte{}}, format)
}

// writeDocument answers with the document rendered in format.
func (s *Server) writeDocument(w http.ResponseWriter, r *http.Request, d *document, format string) {
	data, err := d.render(format)
	if err != nil {
		s.error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", render.ContentType(format))
	w.Write(data)
}

// formatParam reads ?format=; "" means the JSON job view.
func formatParam(r *http.Request) (string, error) {
	f := r.URL.Query().Get("format")
	if f == "" {
		return "", nil
	}
	return render.ParseFormat(f)
}

// listView is a page of jobs as GET /v1/summaries shows it.
type listView struct {
	Summaries  []*jobView `json:"summaries"`
	NextCursor string     `json:"next_cursor,omitempty"`
}

// appendList appends a page of jobs as json would write its listView,
// from each job's view as JSON (jobViews): the views go out as they are,
// not through encoding/json, which would scan each again byte by byte.
func appendList(b []byte, views []json.RawMessage, nextCursor string) ([]byte, error) {
	var cursor []byte
	if nextCursor != "" {
		var err error
		if cursor, err = json.Marshal(nextCursor); err != nil {
			return b, err
		}
	}
	n := len(`{"summaries":[],"next_cursor":}`+"\n") + len(views) + len(cursor)
	for _, v := range views {
		n += len(v)
	}
	b = slices.Grow(b, n)
	b = append(b, `{"summaries":[`...)
	for i, v := range views {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, v...)
	}
	b = append(b, ']')
	if cursor != nil {
		b = append(b, `,"next_cursor":`...)
		b = append(b, cursor...)
	}
	return append(b, "}\n"...), nil
}

// writeList writes a page of jobs made by appendList.
func writeList(w http.ResponseWriter, page []byte) {
	w.Header().Set("Content-Type", "application/json")
	// A page (about 25 KB for 50 jobs) is longer than the server's
	// buffer: with its length known it goes out whole, not chunked.
	w.Header().Set("Content-Length", strconv.Itoa(len(page)))
	w.Write(page)
}

func (s *Server) listSummaries(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	f := storage.JobFilter{Status: q.Get("status"), Cursor: q.Get("cursor")}
	switch f.Status {
	case "", storage.StatusQueued, storage.StatusRunning, storage.StatusDone, storage.StatusFailed:
	default:
		s.error(w, r, recap.Errorf(recap.EINVALID, "status %q: expected queued, running, done or failed", f.Status))
		return
	}
	limit, err := limitParam(q.Get("limit"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	f.Limit = limit
	page, err := s.pages.answer(ctx, s.Store, f, func(ctx context.Context) (storage.JobStampPage, []byte, error) {
		views, stamps, err := s.views.list(ctx, s.Store, f)
		if err != nil {
			return stamps, nil, err
		}
		b, err := appendList(nil, views, stamps.NextCursor)
		return stamps, b, err
	})
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeList(w, page)
}
