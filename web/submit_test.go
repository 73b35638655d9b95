package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap/batch"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/storage/storagetest"
)

const playlist = "https://www.youtube.com/playlist?list=PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf"

// perMillion prices tokens at $1 per million.
type perMillion struct{}

func (perMillion) Estimate(p, c int) float64 { return float64(p+c) / 1e6 }

// openOptions is the options disclosure shown unfolded, as after a form
// with options set.
const openOptions = `<details class="options" open>`

// The home page offers the options a video takes, the backlog ones only
// where backlogs are taken, and transcribe only with speech-to-text.
func TestSubmitBoxOffersTheOptions(t *testing.T) {
	ta := newTestApp(t)
	body := ta.serve("GET", "/", nil).Body.String()
	for _, want := range []string{`<details class="options">`, "<summary>Options</summary>", `name="language"`, `name="summary_language"`, `name="force"`,
		`<label for="opt-language">`, `<label for="opt-summary-language">`} {
		if !strings.Contains(body, want) {
			t.Errorf("home page lacks %q:\n%s", want, body)
		}
	}
	for _, unwanted := range []string{`name="transcribe"`, `name="limit"`, `name="since"`, `name="max_cost_usd"`, openOptions} {
		if strings.Contains(body, unwanted) {
			t.Errorf("home page without backlogs or speech-to-text has %q", unwanted)
		}
	}
	ta.withBatches()
	ta.app.Transcribe = true
	body = ta.serve("GET", "/", nil).Body.String()
	for _, want := range []string{`name="transcribe"`, `name="limit" type="number"`, `name="since" type="date"`, `name="max_cost_usd" type="number"`,
		`<label for="opt-limit">`, `<label for="opt-since">`, `<label for="opt-max-cost">`} {
		if !strings.Contains(body, want) {
			t.Errorf("home page with backlogs and speech-to-text lacks %q", want)
		}
	}
}

// A video's options reach Submit as typed; the backlog ones are refused
// for a video, with the form kept as it was sent.
func TestSubmitVideoOptions(t *testing.T) {
	ta := newTestApp(t)
	ta.withBatches()
	w := ta.serve("POST", "/", url.Values{"url": {"dQw4w9WgXcQ"}, "language": {" de "}, "summary_language": {"fr"},
		"transcribe": {"on"}, "force": {"on"}})
	if w.Code != http.StatusSeeOther || len(ta.options) != 1 {
		t.Fatalf("video with options = %d %s", w.Code, w.Body)
	}
	if got, want := ta.options[0], (VideoOptions{Language: "de", SummaryLanguage: "fr", Force: true, Transcribe: true}); got != want {
		t.Errorf("Submit got %+v; want %+v", got, want)
	}
	if w := ta.serve("POST", "/", url.Values{"url": {"dQw4w9WgXcQ"}}); w.Code != http.StatusSeeOther || ta.options[1] != (VideoOptions{}) {
		t.Errorf("video without options = %d, Submit got %+v", w.Code, ta.options[len(ta.options)-1])
	}

	w = ta.serve("POST", "/", url.Values{"url": {"youtu.be/dQw4w9WgXcQ"}, "limit": {"5"}, "since": {"2024-03-04"}, "summary_language": {"it"}, "force": {"on"}})
	body := w.Body.String()
	if w.Code != http.StatusBadRequest || !strings.Contains(body, "is one video: limit, since and max cost are for a playlist") || len(ta.options) != 2 {
		t.Fatalf("video with a limit = %d (%d submissions):\n%s", w.Code, len(ta.options), body)
	}
	// The CSRF token is still required, options or not.
	ta.sess = Session{OK: true, Required: true, SignedIn: true, CSRF: "tok3n"}
	if w := ta.serve("POST", "/", url.Values{"url": {"dQw4w9WgXcQ"}, "language": {"de"}}); w.Code != http.StatusForbidden || len(ta.options) != 2 {
		t.Errorf("options without the CSRF token = %d (%d submissions)", w.Code, len(ta.options))
	}
	if w := ta.serve("POST", "/", url.Values{"url": {"dQw4w9WgXcQ"}, "language": {"de"}, "csrf": {"tok3n"}}); w.Code != http.StatusSeeOther || ta.options[2].Language != "de" {
		t.Errorf("options with the CSRF token = %d", w.Code)
	}
	for _, want := range []string{openOptions, `value="youtu.be/dQw4w9WgXcQ"`, `name="limit" type="number" min="0" step="1" inputmode="numeric" value="5"`,
		`value="2024-03-04"`, `name="summary_language" type="text" value="it"`, `name="force" checked`, `role="alert"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the refused form lacks %q", want)
		}
	}
}

// A failed job's retry asks for it again as it was asked for, forced.
func TestRetryKeepsTheOptions(t *testing.T) {
	ta := newTestApp(t)
	ctx := context.Background()
	job := storagetest.NewJob("dQw4w9WgXcQ", "retry")
	job.Language, job.SummaryLanguage, job.Transcribe = "de", "fr", true
	j, _, err := ta.store.SubmitJob(ctx, job, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ta.store.StartJob(ctx, j.ID, storagetest.Lease); err != nil {
		t.Fatal(err)
	}
	if err := ta.store.FailJob(ctx, j.ID, storagetest.Lease.Owner, "asr_failed", "the service said no"); err != nil {
		t.Fatal(err)
	}
	w := ta.serve("POST", "/s/"+j.ID+"/retry", url.Values{})
	if w.Code != http.StatusSeeOther || len(ta.options) != 1 {
		t.Fatalf("retry = %d %s", w.Code, w.Body)
	}
	if got, want := ta.options[0], (VideoOptions{Language: "de", SummaryLanguage: "fr", Transcribe: true, Force: true}); got != want {
		t.Errorf("retry submitted %+v; want the job's options, forced: %+v", got, want)
	}
}

// A backlog's options reach the batch the batch service stores; what the
// form cannot read, and what the service refuses, shows the form again as
// it was sent, and makes no batch.
func TestSubmitBacklogOptions(t *testing.T) {
	ta := newTestApp(t)
	svc := ta.withBatches()
	svc.Pricer, svc.ASR = perMillion{}, &batch.ASR{PricePerMinute: 0.006}
	ta.app.Transcribe = true
	ctx := context.Background()
	w := ta.serve("POST", "/", url.Values{"url": {playlist}, "language": {"de"}, "limit": {"3"}, "since": {"2024-01-02"},
		"max_cost_usd": {"2.5"}, "transcribe": {"on"}, "force": {"on"}})
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/b/") {
		t.Fatalf("playlist with options = %d %s", w.Code, w.Body)
	}
	b, err := ta.store.GetBatch(ctx, strings.TrimPrefix(w.Header().Get("Location"), "/b/"))
	if err != nil {
		t.Fatal(err)
	}
	o := b.Options
	if o.Language != "de" || o.Limit != 3 || !o.Since.Equal(time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)) || o.MaxCostUSD == nil || *o.MaxCostUSD != 2.5 ||
		!o.Transcribe || !o.Force {
		t.Errorf("stored batch options %+v; want de, limit 3, since 2024-01-02, $2.50, transcribe, force", o)
	}
	// "$" is allowed before the amount; no limit means every item.
	w = ta.serve("POST", "/", url.Values{"url": {"https://feeds.example/show.xml"}, "max_cost_usd": {"$1"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("feed with $1 = %d %s", w.Code, w.Body)
	}
	if b, err := ta.store.GetBatch(ctx, strings.TrimPrefix(w.Header().Get("Location"), "/b/")); err != nil ||
		b.Options.MaxCostUSD == nil || *b.Options.MaxCostUSD != 1 || b.Options.Limit != 0 || !b.Options.Since.IsZero() || b.Options.Transcribe {
		t.Errorf("feed batch %+v, %v", b, err)
	}

	for _, c := range []struct {
		name string
		form url.Values
		msg  string
		kept []string
	}{
		{"limit not a number", url.Values{"limit": {"ten"}, "since": {"2023-05-06"}}, `limit &#34;ten&#34; is not a whole number`,
			[]string{`value="ten"`, `value="2023-05-06"`}},
		{"negative limit", url.Values{"limit": {"-2"}, "transcribe": {"on"}}, "limit -2: expected 0 (all) or more",
			[]string{`value="-2"`, `name="transcribe" checked`}},
		{"since not a date", url.Values{"since": {"last week"}}, `since &#34;last week&#34; is not a date`, []string{`value="last week"`}},
		{"max cost not an amount", url.Values{"max_cost_usd": {"lots"}}, `max cost &#34;lots&#34; is not an amount`, []string{`value="lots"`}},
		{"max cost zero", url.Values{"max_cost_usd": {"0"}, "force": {"on"}}, "expected an amount of US dollars above 0",
			[]string{`name="max_cost_usd" type="number" min="0" step="0.01" inputmode="decimal" value="0"`, `name="force" checked`}},
		{"bad language", url.Values{"language": {"not a tag!"}}, "is not a language tag", []string{`value="not a tag!"`}},
		{"summary language", url.Values{"summary_language": {"fr"}}, "a summary language is for one video", []string{`value="fr"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before, _ := ta.store.ListBatches(ctx, storage.BatchFilter{Limit: 100})
			form := url.Values{"url": {playlist}}
			for k, v := range c.form {
				form[k] = v
			}
			w := ta.serve("POST", "/", form)
			body := w.Body.String()
			if w.Code != http.StatusBadRequest || !strings.Contains(body, c.msg) {
				t.Fatalf("= %d; want 400 with %q:\n%s", w.Code, c.msg, body)
			}
			for _, want := range append(c.kept, openOptions, `value="`+playlist+`"`) {
				if !strings.Contains(body, want) {
					t.Errorf("the refused form lacks %q", want)
				}
			}
			if after, _ := ta.store.ListBatches(ctx, storage.BatchFilter{Limit: 100}); len(after.Batches) != len(before.Batches) {
				t.Errorf("a refused form made a batch")
			}
		})
	}

	// Without prices or a speech-to-text service, the server's refusal
	// is shown.
	svc.Pricer, svc.ASR = nil, nil
	for _, c := range []struct {
		form url.Values
		msg  string
	}{
		{url.Values{"url": {playlist}, "max_cost_usd": {"3"}}, "max_cost_usd needs the model&#39;s prices"},
		{url.Values{"url": {playlist}, "transcribe": {"on"}}, "speech-to-text is not configured"},
	} {
		if w := ta.serve("POST", "/", c.form); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), c.msg) {
			t.Errorf("%v = %d; want 400 with %q:\n%s", c.form, w.Code, c.msg, w.Body)
		}
	}
}

// The subscriptions form offers transcribe with speech-to-text, and the
// subscription's batch keeps it.
func TestSubscribeTranscribe(t *testing.T) {
	ta := newTestApp(t)
	svc := ta.withBatches()
	ctx := context.Background()
	if body := ta.serve("GET", "/subscriptions", nil).Body.String(); strings.Contains(body, `name="transcribe"`) {
		t.Error("the subscriptions form offers transcribe without speech-to-text")
	}
	ta.app.Transcribe = true
	if body := ta.serve("GET", "/subscriptions", nil).Body.String(); !strings.Contains(body, `<input type="checkbox" name="transcribe">`) {
		t.Errorf("the subscriptions form lacks transcribe:\n%s", body)
	}
	// The service refuses it without a service of its own: the form
	// comes back as sent.
	w := ta.serve("POST", "/subscriptions", url.Values{"url": {"https://www.youtube.com/@crabs"}, "interval": {"2h"}, "transcribe": {"on"}})
	if body := w.Body.String(); w.Code != http.StatusBadRequest || !strings.Contains(body, "speech-to-text is not configured") ||
		!strings.Contains(body, `name="transcribe" checked`) || !strings.Contains(body, `value="2h"`) {
		t.Errorf("transcribe without a service = %d:\n%s", w.Code, body)
	}
	svc.ASR = &batch.ASR{PricePerMinute: -1}
	for _, c := range []struct {
		url        string
		transcribe bool
	}{{"https://www.youtube.com/@crabs", true}, {"https://www.youtube.com/@shrimps", false}} {
		form := url.Values{"url": {c.url}, "interval": {"2h"}}
		if c.transcribe {
			form.Set("transcribe", "on")
		}
		if w := ta.serve("POST", "/subscriptions", form); w.Code != http.StatusSeeOther {
			t.Fatalf("subscribe %s = %d %s", c.url, w.Code, w.Body)
		}
	}
	subs, err := ta.store.ListSubscriptions(ctx)
	if err != nil || len(subs) != 2 {
		t.Fatalf("subscriptions %v, %v", subs, err)
	}
	for _, s := range subs {
		b, err := ta.store.GetBatch(ctx, s.BatchID)
		if err != nil {
			t.Fatal(err)
		}
		if want := s.URL == "https://www.youtube.com/@crabs"; b.Options.Transcribe != want {
			t.Errorf("the batch of %s has transcribe %v; want %v", s.URL, b.Options.Transcribe, want)
		}
	}
}
