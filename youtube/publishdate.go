package youtube

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"regexp"
)

// watchDate finds the publish date in a watch page: the player response's
// microformat ("publishDate":"2018-08-02T06:00:08-07:00") or the page's
// schema.org markup (itemprop="datePublished" content="2018-08-02…").
var watchDate = regexp.MustCompile(`"publishDate":"(\d{4}-\d{2}-\d{2})|itemprop="datePublished" content="(\d{4}-\d{2}-\d{2})`)

// maxWatchPage bounds what is read of a watch page (about 1 MB in 2025).
const maxWatchPage = 4 << 20

// publishDate reads the video's publish date from its watch page. The
// mobile innertube clients kkdai uses answer without a microformat, so
// this is the only place the date is found. It is best effort: any
// failure leaves the date empty and costs the summary nothing.
func (c *Client) publishDate(ctx context.Context, hc *http.Client, id string) string {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, DefaultEndpoint+"/watch?v="+id, nil)
	if err != nil {
		return ""
	}
	resp, err := hc.Do(req)
	if err != nil {
		c.log.Debug("youtube: watch page for the publish date", slog.String("video_id", id), slog.Any("error", err))
		return ""
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		c.log.Debug("youtube: watch page for the publish date", slog.String("video_id", id), slog.Int("status", resp.StatusCode))
		return ""
	}
	page, err := io.ReadAll(io.LimitReader(resp.Body, maxWatchPage))
	if err != nil {
		return ""
	}
	m := watchDate.FindSubmatch(page)
	if m == nil {
		return ""
	}
	if len(m[1]) > 0 {
		return string(m[1])
	}
	return string(m[2])
}
