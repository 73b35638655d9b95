package youtube

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	kkdai "github.com/kkdai/youtube/v2"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/audio"
)

// DownloadAudio downloads the smallest audio-only stream of a video that
// transcription services take (MP4/M4A or WebM audio) to a temporary
// file, for speech-to-text when the video has no captions. Errors for the
// video itself are those of Fetch. When YouTube will not give the stream
// (a 403, a signature or PO token recap cannot produce, no audio stream
// listed), the error is EUNAVAILABLE with YouTube's reason and the hint
// to pass a yt-dlp download instead.
func (c *Client) DownloadAudio(ctx context.Context, videoID string, opt audio.DownloadOptions) (*audio.Downloaded, error) {
	if !recap.ValidVideoID(videoID) {
		return nil, recap.Errorf(recap.EINVALID, "%q is not a YouTube video id; expected 11 characters of A-Z, a-z, 0-9, - and _", videoID)
	}
	ft := &fetchTransport{next: c.http.Transport, ctx: ctx}
	hc := *c.http
	hc.Transport = ft
	kc := &kkdai.Client{HTTPClient: &hc}
	v, err := kc.GetVideoContext(ctx, videoID)
	if err := videoError(videoID, v, err, ft.playerAnswers()); err != nil {
		return nil, unreachable(ctx, "video "+videoID, err)
	}
	f, ok := smallestAudio(v.Formats)
	if !ok {
		return nil, refused(videoID, fmt.Errorf("YouTube lists no audio-only MP4 or WebM stream for it"))
	}
	url, err := kc.GetStreamURLContext(ctx, v, &f)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, refused(videoID, fmt.Errorf("cannot open stream %d (%s): %w", f.ItagNo, f.MimeType, err))
	}
	c.log.Debug("youtube: downloading audio", slog.String("video_id", videoID), slog.Int("itag", f.ItagNo),
		slog.String("mime", f.MimeType), slog.Int("bitrate", f.Bitrate))
	d, err := audio.Download(ctx, c.media, url, opt)
	if recap.ErrorCode(err) == recap.EINVALID { // a 4xx: 403 when a PO token is wanted
		return nil, refused(videoID, err)
	}
	return d, err
}

// smallestAudio picks the audio-only stream with the lowest bitrate whose
// container the services take; a stream with a plain URL before one
// behind a signature cipher.
func smallestAudio(formats kkdai.FormatList) (kkdai.Format, bool) {
	var cands []kkdai.Format
	for _, f := range formats {
		if strings.HasPrefix(f.MimeType, "audio/mp4") || strings.HasPrefix(f.MimeType, "audio/webm") {
			cands = append(cands, f)
		}
	}
	if len(cands) == 0 {
		return kkdai.Format{}, false
	}
	slices.SortStableFunc(cands, func(a, b kkdai.Format) int {
		return cmp.Or(
			cmp.Compare(boolInt(a.URL == ""), boolInt(b.URL == "")),
			cmp.Compare(a.Bitrate, b.Bitrate),
			cmp.Compare(a.ContentLength, b.ContentLength),
		)
	})
	return cands[0], true
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// refused is the error for a stream YouTube will not give.
func refused(id string, why error) error {
	return recap.WrapError(recap.EUNAVAILABLE, why,
		"YouTube refused the audio stream of video %s (it may want a PO token or a signature recap cannot produce); "+
			"download it with `yt-dlp -x --write-info-json %s` and pass the folder instead", id, recap.WatchURL(id))
}
