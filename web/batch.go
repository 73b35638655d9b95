package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/batch"
	"github.com/recap-dev/recap/storage"
)

// The batch pages: /b lists the batches, /b/{id} follows one (with its
// progress.json for the script, and the cancel and retry forms), and
// /subscriptions lists, adds and deletes subscriptions. They need
// App.Batches.

// BatchesPage shows the batches, newest first, at GET /b.
func (a *App) BatchesPage(w http.ResponseWriter, r *http.Request) {
	sess, ok := a.signedIn(w, r)
	if !ok {
		return
	}
	cursor := r.URL.Query().Get("cursor")
	page, err := a.Store.ListBatches(r.Context(), storage.BatchFilter{Limit: 20, Cursor: cursor})
	if err != nil {
		a.errorPage(w, r, sess, err)
		return
	}
	a.render(w, r, http.StatusOK, "batches", sess, layoutData{Title: "Batches", Page: NewBatches(page, cursor == "")})
}

// BatchPage shows a batch at GET /b/{id}: its state, its items (?status=
// and ?cursor= choose them), and the cancel and retry forms.
func (a *App) BatchPage(w http.ResponseWriter, r *http.Request) {
	sess, ok := a.signedIn(w, r)
	if !ok {
		return
	}
	v, err := a.batchView(r)
	if err != nil {
		a.errorPage(w, r, sess, err)
		return
	}
	if n, err := strconv.Atoi(r.URL.Query().Get("requeued")); err == nil && n >= 0 {
		v.Requeued = n
	}
	a.render(w, r, http.StatusOK, "batch", sess, layoutData{Title: v.Title, Page: v, Refresh: v.Live})
}

// batchView reads the batch of /b/{id} and the page of items the request
// asks for.
func (a *App) batchView(r *http.Request) (Batch, error) {
	ctx, q, id := r.Context(), r.URL.Query(), r.PathValue("id")
	filter, cursor := q.Get("status"), q.Get("cursor")
	statuses, err := batch.StatusFilter(filter)
	if err != nil {
		return Batch{}, err
	}
	b, err := a.Batches.Get(ctx, id)
	if err != nil {
		return Batch{}, notFound(err, "no batch %q", id)
	}
	page, err := a.Store.ListBatchItems(ctx, storage.BatchItemFilter{BatchID: b.ID, Statuses: statuses, Limit: itemsPerPage, Cursor: cursor})
	if err != nil {
		return Batch{}, err
	}
	return NewBatch(b, page.Items, filter, cursor, page.NextCursor), nil
}

// BatchFile serves /b/{id}/progress.json: the batch page's state, which
// its script polls.
func (a *App) BatchFile(w http.ResponseWriter, r *http.Request) {
	sess, ok := a.signedIn(w, r)
	if !ok {
		return
	}
	if r.PathValue("file") != "progress.json" {
		a.errorPage(w, r, sess, recap.Errorf(recap.ENOTFOUND, "no file %q: expected progress.json", r.PathValue("file")))
		return
	}
	v, err := a.batchView(r)
	if err != nil {
		a.errorPage(w, r, sess, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, v)
}

// BatchAction takes the batch page's forms: POST /b/{id}/cancel cancels
// what has not started (DELETE /v1/batches/{id}), POST /b/{id}/retry
// requeues the failed and paused items (POST /v1/batches/{id}/retry).
// Both go back to the batch page.
func (a *App) BatchAction(w http.ResponseWriter, r *http.Request) {
	sess, ok := a.form(w, r)
	if !ok {
		return
	}
	ctx, id := r.Context(), r.PathValue("id")
	switch r.PathValue("file") {
	case "cancel":
		b, err := a.Batches.Cancel(ctx, id)
		if err != nil {
			a.errorPage(w, r, sess, notFound(err, "no batch %q", id))
			return
		}
		http.Redirect(w, r, BatchLink(b.ID), http.StatusSeeOther)
	case "retry":
		b, n, err := a.Batches.Retry(ctx, id)
		if err != nil {
			a.errorPage(w, r, sess, notFound(err, "no batch %q", id))
			return
		}
		http.Redirect(w, r, BatchLink(b.ID)+"?requeued="+strconv.Itoa(n), http.StatusSeeOther)
	default:
		a.errorPage(w, r, sess, recap.Errorf(recap.ENOTFOUND, "nothing to post to at %s", r.URL.Path))
	}
}

// SubscriptionsPage shows the subscriptions and the form that adds one,
// at GET /subscriptions.
func (a *App) SubscriptionsPage(w http.ResponseWriter, r *http.Request) {
	sess, ok := a.signedIn(w, r)
	if !ok {
		return
	}
	a.subscriptions(w, r, sess, http.StatusOK, nil)
}

// subscriptions renders the subscriptions page; form, when not nil, is
// the form sent, shown again with its error.
func (a *App) subscriptions(w http.ResponseWriter, r *http.Request, sess Session, status int, form *Subscriptions) {
	subs, err := a.Batches.Subscriptions(r.Context())
	if err != nil {
		a.errorPage(w, r, sess, err)
		return
	}
	v := NewSubscriptions(subs)
	v.CanTranscribe = a.Transcribe
	if form != nil {
		v.URL, v.Interval, v.Backfill, v.Transcribe, v.Error = form.URL, form.Interval, form.Backfill, form.Transcribe, form.Error
	}
	a.render(w, r, status, "subscriptions", sess, layoutData{Title: "Subscriptions", Page: v})
}

// SubscribeForm takes the form of POST /subscriptions (url, interval,
// backfill, transcribe), checked as POST /v1/subscriptions checks them.
func (a *App) SubscribeForm(w http.ResponseWriter, r *http.Request) {
	sess, ok := a.form(w, r)
	if !ok {
		return
	}
	f := &Subscriptions{URL: strings.TrimSpace(r.PostForm.Get("url")), Interval: strings.TrimSpace(r.PostForm.Get("interval")),
		Backfill: strings.TrimSpace(r.PostForm.Get("backfill")), Transcribe: r.PostForm.Get("transcribe") == "on"}
	err := a.subscribe(r, f)
	if err == nil {
		http.Redirect(w, r, "/subscriptions", http.StatusSeeOther)
		return
	}
	if recap.ErrorCode(err) != recap.EINVALID {
		a.errorPage(w, r, sess, err)
		return
	}
	f.Error = recap.ErrorMessage(err)
	a.subscriptions(w, r, sess, http.StatusBadRequest, f)
}

func (a *App) subscribe(r *http.Request, f *Subscriptions) error {
	interval, err := batch.ParseInterval(f.Interval)
	if err != nil {
		return err
	}
	backfill := 0
	if f.Backfill != "" {
		if backfill, err = strconv.Atoi(f.Backfill); err != nil {
			return recap.Errorf(recap.EINVALID, "backfill %q is not a whole number: expected how many existing items to summarize, 0 or more", f.Backfill)
		}
	}
	_, _, err = a.Batches.Subscribe(r.Context(), f.URL, interval, backfill, f.Transcribe)
	return err
}

// UnsubscribeForm takes POST /subscriptions/{id}/delete: the subscription
// stops (DELETE /v1/subscriptions/{id}); its batch stays.
func (a *App) UnsubscribeForm(w http.ResponseWriter, r *http.Request) {
	sess, ok := a.form(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	if r.PathValue("action") != "delete" {
		a.errorPage(w, r, sess, recap.Errorf(recap.ENOTFOUND, "nothing to post to at %s", r.URL.Path))
		return
	}
	if err := a.Batches.Unsubscribe(r.Context(), id); err != nil {
		a.errorPage(w, r, sess, notFound(err, "no subscription %q", id))
		return
	}
	http.Redirect(w, r, "/subscriptions", http.StatusSeeOther)
}
