package subtitles

import (
	"html"
	"regexp"
	"strings"
)

// tagRE matches markup inside cue text: elements such as <c>, <c.colorE5E5E5>,
// <i>, </b>, <v Speaker>, <font color="..."> and the karaoke timestamps
// <00:00:01.500> of YouTube's automatic captions. A "<" followed by a space
// or another symbol is left alone, so "a < b" survives in formats that allow
// a bare "<".
var tagRE = regexp.MustCompile(`<(?:/?[A-Za-z][^<>]*|\d[\d:.]*)>`)

// assRE matches SubStation override codes such as {\an8} and {\i1}, which
// some SRT files carry.
var assRE = regexp.MustCompile(`\{\\[^{}]*\}`)

// collapse trims s and turns every run of whitespace (including the no-break
// space an &nbsp; decodes to) into one space.
func collapse(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// cleanMarkup is for formats whose markup is tags in the text (WebVTT, SRT):
// tags go first so that an escaped "&lt;i&gt;" stays as the text "<i>".
func cleanMarkup(s string) string {
	s = tagRE.ReplaceAllString(s, "")
	s = assRE.ReplaceAllString(s, "")
	return collapse(html.UnescapeString(s))
}

// cleanDecoded is for text that a JSON or XML decoder already unescaped.
// YouTube sometimes escapes twice (srv1's "&amp;#39;"), and the second layer
// can hide tags such as <font color="#E5E5E5">, so entities are decoded
// once more before tags are stripped.
func cleanDecoded(s string) string {
	if strings.Contains(s, "&") {
		s = html.UnescapeString(s)
	}
	s = tagRE.ReplaceAllString(s, "")
	return collapse(s)
}
