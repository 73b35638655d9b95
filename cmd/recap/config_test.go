package main

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/llm"
)

// env is an environment of kv, with a home folder unless kv says otherwise.
func env(kv map[string]string) func(string) string {
	return func(k string) string {
		if v, ok := kv[k]; ok || k != "HOME" {
			return v
		}
		return "/home/tester"
	}
}

func TestConfigDefaults(t *testing.T) {
	c, err := ConfigFromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	// One owner for each default: the LLM's are llm's.
	if c.LLM.Concurrency != llm.DefaultConcurrency || c.LLM.ChapterTokens != llm.DefaultChapterTokens ||
		c.LLM.MaxRetries != llm.DefaultMaxRetries || c.LLM.Model != llm.DefaultModel || c.LLM.BaseURL != llm.DefaultBaseURL {
		t.Errorf("LLM defaults = %+v; want llm's", c.LLM)
	}
	if c.Workers != defaultWorkers || c.Summarizer != recap.SummarizerExtractive || c.Lang != "en" || c.logLevelSet {
		t.Errorf("defaults = %+v", c)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"RECAP_API_TOKENS": " , "}, `RECAP_API_TOKENS=" , " holds no token`},
		{map[string]string{"RECAP_API_TOKENS": ","}, "holds no token"},
		{map[string]string{"RECAP_LOG_LEVEL": "verbose"}, `RECAP_LOG_LEVEL="verbose": expected debug, info, warn or error`},
		{map[string]string{"RECAP_LOG_FORMAT": "yaml"}, "RECAP_LOG_FORMAT"},
		{map[string]string{"RECAP_LLM_CONCURRENCY": "0"}, `RECAP_LLM_CONCURRENCY="0": expected a whole number ≥ 1`},
		{map[string]string{"RECAP_LLM_CHAPTER_TOKENS": "10"}, "RECAP_LLM_CHAPTER_TOKENS"},
		{map[string]string{"RECAP_WORKERS": "-1"}, "RECAP_WORKERS"},
		{map[string]string{"RECAP_JOB_LEASE": "soon"}, "RECAP_JOB_LEASE"},
		{map[string]string{"RECAP_LANG": "xx-!!"}, "RECAP_LANG"},
	} {
		_, err := ConfigFromEnv(env(tc.env))
		if recap.ErrorCode(err) != recap.EINVALID || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ConfigFromEnv(%v): %v; want EINVALID saying %q", tc.env, err, tc.want)
		}
	}
}

func TestConfigParsesSettings(t *testing.T) {
	c, err := ConfigFromEnv(env(map[string]string{"RECAP_API_TOKENS": " a , ,b", "RECAP_LOG_LEVEL": "DEBUG", "RECAP_LANG": "PT-br"}))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.APITokens, "|") != "a|b" || c.LogLevel != slog.LevelDebug || !c.logLevelSet || c.Lang != "pt-BR" {
		t.Errorf("config = tokens %q, level %v (set %v), lang %q", c.APITokens, c.LogLevel, c.logLevelSet, c.Lang)
	}
}

// Without RECAP_DATABASE_URL the database is in the XDG data folder,
// whatever folder the command runs in.
func TestConfigDefaultDatabase(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{nil, "sqlite:/home/tester/.local/share/recap/recap.db"},
		{map[string]string{"XDG_DATA_HOME": "/data"}, "sqlite:/data/recap/recap.db"},
		{map[string]string{"XDG_DATA_HOME": "relative/ignored"}, "sqlite:/home/tester/.local/share/recap/recap.db"},
		{map[string]string{"RECAP_DATABASE_URL": "sqlite:here.db", "XDG_DATA_HOME": "/data"}, "sqlite:here.db"},
	} {
		c, err := ConfigFromEnv(env(tc.env))
		if err != nil || c.DatabaseURL != tc.want {
			t.Errorf("ConfigFromEnv(%v): database %q, %v; want %q", tc.env, c.DatabaseURL, err, tc.want)
		}
	}
	// Without a home, only opening the database fails, asking for the URL.
	c, err := ConfigFromEnv(env(map[string]string{"HOME": ""}))
	if err != nil {
		t.Fatalf("no home: %v; only commands that open the database need one", err)
	}
	if _, err := c.openStore(t.Context(), readWrite); recap.ErrorCode(err) != recap.EINVALID || !strings.Contains(err.Error(), "set RECAP_DATABASE_URL") {
		t.Errorf("no home and no RECAP_DATABASE_URL: %v; want EINVALID asking for RECAP_DATABASE_URL", err)
	}
}

func TestConfigAllowPrivateURLs(t *testing.T) {
	private := func(v string) func(string) string { return env(map[string]string{"RECAP_ALLOW_PRIVATE_URLS": v}) }
	for v, want := range map[string]bool{"": false, "true": true, "1": true, "false": false, " TRUE ": true} {
		c, err := ConfigFromEnv(private(v))
		if err != nil || c.AllowPrivateURLs != want {
			t.Errorf("RECAP_ALLOW_PRIVATE_URLS=%q: %v, %v; want %v", v, c.AllowPrivateURLs, err, want)
		}
	}
	if _, err := ConfigFromEnv(private("yes please")); recap.ErrorCode(err) != recap.EINVALID {
		t.Errorf("a malformed value: %v, want EINVALID", err)
	}
}

func TestConfigPricesAndYouTubeRPM(t *testing.T) {
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
