package youtube

import (
	"reflect"
	"strings"
	"testing"

	kkdai "github.com/kkdai/youtube/v2"
)

func track(lang, kind string, translatable bool) kkdai.CaptionTrack {
	return kkdai.CaptionTrack{
		BaseURL:        "https://www.youtube.com/api/timedtext?v=x&kind=" + kind + "&lang=" + lang,
		LanguageCode:   lang,
		Kind:           kind,
		IsTranslatable: translatable,
	}
}

// describe writes choices as "lang/kind>tlang" for readable comparisons.
func describe(cs []choice) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.track.LanguageCode + "/" + c.track.Kind
		if c.tlang != "" {
			out[i] += ">" + c.tlang
		}
	}
	return out
}

func TestChooseTracks(t *testing.T) {
	tests := []struct {
		name   string
		tracks []kkdai.CaptionTrack
		lang   string
		want   []string
	}{
		{
			name:   "manual before asr, exact before region before sibling",
			tracks: []kkdai.CaptionTrack{track("en", "asr", true), track("en-GB", "", true), track("de", "", true), track("en-US", "", true), track("en", "", true)},
			lang:   "en",
			want:   []string{"en/", "en-GB/", "en-US/", "en/asr", "de/>en", "de/"},
		},
		{
			name:   "region asked: exact, then the base language, then other regions",
			tracks: []kkdai.CaptionTrack{track("pt-PT", "", false), track("pt", "", false), track("pt-BR", "", false)},
			lang:   "pt-BR",
			want:   []string{"pt-BR/", "pt/", "pt-PT/"},
		},
		{
			name: "translation from the spoken language first, asr last",
			// As in the recorded Dave2D video: many creator tracks, the
			// English one is the original (the asr track is English).
			tracks: []kkdai.CaptionTrack{track("zh", "", true), track("cs", "", true), track("en", "", true), track("en", "asr", true), track("de", "", false)},
			lang:   "fr",
			want:   []string{"en/>fr", "zh/>fr", "cs/>fr", "en/asr>fr", "zh/", "cs/", "en/", "de/", "en/asr"},
		},
		{
			name:   "case-insensitive language match",
			tracks: []kkdai.CaptionTrack{track("EN-us", "", false)},
			lang:   "en",
			want:   []string{"EN-us/"},
		},
		{
			name:   "no tracks",
			tracks: nil,
			lang:   "en",
			want:   []string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := describe(chooseTracks(tt.tracks, tt.lang))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("chooseTracks = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTrackURL(t *testing.T) {
	base := "https://www.youtube.com/api/timedtext?v=GJLlxj_dtq8&ei=xp1J&caps=asr&exp=xpe&sparams=ip,ipbits,expire,v,ei,caps,opi,xoaf&signature=1F96.7F4A&key=yt8&kind=asr&lang=en&fmt=srv3"
	got := trackURL(base, "pt-BR")
	want := "https://www.youtube.com/api/timedtext?v=GJLlxj_dtq8&ei=xp1J&caps=asr&exp=xpe&sparams=ip,ipbits,expire,v,ei,caps,opi,xoaf&signature=1F96.7F4A&key=yt8&kind=asr&lang=en&fmt=json3&tlang=pt-BR"
	if got != want {
		t.Errorf("trackURL =\n %s\nwant\n %s", got, want)
	}
	if got := trackURL("https://www.youtube.com/api/timedtext?v=x&tlang=de", ""); got != "https://www.youtube.com/api/timedtext?v=x&fmt=json3" {
		t.Errorf("trackURL without tlang = %s", got)
	}
	if got := trackURL("/api/timedtext?v=x&lang=en", ""); got != "https://www.youtube.com/api/timedtext?v=x&lang=en&fmt=json3" {
		t.Errorf("trackURL of a relative baseUrl = %s", got)
	}
	if !needsPOToken(base) || needsPOToken(strings.Replace(base, "&exp=xpe", "", 1)) {
		t.Error("needsPOToken does not follow &exp=xpe")
	}
}

func TestPanelLanguage(t *testing.T) {
	tests := []struct {
		tracks   []kkdai.CaptionTrack
		lang     string
		wantLang string
		ok       bool
	}{
		{nil, "en", "en", true},
		{nil, "pt-BR", "pt", true},
		{nil, "fil", "", false}, // kkdai can only ask for two letters
		{[]kkdai.CaptionTrack{track("en", "", true)}, "en", "en", true},
		{[]kkdai.CaptionTrack{track("en", "", true), track("en", "asr", true)}, "en-US", "en", true},
		{[]kkdai.CaptionTrack{track("de", "asr", true)}, "en", "de", true},
	}
	for _, tt := range tests {
		gotLang, ok := panelLanguage(tt.tracks, tt.lang)
		if gotLang != tt.wantLang || ok != tt.ok {
			t.Errorf("panelLanguage(%v, %q) = %q, %v; want %q, %v", describe(chooseTracks(tt.tracks, tt.lang)), tt.lang, gotLang, ok, tt.wantLang, tt.ok)
		}
	}
}
