// Package progress shows how a batch is going: on a terminal, one bar
// redrawn in place (done, failed and skipped of the total, ETA, tokens and
// cost so far), fitted to the terminal's width, with messages printed
// above it; elsewhere (a pipe, a log file), one plain line per finished
// item and per message.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/term"

	"github.com/recap-dev/recap/render"
	"github.com/recap-dev/recap/textclean"
)

// Status is a batch's progress at one moment.
type Status struct {
	// Phase, while set, is shown instead of the counts ("listing the
	// sources").
	Phase string
	Total int
	// Done, Failed and Skipped are finished items (canceled ones count as
	// skipped); Running are being summarized.
	Done, Failed, Skipped, Running int
	// Tokens and CostUSD are what the done items took; CostUSD is nil
	// when unknown.
	Tokens  int
	CostUSD *float64
	// ETA is the time left, 0 when unknown (under a second is not shown).
	ETA time.Duration
}

// Finished is how many items are finished.
func (s Status) Finished() int { return s.Done + s.Failed + s.Skipped }

// Item is a finished item.
type Item struct {
	// N is how many items are finished with this one, of Total.
	N, Total int
	ID       string
	Title    string
	Status   string // done, failed, skipped or canceled
	Reason   string // why it failed or was skipped
	File     string // its file in the output folder, if any
}

// Reporter shows progress. It is an io.Writer too: logs written to it
// come out as lines that do not break the bar.
type Reporter interface {
	io.Writer
	// Update shows the status (a bar redraws at most every
	// MinRedraw, and only when its line changes).
	Update(Status)
	// Item reports a finished item.
	Item(Item)
	// Printf prints a message line.
	Printf(format string, args ...any)
	// Close takes the bar off the screen.
	Close()
}

// New returns a bar when w is a terminal, else plain lines.
func New(w io.Writer) Reporter {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return NewBar(w, func() int {
			if width, _, err := term.GetSize(int(f.Fd())); err == nil {
				return width
			}
			return 80
		})
	}
	return NewLines(w)
}

// Lines reports one line per finished item and per message.
type Lines struct {
	mu    sync.Mutex
	w     io.Writer
	phase string
}

// NewLines reports to w.
func NewLines(w io.Writer) *Lines { return &Lines{w: w} }

func (l *Lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Update prints the phase when it changes; counts show in the item lines.
func (l *Lines) Update(s Status) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s.Phase != l.phase && s.Phase != "" {
		fmt.Fprintf(l.w, "recap: %s\n", s.Phase)
	}
	l.phase = s.Phase
}

func (l *Lines) Item(it Item) {
	l.mu.Lock()
	defer l.mu.Unlock()
	io.WriteString(l.w, ItemLine(it)+"\n")
}

func (l *Lines) Printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "recap: "+format+"\n", args...)
}

func (l *Lines) Close() {}

// ItemLine is the line of a finished item:
// `recap: 12/150 done aaaaaaaaaaa "Title" → file` or
// `recap: 13/150 failed bbbbbbbbbbb "Title": reason`.
func ItemLine(it Item) string {
	s := fmt.Sprintf("recap: %d/%d %s %s", it.N, it.Total, it.Status, it.ID)
	if t := textclean.Line(it.Title); t != "" {
		s += fmt.Sprintf(" %q", t)
	}
	if it.Reason != "" {
		s += ": " + textclean.Line(it.Reason)
	}
	if it.File != "" {
		s += " → " + it.File
	}
	return s
}

// MinRedraw is the shortest time between two draws of the bar.
const MinRedraw = 100 * time.Millisecond

// Bar is a progress bar redrawn in place on a terminal.
type Bar struct {
	mu     sync.Mutex
	w      io.Writer
	width  func() int
	status Status
	drawn  string // the line on screen, "" when none
	last   time.Time
	closed bool
}

// NewBar draws on w, which is width() columns wide.
func NewBar(w io.Writer, width func() int) *Bar { return &Bar{w: w, width: width} }

// Update redraws the bar when its line changed and MinRedraw has passed.
func (b *Bar) Update(s Status) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.status = s
	if time.Since(b.last) < MinRedraw {
		return
	}
	b.draw("")
}

// draw writes above (lines to print over the bar) and the bar, in one
// write: the screen never shows a cleared line alone.
func (b *Bar) draw(above string) {
	if b.closed {
		if above != "" {
			io.WriteString(b.w, above)
		}
		return
	}
	line := Render(b.status, b.width()-1) // the last column would wrap
	if above == "" && line == b.drawn {
		return
	}
	var out strings.Builder
	out.WriteString("\r")
	if above != "" {
		out.WriteString("\x1b[K")
		out.WriteString(above)
	}
	out.WriteString(line)
	out.WriteString("\x1b[K")
	io.WriteString(b.w, out.String())
	b.drawn, b.last = line, time.Now()
}

// Write prints log lines above the bar.
func (b *Bar) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := string(p)
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	b.draw(s)
	return len(p), nil
}

// Item prints failed and skipped items above the bar; done ones only move
// it.
func (b *Bar) Item(it Item) {
	if it.Status == "done" {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.draw(ItemLine(it) + "\n")
}

func (b *Bar) Printf(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.draw(fmt.Sprintf("recap: "+format+"\n", args...))
}

// Close clears the bar's line.
func (b *Bar) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed && b.drawn != "" {
		io.WriteString(b.w, "\r\x1b[K")
	}
	b.closed = true
}

// Render is the bar's line for s, at most width columns:
//
//	[#######-------------] 12/150 · 1 failed · 2 skipped · ETA 4m10s · 12.3k tokens · $0.0123
//
// Parts that do not fit are left out, least useful first (tokens, cost,
// skipped, ETA, failed), then the bar narrows down to 10 columns; below
// that only the count shows.
func Render(s Status, width int) string {
	if s.Phase != "" {
		return cut(s.Phase+"…", width)
	}
	count := fmt.Sprintf("%d/%d", s.Finished(), s.Total)
	type part struct {
		text string
		drop int // order in which parts go: 1 first
	}
	var parts []part
	if s.Running > 0 {
		parts = append(parts, part{fmt.Sprintf("%d running", s.Running), 4})
	}
	if s.Failed > 0 {
		parts = append(parts, part{fmt.Sprintf("%d failed", s.Failed), 6})
	}
	if s.Skipped > 0 {
		parts = append(parts, part{fmt.Sprintf("%d skipped", s.Skipped), 3})
	}
	if s.ETA >= time.Second {
		parts = append(parts, part{"ETA " + Duration(s.ETA), 5})
	}
	if s.Tokens > 0 {
		parts = append(parts, part{Count(s.Tokens) + " tokens", 1})
	}
	if s.CostUSD != nil {
		parts = append(parts, part{render.USD(s.CostUSD), 2})
	}
	const minBar = 10
	text := func() string {
		t := count
		for _, p := range parts {
			t += " · " + p.text
		}
		return t
	}
	for drop := 1; utf8.RuneCountInString(text())+minBar+3 > width && drop <= 6; drop++ {
		kept := parts[:0]
		for _, p := range parts {
			if p.drop != drop {
				kept = append(kept, p)
			}
		}
		parts = kept
	}
	t := text()
	barWidth := width - utf8.RuneCountInString(t) - 3 // "[" + "]" + " "
	if barWidth < minBar {
		return cut(t, width)
	}
	barWidth = min(barWidth, 40)
	fill := 0
	if s.Total > 0 {
		fill = barWidth * s.Finished() / s.Total
	}
	return "[" + strings.Repeat("#", fill) + strings.Repeat("-", barWidth-fill) + "] " + t
}

// cut shortens s to width columns (runes).
func cut(s string, width int) string {
	r := []rune(s)
	if width < 1 {
		return ""
	}
	if len(r) > width {
		return string(r[:width])
	}
	return s
}

// Duration writes d to the second, in at most two units: 45s, 4m10s,
// 2h05m.
func Duration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// Count writes n shortly: 950, 12.3k, 4.5M.
func Count(n int) string {
	switch {
	case n < 1000:
		return fmt.Sprint(n)
	case n < 1_000_000:
		return fmt.Sprintf("%.1fk", float64(n)/1000)
	}
	return fmt.Sprintf("%.1fM", float64(n)/1_000_000)
}
