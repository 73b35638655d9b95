package youtube

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	kkdai "github.com/kkdai/youtube/v2"

	"github.com/recap-dev/recap"
)

func answer(status, reason string) []byte {
	return fmt.Appendf(nil, `{"playabilityStatus":{"status":%q,"reason":%q}}`, status, reason)
}

func TestPlayabilityError(t *testing.T) {
	tests := []struct {
		status, reason string
		code           string
		msg            string
	}{
		// The reasons of the recorded 2025 answers, word for word.
		{"LOGIN_REQUIRED", "This video may be inappropriate for some users.", recap.EAGERESTRICTED, "video abcdefghijk is age-restricted"},
		{"LOGIN_REQUIRED", "Sign in to confirm you’re not a bot", recap.EBLOCKED, "not a bot"},
		{"LOGIN_REQUIRED", "Sign in to confirm you're not a bot", recap.EBLOCKED, "not a bot"},
		{"LOGIN_REQUIRED", "Sign in to confirm your age", recap.EAGERESTRICTED, "age-restricted"},
		{"LOGIN_REQUIRED", "This video is private", recap.EPRIVATE, "video abcdefghijk is private"},
		{"ERROR", "This video is unavailable", recap.EUNAVAILABLE, "video abcdefghijk is unavailable: This video is unavailable (status ERROR)"},
		{"CUSTOM", "Custom Reason", recap.EUNAVAILABLE, "Custom Reason"},
		{"UNPLAYABLE", "", recap.EUNAVAILABLE, "YouTube gave no reason"},
		{"LIVE_STREAM_OFFLINE", "Premieres in 2 hours", recap.EUNAVAILABLE, "live stream that has not started"},
	}
	for _, tt := range tests {
		p, ok := parsePlayer(answer(tt.status, tt.reason))
		if !ok {
			t.Fatalf("parsePlayer(%s) not ok", tt.status)
		}
		err := playabilityError("abcdefghijk", p)
		if recap.ErrorCode(err) != tt.code || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s %q: got %s %q, want %s containing %q", tt.status, tt.reason, recap.ErrorCode(err), err, tt.code, tt.msg)
		}
	}
}

func TestVideoError(t *testing.T) {
	v := &kkdai.Video{ID: "abcdefghijk", Title: "t"}
	noFormats := errors.New("no formats found in the server's answer")
	tests := []struct {
		name    string
		v       *kkdai.Video
		err     error
		players [][]byte
		code    string // "" = success
	}{
		{"ok", v, nil, nil, ""},
		{"no streams is fine", v, noFormats, [][]byte{answer("OK", "")}, ""},
		{"age gate passed by the embedded client without streams", v,
			fmt.Errorf("can't bypass age restriction: %w", noFormats),
			[][]byte{answer("LOGIN_REQUIRED", "This video may be inappropriate for some users."), answer("OK", "")}, ""},
		{"age gate, embedded client refused too", v,
			fmt.Errorf("can't bypass age restriction: %w", kkdai.ErrLoginRequired),
			[][]byte{answer("LOGIN_REQUIRED", "This video may be inappropriate for some users."), answer("UNPLAYABLE", "Video unavailable")}, recap.EAGERESTRICTED},
		{"age gate, embedded attempt failed in transit", v,
			fmt.Errorf("can't bypass age restriction: %w", kkdai.ErrUnexpectedStatusCode(503)),
			[][]byte{answer("LOGIN_REQUIRED", "This video may be inappropriate for some users.")}, recap.EINTERNAL},
		{"unavailable, then the watch page rate-limited", v, kkdai.ErrUnexpectedStatusCode(429),
			[][]byte{answer("ERROR", "This video is unavailable")}, recap.EUNAVAILABLE},
		{"429 before any answer", nil, kkdai.ErrUnexpectedStatusCode(429), nil, recap.EBLOCKED},
		{"kkdai private without an answer", v, kkdai.ErrVideoPrivate, nil, recap.EPRIVATE},
		{"kkdai playability without an answer", v, &kkdai.ErrPlayabiltyStatus{Status: "ERROR", Reason: "gone"}, nil, recap.EUNAVAILABLE},
		{"garbage answer", v, errors.New("unable to parse player response JSON: EOF"), [][]byte{[]byte("<html>")}, recap.EINTERNAL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := videoError("abcdefghijk", tt.v, tt.err, tt.players)
			if got := recap.ErrorCode(err); got != tt.code {
				t.Errorf("code = %q, want %q (err: %v)", got, tt.code, err)
			}
		})
	}
}
