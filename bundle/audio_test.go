package bundle

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/recap-dev/recap"
)

func TestAudio(t *testing.T) {
	mp3, err := os.ReadFile("../audio/testdata/low.mp3")
	if err != nil {
		t.Fatal(err)
	}
	write := func(t *testing.T, dir, name string, data []byte) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const stem = "Coffee talk [abcdefghijk]"
	t.Run("named path", func(t *testing.T) {
		dir := t.TempDir()
		want := write(t, dir, "elsewhere.mp3", mp3)
		write(t, dir, stem+".m4a", []byte("not this one"))
		write(t, dir, stem+".info.json", []byte(`{"id":"abcdefghijk","filepath":`+quote(want)+`}`))
		if got, err := Audio(dir); err != nil || got != want {
			t.Errorf("Audio = %q, %v; want %q", got, err, want)
		}
	})
	t.Run("stale path, moved folder", func(t *testing.T) {
		dir := t.TempDir()
		want := write(t, dir, stem+".mp3", mp3)
		info := write(t, dir, stem+".info.json", []byte(`{"id":"abcdefghijk","requested_downloads":[{"filepath":"/home/someone/old/`+stem+`.mp3"}],"filepath":"/home/someone/old/`+stem+`.webm"}`))
		if got, err := Audio(info); err != nil || got != want {
			t.Errorf("Audio = %q, %v; want %q", got, err, want)
		}
	})
	t.Run("stale extension after -x", func(t *testing.T) {
		dir := t.TempDir()
		want := write(t, dir, "renamed.mp3", mp3)
		write(t, dir, "x.info.json", []byte(`{"id":"abcdefghijk","_filename":"/gone/renamed.webm"}`))
		if got, err := Audio(dir); err != nil || got != want {
			t.Errorf("Audio = %q, %v; want %q", got, err, want)
		}
	})
	t.Run("named like the info.json", func(t *testing.T) {
		dir := t.TempDir()
		write(t, dir, stem+".opus", []byte("<html>an error page, not audio</html>"))
		want := write(t, dir, stem+".webm", []byte("\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm"))
		write(t, dir, stem+".info.json", []byte(`{"id":"abcdefghijk"}`))
		if got, err := Audio(dir); err != nil || got != want {
			t.Errorf("Audio = %q, %v; want %q", got, err, want)
		}
	})
	t.Run("no audio", func(t *testing.T) {
		dir := t.TempDir()
		write(t, dir, stem+".en.vtt", []byte("WEBVTT\n"))
		write(t, dir, stem+".info.json", []byte(`{"id":"abcdefghijk"}`))
		_, err := Audio(dir)
		if recap.ErrorCode(err) != recap.EINVALID || !strings.Contains(err.Error(), "yt-dlp -x") {
			t.Errorf("err = %v, want EINVALID with the yt-dlp hint", err)
		}
	})
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
