package youtubetest

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Paths of the audio streams and of what kkdai reads before it streams.
const (
	PathVideoPlayback = "/videoplayback"
	PathEmbed         = "/embed/"
	// PathBaseJS is the player script the embed page names.
	PathBaseJS = "/s/player/fake0001/player_ias.vflset/en_US/base.js"
)

// AudioFormat is one audio-only stream of a video.
type AudioFormat struct {
	Itag     int    // 139, 140 (m4a), 249, 250, 251 (webm opus)…
	MimeType string // e.g. `audio/mp4; codecs="mp4a.40.5"` or `audio/webm; codecs="opus"`
	Bitrate  int    // bit/s, as YouTube lists it
	Data     []byte // the stream's bytes, served with Range support
	// Status, when set, answers every request for the stream with it
	// (403: YouTube refuses a stream that needs a PO token).
	Status int
	// Cipher lists the stream with a signatureCipher instead of a URL,
	// which needs the player script's signature function to open.
	Cipher bool
}

func (s *Server) audioRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+PathVideoPlayback, s.videoPlayback)
	mux.HandleFunc("GET "+PathEmbed+"{id}", s.embed)
	mux.HandleFunc("GET "+PathBaseJS, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, "var _yt_player={};(function(g){g.fake=function(a){return a};})(_yt_player);")
	})
}

// audioFormats are the adaptiveFormats entries of v's audio streams;
// their URLs point at a googlevideo host, as YouTube's do.
func audioFormats(v *Video) []any {
	var out []any
	for _, a := range v.Audio {
		u := "https://rr3---sn-fake.googlevideo.com/videoplayback?expire=1749680182&id=" + url.QueryEscape(v.ID) +
			"&itag=" + strconv.Itoa(a.Itag) + "&source=youtube&mime=audio&sig=AOq0QJ8wRAIgfake"
		f := map[string]any{
			"itag":             a.Itag,
			"mimeType":         a.MimeType,
			"bitrate":          a.Bitrate,
			"averageBitrate":   a.Bitrate,
			"contentLength":    strconv.Itoa(len(a.Data)),
			"lastModified":     "1700000000000000",
			"quality":          "tiny",
			"projectionType":   "RECTANGULAR",
			"audioQuality":     "AUDIO_QUALITY_LOW",
			"approxDurationMs": strconv.FormatInt(v.Duration.Milliseconds(), 10),
			"audioSampleRate":  "48000",
			"audioChannels":    2,
		}
		if a.Cipher {
			f["signatureCipher"] = "s=" + url.QueryEscape("AOq0QJ8wRQIhfakefake") + "&sp=sig&url=" + url.QueryEscape(u)
		} else {
			f["url"] = u
		}
		out = append(out, f)
	}
	return out
}

// videoPlayback serves an audio stream, with Range and kkdai's range=
// query parameter.
func (s *Server) videoPlayback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v, ok := s.video(q.Get("id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	itag, _ := strconv.Atoi(q.Get("itag"))
	for _, a := range v.Audio {
		if a.Itag != itag {
			continue
		}
		if a.Status != 0 {
			http.Error(w, "fake youtube: stream refused", a.Status)
			return
		}
		if rng := q.Get("range"); rng != "" && r.Header.Get("Range") == "" {
			r.Header.Set("Range", "bytes="+rng)
		}
		w.Header().Set("Content-Type", a.MimeType)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.Data))
		return
	}
	http.NotFound(w, r)
}

// embed is the embed page kkdai reads the player script's path from.
func (s *Server) embed(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!DOCTYPE html><html><head><script src="%s" nonce="x"></script></head><body></body></html>`, PathBaseJS)
}
