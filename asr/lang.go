package asr

import (
	"strings"
	"sync"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// whisperLanguages are the codes Whisper models know. Services name the
// detected language by code ("en": faster-whisper, speaches) or by
// Whisper's English name ("english": OpenAI).
var whisperLanguages = strings.Fields(`en zh de es ru ko fr ja pt tr pl ca nl ar sv it id hi fi vi he uk
	el ms cs ro da hu ta no th ur hr bg lt la mi ml cy sk te fa lv bn sr az sl kn et mk br eu is hy ne mn
	bs kk sq sw gl mr pa si km sn yo so af oc ka be tg sd gu am yi lo uz fo ht ps tk nn mt sa lb my bo tl
	mg as tt haw ln ha ba jw su yue`)

// whisperAliases are Whisper's names that are not CLDR's English names.
var whisperAliases = map[string]string{
	"burmese": "my", "myanmar": "my", "castilian": "es", "flemish": "nl", "haitian": "ht",
	"letzeburgesch": "lb", "moldavian": "ro", "moldovan": "ro", "mandarin": "zh", "pushto": "ps",
	"panjabi": "pa", "sinhalese": "si", "valencian": "ca", "maori": "mi", "nynorsk": "nn",
	"javanese": "jw", "tagalog": "tl", "hawaiian": "haw", "cantonese": "yue",
}

var (
	namesOnce sync.Once
	names     map[string]string // lower-case English name → code
)

// languageCode turns what a service says the language is into a code:
// "english", "English", "en" and "en-US" all give "en"; "" gives "".
// An unknown name is kept, lower-cased, so nothing is lost.
func languageCode(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return ""
	}
	if code, ok := whisperAliases[s]; ok {
		return code
	}
	namesOnce.Do(func() {
		names = make(map[string]string, len(whisperLanguages))
		en := display.English.Languages()
		for _, code := range whisperLanguages {
			if tag, err := language.Parse(code); err == nil {
				names[strings.ToLower(en.Name(tag))] = code
			}
		}
	})
	if code, ok := names[s]; ok {
		return code
	}
	if tag, err := language.Parse(s); err == nil {
		base, _ := tag.Base()
		return base.String()
	}
	return s
}

// validLanguage reports whether s is a language tag the service can be
// asked for.
func validLanguage(s string) bool {
	_, err := language.Parse(s)
	return err == nil
}

// requestLanguage is the ISO 639-1 code sent for a configured language
// such as "en-US".
func requestLanguage(s string) string {
	if s == "" {
		return ""
	}
	return languageCode(s)
}
