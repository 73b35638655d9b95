package pipeline

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Descriptions are not always line-broken: podcast pages and some API
// clients flatten them to one line ("… OUTLINE: 0:00 - Introduction 0:28 -
// Topic … 2:36:29 - Faith SOCIAL: - Twitter: https://…"). On such a line
// the line break no longer ends a title, so the outline's own edges must:
// the rules here find where an outline starts in the text before its
// first timestamp, and where a title ends in the text after a timestamp.

// maxTitleWords is how long a chapter title may run before it reads as
// prose and is cut at its first natural boundary.
const maxTitleWords = 12

var (
	// outlineHeadingRE is a label that opens a chapter list: "OUTLINE:",
	// "Chapters:", "Timestamps -", "TABLE OF CONTENTS".
	outlineHeadingRE = regexp.MustCompile(`(?:\b(?:[Cc]hapters|[Tt]ime ?[Ss]tamps|[Oo]utline|[Cc]ontents|[Tt]able of [Cc]ontents|[Ee]pisode (?:[Oo]utline|[Cc]hapters)|[Tt]opics|[Tt]racklist|[Ii]ndex)\b|\b(?:CHAPTERS|TIME ?STAMPS|OUTLINE|CONTENTS|TABLE OF CONTENTS|TOPICS|TRACKLIST|INDEX)\b)\s*[:：\-–—]?`)
	// capsHeadingRE is an ALL-CAPS label with a colon that opens another
	// section: "SOCIAL:", "EPISODE LINKS:", "SUPPORT & CONNECT:".
	// It needs three capitals in all (see capsHeadings): "Plan A:" is none.
	capsHeadingRE = regexp.MustCompile(`(?:^|[^\p{L}\p{N}])\p{Lu}[\p{Lu}\d'’]*(?:\s*&?\s*\p{Lu}[\p{Lu}\d'’]*)*\s*[:：]`)
	// sectionLabelRE is a capitalized section label with a colon: "Links:",
	// "Follow me:", "Sponsors:".
	sectionLabelRE = regexp.MustCompile(`\b(?:Social|Socials|Links|Episode links|Show notes|Sponsors?|Resources|References|Contact|Connect|Follow(?: me| us)?|Support(?: the show| us)?|Music|Gear|Merch|Website|Podcast|Credits|Newsletter|Patreon)\s*[:：]`)
	// ctaRE is a call to action that follows an outline: "Subscribe…",
	// "Thanks for watching", "Check out…".
	ctaRE = regexp.MustCompile(`\b(?:Subscribe|Follow (?:me|us)|Thanks for|Thank you for|Check out|Please (?:like|subscribe|support|check|share|leave|consider|rate|follow)|Support (?:the|this|us|me|our)|Join (?:the|our|us|my)|Sign up|Become a|Donate|Sponsored by|Download|Visit|Links? (?:below|in the description))\b`)
	// capsRunRE is a run of ALL-CAPS words, a header inside a flattened
	// list: "PART TWO".
	capsRunRE = regexp.MustCompile(`(?:^|\s)\p{Lu}{2,}(?:\s+(?:\p{Lu}{2,}|\d+))+(?:\s|$)`)
	// hashtagRE is a hashtag or handle, which ends an outline.
	hashtagRE = regexp.MustCompile(`(?:^|\s)[#@]\p{L}`)
	// ruleRE is a flattened rule line: "--", "———", "___", "===", "***".
	ruleRE = regexp.MustCompile(`(?:--|——|__|==|\*\*\*)+`)
	// sentenceEndRE ends a sentence inside a line.
	sentenceEndRE = regexp.MustCompile(`[.!?。！？]+["'”’)\]]*\s+`)
	// boundaryRE is a natural boundary inside an over-long title.
	boundaryRE = regexp.MustCompile(`[.!?]["'”’)]*\s+|\s+[|•·]\s+|\s+[-–—]\s+|;\s+`)
	// trailingNumberRE is the list number of the next entry of a flattened
	// numbered list, left at the end of a title: "Intro 2."
	trailingNumberRE = regexp.MustCompile(`\s\d{1,3}[.)]\s*$`)
	// linkLabelRE is the label of a link at the end of a title, after a
	// list separator: "- Twitter:", "| Support on Patreon -".
	linkLabelRE = regexp.MustCompile(`\s[-–—|•·]\s[^-–—|•·:]{1,40}[:：\-–—]\s*$`)
)

// finder finds the [start, end) of every match in a string.
type finder func(s string, n int) [][]int

// capsHeadings finds the capsHeadingRE matches with three capitals or
// more.
func capsHeadings(s string, n int) [][]int {
	var out [][]int
	for _, loc := range capsHeadingRE.FindAllStringIndex(s, n) {
		caps := 0
		for _, r := range s[loc[0]:loc[1]] {
			if unicode.IsUpper(r) {
				caps++
			}
		}
		if caps >= 3 {
			out = append(out, loc)
		}
	}
	return out
}

// outlineStart returns the part of the text before a flattened outline's
// first timestamp that belongs to the outline: what follows the outline's
// heading ("Chapters: Intro" gives "Intro"; headed is true), else what
// follows the last sentence, link, section heading or label.
func outlineStart(s string) (rest string, headed bool) {
	if locs := outlineHeadingRE.FindAllStringIndex(s, -1); locs != nil {
		return s[locs[len(locs)-1][1]:], true
	}
	cut := 0
	for _, find := range []finder{sentenceEndRE.FindAllStringIndex, linkRE.FindAllStringIndex, capsHeadings, sectionLabelRE.FindAllStringIndex, ruleRE.FindAllStringIndex} {
		for _, loc := range find(s, -1) {
			cut = max(cut, loc[1])
		}
	}
	rest = s[cut:]
	// A label right before the timestamp ("Short version: 0:00 …") is no
	// title.
	if endsWithColon(rest) {
		return "", false
	}
	return rest, false
}

// endTitle cuts a chapter title where the outline ends: at a link, always,
// since no title holds one; and on a flattened outline also at a section
// heading, a call to action, a hashtag or a rule, unless the title starts
// with it ("Q&A: part 2"). A flattened title still longer than
// maxTitleWords reads as prose and is cut at its first natural boundary;
// on its own line, a long title is what the creator wrote.
func endTitle(s string, flat bool) string {
	if flat {
		// "Intro 2. " before the next entry of a numbered list.
		s = trailingNumberRE.ReplaceAllString(s, "")
	}
	labelled := flat && endsWithColon(s) // "Talk Songs used:" before the next list
	s = cleanTitle(s)
	if loc := linkRE.FindStringIndex(s); loc != nil {
		s, labelled = s[:loc[0]], true
	}
	if flat {
		end := len(s)
		for _, find := range []finder{capsHeadings, capsRunRE.FindAllStringIndex, sectionLabelRE.FindAllStringIndex, ctaRE.FindAllStringIndex, hashtagRE.FindAllStringIndex, ruleRE.FindAllStringIndex} {
			for _, loc := range find(s, -1) {
				if startsWord(s, loc[0]) {
					end = min(end, loc[0])
					break
				}
			}
		}
		if end < len(s) {
			s, labelled = s[:end], false
		}
	}
	if labelled {
		s = dropLinkLabel(s)
	}
	s = cleanTitle(s)
	if flat && len(strings.Fields(s)) > maxTitleWords {
		for _, loc := range boundaryRE.FindAllStringIndex(s, -1) {
			if head := cleanTitle(s[:loc[0]+keptMark(s[loc[0]:loc[1]])]); head != "" {
				return head
			}
		}
	}
	if flat {
		s = dropFinalPeriod(s)
	}
	return s
}

// dropFinalPeriod removes the period that ends the sentence a flattened
// title was cut from ("2:36:29 - Faith and reason. SOCIAL: …"): the
// outline's other titles end at the next timestamp, without one. An
// ellipsis ("...") and an abbreviation's last dot ("U.S.") stay.
func dropFinalPeriod(s string) string {
	t, ok := strings.CutSuffix(s, ".")
	if !ok || strings.HasSuffix(t, ".") {
		return s
	}
	if _, w := utf8.DecodeLastRuneInString(t); len(t) > w && t[len(t)-w-1] == '.' {
		return s // "U.S."
	}
	return cleanTitle(t)
}

// junkStart reports whether the text after a flattened outline's last
// timestamp is no title at all: nothing, or a link, a section heading or
// label, a call to action, a hashtag or a rule straight away. Then the
// titles precede their timestamps.
func junkStart(s string) bool {
	if loc := ruleRE.FindStringIndex(strings.TrimSpace(s)); loc != nil && loc[0] == 0 {
		return true // "Review 9:54 -- Crash Course is on Patreon!"
	}
	s = cleanTitle(s)
	if s == "" {
		return true
	}
	for _, find := range []finder{linkRE.FindAllStringIndex, capsHeadings, sectionLabelRE.FindAllStringIndex, ctaRE.FindAllStringIndex, hashtagRE.FindAllStringIndex, ruleRE.FindAllStringIndex} {
		if loc := find(s, 1); loc != nil && loc[0][0] == 0 {
			return true
		}
	}
	return false
}

func endsWithColon(s string) bool {
	t := strings.TrimRightFunc(s, unicode.IsSpace)
	return strings.HasSuffix(t, ":") || strings.HasSuffix(t, "：")
}

// startsWord reports whether a match at i lies past the first word of s,
// so that a title may begin with a label.
func startsWord(s string, i int) bool {
	return strings.TrimSpace(s[:i]) != ""
}

// keptMark is how much of a boundary stays with the title before it: a
// question or exclamation mark does, a period or separator does not.
func keptMark(b string) int {
	if r, w := utf8.DecodeRuneInString(b); r == '?' || r == '!' {
		return w
	}
	return 0
}

// dropLinkLabel removes the label of a link the title was cut before, or
// of a list that follows it:
// "Faith - Twitter:" is "Faith"; "Faith Twitter:" too; "Tools I use:"
// after a title loses its last capitalized words up to the colon.
func dropLinkLabel(s string) string {
	t := strings.TrimRightFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == ':' || r == '：' })
	t += ":"
	if loc := linkLabelRE.FindStringIndex(t); loc != nil {
		return cleanTitle(t[:loc[0]])
	}
	// Without a separator the label starts at the first capitalized word
	// among the last three, never at the title's first word.
	f := strings.Fields(t)
	if len(f) < 2 {
		return cleanTitle(t)
	}
	for i := max(1, len(f)-3); i < len(f); i++ {
		if r, _ := utf8.DecodeRuneInString(f[i]); unicode.IsUpper(r) && f[i] != "I" {
			return cleanTitle(strings.Join(f[:i], " "))
		}
	}
	return cleanTitle(strings.Join(f[:len(f)-1], " "))
}
