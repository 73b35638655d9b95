package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/api"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/render"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/textclean"
)

const searchUsage = `recap search [--limit N] [--video ID] [--channel NAME] [--language L] [--cursor C] [--format text|json] "words"`

func (m *Main) runSearch(ctx context.Context, args []string) error {
	fs := m.newFlagSet("search", searchUsage)
	limit := fs.Int("limit", 10, "results to show, 1 to 100")
	videoID := fs.String("video", "", "only this video (id or URL)")
	channel := fs.String("channel", "", "only videos of this channel (its exact name)")
	language := fs.String("language", "", "only transcripts in this language")
	cursor := fs.String("cursor", "", "the next page: the cursor a previous search printed")
	format := fs.String("format", "text", "output format: text or json")
	flags, pos := splitSearchArgs(fs, args)
	if _, err := parseFlags(fs, flags); err != nil {
		return err
	}
	if len(pos) == 0 {
		fs.Usage()
		return usagef("search needs the words to look for, e.g. recap search \"exact phrase\" -excluded")
	}
	if *format != "text" && *format != "json" {
		return usagef("unknown format %q: want text or json", *format)
	}
	f := storage.SearchFilter{
		Q: strings.Join(pos, " "), Channel: *channel, Language: *language, Limit: *limit, Cursor: *cursor,
	}
	if *videoID != "" {
		var err error
		if f.VideoID, err = parseVideoID(*videoID); err != nil {
			return err
		}
	}
	// Bad queries fail before the database is opened.
	if _, err := storage.CheckSearch(f); err != nil {
		return err
	}
	cfg, err := ConfigFromEnv(m.Getenv)
	if err != nil {
		return err
	}
	store, err := cfg.openStore(ctx, readWrite)
	if err != nil {
		return err
	}
	defer store.Close()
	page, err := store.Search(ctx, f)
	if err != nil {
		return err
	}
	if *format == "json" {
		enc := json.NewEncoder(m.Stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(api.NewSearchPageView(page))
	}
	if len(page.Results) == 0 {
		fmt.Fprintf(m.Stderr, "recap: nothing found for %s (searched %s)\n", f.Q, redactURL(cfg.DatabaseURL))
		return nil
	}
	writeSearchPage(m.Stdout, page, m.isTerminal() && m.Getenv("NO_COLOR") == "")
	return nil
}

// splitSearchArgs sets the words of the query apart from the flags
// before they are parsed: "-word" excludes a word, and is a flag only when
// search has a flag of that name.
func splitSearchArgs(fs *flag.FlagSet, args []string) (flags, words []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		switch {
		case a == "--":
			return flags, append(words, args[i+1:]...)
		case strings.HasPrefix(a, "-") && (name == "h" || name == "help"):
			flags = append(flags, a)
		case strings.HasPrefix(a, "-") && fs.Lookup(name) != nil:
			flags = append(flags, a)
			if !hasValue && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
		default:
			words = append(words, a)
		}
	}
	return flags, words
}

// parseVideoID accepts the forms `recap get` does.
func parseVideoID(s string) (string, error) {
	id, err := pipeline.ParseItemID(s)
	if err != nil {
		return "", recap.Errorf(recap.EINVALID, "--video %q is not a YouTube video id or URL nor a podcast episode id", s)
	}
	return id, nil
}

// isTerminal reports whether stdout is a terminal, where highlights are
// bold; elsewhere they are **marked**.
func (m *Main) isTerminal() bool {
	f, ok := m.Stdout.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// writeSearchPage prints each result as its time and video, its link, and
// its snippet with the matches highlighted. Every field is stripped of
// control characters: a title must not drive the terminal.
func writeSearchPage(w io.Writer, page storage.SearchPage, bold bool) {
	open, closing := "**", "**"
	if bold {
		open, closing = "\x1b[1m", "\x1b[0m"
	}
	for i, r := range page.Results {
		if i > 0 {
			fmt.Fprintln(w)
		}
		head := []string{}
		for _, s := range []string{r.Title, r.Channel, r.ChapterTitle} {
			if s = textclean.Line(s); s != "" {
				head = append(head, s)
			}
		}
		if len(head) == 0 {
			head = append(head, r.VideoID)
		}
		if r.Kind != storage.KindPassage {
			head = append(head, "("+r.Kind+")")
		}
		sec := int64(r.Start.Seconds())
		fmt.Fprintf(w, "%s  %s\n", render.Timestamp(sec), strings.Join(head, " · "))
		fmt.Fprintf(w, "  %s\n", recap.TimeURL(r.VideoID, r.Start))
		var b strings.Builder
		for _, p := range r.Snippet.Parts() {
			if p.Match {
				b.WriteString(open + textclean.Span(p.Text) + closing)
			} else {
				b.WriteString(textclean.Span(p.Text))
			}
		}
		fmt.Fprintf(w, "  %s\n", b.String())
	}
	if page.NextCursor != "" {
		fmt.Fprintf(w, "\nMore: --cursor %s\n", page.NextCursor)
	}
}
