package storagetest

import (
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
)

func testASRChunks(t *testing.T, e *env) {
	key := storage.ASRChunkKey{
		Model:    "whisper-1",
		Hash:     strings.Repeat("ab", 32),
		Offset:   597*time.Second + 312*time.Millisecond + 500*time.Microsecond + 7,
		Language: "",
	}
	got, ok, err := e.s.GetASRChunk(e.ctx, key)
	must(t, err, "GetASRChunk")
	if ok {
		t.Fatalf("GetASRChunk on an empty store = %+v, true; want a miss", got)
	}

	first := storage.ASRChunk{Language: "english", Duration: 600*time.Second + 48*time.Millisecond, Segments: []storage.ASRSegment{
		{Start: 0, End: 2500 * time.Millisecond, Text: " Welcome «back», \"friends\".", AvgLogprob: -0.21, CompressionRatio: 1.43, NoSpeechProb: 0.012},
		{Start: 2500 * time.Millisecond, End: 4 * time.Second, Text: " Thank you for watching.", AvgLogprob: -1.25, CompressionRatio: 0.8, NoSpeechProb: 0.91},
	}}
	must(t, e.s.PutASRChunk(e.ctx, key, first), "PutASRChunk")
	got, ok, err = e.s.GetASRChunk(e.ctx, key)
	must(t, err, "GetASRChunk")
	if !ok {
		t.Fatal("GetASRChunk after PutASRChunk: miss")
	}
	deepEqual(t, got, first, "GetASRChunk")

	// Every part of the key tells chunks apart.
	for what, other := range map[string]storage.ASRChunkKey{
		"model":    {Model: "whisper-large-v3", Hash: key.Hash, Offset: key.Offset},
		"language": {Model: key.Model, Language: "en", Hash: key.Hash, Offset: key.Offset},
		"hash":     {Model: key.Model, Hash: strings.Repeat("cd", 32), Offset: key.Offset},
		"offset":   {Model: key.Model, Hash: key.Hash, Offset: key.Offset + 1},
	} {
		if c, ok, err := e.s.GetASRChunk(e.ctx, other); err != nil || ok {
			t.Errorf("GetASRChunk with another %s = %+v, %v, %v; want a miss", what, c, ok, err)
		}
	}

	second := storage.ASRChunk{Language: "en", Segments: []storage.ASRSegment{}}
	must(t, e.s.PutASRChunk(e.ctx, key, second), "PutASRChunk overwrite")
	got, _, err = e.s.GetASRChunk(e.ctx, key)
	must(t, err, "GetASRChunk")
	deepEqual(t, got, second, "GetASRChunk after overwrite")

	for what, bad := range map[string]storage.ASRChunkKey{
		"no model":        {Hash: key.Hash},
		"short hash":      {Model: key.Model, Hash: "abc"},
		"negative offset": {Model: key.Model, Hash: key.Hash, Offset: -time.Second},
	} {
		_, _, err := e.s.GetASRChunk(e.ctx, bad)
		wantCode(t, err, recap.EINVALID, "GetASRChunk with "+what)
		wantCode(t, e.s.PutASRChunk(e.ctx, bad, first), recap.EINVALID, "PutASRChunk with "+what)
	}
}
