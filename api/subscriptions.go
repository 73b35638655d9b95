package api

import (
	"net/http"
	"time"

	"github.com/recap-dev/recap/batch"
	"github.com/recap-dev/recap/storage"
)

// subscriptionRequest is the body of POST /v1/subscriptions.
type subscriptionRequest struct {
	URL      string `json:"url"`
	Interval string `json:"interval"`
	Backfill int    `json:"backfill"`
	// Transcribe takes every item's transcript from speech-to-text.
	Transcribe bool `json:"transcribe"`
}

// subscriptionView is a subscription as the API shows it.
type subscriptionView struct {
	ID              string     `json:"id"`
	URL             string     `json:"url"`
	Interval        string     `json:"interval"`
	IntervalSeconds int64      `json:"interval_seconds"`
	Backfill        int        `json:"backfill"`
	BatchID         string     `json:"batch_id"`
	Polls           int        `json:"polls"`
	NextPollAt      time.Time  `json:"next_poll_at"`
	LastPollAt      *time.Time `json:"last_poll_at"`
	Error           *apiError  `json:"error"`
	CreatedAt       time.Time  `json:"created_at"`
}

func newSubscriptionView(s *storage.Subscription) *subscriptionView {
	v := &subscriptionView{
		ID: s.ID, URL: s.URL, Interval: s.Interval.String(), IntervalSeconds: int64(s.Interval / time.Second),
		Backfill: s.Backfill, BatchID: s.BatchID, Polls: s.Polls, NextPollAt: s.NextPollAt, LastPollAt: s.LastPollAt,
		CreatedAt: s.CreatedAt,
	}
	if s.LastError != "" {
		v.Error = &apiError{Code: s.LastErrorCode, Message: s.LastError}
	}
	return v
}

func (s *Server) createSubscription(w http.ResponseWriter, r *http.Request) {
	var req subscriptionRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	interval, err := batch.ParseInterval(req.Interval)
	if err != nil {
		s.error(w, r, err)
		return
	}
	sub, created, err := s.Batches.Subscribe(r.Context(), req.URL, interval, req.Backfill, req.Transcribe)
	if err != nil {
		s.error(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	w.Header().Set("Location", "/v1/subscriptions/"+sub.ID)
	s.json(w, status, newSubscriptionView(sub))
}

type subscriptionListView struct {
	Subscriptions []*subscriptionView `json:"subscriptions"`
}

func (s *Server) listSubscriptions(w http.ResponseWriter, r *http.Request) {
	subs, err := s.Batches.Subscriptions(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	out := subscriptionListView{Subscriptions: make([]*subscriptionView, 0, len(subs))}
	for _, sub := range subs {
		out.Subscriptions = append(out.Subscriptions, newSubscriptionView(sub))
	}
	s.json(w, http.StatusOK, out)
}

func (s *Server) deleteSubscription(w http.ResponseWriter, r *http.Request) {
	if err := s.Batches.Unsubscribe(r.Context(), r.PathValue("id")); err != nil {
		s.error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
