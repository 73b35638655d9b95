package pipeline

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/textclean"
)

// People: who a video features, when its title, channel and description
// say so. Interviews and podcasts name their guest in the title ("Ada
// Stone: Robots that learn | The Pod #12", "… with Ada Stone") and their
// host in the show's name or the channel; descriptions say "my guest
// today is …" or "a conversation with …". Names are taken verbatim from
// that text, never made up, and a candidate is dropped when its last word
// also appears in lower case (a topic such as "Machine Learning", not a
// person).

// Limits on the people kept: a document names a handful of people.
const (
	maxPeople     = 10
	maxPersonName = 80
)

var (
	// nameRE is a person's name: two to four capitalized words, with
	// initials and the particles of names ("Ada Stone", "J. R. Smith",
	// "Ludwig van Beethoven", "Jean-Luc Picard", "Conan O'Brien").
	nameRE = `\p{Lu}[\p{Ll}\p{Lu}'’\-]*\p{Ll}(?:\s+(?:\p{Lu}\.|(?:van|von|der|de|da|di|du|del|la|le|bin|al|ten|ter)|\p{Lu}[\p{Ll}\p{Lu}'’\-]*\p{Ll})){0,2}\s+\p{Lu}[\p{Ll}\p{Lu}'’\-]*\p{Ll}`
	// titleGuestRE: "Ada Stone: Robots that learn | The Pod #12".
	titleGuestRE = regexp.MustCompile(`^(` + nameRE + `)\s*[:|–—-]\s+\S.*(?:\||#\d|\b(?:[Pp]odcast|[Ss]how|[Ee]pisode|[Ee]p\.|[Ii]nterview))`)
	// withGuestRE: "… with Ada Stone", "feat. Ada Stone", "ft. Ada Stone".
	withGuestRE = regexp.MustCompile(`\b(?:[Ww]ith|[Ff]eat\.|[Ff]eaturing|[Ff]t\.|[Gg]uest:?)\s+(?:(?:Dr|Prof|Sir|Dame|Mr|Mrs|Ms)\.?\s+)?(` + nameRE + `)`)
	// descGuestRE: "my guest today is Ada Stone", "a conversation with
	// Ada Stone", "joined by Ada Stone".
	descGuestRE = regexp.MustCompile(`\b(?:[Gg]uest(?: today| this week)? is|[Cc]onversation with|[Ii]nterview with|[Cc]hat with|[Tt]alk with|[Jj]oined by|[Ss]peaks with|[Tt]alks to|[Tt]alks with)\s+(?:(?:Dr|Prof|Sir|Dame|Mr|Mrs|Ms)\.?\s+)?(` + nameRE + `)`)
	// descHostRE: "hosted by Ben Cole", "I'm Ben Cole and this is".
	descHostRE = regexp.MustCompile(`\b(?:[Hh]osted by|I'm|I am)\s+(` + nameRE + `)(?:\s*,|\s+and\b|\s+here\b|\.)`)
	// showHostRE: the show in a title, named for its host: "| Ben Cole
	// Podcast #12", "- The Ben Cole Show".
	showHostRE = regexp.MustCompile(`(?:^|[|–—-]\s*)(?:The\s+)?(` + nameRE + `)\s+(?:[Pp]odcast|[Ss]how|[Ee]xperience|[Hh]our|[Rr]adio)\b`)
	// wholeNameRE is a text that is a name and nothing else (a channel).
	wholeNameRE = regexp.MustCompile(`^` + nameRE + `$`)
)

// notNames are capitalized words that open titles but name no one.
var notNames = map[string]bool{
	"The": true, "A": true, "An": true, "How": true, "Why": true, "What": true, "When": true,
	"Where": true, "Who": true, "This": true, "That": true, "Our": true, "My": true, "Your": true,
	"Episode": true, "Part": true, "Chapter": true, "Live": true, "Full": true, "Special": true,
	"Official": true, "Interview": true, "Podcast": true, "Show": true, "Video": true, "News": true,
	"Intro": true, "Introduction": true, "Review": true, "Bonus": true, "Trailer": true,
	"Q&A": true, "Ask": true, "Me": true, "Anything": true, "Crash": true, "Course": true,
	// Words of channel and show names.
	"Talk": true, "Talks": true, "Daily": true, "Weekly": true, "Channel": true, "Media": true,
	"Studio": true, "Studios": true, "Network": true, "Radio": true, "Club": true, "Academy": true,
	"Lab": true, "Labs": true, "Films": true, "Productions": true, "Records": true, "Music": true,
	"Games": true, "Tech": true, "Science": true, "Clips": true, "Highlights": true, "Shorts": true,
}

// FindPeople names the people a video features, from its title, channel
// and description (guests first, then hosts).
func FindPeople(src *recap.Source) []recap.Person {
	v := src.Video
	text := v.Title + "\n" + v.Description + "\n" + src.Transcript.Text()
	var out []recap.Person
	add := func(name, role string) {
		name = textclean.Line(name)
		if name == "" || utf8.RuneCountInString(name) > maxPersonName || len(out) >= maxPeople || !personLike(name, text) {
			return
		}
		for _, p := range out {
			if strings.EqualFold(p.Name, name) {
				return
			}
		}
		out = append(out, recap.Person{Name: name, Role: role})
	}
	if m := titleGuestRE.FindStringSubmatch(v.Title); m != nil {
		add(m[1], recap.RoleGuest)
	}
	for _, m := range withGuestRE.FindAllStringSubmatch(v.Title, -1) {
		add(m[1], recap.RoleGuest)
	}
	for _, m := range descGuestRE.FindAllStringSubmatch(v.Description, -1) {
		add(m[1], recap.RoleGuest)
	}
	guests := len(out)
	for _, m := range showHostRE.FindAllStringSubmatch(v.Title, -1) {
		add(m[1], recap.RoleHost)
	}
	for _, m := range descHostRE.FindAllStringSubmatch(v.Description, -1) {
		add(m[1], recap.RoleHost)
	}
	// A channel named like a person, who is named in the video too, hosts
	// the interviews it publishes.
	if guests > 0 && len(out) == guests && wholeNameRE.MatchString(v.Channel) && strings.Contains(text, v.Channel) {
		add(v.Channel, recap.RoleHost)
	}
	return out
}

// personLike refuses a candidate that opens with a word no name has, or
// whose last word the text also uses in lower case.
func personLike(name, text string) bool {
	words := strings.Fields(name)
	if len(words) < 2 || notNames[words[0]] || notNames[words[len(words)-1]] {
		return false
	}
	last := words[len(words)-1]
	lower := strings.ToLower(last)
	if lower == last {
		return false
	}
	for i := 0; ; {
		j := strings.Index(text[i:], lower)
		if j < 0 {
			return true
		}
		at := i + j
		before, _ := utf8.DecodeLastRuneInString(text[:at])
		after, _ := utf8.DecodeRuneInString(text[at+len(lower):])
		if (at == 0 || !isWordRune(before)) && (at+len(lower) == len(text) || !isWordRune(after)) {
			return false
		}
		i = at + len(lower)
	}
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// MergePeople adds to the people known from the source those a summarizer
// found, keeping only names the video's title, channel, description or
// transcript hold verbatim (a model must not invent anyone), with a role
// of host, guest or speaker.
func MergePeople(src *recap.Source, known, found []recap.Person) []recap.Person {
	out := append([]recap.Person(nil), known...)
	var text string
	for _, p := range found {
		name := textclean.Line(p.Name)
		if name == "" || utf8.RuneCountInString(name) > maxPersonName || len(out) >= maxPeople {
			continue
		}
		if text == "" {
			v := src.Video
			text = v.Title + "\n" + v.Channel + "\n" + v.Description + "\n" + src.Transcript.Text()
		}
		if !strings.Contains(text, name) {
			continue
		}
		dup := false
		for _, q := range out {
			dup = dup || strings.EqualFold(q.Name, name)
		}
		if !dup {
			out = append(out, recap.Person{Name: name, Role: normalRole(p.Role)})
		}
	}
	return out
}

func normalRole(r string) string {
	switch strings.ToLower(strings.TrimSpace(r)) {
	case recap.RoleHost, "co-host", "cohost", "interviewer", "presenter":
		return recap.RoleHost
	case recap.RoleGuest, "interviewee":
		return recap.RoleGuest
	}
	return recap.RoleSpeaker
}
