package youtube

import (
	"encoding/json"
	"strings"
)

// playerAnswer is the part of a /youtubei/v1/player answer that kkdai
// does not hand back: the playability reason and the microformat dates.
type playerAnswer struct {
	PlayabilityStatus struct {
		Status      string `json:"status"`
		Reason      string `json:"reason"`
		ErrorScreen struct {
			PlayerErrorMessageRenderer struct {
				Subreason text `json:"subreason"`
			} `json:"playerErrorMessageRenderer"`
		} `json:"errorScreen"`
	} `json:"playabilityStatus"`
	Microformat struct {
		PlayerMicroformatRenderer struct {
			PublishDate string `json:"publishDate"`
			UploadDate  string `json:"uploadDate"`
		} `json:"playerMicroformatRenderer"`
	} `json:"microformat"`
}

// text is YouTube's formatted string: {"simpleText": …} or
// {"runs": [{"text": …}, …]}.
type text struct {
	SimpleText string `json:"simpleText"`
	Runs       []struct {
		Text string `json:"text"`
	} `json:"runs"`
}

func (t text) String() string {
	if t.SimpleText != "" {
		return t.SimpleText
	}
	var b strings.Builder
	for _, r := range t.Runs {
		b.WriteString(r.Text)
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// parsePlayer reads a player answer; ok is false when it is not one.
func parsePlayer(body []byte) (playerAnswer, bool) {
	var p playerAnswer
	if err := json.Unmarshal(body, &p); err != nil {
		return p, false
	}
	return p, p.PlayabilityStatus.Status != ""
}

// publishDate is the video's publish date as YYYY-MM-DD, or "". YouTube
// sends "2023-06-08" or, in 2025, "2023-06-08T05:00:14-07:00"; the date
// part is the day YouTube shows on the watch page.
func (p playerAnswer) publishDate() string {
	for _, s := range []string{p.Microformat.PlayerMicroformatRenderer.PublishDate, p.Microformat.PlayerMicroformatRenderer.UploadDate} {
		if isDate(s) {
			return s[:10]
		}
	}
	return ""
}

// isDate reports whether s starts with a YYYY-MM-DD date.
func isDate(s string) bool {
	if len(s) < 10 || (len(s) > 10 && s[10] != 'T' && s[10] != ' ') {
		return false
	}
	for i := range 10 {
		c := s[i]
		switch i {
		case 4, 7:
			if c != '-' {
				return false
			}
		default:
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}
