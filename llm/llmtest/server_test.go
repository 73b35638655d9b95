package llmtest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/prompts"
)

func client(s *Server, key string) *openai.Client {
	cfg := openai.DefaultConfig(key)
	cfg.BaseURL = s.BaseURL()
	return openai.NewClientWithConfig(cfg)
}

func chat(t *testing.T, c *openai.Client, p *prompts.Prompt, data any, format openai.ChatCompletionResponseFormatType) (openai.ChatCompletionResponse, error) {
	t.Helper()
	system, user, err := p.Render(data)
	if err != nil {
		t.Fatal(err)
	}
	req := openai.ChatCompletionRequest{Model: "m", Messages: []openai.ChatCompletionMessage{
		{Role: "system", Content: system}, {Role: "user", Content: user},
	}}
	if format != "" {
		req.ResponseFormat = &openai.ChatCompletionResponseFormat{Type: format}
	}
	return c.CreateChatCompletion(context.Background(), req)
}

func TestDefaultAnswers(t *testing.T) {
	s := NewServer(t)
	c := client(s, "k")
	text := "Rockets burn propellant. The exhaust pushes the vehicle upward through the atmosphere. Engineers measure thrust carefully."

	resp, err := chat(t, c, prompts.Chapter(), prompts.ChapterData{VideoTitle: "V", Chapter: 1, Chapters: 1, Text: text}, "")
	if err != nil {
		t.Fatal(err)
	}
	var sum recap.ChapterSummary
	if err := json.Unmarshal([]byte(resp.Choices[0].Message.Content), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Title != "Rockets burn propellant" || len(sum.Bullets) != 3 || !strings.Contains(sum.Summary, "exhaust") {
		t.Errorf("chapter answer %+v does not quote the transcript", sum)
	}
	r := s.Requests()[0]
	if r.Kind != KindChapter || r.Transcript() != text || !r.Auth {
		t.Errorf("recorded %+v", r)
	}
	want := recap.EstimateTokens(r.Messages[0].Content) + recap.EstimateTokens(r.Messages[1].Content)
	if resp.Usage.PromptTokens != want || s.PromptTokens() != want || resp.Usage.CompletionTokens != s.CompletionTokens() {
		t.Errorf("usage %+v, want %d prompt tokens", resp.Usage, want)
	}

	resp, err = chat(t, c, prompts.Overview(), prompts.OverviewData{VideoTitle: "V", Chapters: []recap.ChapterSummary{
		{Title: "Rocket engines", Summary: "Engines burn propellant."}}}, openai.ChatCompletionResponseFormatTypeJSONObject)
	if err != nil {
		t.Fatal(err)
	}
	var ov struct{ Overview string }
	if err := json.Unmarshal([]byte(resp.Choices[0].Message.Content), &ov); err != nil || !strings.Contains(ov.Overview, "Rocket") {
		t.Errorf("overview answer %q (%v)", resp.Choices[0].Message.Content, err)
	}

	resp, err = chat(t, c, prompts.Combine(), prompts.CombineData{VideoTitle: "V", Chapter: 1, Chapters: 1, Parts: []recap.ChapterSummary{
		{Title: "Thrust basics", Summary: "Thrust moves rockets.", Bullets: []string{"Newton's third law."}}}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(resp.Choices[0].Message.Content), &sum); err != nil || sum.Title != "Thrust basics" {
		t.Errorf("combine answer %q (%v)", resp.Choices[0].Message.Content, err)
	}
	kinds := []string{}
	for _, r := range s.Requests() {
		kinds = append(kinds, r.Kind+"/"+r.ResponseFormat)
	}
	if got := strings.Join(kinds, " "); got != "chapter/ overview/json_object combine/" {
		t.Errorf("recorded kinds %q", got)
	}
}

func TestFailureOptions(t *testing.T) {
	data := prompts.ChapterData{VideoTitle: "V", Chapter: 1, Chapters: 1, Text: "Some words here."}
	status := func(err error) int {
		var e *openai.APIError
		if errors.As(err, &e) {
			return e.HTTPStatusCode
		}
		return 0
	}

	down := NewServer(t, WithDown())
	if _, err := chat(t, client(down, ""), prompts.Chapter(), data, ""); status(err) != 503 {
		t.Errorf("down server: %v", err)
	}

	keyed := NewServer(t, WithAPIKey("right"))
	if _, err := chat(t, client(keyed, "wrong"), prompts.Chapter(), data, ""); status(err) != 401 {
		t.Errorf("wrong key: %v", err)
	}
	if _, err := chat(t, client(keyed, "right"), prompts.Chapter(), data, ""); err != nil {
		t.Errorf("right key: %v", err)
	}

	noSchema := NewServer(t, WithoutJSONSchema())
	if _, err := chat(t, client(noSchema, ""), prompts.Chapter(), data, openai.ChatCompletionResponseFormatTypeJSONSchema); status(err) != 400 || !strings.Contains(err.Error(), "json_schema") {
		t.Errorf("json_schema on a server without it: %v", err)
	}
	if _, err := chat(t, client(noSchema, ""), prompts.Chapter(), data, openai.ChatCompletionResponseFormatTypeJSONObject); err != nil {
		t.Errorf("json_object on a server without json_schema: %v", err)
	}

	scripted := NewServer(t, WithoutUsage(), WithScript(Sequence(RateLimited("4"), ProseWrapped(), FewBullets(1))))
	c := client(scripted, "")
	if _, err := chat(t, c, prompts.Chapter(), data, ""); status(err) != 429 {
		t.Errorf("call 1: %v", err)
	}
	resp, err := chat(t, c, prompts.Chapter(), data, "")
	if err != nil || !strings.HasPrefix(resp.Choices[0].Message.Content, "Sure!") || !strings.Contains(resp.Choices[0].Message.Content, "```json\n{") {
		t.Errorf("call 2 (prose): %+v %v", resp.Choices, err)
	}
	if resp.Usage.PromptTokens != 0 {
		t.Errorf("WithoutUsage sent usage %+v", resp.Usage)
	}
	resp, err = chat(t, c, prompts.Chapter(), data, "")
	var sum recap.ChapterSummary
	if err != nil || json.Unmarshal([]byte(resp.Choices[0].Message.Content), &sum) != nil || len(sum.Bullets) != 1 {
		t.Errorf("call 3 (few bullets): %+v %v", sum, err)
	}
	if _, err := chat(t, c, prompts.Chapter(), data, ""); err != nil {
		t.Errorf("call 4 (past the script): %v", err)
	}
	if scripted.Calls() != 4 {
		t.Errorf("Calls() = %d, want 4", scripted.Calls())
	}
}

func TestRetryAfterHeaderSent(t *testing.T) {
	s := NewServer(t, WithScript(Sequence(RateLimited("4"))))
	resp, err := client(s, "").ListModels(context.Background())
	if err != nil || len(resp.Models) == 0 {
		t.Fatalf("models: %+v %v", resp, err)
	}
	// go-openai hides the headers of error answers: read the raw response.
	httpResp, err := http.Post(s.BaseURL()+"/chat/completions", "application/json",
		strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer httpResp.Body.Close()
	if httpResp.StatusCode != 429 || httpResp.Header.Get("Retry-After") != "4" {
		t.Errorf("status %d, Retry-After %q", httpResp.StatusCode, httpResp.Header.Get("Retry-After"))
	}
}

func TestMaxInFlight(t *testing.T) {
	s := NewServer(t, WithLatency(50*time.Millisecond))
	c := client(s, "")
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			_, _ = chat(t, c, prompts.Chapter(), prompts.ChapterData{Chapter: 1, Chapters: 1, Text: "Words to summarize."}, "")
		})
	}
	wg.Wait()
	if s.MaxInFlight() != 4 {
		t.Errorf("MaxInFlight() = %d, want 4", s.MaxInFlight())
	}
}

// The limit counts arrivals over a sliding window, as providers do: a
// call is refused while the window holds Requests calls, and allowed again
// once the oldest has left it.
func TestRateLimitSlidingWindow(t *testing.T) {
	for _, countRejected := range []bool{false, true} {
		s := NewServer(t, WithRateLimit(RateLimit{Requests: 3, Window: time.Minute, CountRejected: countRejected}))
		t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		now := t0
		s.now = func() time.Time { return now }
		c := client(s, "k")
		call := func(at time.Duration) error {
			now = t0.Add(at)
			_, err := chat(t, c, prompts.Overview(), prompts.OverviewData{VideoTitle: "V", Chapters: []recap.ChapterSummary{{Title: "a", Summary: "b"}}}, "")
			return err
		}
		for _, at := range []time.Duration{0, 10 * time.Second, 20 * time.Second} {
			if err := call(at); err != nil {
				t.Fatalf("call at %s within the limit: %v", at, err)
			}
		}
		err := call(30 * time.Second)
		var apiErr *openai.APIError
		if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != http.StatusTooManyRequests {
			t.Fatalf("4th call within a minute: err = %v, want a 429", err)
		}
		// The call at 0s leaves the window at 60s: not yet at 59.9s.
		if err := call(59900 * time.Millisecond); err == nil {
			t.Errorf("countRejected=%v: call at 59.9s passed while the window held 3", countRejected)
		}
		err = call(60 * time.Second)
		if countRejected {
			// The refused calls at 30s and 59.9s still count.
			if err == nil {
				t.Errorf("countRejected: call at 60s passed though refused calls fill the window")
			}
		} else if err != nil {
			t.Errorf("call at 60s, after the first left the window: %v", err)
		}
		wantLimited := 2
		if countRejected {
			wantLimited = 3
		}
		if s.RateLimited() != wantLimited {
			t.Errorf("countRejected=%v: RateLimited() = %d, want %d", countRejected, s.RateLimited(), wantLimited)
		}
		var statuses []int
		for _, r := range s.Requests() {
			statuses = append(statuses, r.Status)
		}
		t.Logf("countRejected=%v: statuses %v", countRejected, statuses)
		if statuses[3] != http.StatusTooManyRequests || statuses[0] != http.StatusOK {
			t.Errorf("recorded statuses %v", statuses)
		}
	}
}

// A 429 says when to come back, in seconds and milliseconds, and every
// answer carries the x-ratelimit headers.
func TestRateLimitHeaders(t *testing.T) {
	s := NewServer(t, WithRateLimit(RateLimit{Requests: 1}))
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	now := t0
	s.now = func() time.Time { return now }
	post := func() *http.Response {
		resp, err := http.Post(s.BaseURL()+"/chat/completions", "application/json",
			strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	first := post()
	if first.StatusCode != 200 || first.Header.Get("x-ratelimit-remaining-requests") != "0" ||
		first.Header.Get("x-ratelimit-limit-requests") != "1" || first.Header.Get("x-ratelimit-reset-requests") != "1m0s" {
		t.Errorf("first answer %d, headers %v", first.StatusCode, first.Header)
	}
	now = t0.Add(20500 * time.Millisecond)
	second := post()
	if second.StatusCode != http.StatusTooManyRequests || second.Header.Get("Retry-After") != "40" ||
		second.Header.Get("Retry-After-Ms") != "39501" || second.Header.Get("x-ratelimit-reset-requests") != "39.5s" {
		t.Errorf("second answer %d, headers %v", second.StatusCode, second.Header)
	}
}
