package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func cost(c float64) *float64 { return &c }

func TestRenderFitsTheWidth(t *testing.T) {
	s := Status{Total: 150, Done: 9, Failed: 1, Skipped: 2, Running: 4, ETA: 250 * time.Second, Tokens: 12345, CostUSD: cost(0.0123)}
	full := Render(s, 200)
	want := "] 12/150 · 4 running · 1 failed · 2 skipped · ETA 4m10s · 12.3k tokens · $0.0123"
	if !strings.HasPrefix(full, "[") || !strings.HasSuffix(full, want) {
		t.Fatalf("Render(200) = %q, want the bar then %q", full, want)
	}
	// 12 of 150 finished: 3 of the 40 columns filled.
	if bar := full[1:strings.IndexByte(full, ']')]; bar != strings.Repeat("#", 3)+strings.Repeat("-", 37) {
		t.Errorf("bar = %q", bar)
	}
	for width := 120; width >= 0; width-- {
		got := Render(s, width)
		if n := utf8.RuneCountInString(got); n > width {
			t.Fatalf("Render(%d) is %d columns: %q", width, n, got)
		}
		if width >= 30 && !strings.Contains(got, "12/150") {
			t.Fatalf("Render(%d) lost the count: %q", width, got)
		}
		if width >= 60 && !strings.Contains(got, "1 failed") {
			t.Errorf("Render(%d) dropped the failures before the tokens: %q", width, got)
		}
	}
	if got := Render(s, 40); !strings.HasPrefix(got, "[") || strings.Contains(got, "tokens") {
		t.Errorf("Render(40) = %q: want a bar, without tokens", got)
	}
	if got := Render(Status{Phase: "listing the sources"}, 12); got != "listing the " {
		t.Errorf("phase = %q", got)
	}
	if got := Render(Status{Total: 3, Done: 3}, 40); got != "["+strings.Repeat("#", 34)+"] 3/3" {
		t.Errorf("a finished batch = %q", got)
	}
}

func TestBarRedrawsInPlace(t *testing.T) {
	var out bytes.Buffer
	width := 60
	b := NewBar(&out, func() int { return width })
	b.Update(Status{Total: 10, Done: 1})
	first := out.String()
	if !strings.HasPrefix(first, "\r[") || !strings.HasSuffix(first, "1/10\x1b[K") || strings.Contains(first, "\n") {
		t.Fatalf("first draw = %q", first)
	}
	// The same line is not drawn again, however often Update comes.
	time.Sleep(MinRedraw)
	b.Update(Status{Total: 10, Done: 1})
	if out.String() != first {
		t.Fatalf("an unchanged line was redrawn: %q", out.String()[len(first):])
	}
	// Within MinRedraw of a draw, a change waits for the next Update.
	b.Update(Status{Total: 10, Done: 2})
	time.Sleep(MinRedraw)
	b.Update(Status{Total: 10, Done: 2})
	if !strings.HasSuffix(out.String(), "2/10\x1b[K") {
		t.Fatalf("no redraw for a change: %q", out.String())
	}
	// A message goes above the bar, in the same write as the redraw.
	out.Reset()
	b.Item(Item{N: 3, Total: 10, ID: "bbbbbbbbbbb", Title: "Gone", Status: "skipped", Reason: "deleted video"})
	want := "\r\x1b[Krecap: 3/10 skipped bbbbbbbbbbb \"Gone\": deleted video\n["
	if !strings.HasPrefix(out.String(), want) {
		t.Fatalf("item above the bar = %q, want prefix %q", out.String(), want)
	}
	out.Reset()
	b.Item(Item{N: 4, Total: 10, ID: "ccccccccccc", Status: "done"})
	if out.Len() != 0 {
		t.Fatalf("a done item printed a line on the bar: %q", out.String())
	}
	fmtLog := "level=WARN msg=slow\n"
	b.Write([]byte(fmtLog))
	if !strings.Contains(out.String(), "\x1b[K"+fmtLog+"[") {
		t.Fatalf("log line = %q", out.String())
	}
	// A narrower terminal: the bar follows.
	width = 30
	time.Sleep(MinRedraw)
	out.Reset()
	b.Update(Status{Total: 10, Done: 5, Tokens: 99999})
	line := strings.TrimSuffix(strings.TrimPrefix(out.String(), "\r"), "\x1b[K")
	if utf8.RuneCountInString(line) > 29 || !strings.Contains(line, "5/10") {
		t.Fatalf("narrow bar = %q", line)
	}
	out.Reset()
	b.Close()
	if out.String() != "\r\x1b[K" {
		t.Fatalf("close = %q", out.String())
	}
	b.Printf("after %d", 1)
	if !strings.HasSuffix(out.String(), "recap: after 1\n") || strings.Contains(out.String(), "[#") {
		t.Fatalf("after close = %q", out.String())
	}
}

func TestLines(t *testing.T) {
	var out bytes.Buffer
	l := NewLines(&out)
	l.Update(Status{Phase: "listing the sources"})
	l.Update(Status{Phase: "listing the sources"})
	l.Update(Status{Total: 3, Done: 1})
	l.Item(Item{N: 1, Total: 3, ID: "aaaaaaaaaaa", Title: "Crabs\nand more", Status: "done", File: "x.md"})
	l.Item(Item{N: 2, Total: 3, ID: "bbbbbbbbbbb", Status: "failed", Reason: "no_captions: no captions"})
	l.Printf("stopping")
	want := "recap: listing the sources\n" +
		"recap: 1/3 done aaaaaaaaaaa \"Crabs and more\" → x.md\n" +
		"recap: 2/3 failed bbbbbbbbbbb: no_captions: no captions\n" +
		"recap: stopping\n"
	if out.String() != want {
		t.Fatalf("lines =\n%s\nwant\n%s", out.String(), want)
	}
}

func TestFormats(t *testing.T) {
	for d, want := range map[time.Duration]string{45 * time.Second: "45s", 250 * time.Second: "4m10s", 7500 * time.Second: "2h05m", 1499 * time.Millisecond: "1s"} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%v) = %q, want %q", d, got, want)
		}
	}
	for n, want := range map[int]string{950: "950", 12345: "12.3k", 4_500_000: "4.5M"} {
		if got := Count(n); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}
