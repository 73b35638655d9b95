package llm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/prompts"
	"github.com/recap-dev/recap/retry"
)

// responseFormat is how strictly the server is asked for JSON.
type responseFormat int32

const (
	formatSchema responseFormat = iota // json_schema, strict
	formatObject                       // json_object
	formatText                         // no response_format: JSON is found in the text
)

func (f responseFormat) String() string {
	switch f {
	case formatSchema:
		return "json_schema"
	case formatObject:
		return "json_object"
	}
	return "text"
}

const (
	// temperature is low: summaries should follow the transcript, and
	// retries of the same chapter should agree.
	temperature = 0.2
	// expectedAnswerTokens is what the limiter reserves for an answer on
	// top of the prompt: a chapter's JSON is about 150-300 tokens.
	expectedAnswerTokens = 300
	// maxRetryAfter is the longest Retry-After waited out inside a call;
	// past it the job is better rescheduled by the worker.
	maxRetryAfter = 5 * time.Minute
)

// complete runs one logical call: render, send, validate, and retry until
// an answer parses or the attempts run out. Usage counts every attempt
// that reached the server. Its error never holds the API key, whatever a
// server or a model echoed.
func complete[T any](ctx context.Context, s *Summarizer, label string, p *prompts.Prompt, data any, parse func(string) (T, error)) (T, recap.Usage, error) {
	v, usage, err := call(ctx, s, label, p, data, parse)
	return v, usage, s.secrets.Error(err)
}

func call[T any](ctx context.Context, s *Summarizer, label string, p *prompts.Prompt, data any, parse func(string) (T, error)) (T, recap.Usage, error) {
	var (
		zero  T
		usage recap.Usage
	)
	system, user, err := p.Render(data)
	if err != nil {
		return zero, usage, fmt.Errorf("%s: %w", label, err)
	}
	tokens := recap.EstimateTokens(system) + recap.EstimateTokens(user)
	var (
		lastErr error
		note    string
		changes int
		limited int           // 429s answered to this call
		waited  time.Duration // waiting them out, in all
	)
	for attempt := 1; ; {
		format := responseFormat(s.format.Load())
		req := s.request(p, system+note, user, format)
		resp, at, err := s.send(ctx, req, tokens+expectedAnswerTokens)
		if at.Sent {
			usage.LLMCalls++
		}
		if err != nil && ctx.Err() != nil {
			return zero, usage, fmt.Errorf("%s: %w", label, ctx.Err())
		}
		var we *waitError
		if errors.As(err, &we) {
			return zero, usage, fmt.Errorf("LLM call for %s: %w", label, err)
		}
		var (
			wait time.Duration
			big  *retry.AnswerTooLargeError
		)
		if errors.As(err, &big) {
			// Paid for, and no use: like any invalid answer, a new call
			// may do better, and the attempts are bounded.
			usage.Add(recap.Usage{PromptTokens: tokens, CompletionTokens: big.Limit / 4})
			lastErr = invalid("%v", big)
			note = "\nYour previous answer was rejected: it was far too long. Reply with the JSON only."
		} else if err != nil {
			f := s.classify(err, at, req, attempt, limited)
			switch f.action {
			case rateLimited:
				// Not an attempt: 429s have a patience of their own.
				limited++
				if f.wait > maxRetryAfter || waited+f.wait > s.cfg.RateLimitPatience {
					return zero, usage, recap.WrapError(recap.ERATELIMITED, f.err,
						"model server is still rate-limiting the call for %s after %d answers of 429 over %s", label, limited, waited.Round(time.Second))
				}
				// The provider's window is full for every call sharing the
				// limiter, not only this one: hold them all.
				if perr := s.limiter.Pause(ctx, f.pause); perr != nil {
					s.log.Warn("llm: pause the rate limiter", slog.String("error", perr.Error()))
				}
				waited += f.wait
				s.log.Info("llm call rate-limited, waiting", slog.String("call", label), slog.Int("answers_429", limited),
					slog.Duration("wait", f.wait), slog.Duration("pause_all", f.pause))
				if err := s.cfg.Sleep(ctx, f.wait); err != nil {
					return zero, usage, fmt.Errorf("%s: %w", label, err)
				}
				continue
			case retryNow:
				// A different request, not a second try of the same one;
				// there are only three changes to make (two formats, one
				// temperature), the bound is a guard.
				if changes++; changes <= 3 {
					continue
				}
				return zero, usage, recap.WrapError(recap.ELLM, f.err, "model server rejected the request for %s", label)
			case giveUp:
				return zero, usage, recap.WrapError(recap.ELLM, f.err, "model server rejected the request for %s", label)
			}
			lastErr, wait = f.err, f.wait
			if wait > maxRetryAfter {
				return zero, usage, fmt.Errorf("LLM call for %s: server asks to wait %s, more than %s: %w", label, wait.Round(time.Second), maxRetryAfter, lastErr)
			}
		} else {
			content := ""
			if len(resp.Choices) > 0 {
				content = resp.Choices[0].Message.Content
			}
			u := answerUsage(resp.Usage, system+note, user, content)
			usage.Add(u)
			if format != formatText && plainText(content) {
				s.downgrade(format, "server answered "+format.String()+" with text")
			}
			v, perr := parse(content)
			if perr == nil {
				s.log.Debug("llm call done", slog.String("call", label), slog.Int("attempt", attempt),
					slog.Int("prompt_tokens", u.PromptTokens), slog.Int("completion_tokens", u.CompletionTokens))
				return v, usage, nil
			}
			lastErr = perr
			note = "\nYour previous answer was rejected: " + strings.TrimPrefix(perr.Error(), "invalid answer: ") + ". Reply with the JSON only."
		}
		if attempt >= s.cfg.MaxRetries {
			var inv *invalidError
			if errors.As(lastErr, &inv) {
				return zero, usage, recap.WrapError(recap.ELLM, lastErr, "model gave no valid answer for %s in %d attempts", label, attempt)
			}
			return zero, usage, fmt.Errorf("LLM call for %s failed after %d attempts: %w", label, attempt, lastErr)
		}
		s.log.Warn("llm call failed, retrying", slog.String("call", label), slog.Int("attempt", attempt),
			slog.Duration("wait", wait), slog.String("error", s.secrets.String(lastErr.Error())))
		attempt++
		if wait > 0 {
			if err := s.cfg.Sleep(ctx, wait); err != nil {
				return zero, usage, fmt.Errorf("%s: %w", label, err)
			}
		}
	}
}

// answerUsage is the server's usage, or an estimate when it sent none.
func answerUsage(u openai.Usage, system, user, content string) recap.Usage {
	if u.PromptTokens == 0 && u.CompletionTokens == 0 {
		return recap.Usage{
			PromptTokens:     recap.EstimateTokens(system) + recap.EstimateTokens(user),
			CompletionTokens: recap.EstimateTokens(content),
		}
	}
	return recap.Usage{PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens}
}

func (s *Summarizer) request(p *prompts.Prompt, system, user string, f responseFormat) openai.ChatCompletionRequest {
	req := openai.ChatCompletionRequest{
		Model: s.cfg.Model,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: system},
			{Role: openai.ChatMessageRoleUser, Content: user},
		},
	}
	if !s.noTemperature.Load() {
		req.Temperature = temperature
		// Reasoning models take no temperature; go-openai refuses such a
		// request before sending it, so ask its validator first.
		if openai.NewReasoningValidator().Validate(req) != nil {
			req.Temperature = 0
		}
	}
	switch f {
	case formatSchema:
		req.ResponseFormat = &openai.ChatCompletionResponseFormat{
			Type: openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{
				Name: p.SchemaName, Schema: p.Schema, Strict: true,
			},
		}
	case formatObject:
		req.ResponseFormat = &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject}
	}
	return req
}

// send makes one HTTP call within the concurrency bound and the rate
// limit. The attempt says whether it reached the server and what came back.
func (s *Summarizer) send(ctx context.Context, req openai.ChatCompletionRequest, tokens int) (openai.ChatCompletionResponse, *retry.Attempt, error) {
	at := &retry.Attempt{}
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return openai.ChatCompletionResponse{}, at, ctx.Err()
	}
	defer func() { <-s.sem }()
	if err := s.limiter.Wait(ctx, tokens); err != nil {
		return openai.ChatCompletionResponse{}, at, &waitError{err}
	}
	cctx, cancel := context.WithTimeout(retry.WithAttempt(ctx, at), s.cfg.Timeout)
	defer cancel()
	resp, err := s.client.CreateChatCompletion(cctx, req)
	if err != nil && errors.Is(cctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
		err = fmt.Errorf("no answer within %s: %w", s.cfg.Timeout, err)
	}
	return resp, at, err
}

// downgrade moves to the response format after from, for the rest of the
// Summarizer's life. It reports whether a weaker format is left to try.
func (s *Summarizer) downgrade(from responseFormat, why string) bool {
	if from >= formatText {
		return false
	}
	if s.format.CompareAndSwap(int32(from), int32(from+1)) {
		s.log.Warn("model server does not honour response_format, falling back",
			slog.String("from", from.String()), slog.String("to", (from+1).String()), slog.String("reason", why))
	}
	return true
}

// waitError is a Limiter that could not let a call start (its context
// ends before the rate allows one): not the server's fault, and not
// permanent.
type waitError struct{ err error }

func (e *waitError) Error() string { return "wait for rate limit: " + e.err.Error() }
func (e *waitError) Unwrap() error { return e.err }

type action int

const (
	retryLater  action = iota // transient: back off and try again
	retryNow                  // the request changes (format, temperature): try again at once
	giveUp                    // permanent
	rateLimited               // 429: pause every call, wait, try again within the patience
)

type failure struct {
	action action
	err    error // redacted
	wait   time.Duration
	pause  time.Duration // rateLimited: how long every call sharing the limiter holds
}

// classify decides what a failed call calls for; limited counts the 429s
// the call had before this one.
func (s *Summarizer) classify(err error, at *retry.Attempt, req openai.ChatCompletionRequest, attemptNo, limited int) failure {
	se := retry.StatusOf(err, s.secrets)
	if se == nil {
		if !at.Sent {
			// go-openai refused the request itself (or the limiter
			// failed): sending it again cannot help.
			return failure{action: giveUp, err: s.secrets.Error(err)}
		}
		// Connection refused or reset, timeout, or an unreadable answer.
		return failure{action: retryLater, err: s.secrets.Error(err), wait: retry.Backoff(attemptNo)}
	}
	msg := strings.ToLower(se.Message)
	wait := at.RetryAfter
	if wait <= 0 {
		wait = retry.Backoff(attemptNo)
	}
	switch {
	case req.ResponseFormat != nil && mentionsFormat(msg) &&
		(se.Status == http.StatusBadRequest || se.Status == http.StatusUnprocessableEntity ||
			se.Status == http.StatusInternalServerError || se.Status == http.StatusNotImplemented):
		if s.downgrade(formatOf(req), se.Error()) {
			return failure{action: retryNow, err: se}
		}
		return failure{action: giveUp, err: se}
	case req.Temperature != 0 && strings.Contains(msg, "temperature") &&
		(se.Status == http.StatusBadRequest || se.Status == http.StatusUnprocessableEntity):
		if s.noTemperature.CompareAndSwap(false, true) {
			s.log.Warn("model server refuses a temperature, sending none", slog.String("reason", se.Error()))
		}
		return failure{action: retryNow, err: se}
	case se.Status == http.StatusTooManyRequests && se.Code == "insufficient_quota":
		return failure{action: giveUp, err: se} // billing, not load: waiting won't help
	case se.Status == http.StatusTooManyRequests:
		f := failure{action: rateLimited, err: se}
		f.wait, f.pause = retry.RateLimited(at.RetryAfter, limited+1)
		return f
	case se.Status == http.StatusRequestTimeout,
		se.Status == http.StatusConflict, se.Status == http.StatusTooEarly, se.Status >= 500:
		return failure{action: retryLater, err: se, wait: wait}
	case se.Status >= 400:
		return failure{action: giveUp, err: se}
	}
	return failure{action: retryLater, err: se, wait: wait}
}

func formatOf(req openai.ChatCompletionRequest) responseFormat {
	switch {
	case req.ResponseFormat == nil:
		return formatText
	case req.ResponseFormat.Type == openai.ChatCompletionResponseFormatTypeJSONSchema:
		return formatSchema
	case req.ResponseFormat.Type == openai.ChatCompletionResponseFormatTypeJSONObject:
		return formatObject
	}
	return formatText
}

func mentionsFormat(msg string) bool {
	return strings.Contains(msg, "response_format") || strings.Contains(msg, "json_schema") ||
		strings.Contains(msg, "json_object") || strings.Contains(msg, "response format")
}
