// Package asr transcribes audio through any OpenAI-compatible
// /audio/transcriptions endpoint (OpenAI whisper-1 and gpt-4o-transcribe,
// Groq, whisper.cpp server, speaches / faster-whisper-server, LocalAI),
// asking for segment timestamps (verbose_json), as go-openai's
// CreateTranscription does but streaming each upload from the file (see
// upload.go).
//
// Audio over the upload cap is cut into overlapping chunks (package
// audio), the chunks are transcribed in parallel, each chunk's timestamps
// are shifted by its offset and the seams are joined without lost or
// doubled words. Models that give text without timestamps (OpenAI's
// gpt-4o-transcribe) are sent short chunks instead, and their words are
// placed by their chunk's offset (see text.go). Each chunk's answer is
// kept in a ChunkStore, keyed by the chunk's bytes, so that a retry or a
// crash resumes at the first missing chunk and no chunk is paid twice.
// Transient failures (429, 5xx, timeouts, network) are retried as the
// LLM's are (package retry); 4xx that will not change (401, 403, 400,
// 413) fail at once. Segments that models make up over silence are
// dropped where their own confidence fields show it.
package asr

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	openai "github.com/sashabaranov/go-openai"
	"golang.org/x/sync/errgroup"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/audio"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/redact"
	"github.com/recap-dev/recap/retry"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/textclean"
)

// ChunkStore keeps what the service answered for each chunk.
// storage.Store implements it.
type ChunkStore interface {
	GetASRChunk(ctx context.Context, key storage.ASRChunkKey) (storage.ASRChunk, bool, error)
	PutASRChunk(ctx context.Context, key storage.ASRChunkKey, chunk storage.ASRChunk) error
}

// maxRetryAfter is the longest Retry-After waited out inside a call; past
// it the job is better rescheduled by the worker.
const maxRetryAfter = 5 * time.Minute

// Transcriber turns audio files into transcripts. It is safe for
// concurrent use; uploads in flight across all calls stay within
// Config.Concurrency.
type Transcriber struct {
	cfg     Config
	http    *http.Client // the caller's, recording attempts (retry.WrapClient)
	secrets *redact.Secrets
	sem     chan struct{}
	log     *slog.Logger
	// textOnly is set when the model gives no timestamps: known by its
	// name, or learnt from its refusal of verbose_json.
	textOnly atomic.Bool
}

// New checks cfg, applies defaults and returns a Transcriber. It makes no
// network call.
func New(cfg Config) (*Transcriber, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	t := &Transcriber{
		cfg:     cfg,
		http:    retry.WrapClient(cfg.HTTPClient, maxAnswer),
		secrets: redact.New(cfg.APIKey),
		sem:     make(chan struct{}, cfg.Concurrency),
		log:     cfg.Logger.With(slog.String("component", "asr"), slog.String("model", cfg.Model)),
	}
	t.textOnly.Store(textOnly(cfg.Model))
	return t, nil
}

// Model is the speech-to-text model, for the document's generator.
func (t *Transcriber) Model() string { return t.cfg.Model }

// TranscribeFile is Transcribe for the pipeline (pipeline.Transcriber):
// the transcript, the model, the audio's length and what this call paid.
func (t *Transcriber) TranscribeFile(ctx context.Context, path, lang string) (*pipeline.Transcription, error) {
	res, err := t.TranscribeIn(ctx, path, lang)
	if err != nil {
		return nil, err
	}
	return &pipeline.Transcription{Transcript: res.Transcript, Model: res.Model, Audio: res.Duration, CostUSD: res.CostUSD}, nil
}

// Result is a transcription and what it cost.
type Result struct {
	// Transcript has Source recap.TranscriptASR.
	Transcript recap.Transcript
	Model      string
	// Duration is the audio's length.
	Duration time.Duration
	// Uploaded is the audio this call sent (overlaps included); chunks
	// found in the store were not sent again.
	Uploaded time.Duration
	Chunks   int
	Reused   int // chunks answered from the store
	// Dropped counts segments dropped as hallucinations.
	Dropped int
	// CostUSD is Uploaded at Config.PricePerMinute; nil when the price
	// is unknown and something was uploaded.
	CostUSD *float64
}

// chunkResult is one chunk's answer and how it was had.
type chunkResult struct {
	answer   storage.ASRChunk
	reused   bool
	uploaded time.Duration
}

// Transcribe transcribes the audio file at path. A file that cannot be
// read or cut, or that the service refuses for good, fails with a
// *recap.Error (EINVALID, EASR); a transcript without words is
// ENOCAPTIONS; transient failures that outlast the retries are plain
// errors, worth retrying later: the chunks already done are in the store.
// A model that refuses verbose_json is asked again for text alone, in
// short chunks, and so is every later call.
func (t *Transcriber) Transcribe(ctx context.Context, path string) (*Result, error) {
	return t.TranscribeIn(ctx, path, "")
}

// TranscribeIn is Transcribe asking the service for language lang (a
// language tag such as "de" or "pt-BR"); "" asks for Config.Language, or
// lets the service detect it when that is empty too. The language is
// part of each chunk's key in the store.
func (t *Transcriber) TranscribeIn(ctx context.Context, path, lang string) (*Result, error) {
	if lang == "" {
		lang = t.cfg.Language
	} else if !validLanguage(lang) {
		return nil, recap.Errorf(recap.EINVALID, "speech-to-text language %q: expected a language code such as en", lang)
	}
	lang = requestLanguage(lang)
	text := t.textOnly.Load()
	res, err := t.run(ctx, path, lang, text)
	if !text && errors.Is(err, errNoSegments) {
		t.textOnly.Store(true)
		t.log.Warn("asr: the model gives no segment timestamps; transcribing in short chunks of text",
			slog.Duration("chunk", t.cfg.TextChunk), slog.String("error", err.Error()))
		return t.run(ctx, path, lang, true)
	}
	return res, err
}

// run transcribes the file in language lang ("" detected) with segments,
// or as text in short chunks.
func (t *Transcriber) run(ctx context.Context, path, lang string, text bool) (*Result, error) {
	opt := audio.Options{MaxBytes: t.cfg.maxUpload(), Overlap: t.cfg.Overlap, TempDir: t.cfg.TempDir, FFmpeg: t.cfg.FFmpeg}
	if text {
		opt.MaxDuration, opt.Overlap = t.cfg.TextChunk, t.cfg.TextOverlap
	}
	p, err := audio.Prepare(ctx, path, opt)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	f, err := os.Open(p.Path)
	if err != nil {
		return nil, fmt.Errorf("asr: %w", err)
	}
	defer f.Close()
	log := t.log.With(slog.String("file", path))
	log.Info("asr: transcribing", slog.Int("chunks", len(p.Chunks)), slog.Duration("duration", p.Duration),
		slog.String("format", string(p.Source)), slog.Bool("text_only", text))

	results := make([]chunkResult, len(p.Chunks))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(t.cfg.Concurrency)
	for i, c := range p.Chunks {
		g.Go(func() error {
			r, err := t.chunk(gctx, f, p.Format, c, len(p.Chunks), lang, text)
			results[i] = r
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return t.assemble(p, results, lang, text, log)
}

// assemble filters, shifts and joins the chunks' answers: segments, or
// text placed by its chunk's offset; lang is the language asked for, ""
// when the service detected it.
func (t *Transcriber) assemble(p *audio.Prepared, results []chunkResult, lang string, text bool, log *slog.Logger) (*Result, error) {
	res := &Result{Model: t.cfg.Model, Duration: p.Duration, Chunks: len(p.Chunks)}
	answers := make([][]storage.ASRSegment, len(results))
	chunks := append([]audio.Chunk(nil), p.Chunks...)
	for i, r := range results {
		answers[i] = r.answer.Segments
		if r.reused {
			res.Reused++
		}
		res.Uploaded += r.uploaded
		if lang == "" {
			lang = languageCode(r.answer.Language)
		}
		if chunks[i].End == 0 && r.answer.Duration > 0 { // a whole file of unknown length
			chunks[i].End = r.answer.Duration
			res.Duration = r.answer.Duration
		}
	}
	// Joined first, so that a line repeated across a seam is seen as one.
	joined := join
	if text {
		joined = joinText
	}
	kept, dropped := filterHallucinations(joined(chunks, answers))
	res.Dropped = dropped
	segs := make([]recap.Segment, len(kept))
	for i, s := range kept {
		segs[i] = recap.Segment{Start: s.Start, End: s.End, Text: s.Text}
	}
	res.Transcript = recap.Transcript{Language: lang, Source: recap.TranscriptASR, Segments: segs}
	if t.cfg.PricePerMinute >= 0 || res.Uploaded == 0 {
		cost := res.Uploaded.Minutes() * max(t.cfg.PricePerMinute, 0)
		res.CostUSD = &cost
	}
	log.Info("asr: transcribed", slog.Int("segments", len(res.Transcript.Segments)), slog.Int("reused_chunks", res.Reused),
		slog.Duration("uploaded", res.Uploaded), slog.Int("dropped_segments", res.Dropped), slog.String("language", lang))
	if res.Transcript.Empty() {
		return nil, recap.Errorf(recap.ENOCAPTIONS, "speech-to-text heard no words in %s", p.Path)
	}
	return res, nil
}

// chunk gets one chunk's answer in language lang ("" detected) from the
// store, or from the service and then into the store.
func (t *Transcriber) chunk(ctx context.Context, f *os.File, format audio.Format, c audio.Chunk, total int, lang string, text bool) (chunkResult, error) {
	h := sha256.New()
	if _, err := io.Copy(h, c.Section(f)); err != nil {
		return chunkResult{}, fmt.Errorf("asr: read chunk %d: %w", c.Index, err)
	}
	key := storage.ASRChunkKey{Model: t.cfg.Model, Language: lang, Hash: hex.EncodeToString(h.Sum(nil)), Offset: c.Start}
	if t.cfg.Store != nil {
		var (
			a  storage.ASRChunk
			ok bool
		)
		err := pipeline.Durable(ctx, func(ctx context.Context) (err error) {
			a, ok, err = t.cfg.Store.GetASRChunk(ctx, key)
			return err
		})
		if err != nil {
			return chunkResult{}, fmt.Errorf("asr: look up chunk %d: %w", c.Index, err)
		}
		if ok {
			return chunkResult{answer: a, reused: true}, nil
		}
	}
	name := fmt.Sprintf("chunk-%03d%s", c.Index, format.Ext())
	a, err := t.transcribe(ctx, f, name, c, total, lang, text)
	if err != nil {
		return chunkResult{}, err
	}
	if t.cfg.Store != nil {
		// Keep what was paid for, through a dropped connection and whatever
		// happens to the run, as the chapter cache does.
		put := func(ctx context.Context) error { return t.cfg.Store.PutASRChunk(ctx, key, a) }
		if err := pipeline.Durable(context.WithoutCancel(ctx), put); err != nil {
			t.log.Warn("asr: could not store a chunk; a retry would pay for it again",
				slog.String("chunk", name), slog.String("error", err.Error()))
		}
	}
	up := c.Duration()
	if up == 0 {
		up = a.Duration
	}
	return chunkResult{answer: a, uploaded: up}, nil
}

// transcribe uploads one chunk, retrying transient failures. 429s are
// not attempts: they pause every upload sharing the limiter and are
// waited out within RateLimitPatience, as the LLM's are.
func (t *Transcriber) transcribe(ctx context.Context, f *os.File, name string, c audio.Chunk, total int, lang string, text bool) (storage.ASRChunk, error) {
	label := fmt.Sprintf("%s (%d of %d)", name, c.Index+1, total)
	var (
		limited int           // 429s answered to this chunk
		waited  time.Duration // waiting them out, in all
	)
	for attempt := 1; ; {
		at := &retry.Attempt{}
		resp, err := t.send(ctx, f, name, c, lang, text, at)
		if err == nil {
			return answer(resp, c), nil
		}
		if ctx.Err() != nil {
			return storage.ASRChunk{}, fmt.Errorf("asr: %s: %w", label, ctx.Err())
		}
		var we *waitError
		if errors.As(err, &we) {
			return storage.ASRChunk{}, fmt.Errorf("asr: %s: %w", label, err)
		}
		se := retry.StatusOf(err, t.secrets)
		if se != nil && se.Status == http.StatusTooManyRequests && se.Code != "insufficient_quota" {
			limited++
			wait, pause := retry.RateLimited(at.RetryAfter, limited)
			if wait > maxRetryAfter || waited+wait > t.cfg.RateLimitPatience {
				return storage.ASRChunk{}, recap.WrapError(recap.ERATELIMITED, se,
					"speech-to-text server is still rate-limiting %s after %d answers of 429 over %s", label, limited, waited.Round(time.Second))
			}
			if t.cfg.Limiter != nil {
				if perr := t.cfg.Limiter.Pause(ctx, pause); perr != nil {
					t.log.Warn("asr: pause the rate limiter", slog.String("error", perr.Error()))
				}
			}
			waited += wait
			t.log.Info("asr: upload rate-limited, waiting", slog.String("chunk", label), slog.Int("answers_429", limited),
				slog.Duration("wait", wait), slog.Duration("pause_all", pause))
			if err := t.cfg.Sleep(ctx, wait); err != nil {
				return storage.ASRChunk{}, fmt.Errorf("asr: %s: %w", label, err)
			}
			continue
		}
		wait, ferr := t.classify(se, err, at, attempt)
		if wait < 0 && !text && refusesSegments(err) {
			return storage.ASRChunk{}, fmt.Errorf("asr: %s: %w: %w", label, errNoSegments, ferr)
		}
		if wait < 0 {
			return storage.ASRChunk{}, recap.WrapError(recap.EASR, ferr, "speech-to-text server rejected %s%s", label, hint(ferr))
		}
		if attempt >= t.cfg.MaxRetries {
			return storage.ASRChunk{}, fmt.Errorf("asr: %s failed after %d attempts: %w", label, attempt, ferr)
		}
		if wait > maxRetryAfter {
			return storage.ASRChunk{}, fmt.Errorf("asr: %s: server asks to wait %s, more than %s: %w", label, wait.Round(time.Second), maxRetryAfter, ferr)
		}
		t.log.Warn("asr: upload failed, retrying", slog.String("chunk", label), slog.Int("attempt", attempt),
			slog.Duration("wait", wait), slog.String("error", ferr.Error()))
		if err := t.cfg.Sleep(ctx, wait); err != nil {
			return storage.ASRChunk{}, fmt.Errorf("asr: %s: %w", label, err)
		}
		attempt++
	}
}

// send makes one upload within the concurrency bound and the limiter.
func (t *Transcriber) send(ctx context.Context, f *os.File, name string, c audio.Chunk, lang string, text bool, at *retry.Attempt) (openai.AudioResponse, error) {
	select {
	case t.sem <- struct{}{}:
	case <-ctx.Done():
		return openai.AudioResponse{}, ctx.Err()
	}
	defer func() { <-t.sem }()
	if t.cfg.Limiter != nil {
		if err := t.cfg.Limiter.Wait(ctx, int(math.Ceil(c.Duration().Seconds()))); err != nil {
			return openai.AudioResponse{}, &waitError{err}
		}
	}
	cctx, cancel := context.WithTimeout(retry.WithAttempt(ctx, at), t.cfg.Timeout)
	defer cancel()
	resp, err := t.upload(cctx, name, lang, text, func() io.Reader { return c.Section(f) }, c.Size)
	if err != nil && errors.Is(cctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
		err = fmt.Errorf("no answer within %s: %w", t.cfg.Timeout, err)
	}
	return resp, err
}

// classify says how long to wait before the next attempt, or -1 when
// another attempt cannot help; the error comes back redacted. se is
// err's status, nil for errors without one.
func (t *Transcriber) classify(se *retry.StatusError, err error, at *retry.Attempt, attempt int) (time.Duration, error) {
	if se == nil {
		if !at.Sent {
			return -1, t.secrets.Error(err) // the client refused the request itself
		}
		return retry.Backoff(attempt), t.secrets.Error(err)
	}
	if !se.Transient() {
		return -1, se
	}
	if at.RetryAfter > 0 {
		return at.RetryAfter, se
	}
	return retry.Backoff(attempt), se
}

// hint adds what to do about a refusal, where it is clear.
func hint(err error) string {
	var se *retry.StatusError
	if !errors.As(err, &se) {
		return ""
	}
	switch se.Status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return " (check RECAP_ASR_API_KEY)"
	case http.StatusRequestEntityTooLarge:
		return " (lower RECAP_ASR_MAX_UPLOAD_MB)"
	case http.StatusNotFound:
		return " (check RECAP_ASR_BASE_URL and RECAP_ASR_MODEL)"
	}
	return ""
}

// waitError is a Limiter that could not let an upload start.
type waitError struct{ err error }

func (e *waitError) Error() string { return "wait for rate limit: " + e.err.Error() }
func (e *waitError) Unwrap() error { return e.err }

// answer converts the service's answer for chunk c. A service that gives
// text without segments (json, or models such as gpt-4o-transcribe) gets
// one segment spanning the chunk.
func answer(resp openai.AudioResponse, c audio.Chunk) storage.ASRChunk {
	a := storage.ASRChunk{Language: textclean.Line(resp.Language), Duration: seconds(resp.Duration)}
	for _, s := range resp.Segments {
		a.Segments = append(a.Segments, storage.ASRSegment{
			Start: seconds(s.Start), End: seconds(s.End), Text: s.Text,
			AvgLogprob: s.AvgLogprob, CompressionRatio: s.CompressionRatio, NoSpeechProb: s.NoSpeechProb,
		})
	}
	if len(a.Segments) == 0 && strings.TrimSpace(resp.Text) != "" {
		end := c.Duration()
		if end == 0 {
			end = a.Duration
		}
		a.Segments = []storage.ASRSegment{{Start: 0, End: end, Text: resp.Text}}
	}
	return a
}

func seconds(s float64) time.Duration {
	if s <= 0 || math.IsNaN(s) || s > 1e7 {
		return 0
	}
	return time.Duration(math.Round(s * float64(time.Second)))
}
