package youtube

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/recap-dev/recap"
)

// Innertube paths the listing code posts to.
const (
	browsePath  = "/youtubei/v1/browse"
	resolvePath = "/youtubei/v1/navigation/resolve_url"
)

// The innertube client browse and resolve_url speak as: the desktop web
// site, whose answers (the shapes in NewPipeExtractor's and yt-dlp's
// recordings) the listing code reads. hl and gl fix the language of
// YouTube's words ("3 years ago") and the US date order.
const (
	webClientName    = "WEB"
	webClientNumber  = "1" // X-YouTube-Client-Name
	webClientVersion = "2.20260115.01.00"
)

type webContext struct {
	Client struct {
		HL            string `json:"hl"`
		GL            string `json:"gl"`
		ClientName    string `json:"clientName"`
		ClientVersion string `json:"clientVersion"`
		Platform      string `json:"platform"`
		UTCOffset     int    `json:"utcOffsetMinutes"`
	} `json:"client"`
}

func newWebContext() webContext {
	var c webContext
	c.Client.HL, c.Client.GL = "en", "US"
	c.Client.ClientName, c.Client.ClientVersion = webClientName, webClientVersion
	c.Client.Platform = "DESKTOP"
	return c
}

// browseRequest is a POST /youtubei/v1/browse body: a first page
// (BrowseID, Params) or a next one (Continuation).
type browseRequest struct {
	Context      webContext `json:"context"`
	BrowseID     string     `json:"browseId,omitempty"`
	Params       string     `json:"params,omitempty"`
	Continuation string     `json:"continuation,omitempty"`
}

type resolveRequest struct {
	Context webContext `json:"context"`
	URL     string     `json:"url"`
}

// statusError is an innertube answer other than 200 (and 429, which is
// EBLOCKED): callers decide what it means for what they asked.
type statusError struct {
	Status  int
	Message string // innertube's error message, if it sent one
}

func (e *statusError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("HTTP %d", e.Status)
	}
	return fmt.Sprintf("HTTP %d: %s", e.Status, e.Message)
}

// innertube posts body to an innertube path on YouTube (through the
// client's transport: endpoint rewrite, host guard) and returns the JSON
// answer. subject names what is listed, for errors ("playlist PL…").
// 429, a captcha page and a bot check are EBLOCKED; other statuses are a
// *statusError; network faults are plain errors.
func (c *Client) innertube(ctx context.Context, path string, body any, subject string) ([]byte, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, DefaultEndpoint+path+"?prettyPrint=false", bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", browserUA)
	req.Header.Set("Origin", DefaultEndpoint)
	req.Header.Set("Referer", DefaultEndpoint+"/")
	req.Header.Set("X-YouTube-Client-Name", webClientNumber)
	req.Header.Set("X-YouTube-Client-Version", webClientVersion)
	req.Header.Set("Accept-Language", "en-US,en;q=0.9")
	// The consent cookie spares a consent page to clients in the EU.
	req.Header.Set("Cookie", "SOCS=CAE=")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("youtube: list %s: %w", subject, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("youtube: list %s: read answer: %w", subject, err)
	}
	if len(answer) > maxBody {
		return nil, fmt.Errorf("youtube: list %s: answer is over %d bytes", subject, maxBody)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return nil, rateLimitedError(subject, &statusError{Status: resp.StatusCode})
	case resp.StatusCode != http.StatusOK:
		return nil, &statusError{Status: resp.StatusCode, Message: innertubeMessage(answer)}
	case !bytes.HasPrefix(bytes.TrimSpace(answer), []byte("{")):
		if captchaPage(answer) {
			return nil, rateLimitedError(subject, errors.New("an unusual-traffic page instead of an answer"))
		}
		return nil, fmt.Errorf("youtube: list %s: %s answered with something that is not JSON (%q…)", subject, path, truncate(string(answer), 80))
	}
	return answer, nil
}

// innertubeMessage is the message of an innertube error answer
// ({"error": {"code": 404, "message": "…", "status": "NOT_FOUND"}}).
func innertubeMessage(body []byte) string {
	var e struct {
		Error struct {
			Message string `json:"message"`
			Status  string `json:"status"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	return strings.TrimSpace(e.Error.Message)
}

// captchaPage reports whether an answer is YouTube's "unusual traffic"
// page, which it sometimes serves with 200. Its markers are the captcha
// form's, not the word: every home page mentions a reCAPTCHA key.
func captchaPage(body []byte) bool {
	for _, marker := range []string{`id="captcha-page"`, `action="/das_captcha`, "unusual traffic from your computer network"} {
		if bytes.Contains(body, []byte(marker)) {
			return true
		}
	}
	return false
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// listError turns a failed first request for subject into recap's
// verdict: 404 and 400 mean there is no such list (EUNAVAILABLE, for
// good); other faults stay as they are (429 is already EBLOCKED).
func listError(subject string, err error) error {
	var se *statusError
	if errors.As(err, &se) && (se.Status == http.StatusNotFound || se.Status == http.StatusBadRequest) {
		return recap.WrapError(recap.EUNAVAILABLE, err, "%s does not exist or cannot be listed", subject)
	}
	if se != nil {
		return fmt.Errorf("youtube: list %s: %w", subject, err)
	}
	return err
}

// page is the part of a browse answer the listing code reads.
type page struct {
	Alerts []struct {
		AlertRenderer           *alert `json:"alertRenderer"`
		AlertWithButtonRenderer *alert `json:"alertWithButtonRenderer"`
	} `json:"alerts"`
	Contents struct {
		TwoColumnBrowseResultsRenderer struct {
			Tabs []struct {
				TabRenderer           *tabRenderer `json:"tabRenderer"`
				ExpandableTabRenderer *tabRenderer `json:"expandableTabRenderer"`
			} `json:"tabs"`
		} `json:"twoColumnBrowseResultsRenderer"`
	} `json:"contents"`
	OnResponseReceivedActions   []itemsAction `json:"onResponseReceivedActions"`
	OnResponseReceivedEndpoints []itemsAction `json:"onResponseReceivedEndpoints"`
	ContinuationContents        struct {
		PlaylistVideoListContinuation *itemList `json:"playlistVideoListContinuation"`
		RichGridContinuation          *itemList `json:"richGridContinuation"`
	} `json:"continuationContents"`
	Metadata struct {
		PlaylistMetadataRenderer *struct {
			Title string `json:"title"`
		} `json:"playlistMetadataRenderer"`
		ChannelMetadataRenderer *struct {
			Title      string `json:"title"`
			ExternalID string `json:"externalId"`
		} `json:"channelMetadataRenderer"`
	} `json:"metadata"`
	Header struct {
		PlaylistHeaderRenderer *struct {
			Title     text     `json:"title"`
			OwnerText linkText `json:"ownerText"`
		} `json:"playlistHeaderRenderer"`
		PageHeaderRenderer *struct {
			PageTitle string `json:"pageTitle"`
			Content   struct {
				PageHeaderViewModel struct {
					Metadata struct {
						ContentMetadataViewModel struct {
							MetadataRows []struct {
								MetadataParts []struct {
									AvatarStack struct {
										AvatarStackViewModel struct {
											Text commandText `json:"text"`
										} `json:"avatarStackViewModel"`
									} `json:"avatarStack"`
								} `json:"metadataParts"`
							} `json:"metadataRows"`
						} `json:"contentMetadataViewModel"`
					} `json:"metadata"`
				} `json:"pageHeaderViewModel"`
			} `json:"content"`
		} `json:"pageHeaderRenderer"`
	} `json:"header"`
	Sidebar struct {
		PlaylistSidebarRenderer struct {
			Items []struct {
				PlaylistSidebarSecondaryInfoRenderer *struct {
					VideoOwner struct {
						VideoOwnerRenderer struct {
							Title linkText `json:"title"`
						} `json:"videoOwnerRenderer"`
					} `json:"videoOwner"`
				} `json:"playlistSidebarSecondaryInfoRenderer"`
			} `json:"items"`
		} `json:"playlistSidebarRenderer"`
	} `json:"sidebar"`
	Microformat struct {
		MicroformatDataRenderer struct {
			Title string `json:"title"`
		} `json:"microformatDataRenderer"`
	} `json:"microformat"`
}

type alert struct {
	Type string `json:"type"`
	Text text   `json:"text"`
}

type itemsAction struct {
	AppendContinuationItemsAction *struct {
		ContinuationItems []item `json:"continuationItems"`
	} `json:"appendContinuationItemsAction"`
	ReloadContinuationItemsCommand *struct {
		ContinuationItems []item `json:"continuationItems"`
	} `json:"reloadContinuationItemsCommand"`
}

type itemList struct {
	Contents []item `json:"contents"`
	// Continuations is the 2020 form of the next-page token.
	Continuations []struct {
		NextContinuationData struct {
			Continuation string `json:"continuation"`
		} `json:"nextContinuationData"`
	} `json:"continuations"`
}

type tabRenderer struct {
	Title    string   `json:"title"`
	Selected bool     `json:"selected"`
	Endpoint endpoint `json:"endpoint"`
	Content  struct {
		SectionListRenderer *struct {
			Contents []struct {
				ItemSectionRenderer *struct {
					Contents []item `json:"contents"`
				} `json:"itemSectionRenderer"`
			} `json:"contents"`
		} `json:"sectionListRenderer"`
		RichGridRenderer *itemList `json:"richGridRenderer"`
	} `json:"content"`
}

// endpoint is a navigation target.
type endpoint struct {
	BrowseEndpoint *struct {
		BrowseID string `json:"browseId"`
		Params   string `json:"params"`
	} `json:"browseEndpoint"`
	CommandMetadata struct {
		WebCommandMetadata struct {
			URL string `json:"url"`
		} `json:"webCommandMetadata"`
	} `json:"commandMetadata"`
}

// linkText is a formatted string whose runs may link to a channel.
type linkText struct {
	SimpleText string `json:"simpleText"`
	Runs       []struct {
		Text               string   `json:"text"`
		NavigationEndpoint endpoint `json:"navigationEndpoint"`
	} `json:"runs"`
}

// channel returns the text and the first channel id the runs link to.
func (t linkText) channel() (name, id string) {
	var b strings.Builder
	b.WriteString(t.SimpleText)
	for _, r := range t.Runs {
		b.WriteString(r.Text)
		if be := r.NavigationEndpoint.BrowseEndpoint; id == "" && be != nil && validChannelID(be.BrowseID) {
			id = be.BrowseID
		}
	}
	return strings.TrimSpace(b.String()), id
}

// commandText is a view model's text whose command runs may link to a
// channel.
type commandText struct {
	Content     string `json:"content"`
	CommandRuns []struct {
		OnTap struct {
			InnertubeCommand endpoint `json:"innertubeCommand"`
		} `json:"onTap"`
	} `json:"commandRuns"`
}

// item is one element of an item list: a single key naming its renderer.
type item map[string]json.RawMessage

// decodePage reads a browse answer. A page with an ERROR alert is a list
// YouTube will not show ("The playlist does not exist.", "This channel
// was removed…"): EUNAVAILABLE for a first page, a plain error for a
// later one; a bot check in an alert is EBLOCKED.
func decodePage(body []byte, subject string, first bool) (*page, error) {
	var p page
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("youtube: list %s: browse answer: %w", subject, err)
	}
	for _, a := range p.Alerts {
		al := cmp.Or(a.AlertRenderer, a.AlertWithButtonRenderer)
		if al == nil || al.Type != "ERROR" {
			continue
		}
		msg := al.Text.String()
		switch {
		case isBotCheck(msg):
			return nil, botCheckError(subject, msg)
		case first:
			return nil, recap.Errorf(recap.EUNAVAILABLE, "%s is unavailable: %s", subject, msg)
		}
		return nil, fmt.Errorf("youtube: list %s: YouTube stopped the listing: %s", subject, msg)
	}
	return &p, nil
}

// items finds the page's list of items: a continuation action's (the
// form of every later page, and of first pages since 2025), the selected
// tab's (a playlistVideoListRenderer, a richGridRenderer, or items right
// in a section), or a 2020 continuation's. found is false when the page
// has none of these shapes.
func (p *page) items() (items []item, token string, found bool) {
	for _, a := range slices.Concat(p.OnResponseReceivedActions, p.OnResponseReceivedEndpoints) {
		switch {
		case a.AppendContinuationItemsAction != nil:
			return a.AppendContinuationItemsAction.ContinuationItems, "", true
		case a.ReloadContinuationItemsCommand != nil:
			return a.ReloadContinuationItemsCommand.ContinuationItems, "", true
		}
	}
	if tab := p.selectedTab(); tab != nil {
		if g := tab.Content.RichGridRenderer; g != nil {
			return g.Contents, g.next(), true
		}
		if sl := tab.Content.SectionListRenderer; sl != nil {
			for _, sec := range sl.Contents {
				if sec.ItemSectionRenderer == nil {
					continue
				}
				for _, it := range sec.ItemSectionRenderer.Contents {
					for _, key := range []string{"playlistVideoListRenderer", "richGridRenderer", "gridRenderer"} {
						if raw, ok := it[key]; ok {
							var l struct {
								itemList
								Items []item `json:"items"`
							}
							if err := json.Unmarshal(raw, &l); err == nil {
								return slices.Concat(l.Contents, l.Items), l.next(), true
							}
						}
					}
				}
				return sec.ItemSectionRenderer.Contents, "", true
			}
		}
	}
	for _, l := range []*itemList{p.ContinuationContents.PlaylistVideoListContinuation, p.ContinuationContents.RichGridContinuation} {
		if l != nil {
			return l.Contents, l.next(), true
		}
	}
	return nil, "", false
}

// next is the 2020 form of a list's continuation token, if any.
func (l *itemList) next() string {
	for _, c := range l.Continuations {
		if t := c.NextContinuationData.Continuation; t != "" {
			return t
		}
	}
	return ""
}

// tabs lists the page's tabs.
func (p *page) tabs() []*tabRenderer {
	var out []*tabRenderer
	for _, t := range p.Contents.TwoColumnBrowseResultsRenderer.Tabs {
		if tr := cmp.Or(t.TabRenderer, t.ExpandableTabRenderer); tr != nil {
			out = append(out, tr)
		}
	}
	return out
}

// selectedTab is the tab the page shows: the selected one, else the only
// one with content.
func (p *page) selectedTab() *tabRenderer {
	var withContent *tabRenderer
	for _, t := range p.tabs() {
		if t.Selected {
			return t
		}
		if t.Content.RichGridRenderer != nil || t.Content.SectionListRenderer != nil {
			withContent = t
		}
	}
	return withContent
}

// unknownShape is the error for an answer the listing code cannot read:
// it names the renderer keys found, so that a change on YouTube's side
// can be diagnosed from the message alone.
func unknownShape(subject, what string, body []byte) error {
	return fmt.Errorf("youtube: list %s: unrecognised browse answer: %s (renderers found: %s)", subject, what, strings.Join(rendererKeys(body, 25), ", "))
}

// rendererKeys lists, breadth first and without repeats, up to n object
// keys of a JSON document that name renderers, view models, actions and
// commands.
func rendererKeys(body []byte, n int) []string {
	var doc any
	if json.Unmarshal(body, &doc) != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	queue := []any{doc}
	for len(queue) > 0 && len(out) < n {
		v := queue[0]
		queue = queue[1:]
		switch v := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				if isRendererKey(k) && !seen[k] && len(out) < n {
					seen[k] = true
					out = append(out, k)
				}
				queue = append(queue, v[k])
			}
		case []any:
			queue = append(queue, v...)
		}
	}
	if len(out) == 0 {
		return []string{"none"}
	}
	return out
}

func isRendererKey(k string) bool {
	for _, suffix := range []string{"Renderer", "ViewModel", "Action", "Command", "Continuation"} {
		if strings.HasSuffix(k, suffix) {
			return true
		}
	}
	return false
}

// itemKeys lists the renderer keys of items, without repeats.
func itemKeys(items []item) string {
	var keys []string
	for _, it := range items {
		for k := range it {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	return strings.Join(keys, ", ")
}
