package pipeline

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/recap-dev/recap"
)

// YouTube's own rules for description chapters.
const (
	minMarks       = 3
	minMarkSpacing = 10 * time.Second
)

// maxLineLen bounds the lines read for marks. A whole description may be
// one line (flattened by a podcast page), so the bound is the longest
// description a source may carry (recap.MaxDescriptionLen characters of up
// to 4 bytes); it keeps the title trimming (quadratic at worst) well under
// 0.1 s on a line of hostile text.
const maxLineLen = 4 * recap.MaxDescriptionLen

// maxGapLines is how many non-blank lines without a timestamp may sit inside
// one chapter list (a "Part 2" header, say) before the list counts as ended.
const maxGapLines = 2

var (
	// clockRE finds m:ss, mm:ss, h:mm:ss (hours may exceed 9) with an
	// optional fraction; the characters around a match are checked by hand
	// because RE2 has no look-around.
	clockRE = regexp.MustCompile(`(\d{1,3}):(\d{2})(?::(\d{2}))?(?:\.(\d{1,3}))?`)
	linkRE  = regexp.MustCompile(`(?i)(?:https?://|www\.)[^\s<>"']+`)
	// rangeSepRE is what stands between the two ends of "0:00 - 2:30".
	rangeSepRE = regexp.MustCompile(`(?i)^\s*(?:-|–|—|~|to|until)\s*$`)
	// numberingRE is a list number before a timestamp: "1. ", "01) ".
	numberingRE = regexp.MustCompile(`^\s*\d{1,3}[.)]\s+`)
)

// stamp is one timestamp found on a line, at bytes [lo, hi).
type stamp struct {
	lo, hi int
	at     time.Duration
}

// markCand is a chapter mark found in the description, before the chapter
// list is chosen.
type markCand struct {
	recap.ChapterMark
	line int
}

// ParseChapterMarks finds the creator's chapter list in a video description.
// It reads timestamps before or after titles, one or several to a line,
// ranges ("0:00 - 2:30 Intro": the start counts), fractions ("1:02:03.500",
// kept to the millisecond) and YouTube links with t= ("…&t=90s Topic"). It
// returns the longest ascending run that starts at 0:00 (the chapter
// block), not every timestamp of the description. Without such a run it
// returns the longest ascending run of two or more marks, which
// ValidateMarks then refuses with a reason, or nil.
func ParseChapterMarks(description string) []recap.ChapterMark {
	lines := strings.FieldsFunc(description, func(r rune) bool { return r == '\n' || r == '\r' })
	// Empty lines are gone; blank lines never end a list, so only the
	// non-blank lines without marks need counting.
	var cands []markCand
	gaps := make([]int, len(lines)+1) // gaps[i]: lines before line i that are neither blank nor marks
	for i, line := range lines {
		ms := lineMarks(line)
		for _, m := range ms {
			cands = append(cands, markCand{ChapterMark: m, line: i})
		}
		gaps[i+1] = gaps[i]
		if len(ms) == 0 && strings.TrimSpace(line) != "" {
			gaps[i+1]++
		}
	}
	return bestRun(cands, gaps)
}

// bestRun picks the chapter list among the candidate marks: runs of
// consecutive candidates, strictly ascending and not interrupted by more
// than maxGapLines other lines; one from 0:00 beats any other, then the
// longest, then the first.
func bestRun(cands []markCand, gaps []int) []recap.ChapterMark {
	bestLo, bestHi, bestZero := 0, 0, false
	for lo := 0; lo < len(cands); {
		hi := lo + 1
		for hi < len(cands) && cands[hi].Start > cands[hi-1].Start &&
			gaps[cands[hi].line]-gaps[cands[hi-1].line+1] <= maxGapLines {
			hi++
		}
		zero := cands[lo].Start == 0
		if (zero && !bestZero) || (zero == bestZero && hi-lo > bestHi-bestLo) {
			bestLo, bestHi, bestZero = lo, hi, zero
		}
		lo = hi
	}
	if !bestZero && bestHi-bestLo < 2 {
		return nil
	}
	out := make([]recap.ChapterMark, 0, bestHi-bestLo)
	for _, c := range cands[bestLo:bestHi] {
		out = append(out, c.ChapterMark)
	}
	return out
}

// lineMarks reads the chapter marks of one description line.
func lineMarks(line string) []recap.ChapterMark {
	if len(line) > maxLineLen {
		return nil
	}
	stamps := findStamps(line)
	if len(stamps) == 0 {
		return nil
	}
	// raw[i] is the text before stamp i, raw[len] the text after the
	// last. Text between two stamps belongs to one of them: the one before
	// it (time-first lists, the common case) or the one after it
	// (title-first, "Sigmund Freud 2:21"). A line with several stamps may
	// be a whole description flattened to one line (see outline.go).
	n := len(stamps)
	flat := n > 1
	raw := make([]string, n+1)
	raw[0] = line[:stamps[0].lo]
	for i := range stamps {
		end := len(line)
		if i+1 < n {
			end = stamps[i+1].lo
		}
		raw[i+1] = line[stamps[i].hi:end]
	}
	pieces := make([]string, n+1)
	headed := false
	if flat {
		var rest string
		rest, headed = outlineStart(raw[0])
		pieces[0] = endTitle(numberingRE.ReplaceAllString(rest, ""), true)
		for i := 1; i <= n; i++ {
			pieces[i] = endTitle(numberingRE.ReplaceAllString(raw[i], ""), true)
		}
	} else {
		pieces[0] = endTitle(numberingRE.ReplaceAllString(raw[0], ""), false)
		pieces[1] = endTitle(raw[1], false)
	}
	pre, post := pieces[0], pieces[n]
	var titles []string
	switch {
	case n == 1:
		// A timestamp inside a sentence ("at 5:30 he says why") is prose,
		// not a chapter.
		if pre != "" && post != "" && len(strings.Fields(pre)) > 2 {
			return nil
		}
		t := post
		if t == "" {
			t = pre
		}
		titles = []string{t}
	case timeFirst(raw, pre, post, headed, flat && junkStart(raw[n])):
		titles = pieces[1:] // "OUTLINE: 0:00 A 0:28 B": a leading label is no title
	default:
		titles = pieces[:n]
	}
	var out []recap.ChapterMark
	for i, s := range stamps {
		if titles[i] == "" {
			continue
		}
		out = append(out, recap.ChapterMark{Start: s.at, Title: titles[i]})
	}
	return out
}

// timeFirst decides whether the titles of a line with several stamps
// follow their stamps ("0:00 A 0:28 B") or precede them ("A 0:00 B 0:28").
// Nothing before the first stamp, or a title after the last, means time
// first; nothing after the last means title first. With text at both ends
// (a flattened description), the separators decide: "0:00 - A" against
// "A - 0:00"; then a title after the outline's heading ("Chapters: A
// 0:00") means title first.
func timeFirst(raw []string, pre, post string, headed, junkAfter bool) bool {
	switch {
	case pre == "":
		return true
	case post == "" || junkAfter:
		return false
	}
	after, before := 0, 0
	for i := 0; i+1 < len(raw); i++ {
		if r, _ := utf8.DecodeRuneInString(strings.TrimLeftFunc(raw[i+1], func(r rune) bool {
			return unicode.IsSpace(r) || closerFor[r] != 0
		})); isListSeparator(r) {
			after++
		}
		if r, _ := utf8.DecodeLastRuneInString(strings.TrimRightFunc(raw[i], func(r rune) bool {
			return unicode.IsSpace(r) || openerFor[r] != 0
		})); isListSeparator(r) && r != ':' {
			before++
		}
	}
	if after != before {
		return after > before
	}
	return !headed
}

func isListSeparator(r rune) bool { return strings.ContainsRune("-–—|:•·", r) }

// findStamps returns the timestamps of a line in order: clock times outside
// links, YouTube links with a t= parameter, and ranges ("0:00 - 2:30")
// folded into their start.
func findStamps(line string) []stamp {
	var stamps []stamp
	links := linkRE.FindAllStringIndex(line, -1)
	clocks := clockRE.FindAllStringSubmatchIndex(line, -1)
	for ci, li := 0, 0; ci < len(clocks) || li < len(links); {
		if li < len(links) && (ci >= len(clocks) || links[li][0] <= clocks[ci][0]) {
			l := links[li]
			if at, ok := linkTime(line[l[0]:l[1]]); ok {
				stamps = append(stamps, stamp{lo: l[0], hi: l[1], at: at})
			}
			// A time inside any link ("…?ref=12:30") is part of the link.
			for ci < len(clocks) && clocks[ci][0] < l[1] {
				ci++
			}
			li++
			continue
		}
		m := clocks[ci]
		ci++
		if at, ok := clockTime(line, m); ok {
			stamps = append(stamps, stamp{lo: m[0], hi: m[1], at: at})
		}
	}
	out := stamps[:0]
	for _, s := range stamps {
		if n := len(out); n > 0 && s.at > out[n-1].at && rangeSepRE.MatchString(line[out[n-1].hi:s.lo]) {
			out[n-1].hi = s.hi
			continue
		}
		out = append(out, s)
	}
	return out
}

// clockTime converts a clockRE match, refusing matches that are part of a
// longer number or word ("1:30pm", "10:30:45:12", "v2:15") and impossible
// minutes or seconds.
func clockTime(line string, m []int) (time.Duration, bool) {
	if m[0] > 0 {
		r, _ := utf8.DecodeLastRuneInString(line[:m[0]])
		if unicode.IsDigit(r) || isASCIILetter(r) || r == ':' || r == '.' {
			return 0, false
		}
	}
	if m[1] < len(line) {
		r, w := utf8.DecodeRuneInString(line[m[1]:])
		// Only Latin letters glue to a time ("1:30pm"); scripts written
		// without spaces put titles right next to it ("0:00导入").
		if unicode.IsDigit(r) || isASCIILetter(r) {
			return 0, false
		}
		if (r == ':' || r == '.') && m[1]+w < len(line) && isASCIIDigit(line[m[1]+w]) {
			return 0, false
		}
	}
	num := func(g int) int {
		if m[2*g] < 0 {
			return -1
		}
		n, _ := strconv.Atoi(line[m[2*g]:m[2*g+1]])
		return n
	}
	a, b, c, frac := num(1), num(2), num(3), 0
	if m[8] >= 0 {
		frac, _ = strconv.Atoi((line[m[8]:m[9]] + "00")[:3])
	}
	h, mi, s := 0, a, b
	if c >= 0 {
		h, mi, s = a, b, c
		if mi >= 60 {
			return 0, false
		}
	}
	if s >= 60 {
		return 0, false
	}
	return time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute +
		time.Duration(s)*time.Second + time.Duration(frac)*time.Millisecond, true
}

func isASCIIDigit(c byte) bool { return '0' <= c && c <= '9' }

func isASCIILetter(r rune) bool { return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' }

// linkTime reads the start time of a YouTube link ("…watch?v=ID&t=90s",
// "youtu.be/ID?t=1m30s").
func linkTime(link string) (time.Duration, bool) {
	if !strings.Contains(link, "://") {
		link = "https://" + link
	}
	u, err := url.Parse(link)
	if err != nil {
		return 0, false
	}
	switch strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.") {
	case "youtube.com", "m.youtube.com", "music.youtube.com", "youtu.be":
	default:
		return 0, false
	}
	q := u.Query()
	t := q.Get("t")
	if t == "" {
		t = q.Get("start")
	}
	if t == "" {
		return 0, false
	}
	return parseLinkTime(t)
}

// parseLinkTime parses YouTube's t= values: "90", "90s", "1m30s", "1h2m3s".
func parseLinkTime(t string) (time.Duration, bool) {
	const limit = 1_000_000 // seconds; keeps sums far from overflow
	var d time.Duration
	num, digits := 0, 0
	for _, r := range t {
		var unit time.Duration
		switch r {
		case 'h':
			unit = time.Hour
		case 'm':
			unit = time.Minute
		case 's':
			unit = time.Second
		default:
			if r < '0' || r > '9' {
				return 0, false
			}
			num, digits = num*10+int(r-'0'), digits+1
			if num > limit {
				return 0, false
			}
			continue
		}
		if digits == 0 {
			return 0, false
		}
		d += time.Duration(num) * unit
		num, digits = 0, 0
	}
	if digits > 0 { // a bare number is seconds
		d += time.Duration(num) * time.Second
	}
	return d, t != "" && d < limit*time.Second
}

// cleanTitle trims what surrounds a chapter title in descriptions: spaces,
// separators, list bullets, markdown emphasis, emoji, and brackets that
// belonged to the timestamp. Inner text, balanced brackets and quotes stay;
// runs of spaces become one.
func cleanTitle(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	for {
		before := s
		if r, w := utf8.DecodeRuneInString(s); w > 0 && (trimmable(r) || r == '.' || closerFor[r] != 0 ||
			openerFor[r] != 0 && !strings.ContainsRune(s[w:], openerFor[r])) {
			s = s[w:]
		}
		if r, w := utf8.DecodeLastRuneInString(s); w > 0 && (trimmable(r) || openerFor[r] != 0 ||
			closerFor[r] != 0 && strings.Count(s, string(closerFor[r])) < strings.Count(s, string(r))) {
			s = s[:len(s)-w]
		}
		if s == before {
			return s
		}
	}
}

// trimmable reports whether r may surround a title but never ends one.
func trimmable(r rune) bool {
	if unicode.IsSpace(r) || strings.ContainsRune("-–—―‒|:;,~>»›→⇒·•‣⁃◦*=_\\/", r) {
		return true
	}
	switch {
	case r == '\uFE0E' || r == '\uFE0F' || r == '\u20E3' || r == utf8.RuneError:
		return true // variation selectors, keycap, broken bytes
	case unicode.Is(unicode.So, r), unicode.Is(unicode.Sk, r), unicode.Is(unicode.Cf, r), unicode.Is(unicode.Co, r):
		return true // emoji, symbols, zero-width joiners
	}
	return false
}

// openerFor maps an opening bracket to its closer; closerFor the reverse.
var (
	openerFor = map[rune]rune{'(': ')', '[': ']', '{': '}', '【': '】', '「': '」', '（': '）'}
	closerFor = map[rune]rune{')': '(', ']': '[', '}': '{', '】': '【', '」': '「', '）': '（'}
)

// ValidateMarks applies YouTube's rule: first at 0:00, at least three,
// strictly ascending, all inside the video (duration 0 = unknown, then only
// the order rules apply), each chapter at least 10 seconds. It returns an
// EINVALID error saying which rule failed.
func ValidateMarks(marks []recap.ChapterMark, duration time.Duration) error {
	if len(marks) < minMarks {
		return recap.Errorf(recap.EINVALID, "%d chapter marks: expected at least %d", len(marks), minMarks)
	}
	if marks[0].Start != 0 {
		return recap.Errorf(recap.EINVALID, "first chapter %q starts at %s: expected 0:00", marks[0].Title, recap.Timestamp(marks[0].Start))
	}
	for i := 1; i < len(marks); i++ {
		prev, m := marks[i-1], marks[i]
		if m.Start <= prev.Start {
			return recap.Errorf(recap.EINVALID, "chapter %d %q at %s does not come after chapter %d at %s: expected ascending times",
				i+1, m.Title, recap.Timestamp(m.Start), i, recap.Timestamp(prev.Start))
		}
		if m.Start-prev.Start < minMarkSpacing {
			return recap.Errorf(recap.EINVALID, "chapter %d %q is %s long: expected at least %s", i, prev.Title, m.Start-prev.Start, minMarkSpacing)
		}
	}
	if duration > 0 {
		last := marks[len(marks)-1]
		if last.Start >= duration {
			return recap.Errorf(recap.EINVALID, "chapter %d %q starts at %s, after the video ends (%s): expected every chapter inside the video",
				len(marks), last.Title, recap.Timestamp(last.Start), recap.Timestamp(duration))
		}
		if duration-last.Start < minMarkSpacing {
			return recap.Errorf(recap.EINVALID, "last chapter %q is %s long: expected at least %s", last.Title, duration-last.Start, minMarkSpacing)
		}
	}
	return nil
}
