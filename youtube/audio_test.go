package youtube_test

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/audio"
	"github.com/recap-dev/recap/youtube/youtubetest"
)

func audioVideo(id string, formats ...youtubetest.AudioFormat) youtubetest.Video {
	return youtubetest.Video{ID: id, Title: "No captions", Channel: "Quiet", Duration: 34 * time.Second, Audio: formats}
}

func TestDownloadAudioTakesTheSmallestStream(t *testing.T) {
	fake, c := setup(t)
	m4a, err := os.ReadFile("../audio/testdata/speech.m4a")
	if err != nil {
		t.Fatal(err)
	}
	webm := append([]byte("\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm"), bytes.Repeat([]byte{7}, 4000)...)
	fake.AddVideo(audioVideo("nocaptions1",
		youtubetest.AudioFormat{Itag: 140, MimeType: `audio/mp4; codecs="mp4a.40.2"`, Bitrate: 130000, Data: bytes.Repeat([]byte{1}, 9000)},
		youtubetest.AudioFormat{Itag: 139, MimeType: `audio/mp4; codecs="mp4a.40.5"`, Bitrate: 49000, Data: m4a},
		youtubetest.AudioFormat{Itag: 251, MimeType: `audio/webm; codecs="opus"`, Bitrate: 135000, Data: webm},
		youtubetest.AudioFormat{Itag: 600, MimeType: `audio/webm; codecs="opus"`, Bitrate: 35000, Data: webm, Cipher: true},
	))
	dir := t.TempDir()
	d, err := c.DownloadAudio(t.Context(), "nocaptions1", audio.DownloadOptions{TempDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(d.Path)
	if !bytes.Equal(got, m4a) {
		t.Errorf("downloaded %d bytes, want itag 139's %d (the smallest with a plain URL)", len(got), len(m4a))
	}
	if f, _ := audio.DetectFile(d.Path); f != audio.M4A {
		t.Errorf("downloaded format %q", f)
	}
	d.Close()
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("left %v", left)
	}
	if n := fake.Requests(youtubetest.PathVideoPlayback); n != 1 {
		t.Errorf("%d stream requests, want 1", n)
	}
}

func TestDownloadAudioRefused(t *testing.T) {
	fake, c := setup(t)
	fake.AddVideo(audioVideo("needspotokn", youtubetest.AudioFormat{Itag: 139, MimeType: `audio/mp4; codecs="mp4a.40.5"`, Bitrate: 49000, Data: []byte("x"), Status: 403}))
	fake.AddVideo(audioVideo("noaudiohere"))
	for _, id := range []string{"needspotokn", "noaudiohere"} {
		dir := t.TempDir()
		_, err := c.DownloadAudio(t.Context(), id, audio.DownloadOptions{TempDir: dir})
		if recap.ErrorCode(err) != recap.EUNAVAILABLE || !recap.Permanent(err) {
			t.Fatalf("%s: err = %v, want a permanent EUNAVAILABLE", id, err)
		}
		for _, want := range []string{"refused the audio stream of video " + id, "yt-dlp -x --write-info-json https://www.youtube.com/watch?v=" + id} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %q does not say %q", id, err, want)
			}
		}
		if left, _ := os.ReadDir(dir); len(left) != 0 {
			t.Errorf("left %v", left)
		}
	}
	if !strings.Contains(func() string {
		_, err := c.DownloadAudio(t.Context(), "needspotokn", audio.DownloadOptions{})
		return err.Error()
	}(), "403") {
		t.Error("the refusal does not give YouTube's status")
	}
	// The video's own errors come first.
	fake.AddVideo(youtubetest.Video{ID: "privatevid1", Private: true})
	if _, err := c.DownloadAudio(t.Context(), "privatevid1", audio.DownloadOptions{}); recap.ErrorCode(err) != recap.EPRIVATE {
		t.Errorf("private video: %v", err)
	}
}
