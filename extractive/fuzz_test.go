package extractive

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/recap-dev/recap/pipeline"
)

// FuzzSummarizeChapter feeds arbitrary text: the summarizer must not
// panic, must answer ErrNoText exactly when the text has no words, and
// must give the same answer twice.
func FuzzSummarizeChapter(f *testing.F) {
	for _, seed := range []string{
		"", "Dr. Smith. e.g. U.S. The end...", "大脑非常复杂。它有数十亿个神经元！",
		"[Music] >> so um i think &gt;&gt; yeah", "a b c d e f g h i j k l m n o p q r s t u v w x y z a b c d e f g h i j k l m n o p q",
		"l'homme qu'il aime, c'est ça. Don't ' '' 'x", "‼ ⁉ ؟ । ¿Qué? ¡Sí!", strings.Repeat("神经元通过突触传递信号", 20),
	} {
		f.Add(seed, "en")
	}
	f.Add("Das Gehirn ist komplex, und um die Ecke.", "de")
	f.Add("x", "not a tag")
	f.Fuzz(func(t *testing.T, text, lang string) {
		if !utf8.ValidString(text) {
			t.Skip()
		}
		in := pipeline.ChapterInput{Text: text, Language: lang}
		got, _, err := New().SummarizeChapter(context.Background(), in)
		again, _, err2 := New().SummarizeChapter(context.Background(), in)
		if !reflect.DeepEqual(got, again) || (err == nil) != (err2 == nil) {
			t.Fatalf("two runs differ: %+v / %+v", got, again)
		}
		hasWords := strings.IndexFunc(bracketTag.ReplaceAllString(parenTag.ReplaceAllString(text, ""), ""), isWordRune) >= 0
		if err != nil {
			if !errors.Is(err, ErrNoText) || hasWords {
				t.Fatalf("text %q: %v", text, err)
			}
			return
		}
		if got.Summary == "" || got.Title == "" || got.Bullets == nil {
			t.Fatalf("text %q: incomplete %+v", text, got)
		}
		if !utf8.ValidString(got.Summary) || !utf8.ValidString(got.Title) {
			t.Fatalf("invalid UTF-8 in %+v", got)
		}
	})
}
