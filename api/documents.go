package api

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/render"
)

// defaultDocumentCache is how many finished documents the handlers keep
// in memory with their renderings (about 100 KB each for a 3-hour video).
const defaultDocumentCache = 128

// documents keeps finished documents, and what was rendered of them, by
// job id. A document never changes once stored (FinishJob writes it once
// and its job is then final), so neither do its renderings: none of them
// is ever stale, in this process or any other sharing the database.
type documents struct {
	cache *lru.Cache[string, *document]
}

func newDocuments(size int) *documents {
	c, err := lru.New[string, *document](max(size, 1))
	if err != nil {
		panic(err) // only for a size < 1
	}
	return &documents{cache: c}
}

// document is one finished document and its renderings.
type document struct {
	doc *recap.Document
	mu  sync.Mutex
	out map[string][]byte
}

// document returns the document of the finished job id, from memory when read
// before.
func (s *Server) document(ctx context.Context, id string) (*document, error) {
	if d, ok := s.docs.cache.Get(id); ok {
		return d, nil
	}
	doc, err := s.Store.GetDocument(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &document{doc: doc, out: map[string][]byte{}}
	s.docs.cache.Add(id, d)
	return d, nil
}

// render returns the document as render.Bytes writes it in format,
// rendered once. The bytes are shared: never modify them.
func (d *document) render(format string) ([]byte, error) {
	return d.once(format, func() ([]byte, error) { return render.Bytes(d.doc, format) })
}

// compact returns the document as compact JSON, the form the job view
// embeds, encoded once.
func (d *document) compact() ([]byte, error) {
	return d.once("compact-json", func() ([]byte, error) { return compactJSON(d.doc) })
}

// once returns what make gives, made the first time key is asked for.
func (d *document) once(key string, make func() ([]byte, error)) ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if b, ok := d.out[key]; ok {
		return b, nil
	}
	b, err := make()
	if err != nil {
		return nil, err
	}
	d.out[key] = b
	return b, nil
}

// compactJSON encodes v as the API's JSON answers do: compact, with
// <, > and & left as they are.
func compactJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
