package main

import (
	"testing"

	"github.com/recap-dev/recap"
)

func TestConfigAllowPrivateURLs(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "RECAP_ALLOW_PRIVATE_URLS" {
				return v
			}
			return ""
		}
	}
	for v, want := range map[string]bool{"": false, "true": true, "1": true, "false": false, " TRUE ": true} {
		c, err := ConfigFromEnv(env(v))
		if err != nil || c.AllowPrivateURLs != want {
			t.Errorf("RECAP_ALLOW_PRIVATE_URLS=%q: %v, %v; want %v", v, c.AllowPrivateURLs, err, want)
		}
	}
	if _, err := ConfigFromEnv(env("yes please")); recap.ErrorCode(err) != recap.EINVALID {
		t.Errorf("a malformed value: %v, want EINVALID", err)
	}
}
