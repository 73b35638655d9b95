package youtube

import "testing"

func TestWatchDate(t *testing.T) {
	for page, want := range map[string]string{
		`..."microformat":{"playerMicroformatRenderer":{"publishDate":"2018-08-02T06:00:08-07:00","uploadDate":"x"}}`: "2018-08-02",
		`<meta itemprop="datePublished" content="2019-01-31T10:00:00-08:00">`:                                         "2019-01-31",
		`"publishDate":"2020-05-05"`:        "2020-05-05",
		`no date here "publishDate":"soon"`: "",
	} {
		m := watchDate.FindStringSubmatch(page)
		got := ""
		if m != nil {
			got = m[1] + m[2]
		}
		if got != want {
			t.Errorf("%q: got %q, want %q", page, got, want)
		}
	}
}
