// Package storage declares the store that the worker and the API share:
// videos, transcripts, jobs, summary documents, the per-chapter result
// cache, the speech-to-text chunk cache, and backlogs: batches, their
// items, podcast episodes and subscriptions. The implementations live in
// storage/sqlite and storage/postgres and are run by one conformance suite,
// storage/storagetest.
package storage

import (
	"context"
	"encoding/json"
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

// Job priorities: interactive work before backlogs.
const (
	PriorityHigh = "high" // one video asked for now (the API's default)
	PriorityLow  = "low"  // backlog work, such as a batch
)

// Job is one request to summarize one video with one set of options.
// Its ID is also the ID of the document it produces.
type Job struct {
	ID      string
	VideoID string
	// SourceKind and SourceRef say what to fetch, so that running a job
	// needs nothing but the job: recap.SourceYouTube and a video id, or
	// recap.SourceFile and the path of a yt-dlp .info.json. The pipeline
	// loads each kind with the loader registered for it.
	SourceKind string
	SourceRef  string
	// Input is what was submitted (a URL, a bare id, a path), for display.
	Input string
	// Language is the caption language asked for, a canonical BCP 47 tag.
	Language string
	// SummaryLanguage is the language the summary is to be written in; ""
	// means the transcript's.
	SummaryLanguage string
	// Priority is PriorityHigh or PriorityLow; the worker maps it to a
	// queue.
	Priority string
	// Transcribe asks for the transcript from speech-to-text, whatever
	// captions the video has; without it, speech-to-text is used only for
	// a source without a transcript.
	Transcribe bool
	// Summarizer and Model are the generator the job is to be made with,
	// decided when it was submitted; whichever process runs the job uses
	// them, so that OptionsKey says what the document really is.
	Summarizer string
	Model      string
	// OptionsKey identifies the options that make two jobs the same work
	// (worker.Options.Key: languages, summarizer, model and prompt
	// version). A video is summarized once per OptionsKey unless forced.
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
	// LeaseOwner is the run that holds a running job ("" when none), and
	// LeaseExpiresAt when its hold lapses unless renewed; see StartJob.
	LeaseOwner     string
	LeaseExpiresAt *time.Time
}

// Lease is a run's hold on a job: Owner names the run (unique to it, e.g.
// host, process and a random part), and the hold lasts TTL unless renewed.
// Running a job is exclusive through the store, whatever the queue does:
// a task delivered twice (Redis restarted empty, two processes each with
// its own Redis on one database) finds the job held and does nothing.
type Lease struct {
	Owner string
	TTL   time.Duration
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

// JobStamp is a listed job without the rest of its row: its place in the
// list (CreatedAt, ID) and what tells whether a view of the job made
// before is still its view (Status, UpdatedAt; its video's title through
// JobStampPage.TitleChanges). A caller that keeps views of finished jobs
// lists stamps (ListJobStamps) and reads in full (GetJobs) only the jobs
// it holds no view of that is still theirs.
type JobStamp struct {
	ID        string
	Status    string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Finished reports whether the job was done or failed when listed.
func (s JobStamp) Finished() bool { return s.Status == StatusDone || s.Status == StatusFailed }

// JobStampPage is one page of ListJobStamps, newest first.
type JobStampPage struct {
	Stamps     []JobStamp
	NextCursor string // "" on the last page
	// TitleChanges is a number that changes whenever a video is stored
	// for the first time or its title changes, read with the page (0 for
	// an empty page): while it is the same, every job's VideoTitle is.
	TitleChanges int64
	// JobChanges is a number that changes whenever a job is stored,
	// changed or deleted, read with the page, for a store that counts
	// them (JobListCounter); 0 for an empty page and for a store that
	// does not. While it and TitleChanges are the same, so is the page.
	JobChanges int64
}

// JobListCounter is a Store that counts, exactly and cheaply, the changes
// to what pages of jobs show (JobStampPage.JobChanges and TitleChanges),
// so that a caller can keep a whole page and answer with it again while
// neither count has moved (and a done job's view while TitleChanges has
// not: nothing else of a done job changes). SQLite does (it has one writer at a time, so
// a counter row costs no wait); PostgreSQL does not: one row that every
// job change updates would make concurrent job changes wait on each
// other until each commits.
type JobListCounter interface {
	// JobListChanges returns the two counts as ListJobStamps would read
	// them with a page now.
	JobListChanges(ctx context.Context) (jobChanges, titleChanges int64, err error)
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
	// is returned, created=false). A queued YouTube job that j, a local
	// download, takes over (TakesOver) gets j's source in the same
	// transaction. It sets j.ID when empty, CreatedAt and
	// UpdatedAt. Two concurrent calls for the same video and options
	// create at most one job.
	SubmitJob(ctx context.Context, j *Job, force bool) (job *Job, created bool, err error)
	GetJob(ctx context.Context, id string) (*Job, error)
	// ListJobs returns jobs newest first (by CreatedAt, then ID).
	ListJobs(ctx context.Context, f JobFilter) (JobPage, error)
	// ListJobStamps returns the page ListJobs(f) returns (the same jobs,
	// the same NextCursor), each job as its stamp: a narrower read.
	ListJobStamps(ctx context.Context, f JobFilter) (JobStampPage, error)
	// GetJobs returns the jobs with the ids, in the order of ids; ids of
	// no job are left out. At most 100 ids (recap.EINVALID past that).
	GetJobs(ctx context.Context, ids []string) ([]*Job, error)
	// UnfinishedJobs returns every queued or running job, oldest first:
	// what must be re-enqueued at start.
	UnfinishedJobs(ctx context.Context) ([]*Job, error)
	// StartJob claims job id for lease.Owner until now + lease.TTL: a
	// queued job, or a running one whose lease has lapsed (the run holding
	// it stopped renewing: it crashed or lost the database). It marks the
	// job running, adds one to Attempts and sets StartedAt. It fails with
	// recap.ECONFLICT when the job is already done or failed, and with an
	// ECONFLICT wrapping ErrLeased while another run's lease holds.
	StartJob(ctx context.Context, id string, lease Lease) (*Job, error)
	// RenewLease extends the lease of the run that holds job id to now +
	// lease.TTL; ErrLeased (in an ECONFLICT) when that run is not
	// lease.Owner any more, ECONFLICT when the job is finished.
	RenewLease(ctx context.Context, id string, lease Lease) error
	// The changes below apply only for the run that holds the job: owner
	// is its lease's, or "" for a job no run holds (a queued one). Another
	// owner gets an ECONFLICT wrapping ErrLeased and changes nothing.
	//
	// SetJobProgress records done of total chapters.
	SetJobProgress(ctx context.Context, id, owner string, done, total int) error
	// RetryJob puts a job back to queued, unheld, after a transient
	// failure, keeping the error for display. A retry with code
	// recap.EBLOCKED (the job waits for YouTube's pause to end) gives back
	// the attempt StartJob counted: Attempts counts the runs that could
	// fail, which is what the retry limit is about.
	RetryJob(ctx context.Context, id, owner, code, message string) error
	// FailJob marks a job failed for good with the error code and message.
	FailJob(ctx context.Context, id, owner, code, message string) error
	// FinishJob stores the document (doc.ID must equal the job id) and
	// marks the job done, in one transaction.
	FinishJob(ctx context.Context, id, owner string, doc *recap.Document) error
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

	// Batches: backlogs of items, each summarized by a job (see Batch).
	// The store is their source of truth; the queue holds only the jobs
	// of a bounded window of items (ClaimBatchItems).
	//
	// CreateBatch stores b (status expanding, or running when given so)
	// unless an unfinished batch (expanding, running or paused) has the
	// same non-empty ResumeKey: that batch is returned, created=false. It
	// sets b.ID when empty, CreatedAt and UpdatedAt.
	CreateBatch(ctx context.Context, b *Batch) (batch *Batch, created bool, err error)
	// GetBatch returns the batch with its Total, Counts and Usage.
	GetBatch(ctx context.Context, id string) (*Batch, error)
	// ListBatches returns batches newest first, each with Total, Counts
	// and Usage.
	ListBatches(ctx context.Context, f BatchFilter) (BatchPage, error)
	// AddBatchItems appends the items not already in the batch (by
	// ItemID; the first stays) after its last one, pending or skipped
	// (NewItemStatus), and stores each podcast item's Episode. A done
	// batch given pending items runs again. It returns how many were
	// added; ECONFLICT for a batch that is canceled or failed.
	AddBatchItems(ctx context.Context, batchID string, items []*BatchItem) (added int, err error)
	// FinishExpansion marks an expanding batch running (or done when it
	// has nothing to do) and sets its title when not empty. ECONFLICT
	// when the batch is no longer expanding (canceled meanwhile).
	FinishExpansion(ctx context.Context, id, title string) error
	// HoldExpansion claims or renews the hold of lease.Owner on listing
	// the sources of expanding batch id, until now + lease.TTL: unless
	// another owner's hold lasts (an ECONFLICT wrapping ErrLeased), so
	// that two processes never list one batch at once. ECONFLICT when the
	// batch is not expanding, ENOTFOUND when there is none.
	HoldExpansion(ctx context.Context, id string, lease Lease) error
	// FailBatch marks an expanding batch failed with the reason.
	FailBatch(ctx context.Context, id, code, message string) error
	// ListBatchItems returns a batch's items in source order.
	ListBatchItems(ctx context.Context, f BatchItemFilter) (BatchItemPage, error)
	// ClaimBatchItems picks the items to start now and marks them queued:
	// as many as the window has room for (every batch's queued and running
	// items count), round-robin over the running batches, least recently
	// served first, within each batch's budget (PlanDispatch; a batch
	// that cannot start its next item with nothing in flight is paused,
	// its pending items too). Items claimed more than StaleAfter ago and
	// still without a job are returned again. The caller submits a job for
	// each and records it with LinkBatchItem (or FailBatchItem). Concurrent
	// callers (several processes) never exceed the window together.
	ClaimBatchItems(ctx context.Context, opt ClaimOptions) ([]*BatchItem, error)
	// LinkBatchItem records the job of a claimed (queued) item and gives
	// the item the job's status at once: a job that is already done (the
	// same work done before) makes the item done with its document's
	// usage. It does nothing to an item that is no longer queued
	// (canceled meanwhile).
	LinkBatchItem(ctx context.Context, batchID string, position int, jobID string) error
	// FailBatchItem marks a claimed (queued) item failed: its job could
	// not be submitted.
	FailBatchItem(ctx context.Context, batchID string, position int, code, message string) error
	// CancelBatch cancels what has not started: the batch becomes
	// canceled, its pending and paused items canceled, and so do its
	// queued items whose job is low priority, unheld and needed by no
	// other batch: such jobs fail with recap.ECANCELED and are returned,
	// so that the caller can drop their tasks. Running items finish. A
	// finished batch is left as it is.
	CancelBatch(ctx context.Context, id string) (canceled []*Job, err error)
	// RetryBatch puts a batch's failed and paused items back to pending,
	// without job or error, and the batch back to running; a failed batch
	// (its expansion failed) goes back to expanding. It returns how many
	// items were requeued; ECONFLICT for a canceled or expanding batch.
	RetryBatch(ctx context.Context, id string) (requeued int, err error)
	// GetEpisode returns the stored podcast episode (feed.Episode as
	// JSON) with the id.
	GetEpisode(ctx context.Context, id string) (json.RawMessage, error)

	// Subscriptions: sources polled for new items (see Subscription).
	//
	// CreateSubscription stores s with its batch b (CreateBatch's rules;
	// b is made running) in one transaction, first poll due now. A
	// subscription to the same URL is returned instead, created=false.
	CreateSubscription(ctx context.Context, s *Subscription, b *Batch) (sub *Subscription, created bool, err error)
	GetSubscription(ctx context.Context, id string) (*Subscription, error)
	// ListSubscriptions returns every subscription, newest first.
	ListSubscriptions(ctx context.Context) ([]*Subscription, error)
	// DeleteSubscription deletes a subscription and its seen items; its
	// batch stays.
	DeleteSubscription(ctx context.Context, id string) error
	// ClaimSubscriptions leases up to limit subscriptions whose poll is
	// due and that no poller holds (or whose lease lapsed) to lease.Owner
	// until now + lease.TTL: two pollers never hold one subscription.
	ClaimSubscriptions(ctx context.Context, lease Lease, limit int) ([]*Subscription, error)
	// FinishSubscriptionPoll records the poll of the subscription held by
	// owner and lets it go, next poll one interval on: a failed poll its
	// error only; a successful one adds poll.Items not seen before to its
	// batch (AddBatchItems) and marks poll.Seen seen, in one transaction.
	// It returns how many items were added; an ECONFLICT wrapping
	// ErrLeased when owner does not hold it.
	FinishSubscriptionPoll(ctx context.Context, id, owner string, poll SubscriptionPoll) (added int, err error)

	// Ping checks the database is reachable (for /healthz).
	Ping(ctx context.Context) error
	Close() error
}
