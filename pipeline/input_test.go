package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/recap-dev/recap"
)

func TestParseVideoID(t *testing.T) {
	const id = "dQw4w9WgXcQ"
	accepted := []string{
		id,
		"  " + id + "\n",
		"https://www.youtube.com/watch?v=" + id,
		"https://www.youtube.com/watch?v=" + id + "&t=1m2s",
		"https://www.youtube.com/watch?v=" + id + "&list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG&index=3",
		"https://www.youtube.com/watch?feature=share&v=" + id,
		"https://www.youtube.com/watch?list=PL123&v=" + id + "&si=AbCdEf",
		"https://www.youtube.com/watch/?v=" + id,
		"https://www.youtube.com/watch?v=" + id + "#t=30",
		"http://www.youtube.com/watch?v=" + id,
		"https://youtube.com/watch?v=" + id,
		"https://m.youtube.com/watch?v=" + id + "&app=desktop",
		"https://music.youtube.com/watch?v=" + id + "&feature=share",
		"youtube.com/watch?v=" + id,
		"www.youtube.com/watch?v=" + id,
		"//www.youtube.com/watch?v=" + id,
		"HTTPS://WWW.YOUTUBE.COM/watch?v=" + id,
		"https://youtu.be/" + id,
		"https://youtu.be/" + id + "?t=42",
		"https://youtu.be/" + id + "?t=42&si=xyz123",
		"https://youtu.be/" + id + "/",
		"youtu.be/" + id,
		"https://www.youtube.com/shorts/" + id,
		"https://youtube.com/shorts/" + id + "?feature=share",
		"https://www.youtube.com/embed/" + id,
		"https://www.youtube.com/embed/" + id + "?start=10&autoplay=1",
		"https://www.youtube.com/live/" + id,
		"https://www.youtube.com/live/" + id + "?si=abc",
		"https://www.youtube.com/v/" + id,
		"https://www.youtube.com/e/" + id,
		"https://www.youtube-nocookie.com/embed/" + id,
		"https://youtube-nocookie.com/embed/" + id + "?rel=0",
		"https://www.youtube.com/shorts/" + id + "/",
		"https://www.youtube.com:443/watch?v=" + id,
	}
	for _, s := range accepted {
		got, err := ParseVideoID(s)
		if err != nil {
			t.Errorf("ParseVideoID(%q): %v", s, err)
			continue
		}
		if got != id {
			t.Errorf("ParseVideoID(%q) = %q, want %q", s, got, id)
		}
	}
	// Ids with - and _ at either end are ids too.
	for _, other := range []string{"-abc_DEF123", "_________-_", "A1b2C3d4E5f"} {
		if got, err := ParseVideoID("https://youtu.be/" + other); err != nil || got != other {
			t.Errorf("ParseVideoID(youtu.be/%s) = %q, %v", other, got, err)
		}
	}
}

func TestParseVideoIDRejects(t *testing.T) {
	tests := []struct {
		in   string
		want string // substring of the message
	}{
		{"https://vimeo.com/123", `"https://vimeo.com/123" is not a YouTube video URL: expected a youtube.com or youtu.be video link or an 11-character video id`},
		{"https://www.youtube.com.evil.example/watch?v=dQw4w9WgXcQ", "is not a YouTube video URL"},
		{"https://evil.example/?u=youtube.com/watch?v=dQw4w9WgXcQ", "is not a YouTube video URL"},
		{"https://www.youtube.com/playlist?list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG", "is a playlist, not a video"},
		{"https://www.youtube.com/@crashcourse", "is a channel, not a video"},
		{"https://www.youtube.com/@crashcourse/videos", "is a channel, not a video"},
		{"https://www.youtube.com/channel/UCX6b17PVsYBQ0ip5gyeme-Q", "is a channel, not a video"},
		{"https://www.youtube.com/c/crashcourse", "is a channel, not a video"},
		{"https://www.youtube.com/user/crashcourse", "is a channel, not a video"},
		{"https://www.youtube.com/watch?list=PL123", "needs a v=<video id> parameter"},
		{"https://www.youtube.com/watch?v=", "needs a v=<video id> parameter"},
		{"https://www.youtube.com/watch?v=short", `"short" is not 11 characters`},
		{"https://www.youtube.com/watch?v=dQw4w9WgXcQQ", `"dQw4w9WgXcQQ" is not 11 characters`},
		{"https://www.youtube.com/watch?v=dQw4w9WgX%21Q", `"dQw4w9WgX!Q" is not 11 characters`},
		{"https://youtu.be/", "a youtu.be link must be youtu.be/<video id>"},
		{"https://youtu.be/abc", `"abc" is not 11 characters`},
		{"https://www.youtube.com/shorts/", "expected /shorts/<video id>"},
		{"https://www.youtube.com/embed", "expected /embed/<video id>"},
		{"https://www.youtube-nocookie.com/watch?v=dQw4w9WgXcQ", "expected youtube-nocookie.com/embed/<video id>"},
		{"https://www.youtube.com/", "names no video"},
		{"https://www.youtube.com/feed/subscriptions", "path /feed/subscriptions names no video"},
		{"ftp://youtube.com/watch?v=dQw4w9WgXcQ", `scheme "ftp" is not http or https`},
		{"javascript:alert(1)", "is not a YouTube video URL"},
		{"dQw4w9WgXc", "is not a YouTube video id: an id is 11 characters of letters, digits, '-' and '_' (got 10 characters)"},
		{"dQw4w9WgXcQQ", "(got 12 characters)"},
		{"dQw4w9Wg!cQ", "is not a YouTube video id"},
		{"hello world", `"hello world" is not a YouTube video id: an id holds only letters, digits, '-' and '_'`},
		{"héllo", "(got 5 characters)"},
		{"https://www.youtube.com/embed/videoseries?list=PL123", "is an embedded playlist, not a video"},
		{"https://www.youtube.com/live_stream?channel=UC123", "path /live_stream names no video"},
		{"", "no video given"},
		{"   ", "no video given"},
		{"https://youtube.com:notaport/watch", "is not a YouTube video URL"},
	}
	for _, tt := range tests {
		got, err := ParseVideoID(tt.in)
		if err == nil {
			t.Errorf("ParseVideoID(%q) = %q, want an error", tt.in, got)
			continue
		}
		if code := recap.ErrorCode(err); code != recap.EINVALID {
			t.Errorf("ParseVideoID(%q): code %q, want %q", tt.in, code, recap.EINVALID)
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseVideoID(%q):\n error %q\n want it to contain %q", tt.in, err, tt.want)
		}
	}
}

// TestParseInput: a path that exists is a local download, whatever it
// holds (the bundle loader judges it); anything else must name a video.
func TestParseInput(t *testing.T) {
	dir := t.TempDir()
	info := filepath.Join(dir, "Talk [dQw4w9WgXcQ].info.json")
	if err := os.WriteFile(info, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A folder named like a video id is a folder.
	idDir := filepath.Join(dir, "dQw4w9WgXcQ")
	if err := os.Mkdir(idDir, 0o755); err != nil {
		t.Fatal(err)
	}

	ok := []struct {
		in   string
		want Input
	}{
		{info, FileInput(info)},
		{dir, FileInput(dir)},
		{idDir, FileInput(idDir)},
		{"https://youtu.be/dQw4w9WgXcQ?t=3", YouTubeInput("dQw4w9WgXcQ")},
		{"dQw4w9WgXcQ", YouTubeInput("dQw4w9WgXcQ")},
		{"youtube.com/watch?v=dQw4w9WgXcQ", YouTubeInput("dQw4w9WgXcQ")},
	}
	for _, tt := range ok {
		got, err := ParseInput(tt.in)
		if err != nil {
			t.Errorf("ParseInput(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseInput(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}

	bad := []struct {
		in   string
		want string
	}{
		{filepath.Join(dir, "missing", "Talk.info.json"), "no such file or folder"},
		{filepath.Join(dir, "missing"), "no such file or folder"},
		{"downloads/talk", "no such file or folder"},
		{"talk.info.json", "no such file or folder"},
		{"./talk", "no such file or folder"},
		{"https://vimeo.com/123", "is not a YouTube video URL"},
		{"vimeo.com/123", "is not a YouTube video URL"},
		{"https://www.youtube.com/playlist?list=PL1", "is a playlist"},
		{"", "nothing to summarize"},
	}
	for _, tt := range bad {
		got, err := ParseInput(tt.in)
		if err == nil {
			t.Errorf("ParseInput(%q) = %+v, want an error", tt.in, got)
			continue
		}
		if code := recap.ErrorCode(err); code != recap.EINVALID {
			t.Errorf("ParseInput(%q): code %q, want %q", tt.in, code, recap.EINVALID)
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseInput(%q):\n error %q\n want it to contain %q", tt.in, err, tt.want)
		}
	}
}

// FuzzParseVideoID also checks ParseYouTubeURL on every input
// (checkYouTubeLink).
func FuzzParseVideoID(f *testing.F) {
	for _, s := range []string{
		"dQw4w9WgXcQ",
		"https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1m2s",
		"youtu.be/dQw4w9WgXcQ?si=x",
		"https://www.youtube.com/shorts/dQw4w9WgXcQ/",
		"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
		"https://www.youtube.com/playlist?list=PL1",
		"https://www.youtube.com/@name",
		"//youtube.com/watch?v=%zz",
		"http://[::1]:80/watch?v=dQw4w9WgXcQ",
		"\xff\xfe",
		"https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG",
		"youtu.be/dQw4w9WgXcQ?list=RDdQw4w9WgXcQ",
		"https://www.youtube.com/embed/videoseries?list=PL1",
		"https://m.youtube.com/@name/streams",
		"https://www.youtube.com/channel/UCX6b17PVsYBQ0ip5gyeme-Q/videos",
		"youtube.com/c/some.name/podcasts",
		"@handle",
		"UCX6b17PVsYBQ0ip5gyeme-Q",
		"PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkYouTubeLink(t, s)
		id, err := ParseVideoID(s)
		if err != nil {
			if recap.ErrorCode(err) != recap.EINVALID {
				t.Fatalf("ParseVideoID(%q): code %q, want %q", s, recap.ErrorCode(err), recap.EINVALID)
			}
			if id != "" {
				t.Fatalf("ParseVideoID(%q) = %q with an error", s, id)
			}
		} else if !recap.ValidVideoID(id) {
			t.Fatalf("ParseVideoID(%q) = %q, not 11 characters of the id alphabet", s, id)
		}
		// Round trip: any valid id survives every URL form.
		cand := strings.TrimSpace(s)
		if !recap.ValidVideoID(cand) {
			if err != nil {
				return
			}
			cand = id
		}
		for _, u := range []string{
			cand,
			"https://youtu.be/" + cand,
			"https://www.youtube.com/watch?v=" + cand,
			"youtube.com/watch?feature=share&v=" + cand + "&t=5",
			"https://www.youtube.com/shorts/" + cand,
		} {
			got, err := ParseVideoID(u)
			if err != nil || got != cand {
				t.Fatalf("ParseVideoID(%q) = %q, %v; want %q", u, got, err, cand)
			}
		}
	})
}
