package main

import (
	"strings"
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

func TestConfigPricesAndYouTubeRPM(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	c, err := ConfigFromEnv(env(nil))
	if err != nil || c.YouTubeRPM != 20 || c.LLM.PriceInput != nil || c.LLM.PriceOutput != nil {
		t.Fatalf("defaults: rpm %d, prices %v %v, %v", c.YouTubeRPM, c.LLM.PriceInput, c.LLM.PriceOutput, err)
	}
	c, err = ConfigFromEnv(env(map[string]string{"RECAP_YOUTUBE_RPM": "0", "RECAP_LLM_PRICE_INPUT": " 0.15 ", "RECAP_LLM_PRICE_OUTPUT": "0"}))
	if err != nil || c.YouTubeRPM != 0 || c.LLM.PriceInput == nil || *c.LLM.PriceInput != 0.15 || c.LLM.PriceOutput == nil || *c.LLM.PriceOutput != 0 {
		t.Fatalf("set: %+v, %v", c, err)
	}
	for k, v := range map[string]string{"RECAP_YOUTUBE_RPM": "-1", "RECAP_LLM_PRICE_INPUT": "NaN", "RECAP_LLM_PRICE_OUTPUT": "1.6 USD"} {
		if _, err := ConfigFromEnv(env(map[string]string{k: v})); recap.ErrorCode(err) != recap.EINVALID || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%q: %v, want EINVALID naming it", k, v, err)
		}
	}
}
