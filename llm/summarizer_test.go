package llm

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/llm/llmtest"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/prompts"
)

func TestSummarizeChapterHappyPath(t *testing.T) {
	b := setup(t, nil)
	text := transcript(5)
	got, usage, err := b.sum.SummarizeChapter(context.Background(), chapter(2, 20, text))
	if err != nil {
		t.Fatal(err)
	}
	reqs := b.srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d calls, want 1", len(reqs))
	}
	r := reqs[0]
	if r.ResponseFormat != "json_schema" || r.SchemaName != "summary" {
		t.Errorf("response_format = %q (schema %q), want json_schema (summary)", r.ResponseFormat, r.SchemaName)
	}
	if r.AuthHeader != "Bearer "+testKey || r.Model != "test-model" {
		t.Errorf("auth %q, model %q", r.AuthHeader, r.Model)
	}
	if r.Temperature == nil || *r.Temperature > 0.5 {
		t.Errorf("temperature = %v, want a low one", r.Temperature)
	}
	if r.Kind != llmtest.KindChapter || r.Transcript() != text {
		t.Errorf("kind %q, transcript sent %q", r.Kind, r.Transcript())
	}
	if len(r.Messages) != 2 || strings.Contains(r.Messages[0].Content, "Sentence000") {
		t.Errorf("want a system message without transcript and one user message, got %+v", r.Messages)
	}
	user := r.Messages[1].Content
	for _, want := range []string{"How rockets work", "Chapter 3 of 20: Engines"} {
		if !strings.Contains(user, want) {
			t.Errorf("user message lacks %q:\n%s", want, user)
		}
	}
	// What the server answered is what we return.
	var want recap.ChapterSummary
	if err := json.Unmarshal([]byte(llmtest.Answer(r)), &want); err != nil {
		t.Fatal(err)
	}
	if got.Title != want.Title || got.Summary != want.Summary || strings.Join(got.Bullets, "|") != strings.Join(want.Bullets, "|") {
		t.Errorf("summary = %+v, want %+v", got, want)
	}
	if usage.LLMCalls != 1 || usage.PromptTokens != b.srv.PromptTokens() || usage.CompletionTokens != b.srv.CompletionTokens() || usage.PromptTokens == 0 {
		t.Errorf("usage = %+v, server saw %d prompt / %d completion tokens", usage, b.srv.PromptTokens(), b.srv.CompletionTokens())
	}
	if g := b.sum.Generator(); g.Summarizer != "llm" || g.Model != "test-model" || g.PromptVersion != prompts.Version() {
		t.Errorf("Generator() = %+v", g)
	}
	if b.sum.Budget() != DefaultChapterTokens {
		t.Errorf("Budget() = %d, want %d", b.sum.Budget(), DefaultChapterTokens)
	}
}

func TestRateLimitHonoursRetryAfter(t *testing.T) {
	date := time.Now().Add(30 * time.Second).UTC().Format(http.TimeFormat)
	for _, tc := range []struct {
		name     string
		header   string
		min, max time.Duration
	}{
		// Never earlier than asked; a jitter of up to a quarter more.
		{"seconds", "7", 7 * time.Second, 8750 * time.Millisecond},
		{"http-date", date, 28 * time.Second, 31 * time.Second * 5 / 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lim := &recordingLimiter{}
			b := setup(t, func(c *Config) { c.Limiter = lim }, llmtest.WithScript(llmtest.Sequence(llmtest.RateLimited(tc.header))))
			_, usage, err := b.sum.SummarizeChapter(context.Background(), chapter(0, 1, transcript(3)))
			if err != nil {
				t.Fatal(err)
			}
			sleeps := b.sleeps.all()
			if len(sleeps) != 1 || sleeps[0] < tc.min || sleeps[0] > tc.max {
				t.Errorf("slept %v, want one wait in [%s, %s]", sleeps, tc.min, tc.max)
			}
			if b.srv.Calls() != 2 || usage.LLMCalls != 2 {
				t.Errorf("server saw %d calls, usage counts %d; want 2 and 2", b.srv.Calls(), usage.LLMCalls)
			}
			// Every call sharing the limiter holds for what was asked.
			if len(lim.pauses) != 1 || lim.pauses[0] < tc.min || lim.pauses[0] > tc.min*5/4 || lim.pauses[0] > sleeps[0] {
				t.Errorf("paused the limiter %v, want once for the Retry-After (and not past this call's own wait %v)", lim.pauses, sleeps)
			}
		})
	}
}

// Without Retry-After, OpenAI's x-ratelimit headers say when the
// exhausted limit resets.
func TestRateLimitResetHeaders(t *testing.T) {
	r := llmtest.RateLimited("")
	r.Header = http.Header{"X-Ratelimit-Remaining-Requests": {"0"}, "X-Ratelimit-Reset-Requests": {"6.5s"},
		"X-Ratelimit-Remaining-Tokens": {"1200"}, "X-Ratelimit-Reset-Tokens": {"50s"}}
	b := setup(t, nil, llmtest.WithScript(llmtest.Sequence(r)))
	if _, _, err := b.sum.SummarizeChapter(context.Background(), chapter(0, 1, transcript(3))); err != nil {
		t.Fatal(err)
	}
	if sleeps := b.sleeps.all(); len(sleeps) != 1 || sleeps[0] < 6500*time.Millisecond || sleeps[0] > 8200*time.Millisecond {
		t.Errorf("slept %v, want one wait of 6.5s (the requests limit's reset; tokens remain) plus jitter", sleeps)
	}
}

// 429s without Retry-After back off exponentially up to a minute, well
// past MaxRetries, and a call that is still refused after the patience
// fails as rate-limited, transient, never as an internal error.
func TestRateLimitPatience(t *testing.T) {
	lim := &recordingLimiter{}
	b := setup(t, func(c *Config) { c.Limiter = lim; c.MaxRetries = 3; c.RateLimitPatience = 4 * time.Minute },
		llmtest.WithScript(func(llmtest.Request) *llmtest.Reply { return llmtest.RateLimited("") }))
	_, usage, err := b.sum.SummarizeChapter(context.Background(), chapter(0, 1, transcript(3)))
	if recap.ErrorCode(err) != recap.ERATELIMITED || recap.Permanent(err) {
		t.Fatalf("err = %v (code %q, permanent %v), want a transient %q", err, recap.ErrorCode(err), recap.Permanent(err), recap.ERATELIMITED)
	}
	if !strings.Contains(err.Error(), "429") || !strings.Contains(err.Error(), "chapter 1/1") {
		t.Errorf("err = %q, want the call and the 429 named", err)
	}
	sleeps := b.sleeps.all()
	var total time.Duration
	for i, d := range sleeps {
		total += d
		step := min(time.Minute, time.Second<<i)
		if d < step/2 || d > step {
			t.Errorf("wait %d = %s, want within [%s, %s]", i+1, d, step/2, step)
		}
	}
	if total > 4*time.Minute || total < 2*time.Minute {
		t.Errorf("waited %s in all on 429s, want most of the 4m patience and no more", total)
	}
	if len(sleeps) <= 3 || usage.LLMCalls != len(sleeps)+1 || b.srv.Calls() != usage.LLMCalls {
		t.Errorf("%d waits, %d calls (server saw %d); want more than MaxRetries=3 and one call per wait plus the last",
			len(sleeps), usage.LLMCalls, b.srv.Calls())
	}
	if len(lim.pauses) != len(sleeps) {
		t.Errorf("paused the shared limiter %d times for %d 429s", len(lim.pauses), len(sleeps))
	}
	t.Logf("gave up after %d calls and %s of waiting: %v", usage.LLMCalls, total.Round(time.Second), err)
}

// 429s and 5xx have separate budgets: many 429s leave every attempt for
// a 5xx that follows.
func TestRateLimitsDoNotUseUpRetries(t *testing.T) {
	var replies []*llmtest.Reply
	for range 6 {
		replies = append(replies, llmtest.RateLimited("1"))
	}
	replies = append(replies, llmtest.Unavailable(""))
	b := setup(t, func(c *Config) { c.MaxRetries = 2 }, llmtest.WithScript(llmtest.Sequence(replies...)))
	if _, usage, err := b.sum.SummarizeChapter(context.Background(), chapter(0, 1, transcript(3))); err != nil || usage.LLMCalls != 8 {
		t.Fatalf("err = %v after %d calls; want success on call 8 (six 429s, one 503, then 200)", err, usage.LLMCalls)
	}
}

// A Retry-After longer than a call may wait gives up at once, as
// rate-limited: the worker reschedules the job.
func TestRateLimitRetryAfterTooLong(t *testing.T) {
	b := setup(t, nil, llmtest.WithScript(llmtest.Sequence(llmtest.RateLimited("3600"))))
	_, _, err := b.sum.SummarizeChapter(context.Background(), chapter(0, 1, transcript(3)))
	if recap.ErrorCode(err) != recap.ERATELIMITED || len(b.sleeps.all()) != 0 {
		t.Fatalf("err = %v after sleeping %v; want %q at once", err, b.sleeps.all(), recap.ERATELIMITED)
	}
}

func TestUnavailableTwiceThenSuccess(t *testing.T) {
	b := setup(t, nil, llmtest.WithScript(llmtest.Sequence(llmtest.Unavailable(""), llmtest.Error(502, "bad gateway"))))
	_, usage, err := b.sum.SummarizeChapter(context.Background(), chapter(0, 1, transcript(3)))
	if err != nil {
		t.Fatal(err)
	}
	if b.srv.Calls() != 3 || usage.LLMCalls != 3 {
		t.Errorf("server saw %d calls, usage counts %d; want 3", b.srv.Calls(), usage.LLMCalls)
	}
	// Backoff without Retry-After: jittered in the upper half of 1s, 2s.
	sleeps := b.sleeps.all()
	if len(sleeps) != 2 || sleeps[0] < 500*time.Millisecond || sleeps[0] > time.Second ||
		sleeps[1] < time.Second || sleeps[1] > 2*time.Second {
		t.Errorf("slept %v, want ~[0.5-1s, 1-2s]", sleeps)
	}
}

func TestInvalidJSONIsRetried(t *testing.T) {
	b := setup(t, nil, llmtest.WithScript(llmtest.Sequence(llmtest.InvalidJSON())))
	got, usage, err := b.sum.SummarizeChapter(context.Background(), chapter(0, 1, transcript(3)))
	if err != nil {
		t.Fatal(err)
	}
	reqs := b.srv.Requests()
	if len(reqs) != 2 || len(got.Bullets) < 3 {
		t.Fatalf("%d calls, summary %+v", len(reqs), got)
	}
	if !strings.Contains(reqs[1].Messages[0].Content, "previous answer was rejected") {
		t.Errorf("retry carries no note:\n%s", reqs[1].Messages[0].Content)
	}
	// Both calls are paid for.
	if usage.LLMCalls != 2 || usage.PromptTokens != b.srv.PromptTokens() || usage.CompletionTokens != b.srv.CompletionTokens() {
		t.Errorf("usage %+v, server saw %d/%d tokens", usage, b.srv.PromptTokens(), b.srv.CompletionTokens())
	}
	// JSON cut short is no sign that the server ignores json_schema.
	if reqs[1].ResponseFormat != "json_schema" {
		t.Errorf("second call response_format = %q, want json_schema still", reqs[1].ResponseFormat)
	}
}

func TestProseWrappedJSONIsAccepted(t *testing.T) {
	b := setup(t, nil, llmtest.WithScript(func(llmtest.Request) *llmtest.Reply { return llmtest.ProseWrapped() }))
	got, usage, err := b.sum.SummarizeChapter(context.Background(), chapter(0, 2, transcript(3)))
	if err != nil {
		t.Fatal(err)
	}
	if usage.LLMCalls != 1 || got.Title == "" || len(got.Bullets) != 3 {
		t.Errorf("usage %+v, summary %+v", usage, got)
	}
	// A server that answers json_schema with prose ignores it: the
	// Summarizer stops asking for it.
	if _, _, err := b.sum.SummarizeChapter(context.Background(), chapter(1, 2, transcript(3))); err != nil {
		t.Fatal(err)
	}
	if f := b.srv.Requests()[1].ResponseFormat; f != "json_object" {
		t.Errorf("next chapter asked for %q, want json_object", f)
	}
}

func TestFallbackWhenServerRejectsJSONSchema(t *testing.T) {
	b := setup(t, nil, llmtest.WithoutJSONSchema())
	for i := range 3 {
		if _, _, err := b.sum.SummarizeChapter(context.Background(), chapter(i, 3, transcript(2))); err != nil {
			t.Fatal(err)
		}
	}
	var formats []string
	for _, r := range b.srv.Requests() {
		formats = append(formats, r.ResponseFormat)
	}
	if got := strings.Join(formats, ","); got != "json_schema,json_object,json_object,json_object" {
		t.Errorf("response formats = %s, want one json_schema then json_object for good", got)
	}
	if len(b.sleeps.all()) != 0 {
		t.Errorf("slept %v before falling back; a refusal is not load", b.sleeps.all())
	}
}

func TestFallbackToPlainText(t *testing.T) {
	b := setup(t, nil, llmtest.WithoutResponseFormat(),
		llmtest.WithScript(func(r llmtest.Request) *llmtest.Reply {
			if r.ResponseFormat == "" {
				return llmtest.ProseWrapped()
			}
			return nil
		}))
	for i := range 2 {
		if _, _, err := b.sum.SummarizeChapter(context.Background(), chapter(i, 2, transcript(2))); err != nil {
			t.Fatal(err)
		}
	}
	var formats []string
	for _, r := range b.srv.Requests() {
		formats = append(formats, r.ResponseFormat)
	}
	if got := strings.Join(formats, ","); got != "json_schema,json_object,," {
		t.Errorf("response formats = %q, want json_schema,json_object, then none", got)
	}
}

func TestTooFewBulletsIsRetried(t *testing.T) {
	b := setup(t, nil, llmtest.WithScript(llmtest.Sequence(llmtest.FewBullets(2))))
	got, usage, err := b.sum.SummarizeChapter(context.Background(), chapter(0, 1, transcript(3)))
	if err != nil {
		t.Fatal(err)
	}
	if usage.LLMCalls != 2 || len(got.Bullets) != 3 {
		t.Errorf("calls %d, bullets %q; want 2 calls and 3 bullets", usage.LLMCalls, got.Bullets)
	}
}

func TestInvalidAnswersExhaustRetries(t *testing.T) {
	b := setup(t, func(c *Config) { c.MaxRetries = 3 },
		llmtest.WithScript(func(llmtest.Request) *llmtest.Reply { return llmtest.FewBullets(1) }))
	_, usage, err := b.sum.SummarizeChapter(context.Background(), chapter(0, 1, transcript(3)))
	if err == nil || usage.LLMCalls != 3 {
		t.Fatalf("err %v after %d calls, want an error after 3", err, usage.LLMCalls)
	}
	if recap.ErrorCode(err) != recap.ELLM || !strings.Contains(err.Error(), "1 bullets") {
		t.Errorf("err = %v (code %s), want ELLM naming the bullet count", err, recap.ErrorCode(err))
	}
}

func TestUnauthorizedIsPermanent(t *testing.T) {
	b := setup(t, func(c *Config) { c.APIKey = "sk-wrong-key-123456" }, llmtest.WithAPIKey("sk-right-key-123456"))
	_, usage, err := b.sum.SummarizeChapter(context.Background(), chapter(0, 1, transcript(3)))
	if err == nil {
		t.Fatal("no error with a wrong key")
	}
	if recap.ErrorCode(err) != recap.ELLM || !recap.Permanent(err) {
		t.Errorf("err = %v (code %s), want permanent %s", err, recap.ErrorCode(err), recap.ELLM)
	}
	if b.srv.Calls() != 1 || usage.LLMCalls != 1 || len(b.sleeps.all()) != 0 {
		t.Errorf("%d calls, %d sleeps; want 1 call and no wait", b.srv.Calls(), len(b.sleeps.all()))
	}
	if !strings.Contains(err.Error(), "401") {
		t.Errorf("err %q does not name the status", err)
	}
}

func TestPermanentStatuses(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply *llmtest.Reply
	}{
		{"unknown model", llmtest.Error(404, "The model `nope` does not exist")},
		{"forbidden", llmtest.Error(403, "Project does not have access")},
		{"bad request", llmtest.Error(400, "maximum context length is 8192 tokens")},
		{"quota", &llmtest.Reply{Status: 429, Body: `{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := setup(t, nil, llmtest.WithScript(func(llmtest.Request) *llmtest.Reply { return tc.reply }))
			_, _, err := b.sum.SummarizeChapter(context.Background(), chapter(0, 1, transcript(3)))
			if !recap.Permanent(err) || b.srv.Calls() != 1 {
				t.Errorf("err = %v after %d calls, want a permanent error after 1", err, b.srv.Calls())
			}
		})
	}
}

func TestServerDownForGood(t *testing.T) {
	b := setup(t, func(c *Config) { c.MaxRetries = 4 }, llmtest.WithDown())
	_, usage, err := b.sum.SummarizeChapter(context.Background(), chapter(2, 20, transcript(3)))
	if err == nil {
		t.Fatal("no error from a server that is down")
	}
	if recap.Permanent(err) {
		t.Errorf("err %v is permanent; the worker should be free to retry the job", err)
	}
	if !strings.Contains(err.Error(), "chapter 3/20 failed after 4 attempts: 503") {
		t.Errorf("err = %q", err)
	}
	if b.srv.Calls() != 4 || usage.LLMCalls != 4 || len(b.sleeps.all()) != 3 {
		t.Errorf("%d calls, usage %d, %d sleeps; want 4, 4, 3", b.srv.Calls(), usage.LLMCalls, len(b.sleeps.all()))
	}
}

func TestTimeoutIsRetried(t *testing.T) {
	b := setup(t, func(c *Config) { c.Timeout = 100 * time.Millisecond },
		llmtest.WithScript(llmtest.Sequence(&llmtest.Reply{Delay: 5 * time.Second})))
	start := time.Now()
	if _, _, err := b.sum.SummarizeChapter(context.Background(), chapter(0, 1, transcript(3))); err != nil {
		t.Fatal(err)
	}
	if b.srv.Calls() != 2 || time.Since(start) > 3*time.Second {
		t.Errorf("%d calls in %s; want a timed-out call then a good one", b.srv.Calls(), time.Since(start))
	}
}

func TestConnectionRefusedIsTransient(t *testing.T) {
	srv := llmtest.NewServer(t)
	url := srv.BaseURL()
	sleeps := &sleepRecorder{}
	sum, err := New(Config{BaseURL: "http://127.0.0.1:1/v1", MaxRetries: 2, Sleep: sleeps.sleep})
	if err != nil {
		t.Fatal(err)
	}
	_, usage, err := sum.SummarizeChapter(context.Background(), chapter(0, 1, "Hello there. General words."))
	if err == nil || recap.Permanent(err) || usage.LLMCalls != 2 {
		t.Errorf("err %v (permanent %v), %d calls; want a transient error after 2 (server was %s)", err, recap.Permanent(err), usage.LLMCalls, url)
	}
}

func TestCancelStopsRetrying(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	b := setup(t, func(c *Config) {
		c.Sleep = func(context.Context, time.Duration) error { cancel(); return context.Canceled }
	}, llmtest.WithDown())
	_, _, err := b.sum.SummarizeChapter(ctx, chapter(0, 1, transcript(3)))
	if err == nil || b.srv.Calls() != 1 || !strings.Contains(err.Error(), "canceled") {
		t.Errorf("err %v after %d calls; want cancellation after 1", err, b.srv.Calls())
	}
}

func TestOverBudgetChapterInParts(t *testing.T) {
	const budget = 100
	b := setup(t, func(c *Config) { c.ChapterTokens = budget })
	text := transcript(30) // ~540 tokens
	got, usage, err := b.sum.SummarizeChapter(context.Background(), chapter(4, 9, text))
	if err != nil {
		t.Fatal(err)
	}
	var parts []llmtest.Request
	var combine *llmtest.Request
	for _, r := range b.srv.Requests() {
		switch r.Kind {
		case llmtest.KindChapter:
			parts = append(parts, r)
		case llmtest.KindCombine:
			combine = &r
		default:
			t.Errorf("unexpected %s call", r.Kind)
		}
	}
	total := recap.EstimateTokens(text)
	if len(parts) < (total+budget-1)/budget || len(parts) > (total+budget-1)/budget+1 {
		t.Errorf("%d parts for %d tokens at %d a call", len(parts), total, budget)
	}
	// Parts run in parallel: order them by the part number they carry.
	byPart := make([]string, len(parts))
	for _, p := range parts {
		var i, n int
		user := p.Messages[1].Content
		if _, err := fmt.Sscanf(user[strings.Index(user, "(part "):], "(part %d of %d)", &i, &n); err != nil || n != len(parts) || byPart[i-1] != "" {
			t.Fatalf("part header missing or wrong in:\n%s", user)
		}
		byPart[i-1] = p.Transcript()
		if tok := recap.EstimateTokens(p.Transcript()); tok > budget {
			t.Errorf("part %d carries %d transcript tokens, budget %d", i, tok, budget)
		}
	}
	if strings.Join(strings.Fields(strings.Join(byPart, " ")), " ") != strings.Join(strings.Fields(text), " ") {
		t.Errorf("the parts do not carry every transcript word exactly once, in order")
	}
	if combine == nil {
		t.Fatal("no combine call")
	}
	if combine.Transcript() != "" || strings.Contains(combine.Text(), "talks about rockets000 and") {
		t.Error("combine call re-sends the transcript")
	}
	for _, p := range parts {
		var part recap.ChapterSummary
		_ = json.Unmarshal([]byte(llmtest.Answer(p)), &part)
		if !strings.Contains(combine.Text(), part.Title) || !strings.Contains(combine.Text(), part.Summary) {
			t.Errorf("combine call lacks part summary %q", part.Title)
		}
	}
	var want recap.ChapterSummary
	_ = json.Unmarshal([]byte(llmtest.Answer(*combine)), &want)
	if got.Title != want.Title || got.Summary != want.Summary {
		t.Errorf("result %+v is not the combine answer %+v", got, want)
	}
	if usage.LLMCalls != len(parts)+1 || usage.PromptTokens != b.srv.PromptTokens() {
		t.Errorf("usage %+v, want %d calls and %d prompt tokens", usage, len(parts)+1, b.srv.PromptTokens())
	}
}

func TestConcurrencyIsBounded(t *testing.T) {
	const limit = 3
	b := setup(t, func(c *Config) { c.Concurrency = limit }, llmtest.WithLatency(40*time.Millisecond))
	var wg sync.WaitGroup
	errs := make(chan error, 12)
	for i := range 12 {
		wg.Go(func() {
			_, _, err := b.sum.SummarizeChapter(context.Background(), chapter(i, 12, transcript(2)))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := b.srv.MaxInFlight(); got != limit {
		t.Errorf("max calls in flight = %d, want exactly %d (bounded, yet parallel)", got, limit)
	}
}

func TestLimiterGetsEveryCall(t *testing.T) {
	lim := &recordingLimiter{}
	b := setup(t, func(c *Config) { c.Limiter = lim }, llmtest.WithScript(llmtest.Sequence(llmtest.Unavailable(""))))
	if _, _, err := b.sum.SummarizeChapter(context.Background(), chapter(0, 1, transcript(10))); err != nil {
		t.Fatal(err)
	}
	reqs := b.srv.Requests()
	if len(lim.tokens) != len(reqs) {
		t.Fatalf("limiter asked %d times for %d calls", len(lim.tokens), len(reqs))
	}
	if lim.tokens[0] < reqs[0].PromptTokens {
		t.Errorf("limiter reserved %d tokens for a %d-token prompt", lim.tokens[0], reqs[0].PromptTokens)
	}
}

type recordingLimiter struct {
	mu     sync.Mutex
	tokens []int
	pauses []time.Duration
}

func (l *recordingLimiter) Wait(_ context.Context, tokens int) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tokens = append(l.tokens, tokens)
	return nil
}

func (l *recordingLimiter) Pause(_ context.Context, d time.Duration) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pauses = append(l.pauses, d)
	return nil
}

func TestAPIKeyIsNeverLogged(t *testing.T) {
	const key = "sk-live-SECRET-9f8e7d6c5b4a"
	b := setup(t, func(c *Config) { c.APIKey = key; c.MaxRetries = 2 },
		llmtest.WithScript(func(r llmtest.Request) *llmtest.Reply {
			if r.N <= 2 {
				return llmtest.Error(503, "overloaded for key "+key)
			}
			return llmtest.Error(401, "Incorrect API key provided: "+key)
		}))
	b.sum.log.Info("config", slog.Any("cfg", b.sum.cfg))
	_, _, err1 := b.sum.SummarizeChapter(context.Background(), chapter(0, 2, transcript(3)))
	_, _, err2 := b.sum.SummarizeChapter(context.Background(), chapter(1, 2, transcript(3)))
	if err1 == nil || err2 == nil {
		t.Fatal("want errors from both chapters")
	}
	logs := b.logs.String()
	if !strings.Contains(logs, "retrying") {
		t.Fatalf("expected retry logs, got:\n%s", logs)
	}
	for what, s := range map[string]string{
		"logs": logs, "transient error": err1.Error(), "permanent error": err2.Error(),
		"%v of Config": fmt.Sprintf("%v %+v", b.sum.cfg, b.sum.cfg),
	} {
		if strings.Contains(s, key) || strings.Contains(s, "SECRET") {
			t.Errorf("%s contain the API key:\n%s", what, s)
		}
	}
	if !strings.Contains(err2.Error(), "[redacted]") {
		t.Errorf("echoed key not visibly redacted: %v", err2)
	}
}

// A key is redacted whatever its length (a 6-character key used to pass
// in clear), from status errors, transport errors, answers that echo it,
// and the retry log.
func TestShortAPIKeyIsRedacted(t *testing.T) {
	for _, key := range []string{"k3y", "ollama", "sk-1234567", "sk-live-SECRET-9f8e7d6c5b4a"} {
		for name, reply := range map[string]*llmtest.Reply{
			"401":    llmtest.Error(401, "Incorrect API key provided: "+key+"."),
			"503":    llmtest.Error(503, "overloaded for "+key),
			"answer": llmtest.Content("no JSON here, only the key " + key),
		} {
			b := setup(t, func(c *Config) { c.APIKey = key; c.MaxRetries = 2 },
				llmtest.WithScript(func(llmtest.Request) *llmtest.Reply { return reply }))
			_, _, err := b.sum.SummarizeChapter(context.Background(), chapter(0, 1, transcript(3)))
			if err == nil {
				t.Fatalf("key %q, %s: the chapter passed", key, name)
			}
			for what, text := range map[string]string{"error": err.Error(), "logs": b.logs.String()} {
				if strings.Contains(text, key) {
					t.Errorf("key %q, %s: the %s holds it:\n%s", key, name, what, text)
				}
			}
			if !strings.Contains(err.Error(), "[redacted]") {
				t.Errorf("key %q, %s: echoed key not visibly redacted: %v", key, name, err)
			}
		}
	}
}

func TestEmptyKeyForLocalServers(t *testing.T) {
	b := setup(t, func(c *Config) { c.APIKey = "" })
	if _, _, err := b.sum.SummarizeChapter(context.Background(), chapter(0, 1, transcript(2))); err != nil {
		t.Fatal(err)
	}
	if r := b.srv.Requests()[0]; r.Auth {
		t.Errorf("sent Authorization %q with no key", r.AuthHeader)
	}
}

func TestUsageEstimatedWithoutServerUsage(t *testing.T) {
	b := setup(t, nil, llmtest.WithoutUsage())
	_, usage, err := b.sum.SummarizeChapter(context.Background(), chapter(0, 1, transcript(4)))
	if err != nil {
		t.Fatal(err)
	}
	// The fake estimates the same way, so the estimate must match it.
	if usage.PromptTokens != b.srv.PromptTokens() || usage.CompletionTokens != b.srv.CompletionTokens() || usage.PromptTokens == 0 {
		t.Errorf("usage %+v, want estimates %d/%d", usage, b.srv.PromptTokens(), b.srv.CompletionTokens())
	}
}

func TestTemperatureDroppedWhenRefused(t *testing.T) {
	b := setup(t, nil, llmtest.WithScript(func(r llmtest.Request) *llmtest.Reply {
		if r.Temperature != nil {
			return llmtest.Error(400, "Unsupported value: 'temperature' does not support 0.2 with this model.")
		}
		return nil
	}))
	for i := range 2 {
		if _, _, err := b.sum.SummarizeChapter(context.Background(), chapter(i, 2, transcript(2))); err != nil {
			t.Fatal(err)
		}
	}
	if n := b.srv.Calls(); n != 3 {
		t.Errorf("%d calls, want 3: one refused, then none with a temperature", n)
	}
}

func TestReasoningModelGetsNoTemperature(t *testing.T) {
	b := setup(t, func(c *Config) { c.Model = "gpt-5-mini" })
	if _, _, err := b.sum.SummarizeChapter(context.Background(), chapter(0, 1, transcript(2))); err != nil {
		t.Fatal(err)
	}
	if r := b.srv.Requests()[0]; r.Temperature != nil {
		t.Errorf("sent temperature %v to a reasoning model", *r.Temperature)
	}
}

func TestOverview(t *testing.T) {
	b := setup(t, nil)
	in := pipeline.OverviewInput{VideoTitle: "How rockets work", Language: "en", Chapters: []recap.ChapterSummary{
		{Title: "Engines ignite", Summary: "Combustion pushes exhaust out.", Bullets: []string{"NOT-SENT-1"}},
		{Title: "Reaching orbit", Summary: "Speed matters more than height.", Bullets: []string{"NOT-SENT-2"}},
	}}
	got, usage, err := b.sum.Overview(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	r := b.srv.Requests()[0]
	if r.Kind != llmtest.KindOverview || r.SchemaName != "overview" || r.ResponseFormat != "json_schema" {
		t.Errorf("kind %q, schema %q, format %q", r.Kind, r.SchemaName, r.ResponseFormat)
	}
	if strings.Contains(r.Text(), "NOT-SENT") || !strings.Contains(r.Text(), "Reaching orbit: Speed matters") {
		t.Errorf("overview request must carry titles and summaries, not bullets:\n%s", r.Text())
	}
	var want struct{ Overview string }
	_ = json.Unmarshal([]byte(llmtest.Answer(r)), &want)
	if got.Text != want.Overview || got.Text == "" || usage.LLMCalls != 1 {
		t.Errorf("overview %q (usage %+v), want %q", got, usage, want.Overview)
	}
	if _, _, err := b.sum.Overview(context.Background(), pipeline.OverviewInput{}); recap.ErrorCode(err) != recap.EINVALID {
		t.Errorf("overview of no chapters: err %v, want %s", err, recap.EINVALID)
	}
}

func TestOverviewFallbackAndValidation(t *testing.T) {
	b := setup(t, nil, llmtest.WithoutJSONSchema(), llmtest.WithScript(llmtest.Sequence(nil,
		llmtest.Content(`{"overview": ""}`),
		llmtest.Content("Here you go: {\"overview\": \"A video about rockets.\\n\\nIt explains orbits.\"} Enjoy!"))))
	got, usage, err := b.sum.Overview(context.Background(), pipeline.OverviewInput{VideoTitle: "V",
		Chapters: []recap.ChapterSummary{{Title: "T", Summary: "S."}}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Text != "A video about rockets. It explains orbits." || usage.LLMCalls != 3 {
		t.Errorf("overview %q after %d calls; want the joined paragraph after 3", got, usage.LLMCalls)
	}
}

func TestEmptyChapterIsInvalid(t *testing.T) {
	b := setup(t, nil)
	_, _, err := b.sum.SummarizeChapter(context.Background(), chapter(0, 1, "   "))
	if recap.ErrorCode(err) != recap.EINVALID || b.srv.Calls() != 0 {
		t.Errorf("err %v after %d calls", err, b.srv.Calls())
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, cfg := range []Config{
		{BaseURL: "localhost:11434"},
		{BaseURL: "ftp://x/v1"},
		{Concurrency: -1},
		{ChapterTokens: 10},
		{RPM: -5},
	} {
		if _, err := New(cfg); recap.ErrorCode(err) != recap.EINVALID {
			t.Errorf("New(%v) err = %v, want %s", cfg, err, recap.EINVALID)
		}
	}
}
