package llmtest

import (
	"encoding/json"
	"net/http"
	"strings"
)

// Error is an OpenAI-style error reply: {"error": {"message": ...}}.
func Error(status int, message string) *Reply {
	b, _ := json.Marshal(errorBody(http.StatusText(status), message))
	return &Reply{Status: status, Body: string(b)}
}

// RateLimited is a 429; retryAfter ("2", or an HTTP date) is sent as the
// Retry-After header when not empty.
func RateLimited(retryAfter string) *Reply {
	r := Error(http.StatusTooManyRequests, "Rate limit reached for requests")
	if retryAfter != "" {
		r.Header = http.Header{"Retry-After": {retryAfter}}
	}
	return r
}

// Unavailable is a 503, with Retry-After when retryAfter is not empty.
func Unavailable(retryAfter string) *Reply {
	r := Error(http.StatusServiceUnavailable, "The server is overloaded or not ready yet.")
	if retryAfter != "" {
		r.Header = http.Header{"Retry-After": {retryAfter}}
	}
	return r
}

// Unauthorized is the 401 of a wrong API key.
func Unauthorized() *Reply {
	return Error(http.StatusUnauthorized, "Incorrect API key provided.")
}

// RejectJSONSchema is the 400 of a server without structured outputs.
func RejectJSONSchema() *Reply {
	return Error(http.StatusBadRequest, "response_format type json_schema is not supported; use json_object or text")
}

// Content answers 200 with exactly this message content.
func Content(s string) *Reply {
	return &Reply{Content: func(string) string { return s }}
}

// InvalidJSON answers 200 with the generated JSON cut off halfway.
func InvalidJSON() *Reply {
	return &Reply{Content: func(a string) string { return a[:len(a)/2] }}
}

// ProseWrapped answers 200 with the generated JSON inside a code fence,
// between sentences, as chatty models do without response_format.
func ProseWrapped() *Reply {
	return &Reply{Content: func(a string) string {
		return "Sure! Here is the summary you asked for:\n\n```json\n" + a + "\n```\n\nLet me know if you need anything else."
	}}
}

// FewBullets answers 200 with the generated summary cut to n bullets.
func FewBullets(n int) *Reply {
	return &Reply{Content: func(a string) string {
		var m map[string]any
		if json.Unmarshal([]byte(a), &m) != nil {
			return a
		}
		if bs, ok := m["bullets"].([]any); ok && len(bs) > n {
			m["bullets"] = bs[:n]
		}
		b, _ := json.Marshal(m)
		return string(b)
	}}
}

// Sequence replies to call i (1-based) with replies[i-1]; nil entries and
// calls past the end get the default answer.
func Sequence(replies ...*Reply) Script {
	return func(r Request) *Reply {
		if r.N-1 < len(replies) {
			return replies[r.N-1]
		}
		return nil
	}
}

// Matching replies with reply to requests whose text contains substr, and
// leaves the others to the default answer.
func Matching(substr string, reply *Reply) Script {
	return func(r Request) *Reply {
		if strings.Contains(r.Text(), substr) {
			return reply
		}
		return nil
	}
}
