// Package storage declares the store that the worker and the API share:
// videos, transcripts, jobs, summary documents, the per-chapter result
// cache and the speech-to-text chunk cache. The implementations live in
// storage/sqlite and storage/postgres and are run by one conformance suite,
// storage/storagetest.
package storage

import (
	"context"
	"time"

	"github.com/recap-dev/recap"
)

// Job statuses.
const (
	StatusQueued  = "queued"
	StatusRunning = "running"
	StatusDone    = "done"
	StatusFailed  = "failed"
)

// Job is one request to summarize one video with one set of options.
// Its ID is also the ID of the document it produces.
type Job struct {
	ID      string
	VideoID string
	// Input is what was submitted (a URL or a bare id).
	Input    string
	Language string
	// SummaryLanguage is the language the summary is to be written in; ""
	// means the transcript's.
	SummaryLanguage string
	// Queue is the asynq queue the job runs on ("interactive" or "batch").
	Queue string
	// OptionsKey identifies the options that make two jobs the same work:
	// language, summary language, summarizer, model and prompt version. A video is summarized
	// once per OptionsKey unless forced.
	OptionsKey string
	Status     string
	Done       int // chapters finished
	Total      int // chapters in all (0 until known)
	ErrorCode  string
	Error      string
	Attempts   int
	CreatedAt  time.Time
	UpdatedAt  time.Time
	StartedAt  *time.Time
	FinishedAt *time.Time
	// VideoTitle is the title of the stored video (Store.PutVideo), ""
	// while there is none. Every method that returns a job fills it in;
	// SubmitJob ignores it.
	VideoTitle string
}

// Finished reports whether the job is done or failed.
func (j *Job) Finished() bool { return j.Status == StatusDone || j.Status == StatusFailed }

// JobFilter selects jobs for ListJobs.
type JobFilter struct {
	Status string // "" for all
	Limit  int    // 1..100; 0 means 20
	// Cursor is the NextCursor of the previous page, "" for the first.
	Cursor string
}

// JobPage is one page of jobs, newest first.
type JobPage struct {
	Jobs       []*Job
	NextCursor string // "" on the last page
}

// DocumentKey is what a document is stored by.
type DocumentKey struct {
	VideoID       string
	Language      string
	Summarizer    string
	Model         string
	PromptVersion string
}

// Store is recap's persistent state. Methods return *recap.Error with code
// recap.ENOTFOUND for unknown ids and recap.EINVALID for bad arguments.
type Store interface {
	// SubmitJob stores j as queued unless a job for the same video and
	// OptionsKey is already queued or running (that job is returned,
	// created=false), or is done and force is false (the newest done job
	// is returned, created=false). It sets j.ID when empty, CreatedAt and
	// UpdatedAt. Two concurrent calls for the same video and options
	// create at most one job.
	SubmitJob(ctx context.Context, j *Job, force bool) (job *Job, created bool, err error)
	GetJob(ctx context.Context, id string) (*Job, error)
	// ListJobs returns jobs newest first (by CreatedAt, then ID).
	ListJobs(ctx context.Context, f JobFilter) (JobPage, error)
	// UnfinishedJobs returns every queued or running job, oldest first:
	// what must be re-enqueued at start.
	UnfinishedJobs(ctx context.Context) ([]*Job, error)
	// StartJob marks a queued or running job running, adds one to
	// Attempts and sets StartedAt. It fails with recap.ECONFLICT when the
	// job is already done or failed.
	StartJob(ctx context.Context, id string) (*Job, error)
	// SetJobProgress records done of total chapters.
	SetJobProgress(ctx context.Context, id string, done, total int) error
	// RetryJob puts a running job back to queued after a transient
	// failure, keeping the error for display.
	RetryJob(ctx context.Context, id, code, message string) error
	// FailJob marks a job failed for good with the error code and message.
	FailJob(ctx context.Context, id, code, message string) error
	// FinishJob stores the document (doc.ID must equal the job id) and
	// marks the job done, in one transaction.
	FinishJob(ctx context.Context, id string, doc *recap.Document) error
	// CountJobs returns how many jobs are in each status.
	CountJobs(ctx context.Context) (map[string]int, error)

	// PutVideo inserts or updates a video's metadata.
	PutVideo(ctx context.Context, v recap.Video) error
	GetVideo(ctx context.Context, id string) (*recap.Video, error)
	// PutTranscript replaces the stored transcript of (videoID, t.Language).
	PutTranscript(ctx context.Context, videoID string, t recap.Transcript) error
	GetTranscript(ctx context.Context, videoID, language string) (*recap.Transcript, error)

	// GetDocument returns the document of a done job.
	GetDocument(ctx context.Context, id string) (*recap.Document, error)
	// LatestDocument returns the newest document for a video.
	LatestDocument(ctx context.Context, videoID string) (*recap.Document, error)
	// FindDocument returns the newest document stored under key.
	FindDocument(ctx context.Context, key DocumentKey) (*recap.Document, error)

	// ListLibrary returns the videos that have a document, one entry per
	// video (its newest document), newest document first (by CreatedAt,
	// then document ID).
	ListLibrary(ctx context.Context, f LibraryFilter) (LibraryPage, error)

	// GetChapter and PutChapter are the chapter result cache
	// (pipeline.ChapterCache); keys are opaque strings.
	GetChapter(ctx context.Context, key string) (recap.ChapterSummary, bool, error)
	PutChapter(ctx context.Context, key string, s recap.ChapterSummary) error

	// GetASRChunk and PutASRChunk keep what speech-to-text answered for
	// each chunk of audio (asr.ChunkStore), so no chunk is paid twice.
	// ok is false on a miss; Put replaces an entry.
	GetASRChunk(ctx context.Context, key ASRChunkKey) (chunk ASRChunk, ok bool, err error)
	PutASRChunk(ctx context.Context, key ASRChunkKey, chunk ASRChunk) error

	// Search finds transcript passages and summary parts that match f.Q
	// (ParseQuery), best first; see SearchRank for the order. A transcript
	// is indexed when stored, in passages cut at the chapters of its
	// language's newest document, and again when a job finishes.
	Search(ctx context.Context, f SearchFilter) (SearchPage, error)

	// Ping checks the database is reachable (for /healthz).
	Ping(ctx context.Context) error
	Close() error
}
