package source

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/bundle"
	"github.com/recap-dev/recap/feed"
	"github.com/recap-dev/recap/pipeline"
)

// maxLocalBytes caps a local source file (a list, a feed, a flat
// playlist of a large channel).
const maxLocalBytes = 64 << 20

// maxDepth bounds lists naming lists.
const maxDepth = 8

// tried is what an unrecognised source is compared with, for its error.
const tried = "expected a YouTube video, playlist or channel URL, a video id, an http(s) podcast feed URL, " +
	"or an existing file or folder (a feed, a list of sources, a yt-dlp --flat-playlist -J file, an .info.json, a folder of yt-dlp downloads), or - for stdin"

// Expand resolves one source.
func (r *Resolver) Expand(ctx context.Context, src string, opt Options) (*Expansion, error) {
	st := &state{}
	return r.expand(ctx, st, src, r.Dir, opt)
}

// ExpandAll resolves several sources into one expansion, in the order
// given; an item reached through two sources appears once, where it was
// first found.
func (r *Resolver) ExpandAll(ctx context.Context, srcs []string, opt Options) (*Expansion, error) {
	if len(srcs) == 1 {
		return r.Expand(ctx, srcs[0], opt)
	}
	if len(srcs) == 0 {
		return nil, recap.Errorf(recap.EINVALID, "no source given: %s", tried)
	}
	st := &state{}
	all := &Expansion{Source: strings.Join(srcs, " "), Kind: SourceMany}
	for _, s := range srcs {
		exp, err := r.expand(ctx, st, s, r.Dir, opt)
		if err != nil {
			return nil, err
		}
		all.Items = merge(all.Items, exp.Items)
	}
	return all, nil
}

// state is what one expansion remembers across nested sources.
type state struct {
	lists     []string // the list files being read, outermost first
	readStdin bool
}

func (r *Resolver) expand(ctx context.Context, st *state, src, dir string, opt Options) (*Expansion, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := strings.TrimSpace(src)
	if s == "" {
		return nil, recap.Errorf(recap.EINVALID, "empty source: %s", tried)
	}
	if s == "-" {
		return r.expandStdin(ctx, st, dir, opt)
	}
	// A file or folder of that name comes first: "downloads" or an
	// 11-character file name is what is on disk.
	path := s
	if strings.HasPrefix(path, "file://") {
		if u, err := url.Parse(path); err == nil {
			path = u.Path
		}
	}
	if !filepath.IsAbs(path) && dir != "" {
		path = filepath.Join(dir, path)
	}
	if !isHTTPURL(s) && r.Files != FilesNone {
		if err := r.allowed(s, path); err != nil {
			return nil, err
		}
		if fi, err := os.Stat(path); err == nil {
			if fi.IsDir() {
				return r.expandFolder(src, path, opt)
			}
			return r.expandFile(ctx, st, src, path, opt)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, recap.WrapError(recap.EINVALID, err, "cannot read %s: %v", s, err)
		}
	}
	kind, link, err := classify(s)
	switch {
	case err != nil:
		return nil, err
	case kind == SourceVideo, kind == SourcePlaylist, kind == SourceChannel:
		return r.expandYouTube(ctx, src, link, opt)
	case kind == SourceFeed:
		return r.expandFeedURL(ctx, src, s, opt)
	}
	if looksLikePath(s) && r.Files == FilesNone {
		return nil, recap.Errorf(recap.EINVALID, "%q looks like a local path, and local files are not read here: give a URL", s)
	}
	if looksLikePath(s) {
		return nil, recap.Errorf(recap.EINVALID, "no such file or folder %q: %s", s, tried)
	}
	return nil, recap.Errorf(recap.EINVALID, "%q is not a source recap knows: %s", s, tried)
}

// allowed checks that path, named as src, may be read: with FilesUnder,
// it must lie inside Root once symlinks are followed (a path that does not
// exist is judged by its parent folders).
func (r *Resolver) allowed(src, path string) error {
	if r.Files != FilesUnder {
		return nil
	}
	root, err := realPath(r.Root)
	if err != nil {
		return recap.WrapError(recap.EINVALID, err, "the folder local sources are read from (%s) cannot be read", r.Root)
	}
	p, err := realPath(path)
	if err != nil {
		return recap.WrapError(recap.EINVALID, err, "cannot read %s", src)
	}
	if rel, err := filepath.Rel(root, p); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return recap.Errorf(recap.EINVALID, "%s is outside the folder local sources are read from (%s)", src, r.Root)
	}
	return nil
}

// realPath is path made absolute with symlinks followed, for the part of
// it that exists.
func realPath(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	rest := ""
	for dir := abs; ; dir = filepath.Dir(dir) {
		if real, err := filepath.EvalSymlinks(dir); err == nil {
			return filepath.Join(real, rest), nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		if dir == filepath.Dir(dir) {
			return abs, nil
		}
		rest = filepath.Join(filepath.Base(dir), rest)
	}
}

func isHTTPURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// looksLikePath reports whether s was meant as a file name.
func looksLikePath(s string) bool {
	return strings.ContainsAny(s, `/\`) || strings.HasPrefix(s, ".") || strings.HasPrefix(s, "~") ||
		filepath.Ext(s) != "" && !strings.Contains(s, "://")
}

func (r *Resolver) expandYouTube(ctx context.Context, src string, link pipeline.YouTubeLink, opt Options) (*Expansion, error) {
	if link.Kind == pipeline.LinkVideo {
		return &Expansion{Source: src, Kind: SourceVideo, Items: []Item{{
			ID: link.VideoID, Kind: KindYouTube, VideoID: link.VideoID, From: src,
		}}}, nil
	}
	kind := string(link.Kind) // SourcePlaylist or SourceChannel
	if r.YouTube == nil {
		return nil, recap.Errorf(recap.EINVALID, "%s is a YouTube %s, and listing YouTube %ss is not available here", src, kind, kind)
	}
	limit := opt.Limit
	if !opt.Since.IsZero() {
		limit = 0 // the date filter comes first; the limit applies to what passes it
	}
	var (
		l   *Listing
		err error
	)
	if link.Kind == pipeline.LinkPlaylist {
		l, err = r.YouTube.Playlist(ctx, link.PlaylistID, limit)
	} else {
		l, err = r.YouTube.Channel(ctx, link.Channel, link.Tab, limit, opt.Shorts)
	}
	if err != nil {
		return nil, fmt.Errorf("list YouTube %s %s: %w", kind, src, err)
	}
	exp := &Expansion{Source: src, Kind: kind, Title: l.Title}
	for _, v := range l.Videos {
		exp.Items = append(exp.Items, Item{
			ID: v.ID, Kind: KindYouTube, VideoID: v.ID, Title: v.Title,
			DurationSeconds: v.Duration.Seconds(), Published: v.Published, Skip: v.Skip, From: src,
		})
	}
	exp.Items = narrow(merge(nil, exp.Items), opt)
	return exp, nil
}

func (r *Resolver) expandFeedURL(ctx context.Context, src, u string, opt Options) (*Expansion, error) {
	if r.HTTP == nil {
		return nil, recap.Errorf(recap.EINVALID, "%s: reading podcast feeds from URLs is not available here", src)
	}
	f, err := feed.Fetch(ctx, r.HTTP, u)
	if err != nil {
		if recap.ErrorCode(err) == recap.EINVALID {
			return nil, recap.WrapError(recap.EINVALID, err, "%s is neither a YouTube URL nor a podcast feed: %s", src, recap.ErrorMessage(err))
		}
		return nil, err
	}
	return feedExpansion(src, f, opt), nil
}

func feedExpansion(src string, f *feed.Feed, opt Options) *Expansion {
	exp := &Expansion{Source: src, Kind: SourceFeed, Title: f.Title}
	for i := range f.Episodes {
		ep := f.Episodes[i]
		exp.Items = append(exp.Items, Item{
			ID: ep.ID, Kind: KindPodcast, Episode: &ep, Title: ep.Title,
			DurationSeconds: ep.DurationSeconds, Published: ep.Published, From: src,
		})
	}
	exp.Items = narrow(exp.Items, opt)
	return exp
}

// expandFile recognises a local file by its content: a feed, yt-dlp JSON
// (one video's .info.json or a flat playlist), or else a list.
func (r *Resolver) expandFile(ctx context.Context, st *state, src, path string, opt Options) (*Expansion, error) {
	data, err := readLocal(path)
	if err != nil {
		return nil, err
	}
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")))
	switch {
	case IsList(data):
		return r.expandList(ctx, st, src, path, data, opt)
	case feed.IsFeed(data):
		abs, _ := filepath.Abs(path)
		f, err := feed.Parse(data, (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String())
		if err != nil {
			return nil, err
		}
		return feedExpansion(src, f, opt), nil
	case bytes.HasPrefix(trimmed, []byte("{")):
		if bundle.IsPlaylistJSON(data) {
			return flatPlaylist(src, data, opt)
		}
		it, err := downloadItem(src, path)
		if err != nil {
			return nil, recap.WrapError(recap.EINVALID, err, "%s is JSON but neither a yt-dlp .info.json of a video nor a --flat-playlist -J file: %s", src, recap.ErrorMessage(err))
		}
		return &Expansion{Source: src, Kind: SourceDownload, Title: it.Title, Items: []Item{it}}, nil
	}
	return nil, recap.Errorf(recap.EINVALID, "%s is XML or HTML but not an RSS or Atom feed", src)
}

// IsList reports whether a local file's content is a list of sources (or
// would be refused as one): not a feed, not JSON, not XML or HTML.
func IsList(data []byte) bool {
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")))
	return !feed.IsFeed(data) && !bytes.HasPrefix(trimmed, []byte("{")) && !bytes.HasPrefix(trimmed, []byte("<"))
}

// ListLine is one source a list names, and its line number.
type ListLine struct {
	N      int
	Source string
}

// ListLines reads a list: one source a line; blank lines and lines
// starting with # are left out. name names the list in errors.
func ListLines(name string, data []byte) ([]ListLine, error) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if !isText(data) {
		return nil, recap.Errorf(recap.EINVALID, "%s is not text: %s", name, tried)
	}
	var lines []ListLine
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		lines = append(lines, ListLine{N: n, Source: line})
	}
	if err := sc.Err(); err != nil {
		return nil, recap.WrapError(recap.EINVALID, err, "%s line %d: %v", name, n+1, err)
	}
	if len(lines) == 0 {
		return nil, recap.Errorf(recap.EINVALID, "%s names no source: a list holds one URL, id or path a line (# starts a comment)", name)
	}
	return lines, nil
}

func readLocal(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, recap.WrapError(recap.EINVALID, err, "cannot read %s: %v", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxLocalBytes+1))
	if err != nil {
		return nil, recap.WrapError(recap.EINVALID, err, "cannot read %s: %v", path, err)
	}
	if len(data) > maxLocalBytes {
		return nil, recap.Errorf(recap.ETOOLARGE, "%s is over %d MiB, the limit for a source file", path, maxLocalBytes>>20)
	}
	return data, nil
}

// downloadItem is the item of one yt-dlp download.
func downloadItem(from, infoPath string) (Item, error) {
	v, err := bundle.ReadVideo(infoPath)
	if err != nil {
		return Item{}, err
	}
	abs, err := filepath.Abs(infoPath)
	if err != nil {
		abs = infoPath
	}
	it := Item{ID: v.ID, Kind: KindFile, InfoPath: abs, Title: v.Title, DurationSeconds: v.Duration.Seconds(), From: from}
	if t, err := time.Parse(time.DateOnly, v.PublishedAt); err == nil {
		it.Published = t
	}
	return it, nil
}

func (r *Resolver) expandFolder(src, dir string, opt Options) (*Expansion, error) {
	paths, err := bundle.FindVideos(dir)
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, recap.Errorf(recap.EINVALID, "folder %s holds no video .info.json (searched recursively): download with yt-dlp --write-info-json", src)
	}
	exp := &Expansion{Source: src, Kind: SourceFolder, Title: filepath.Base(filepath.Clean(dir))}
	for _, p := range paths {
		if err := r.allowed(p, p); err != nil {
			return nil, err
		}
		it, err := downloadItem(src, p)
		if err != nil {
			return nil, err
		}
		exp.Items = append(exp.Items, it)
	}
	exp.Items = narrow(merge(nil, exp.Items), opt)
	return exp, nil
}

func flatPlaylist(src string, data []byte, opt Options) (*Expansion, error) {
	p, err := bundle.ParsePlaylist(data)
	if err != nil {
		return nil, err
	}
	exp := &Expansion{Source: src, Kind: SourceFlatPlaylist, Title: p.Title}
	for _, e := range p.Entries {
		id := e.ID
		if link, ok, err := classifyYouTube(e.URL); ok && err == nil && link.Kind == pipeline.LinkVideo {
			id = link.VideoID
		}
		it := Item{ID: id, Kind: KindYouTube, VideoID: id, Title: e.Title, DurationSeconds: e.Duration, Skip: e.Unavailable, From: src}
		if t, err := time.Parse(time.DateOnly, e.PublishedAt); err == nil {
			it.Published = t
		}
		if link, ok, err := classifyYouTube(id); !ok || err != nil || link.Kind != pipeline.LinkVideo {
			if e.IEKey != "" && !strings.EqualFold(e.IEKey, "Youtube") {
				it.Skip = fmt.Sprintf("not a YouTube video (%s): only YouTube entries of a flat playlist are summarized", e.IEKey)
			} else {
				it.Skip = fmt.Sprintf("entry %q has no YouTube video id", id)
			}
			if it.ID == "" {
				continue
			}
		}
		exp.Items = append(exp.Items, it)
	}
	exp.Items = narrow(merge(nil, exp.Items), opt)
	return exp, nil
}

func (r *Resolver) expandStdin(ctx context.Context, st *state, dir string, opt Options) (*Expansion, error) {
	if st.readStdin {
		return nil, recap.Errorf(recap.EINVALID, "- (stdin) is named twice: it can be read once")
	}
	if r.Stdin == nil {
		return nil, recap.Errorf(recap.EINVALID, "- (stdin) is not available here")
	}
	st.readStdin = true
	data, err := io.ReadAll(io.LimitReader(r.Stdin, maxLocalBytes+1))
	if err != nil {
		return nil, recap.WrapError(recap.EINVALID, err, "cannot read stdin: %v", err)
	}
	if len(data) > maxLocalBytes {
		return nil, recap.Errorf(recap.ETOOLARGE, "stdin is over %d MiB, the limit for a list", maxLocalBytes>>20)
	}
	return r.expandLines(ctx, st, "-", "stdin", dir, data, opt)
}

// expandList reads a list file: one source a line, blank lines and lines
// starting with # ignored; relative paths are read from the list's folder.
func (r *Resolver) expandList(ctx context.Context, st *state, src, path string, data []byte, opt Options) (*Expansion, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	if resolved, err := filepath.EvalSymlinks(abs); err == nil {
		abs = resolved
	}
	for i, l := range st.lists {
		if l == abs {
			chain := append(append([]string{}, st.lists[i:]...), abs)
			return nil, recap.Errorf(recap.EINVALID, "list %s names itself (%s)", src, strings.Join(chain, " → "))
		}
	}
	if len(st.lists) >= maxDepth {
		return nil, recap.Errorf(recap.EINVALID, "list %s: lists nested more than %d deep", src, maxDepth)
	}
	st.lists = append(st.lists, abs)
	defer func() { st.lists = st.lists[:len(st.lists)-1] }()
	exp, err := r.expandLines(ctx, st, src, filepath.Base(path), filepath.Dir(abs), data, opt)
	if err != nil {
		return nil, err
	}
	return exp, nil
}

func (r *Resolver) expandLines(ctx context.Context, st *state, src, name, dir string, data []byte, opt Options) (*Expansion, error) {
	lines, err := ListLines(src, data)
	if err != nil {
		return nil, err
	}
	exp := &Expansion{Source: src, Kind: SourceList, Title: name}
	for _, l := range lines {
		sub, err := r.expand(ctx, st, l.Source, dir, opt)
		if err != nil {
			var re *recap.Error
			if errors.As(err, &re) {
				return nil, &recap.Error{Code: re.Code, Message: fmt.Sprintf("%s line %d: %s", name, l.N, re.Message), Err: re.Err}
			}
			return nil, fmt.Errorf("%s line %d: %w", name, l.N, err)
		}
		exp.Items = merge(exp.Items, sub.Items)
	}
	exp.Items = narrow(exp.Items, Options{Limit: opt.Limit})
	return exp, nil
}

// isText reports whether data looks like a text list: valid UTF-8 without
// NUL bytes.
func isText(data []byte) bool {
	return !bytes.ContainsRune(data, 0) && strings.ToValidUTF8(string(data), "\uFFFD") == string(data)
}

// merge appends the items of b not already in a (by id). An item known
// only as skipped is replaced by one that is not.
func merge(a, b []Item) []Item {
	idx := make(map[string]int, len(a))
	for i, it := range a {
		idx[it.ID] = i
	}
	for _, it := range b {
		if i, ok := idx[it.ID]; ok {
			if a[i].Skip != "" && it.Skip == "" {
				a[i] = it
			}
			continue
		}
		idx[it.ID] = len(a)
		a = append(a, it)
	}
	return a
}

// narrow applies Since, then Limit.
func narrow(items []Item, opt Options) []Item {
	out := items[:0]
	for _, it := range items {
		if !opt.Since.IsZero() && !it.Published.IsZero() && it.Published.Before(opt.Since) {
			continue
		}
		if opt.Limit > 0 && len(out) >= opt.Limit {
			break
		}
		out = append(out, it)
	}
	return out
}
