package recap

import (
	"errors"
	"fmt"
)

// Error codes. Each names a kind of failure that callers act on: the CLI
// maps them to exit codes, the API to HTTP statuses, the worker to retry or
// not.
const (
	EINVALID       = "invalid"           // bad input: not a video URL, a broken bundle, bad JSON
	ENOTFOUND      = "not_found"         // no such job, video or document
	ECONFLICT      = "conflict"          // the request collides with stored state
	EUNAVAILABLE   = "video_unavailable" // removed, never existed, unplayable
	EPRIVATE       = "video_private"     // the uploader restricted it
	EAGERESTRICTED = "age_restricted"    // needs a signed-in, age-verified account
	ENOCAPTIONS    = "no_captions"       // no caption track and no transcript, or only an empty one
	ENOTRANSCRIPT  = "no_transcript"     // a podcast episode without a usable transcript (and no speech-to-text)
	EFETCH         = "fetch_failed"      // YouTube unreachable, or another host (feed, transcript) timed out, failed or answered 5xx/429: transient
	EBLOCKED       = "blocked"           // YouTube asks to sign in or rate-limits us: transient
	ELLM           = "llm_failed"        // the model server failed for good (auth, bad model, gave up)
	EASR           = "asr_failed"        // the speech-to-text server failed for good (auth, bad file, gave up)
	ERATELIMITED   = "rate_limited"      // the model or speech-to-text server kept answering 429 past recap's patience: transient
	EUNAUTHORIZED  = "unauthorized"      // API token missing or wrong
	ETOOLARGE      = "too_large"         // request body over the limit
	EINTERNAL      = "internal"          // everything else

	// Batch outcomes: why an item of a batch was not summarized, or why a
	// batch stopped starting items.
	ESKIPPED    = "skipped"     // the item cannot be summarized (private, deleted, not a video); the message says why
	ECANCELED   = "canceled"    // the job or item was canceled with its batch before it started
	EOVERBUDGET = "over_budget" // the batch's max_cost_usd stops it from starting more items
)

// Error is a failure with a code and a message meant for the user.
type Error struct {
	Code    string
	Message string
	Err     error // the cause, if any
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WrapError returns an *Error with the code and message wrapping err.
func WrapError(code string, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// ErrorCode returns the code of the first *Error in err's chain, or
// EINTERNAL when there is none (nil gives "").
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, or
// err's text when there is none.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// Permanent reports whether retrying err cannot help: bad input, a video
// that is private, gone, age-restricted or without captions, an episode
// without a transcript, an LLM or speech-to-text server that refuses the
// request for good, or a job canceled with its batch. Network faults, 429
// and 5xx (EFETCH, EBLOCKED) are not.
func Permanent(err error) bool {
	switch ErrorCode(err) {
	case EINVALID, ENOTFOUND, EUNAVAILABLE, EPRIVATE, EAGERESTRICTED, ENOCAPTIONS, ENOTRANSCRIPT, ELLM, EASR, ETOOLARGE, ECANCELED:
		return true
	}
	return false
}
