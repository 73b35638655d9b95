package asr

import (
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/audio"
	"github.com/recap-dev/recap/storage"
)

func TestConfigFromEnv(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	if _, ok, err := ConfigFromEnv(env(nil), "", "sk-llm"); ok || err != nil {
		t.Errorf("nothing set: ok %v, err %v; want not configured", ok, err)
	}
	// Only the model or the price set does not turn speech-to-text on.
	if _, ok, _ := ConfigFromEnv(env(map[string]string{"RECAP_ASR_MODEL": "whisper-1"}), "", ""); ok {
		t.Error("RECAP_ASR_MODEL alone configured speech-to-text")
	}

	cfg, ok, err := ConfigFromEnv(env(map[string]string{"RECAP_ASR_BASE_URL": "https://api.openai.com/v1/"}), "", "sk-llm-key")
	if err != nil || !ok || cfg.APIKey != "sk-llm-key" || cfg.Model != DefaultModel || cfg.MaxUploadMB != 25 || cfg.PricePerMinute != DefaultPricePerMinute {
		t.Errorf("OpenAI base: %v, %v, %v; want the LLM key, whisper-1, 25 MiB, 0.006", cfg, ok, err)
	}
	cfg, _, _ = ConfigFromEnv(env(map[string]string{"RECAP_ASR_BASE_URL": "http://localhost:8000/v1", "RECAP_ASR_MODEL": "Systran/faster-whisper-small"}), "https://api.openai.com/v1", "sk-llm-key")
	if cfg.APIKey != "" || cfg.PricePerMinute >= 0 {
		t.Errorf("another server got key %q, price %g; want none and unknown (negative)", cfg.APIKey, cfg.PricePerMinute)
	}
	cfg, _, _ = ConfigFromEnv(env(map[string]string{"RECAP_ASR_BASE_URL": "http://localhost:11434/v1"}), "http://localhost:11434/v1/", "local-key")
	if cfg.APIKey != "local-key" {
		t.Errorf("same server as the LLM: key %q, want the LLM's", cfg.APIKey)
	}
	cfg, _, _ = ConfigFromEnv(env(map[string]string{
		"RECAP_ASR_API_KEY": "gsk-own", "RECAP_ASR_BASE_URL": "https://api.groq.com/openai/v1", "RECAP_ASR_MODEL": "whisper-large-v3-turbo",
		"RECAP_ASR_CONCURRENCY": "8", "RECAP_ASR_MAX_UPLOAD_MB": "100", "RECAP_ASR_PRICE_PER_MINUTE": "0.000667",
	}), "https://api.groq.com/openai/v1", "gsk-llm")
	if cfg.APIKey != "gsk-own" || cfg.Concurrency != 8 || cfg.MaxUploadMB != 100 || cfg.PricePerMinute != 0.000667 || cfg.maxUpload() != 100<<20 {
		t.Errorf("all set: %v", cfg)
	}
	if cfg.Language != "" {
		t.Errorf("RECAP_LANG unset: language %q, want detection", cfg.Language)
	}
	cfg, _, _ = ConfigFromEnv(env(map[string]string{"RECAP_ASR_API_KEY": "k", "RECAP_LANG": "de"}), "", "")
	if cfg.Language != "de" {
		t.Errorf("RECAP_LANG=de: language %q", cfg.Language)
	}
	if _, _, err := ConfigFromEnv(env(map[string]string{"RECAP_ASR_API_KEY": "k", "RECAP_LANG": "not a language!"}), "", ""); recap.ErrorCode(err) != recap.EINVALID {
		t.Errorf("RECAP_LANG malformed: %v", err)
	}
	if strings.Contains(cfg.String(), "gsk-own") {
		t.Errorf("String() shows the key: %s", cfg)
	}

	for name, val := range map[string]string{
		"RECAP_ASR_BASE_URL":         "localhost:8000",
		"RECAP_ASR_CONCURRENCY":      "0",
		"RECAP_ASR_MAX_UPLOAD_MB":    "25MB",
		"RECAP_ASR_PRICE_PER_MINUTE": "-1",
	} {
		kv := map[string]string{"RECAP_ASR_API_KEY": "k", name: val}
		_, _, err := ConfigFromEnv(env(kv), "", "")
		if recap.ErrorCode(err) != recap.EINVALID || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%q: err = %v, want EINVALID naming it", name, val, err)
		}
	}
}

func TestLanguageCode(t *testing.T) {
	for in, want := range map[string]string{
		"english": "en", "English": "en", "en": "en", "en-US": "en", "german": "de", "chinese": "zh",
		"portuguese": "pt", "maori": "mi", "castilian": "es", "": "", "klingon": "klingon",
	} {
		if got := languageCode(in); got != want {
			t.Errorf("languageCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMergeText(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	seg := func(start, end int, text string) storage.ASRSegment {
		return storage.ASRSegment{Start: ms(start), End: ms(end), Text: text}
	}
	for _, tc := range []struct {
		text string
		next storage.ASRSegment
		cut  time.Duration
		want string
	}{
		// The words both chunks heard are found and taken once, whatever
		// their case and punctuation.
		{"the beans grow on small", seg(1000, 3000, "on Small trees, in warm hills"), ms(1500), "the beans grow on small trees, in warm hills"},
		{"a b c", seg(0, 1000, "a b c"), ms(1000), "a b c"},
		// No shared words: the share of the later copy before the cut
		// is dropped, rounding down.
		{"dried in the sun for", seg(16380, 17100, "two weeks,"), ms(16596), "dried in the sun for two weeks,"},
		{"one two", seg(0, 4000, "three four five six"), ms(2000), "one two five six"},
	} {
		if got := mergeText(tc.text, tc.next, tc.cut); got != tc.want {
			t.Errorf("mergeText(%q, %q) = %q, want %q", tc.text, tc.next.Text, got, tc.want)
		}
	}
}

func TestJoinKeepsASeamSegmentOnce(t *testing.T) {
	s := func(d float64) time.Duration { return time.Duration(d * float64(time.Second)) }
	chunks := []audio.Chunk{
		{Index: 0, Start: 0, End: s(10)},
		{Index: 1, Start: s(7), End: s(20), Overlap: s(3)},
	}
	answers := [][]storage.ASRSegment{
		{{Start: 0, End: s(6), Text: " One."}, {Start: s(6.5), End: s(8.4), Text: " Inside the overlap."}, {Start: s(9), End: s(10), Text: " Cut"}},
		{{Start: 0, End: s(1.4), Text: " the overlap."}, {Start: s(2), End: s(4), Text: " Cut at the seam."}, {Start: s(5), End: s(8), Text: " Two."}},
	}
	got := join(chunks, answers)
	var texts []string
	for _, g := range got {
		texts = append(texts, g.Text)
	}
	if want := "One.|Inside the overlap.|Cut at the seam.|Two."; strings.Join(texts, "|") != want {
		t.Errorf("joined %q, want %q", strings.Join(texts, "|"), want)
	}
	if got[2].Start != s(9) || got[2].End != s(11) || got[3].Start != s(12) {
		t.Errorf("times %+v", got)
	}
}

func TestFilterHallucinations(t *testing.T) {
	segs := []storage.ASRSegment{
		{Text: " Thank you.", AvgLogprob: -0.2, NoSpeechProb: 0.01},
		{Text: " Thank you.", AvgLogprob: -0.2, NoSpeechProb: 0.01}, // said twice, confidently
		{Text: " We roast on Tuesdays."},                            // no fields at all: kept
		{Text: " Thanks for watching!"},                             // said, no fields: kept
		{Text: " ", NoSpeechProb: 0.1},
		{Text: " la la la la la la la la", CompressionRatio: 3.1, AvgLogprob: -1.4},
		{Text: " Thanks for watching!", NoSpeechProb: 0.5, AvgLogprob: -0.4},
		{Text: " Untertitel im Auftrag des ZDF", AvgLogprob: -0.75},
		{Text: " Anything", NoSpeechProb: 0.7, AvgLogprob: -1.1},
	}
	kept, dropped := filterHallucinations(segs)
	var texts []string
	for _, k := range kept {
		texts = append(texts, strings.TrimSpace(k.Text))
	}
	if want := "Thank you.|Thank you.|We roast on Tuesdays.|Thanks for watching!"; strings.Join(texts, "|") != want || dropped != 5 {
		t.Errorf("kept %q, dropped %d; want %q and 5", strings.Join(texts, "|"), dropped, want)
	}
}

func TestTextOnlyModels(t *testing.T) {
	for model, want := range map[string]bool{
		"gpt-4o-transcribe": true, "gpt-4o-mini-transcribe": true, "openai/gpt-4o-transcribe": true,
		"gpt-4o-transcribe-2025-03-20": true, "gpt-4o-transcribe-diarize": true, "gpt-transcribe": true,
		"whisper-1": false, "whisper-large-v3-turbo": false, "Systran/faster-whisper-small": false, "gpt-4o": false,
	} {
		if got := textOnly(model); got != want {
			t.Errorf("textOnly(%q) = %v, want %v", model, got, want)
		}
	}
	// The default prices: OpenAI's, at OpenAI only.
	for model, want := range map[string]float64{"whisper-1": 0.006, "gpt-4o-transcribe": 0.006, "gpt-4o-mini-transcribe": 0.003, "whisper-large-v3": -1} {
		if got := (Config{Model: model, PricePerMinute: -1}).WithDefaults().PricePerMinute; got != want {
			t.Errorf("%s at OpenAI: price %g, want %g", model, got, want)
		}
	}
	if got := (Config{Model: "gpt-4o-transcribe", BaseURL: "http://localhost:9000/v1", PricePerMinute: -1}).WithDefaults().PricePerMinute; got >= 0 {
		t.Errorf("gpt-4o-transcribe elsewhere: price %g, want unknown", got)
	}
}

func TestSeam(t *testing.T) {
	f := strings.Fields
	for _, tc := range []struct {
		a, b        string
		dropA, skip int
	}{
		// Both heard "the cup", one of them punctuated otherwise.
		{"from the farm to the cup", "The cup, and then", 0, 2},
		// a's last word cut by its end ("cu"), b's first by its start ("o").
		{"from the farm to the cu", "o the cup and then", 1, 2},
		{"from the farm to the", "o the cup and then", 0, 2},
		// Nothing in common (a pause in the overlap): all kept.
		{"one two three", "four five six seven eight nine ten eleven twelve thirteen", 0, 0},
		// A run longer than the overlap can hold (1 s of 10 s of 7 words:
		// at most 4) is not taken for one.
		{"b c d e f g h", "b c d e f g h", 0, 0},
		{"", "four five", 0, 0},
		// Repeated words match at 1, 2 and 3 words: the overlap holds
		// about 2 of b's 20.
		{"we said no no no", "no no and left " + strings.Repeat("x ", 16), 0, 2},
	} {
		dropA, skip := seam(f(tc.a), f(tc.b), time.Second, 10*time.Second)
		if dropA != tc.dropA || skip != tc.skip {
			t.Errorf("seam(%q, %q) = %d, %d; want %d, %d", tc.a, tc.b, dropA, skip, tc.dropA, tc.skip)
		}
	}
}

func TestJoinTextPlacesWordsByTheirChunk(t *testing.T) {
	s := func(d float64) time.Duration { return time.Duration(d * float64(time.Second)) }
	chunks := []audio.Chunk{
		{Index: 0, Start: 0, End: s(10)},
		{Index: 1, Start: s(9), End: s(20), Overlap: s(1)},
		{Index: 2, Start: s(19), End: s(30), Overlap: s(1)},
	}
	answers := [][]storage.ASRSegment{
		{{Text: " One two three. Four five six seven"}},
		{{Text: " seven eight. Nine ten"}},
		{}, // silence
	}
	got := joinText(chunks, answers)
	want := []storage.ASRSegment{
		// Seven words over 0–10 s.
		{Start: 0, End: s(30.0 / 7), Text: "One two three."},
		// "seven" is the first chunk's; "eight." the second's, whose three
		// words of its own share 10–20 s.
		{Start: s(30.0 / 7), End: s(10 + 10.0/3), Text: "Four five six seven eight."},
		{Start: s(10 + 10.0/3), End: s(20), Text: "Nine ten"},
	}
	if len(got) != len(want) {
		t.Fatalf("joined %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].Text != want[i].Text || absDur(got[i].Start-want[i].Start) > time.Microsecond || absDur(got[i].End-want[i].End) > time.Microsecond {
			t.Errorf("segment %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
