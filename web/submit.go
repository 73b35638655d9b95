package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
)

// The home page's submit box: one source, a video or a backlog, with the
// options POST /v1/summaries and POST /v1/batches take. The form only
// reads what was typed; App.Submit and App.Backlog check it as the API
// does.

// VideoOptions are a video's options, as POST /v1/summaries takes them.
type VideoOptions struct {
	Language        string // caption language; "" means the server's
	SummaryLanguage string // "" means the transcript's
	Force           bool
	Transcribe      bool
}

// BacklogOptions are a backlog's options, as POST /v1/batches takes them.
type BacklogOptions struct {
	Language   string // caption language; "" means the server's
	Limit      int    // 0 keeps every item
	Since      string // as batch.ParseSince reads it; "" keeps every item
	MaxCostUSD *float64
	Force      bool
	Transcribe bool
}

// SubmitOptions are the submit box's options as they were typed, so that
// a refused form is shown again as it was sent.
type SubmitOptions struct {
	Language        string // both
	SummaryLanguage string // a video
	Limit           string // a backlog: a whole number
	Since           string // a backlog: YYYY-MM-DD
	MaxCost         string // a backlog: US dollars
	Transcribe      bool
	Force           bool
}

func readSubmitOptions(f url.Values) SubmitOptions {
	v := func(name string) string { return strings.TrimSpace(f.Get(name)) }
	return SubmitOptions{
		Language: v("language"), SummaryLanguage: v("summary_language"),
		Limit: v("limit"), Since: v("since"), MaxCost: v("max_cost_usd"),
		Transcribe: f.Get("transcribe") == "on", Force: f.Get("force") == "on",
	}
}

// Set says whether any option differs from its default: the options are
// then shown unfolded.
func (o SubmitOptions) Set() bool {
	return o != SubmitOptions{}
}

// video is o for one video; the backlog options are refused.
func (o SubmitOptions) video(input string) (VideoOptions, error) {
	if o.Limit != "" || o.Since != "" || o.MaxCost != "" {
		return VideoOptions{}, recap.Errorf(recap.EINVALID, "%q is one video: limit, since and max cost are for a playlist, a channel or a podcast feed; clear them to summarize the video", input)
	}
	return VideoOptions{Language: o.Language, SummaryLanguage: o.SummaryLanguage, Force: o.Force, Transcribe: o.Transcribe}, nil
}

// backlog is o for a playlist, channel or feed; the numbers are read
// here, their ranges are the batch service's to check.
func (o SubmitOptions) backlog() (BacklogOptions, error) {
	if o.SummaryLanguage != "" {
		return BacklogOptions{}, recap.Errorf(recap.EINVALID, "a summary language is for one video: a batch's summaries are written in each transcript's language; clear it to submit the backlog")
	}
	b := BacklogOptions{Language: o.Language, Since: o.Since, Force: o.Force, Transcribe: o.Transcribe}
	if o.Limit != "" {
		n, err := strconv.Atoi(o.Limit)
		if err != nil {
			return b, recap.Errorf(recap.EINVALID, "limit %q is not a whole number: expected how many items of each source to summarize (empty: all)", o.Limit)
		}
		b.Limit = n
	}
	if o.MaxCost != "" {
		c, err := strconv.ParseFloat(strings.TrimPrefix(o.MaxCost, "$"), 64)
		if err != nil {
			return b, recap.Errorf(recap.EINVALID, "max cost %q is not an amount: expected US dollars, such as 2.50", o.MaxCost)
		}
		b.MaxCostUSD = &c
	}
	return b, nil
}

// homeData is the home page.
type homeData struct {
	URL     string
	Options SubmitOptions
	Error   string
	Library []LibraryItem
	Next    string // the library's next page, "" on the last
	First   bool   // the first page of the library
	Backlog bool   // playlists, channels and feeds can be submitted
	// Transcribe offers speech-to-text (a service is configured).
	Transcribe bool
}

// Home shows the submit box, the search box and the library.
func (a *App) Home(w http.ResponseWriter, r *http.Request) {
	sess := a.Auth(r)
	if !sess.OK {
		a.LoginPage(w, http.StatusOK, "/", "")
		return
	}
	a.home(w, r, sess, http.StatusOK, homeData{})
}

func (a *App) home(w http.ResponseWriter, r *http.Request, sess Session, status int, d homeData) {
	cursor := r.URL.Query().Get("cursor")
	page, err := a.Store.ListLibrary(r.Context(), storage.LibraryFilter{Limit: 24, Cursor: cursor})
	if err != nil {
		a.errorPage(w, r, sess, err)
		return
	}
	d.Library, d.First, d.Backlog, d.Transcribe = NewLibraryItems(page.Entries), cursor == "", a.Backlog != nil, a.Transcribe
	if page.NextCursor != "" {
		d.Next = "/?cursor=" + page.NextCursor
	}
	a.render(w, r, status, "home", sess, layoutData{Title: "recap", Page: d})
}

// SubmitForm takes the submit box (url, its options, csrf): a video goes
// to Submit, a playlist, channel or feed to Backlog. Bad input shows the
// form again (400) as it was sent, with the reason.
func (a *App) SubmitForm(w http.ResponseWriter, r *http.Request) {
	sess, ok := a.form(w, r)
	if !ok {
		return
	}
	input := strings.TrimSpace(r.PostForm.Get("url"))
	opts := readSubmitOptions(r.PostForm)
	link, err := a.submitInput(r.Context(), input, opts)
	if err != nil {
		if recap.ErrorCode(err) != recap.EINVALID {
			a.errorPage(w, r, sess, err)
			return
		}
		a.home(w, r, sess, http.StatusBadRequest, homeData{URL: input, Options: opts, Error: recap.ErrorMessage(err)})
		return
	}
	http.Redirect(w, r, link, http.StatusSeeOther)
}

func (a *App) submitInput(ctx context.Context, input string, o SubmitOptions) (string, error) {
	if IsBacklog(input) {
		if a.Backlog == nil {
			return "", recap.Errorf(recap.EINVALID, "%q is not a YouTube video: a playlist, a channel or a podcast feed is a backlog, which the web app does not take yet; summarize it with `recap batch %s`", input, input)
		}
		bo, err := o.backlog()
		if err != nil {
			return "", err
		}
		return a.Backlog(ctx, input, bo)
	}
	vo, err := o.video(input)
	if err != nil {
		return "", err
	}
	job, err := a.Submit(ctx, input, vo)
	if err != nil {
		return "", err
	}
	return "/s/" + job.ID, nil
}
