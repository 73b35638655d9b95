package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"

	"github.com/recap-dev/recap/llm/llmtest"
	"github.com/recap-dev/recap/youtube/youtubetest"
)

// batchView and itemView are what GET /v1/batches/{id} and its items
// return.
type batchView struct {
	ID     string         `json:"id"`
	Status string         `json:"status"`
	Title  string         `json:"title"`
	Total  int            `json:"total"`
	Counts map[string]int `json:"counts"`
	Usage  struct {
		LLMCalls int `json:"llm_calls"`
	} `json:"usage"`
	Options struct {
		Limit int `json:"limit"`
	} `json:"options"`
	Error *struct{ Code, Message string }
}

type itemView struct {
	VideoID string `json:"video_id"`
	Kind    string `json:"kind"`
	Status  string `json:"status"`
	JobID   string `json:"job_id"`
	Error   *struct{ Code, Message string }
}

func (s *testService) do(t testing.TB, method, path, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, data
}

func (s *testService) postBatch(t testing.TB, body string) batchView {
	t.Helper()
	code, data := s.do(t, "POST", "/v1/batches", body)
	var v batchView
	if code != http.StatusAccepted || json.Unmarshal(data, &v) != nil || v.Status != "expanding" {
		t.Fatalf("POST /v1/batches %s = %d %s", body, code, data)
	}
	return v
}

func (s *testService) batch(t testing.TB, id string) batchView {
	t.Helper()
	code, data := s.do(t, "GET", "/v1/batches/"+id, "")
	var v batchView
	if code != 200 || json.Unmarshal(data, &v) != nil {
		t.Fatalf("GET batch %s = %d %s", id, code, data)
	}
	return v
}

func (s *testService) items(t *testing.T, id string) []itemView {
	t.Helper()
	var all []itemView
	cursor := ""
	for {
		code, data := s.do(t, "GET", "/v1/batches/"+id+"/items?limit=100&cursor="+cursor, "")
		var page struct {
			Items      []itemView `json:"items"`
			NextCursor string     `json:"next_cursor"`
		}
		if code != 200 || json.Unmarshal(data, &page) != nil {
			t.Fatalf("GET items of %s = %d %s", id, code, data)
		}
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all
		}
		cursor = page.NextCursor
	}
}

// waitBatch polls a batch until it is finished (or paused).
func (s *testService) waitBatch(t testing.TB, id string) batchView {
	t.Helper()
	return s.waitBatchFor(t, id, 120*time.Second)
}

func (s *testService) waitBatchFor(t testing.TB, id string, limit time.Duration) batchView {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		v := s.batch(t, id)
		switch v.Status {
		case "done", "failed", "canceled", "paused":
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("batch %s never finished; last: %+v", id, v)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// items with the ids, each a short synthetic video added to the fake.
func (f *fakes) videos(prefix string, n int, dur time.Duration) []youtubetest.Item {
	items := youtubetest.SyntheticItems(prefix, n, 1)
	for i := range items {
		items[i].Duration = dur
		f.yt.AddVideo(youtubetest.SyntheticVideo(items[i].ID, dur, 2, int64(i)))
	}
	return items
}

// podcastServer serves /feed.xml, a Podcasting 2.0 feed of two episodes,
// one with an SRT and one with a WebVTT transcript, on 127.0.0.1.
func podcastServer(t *testing.T) *httptest.Server {
	t.Helper()
	cue := func(i int) (int, int, int, int) { return i * 5 / 60, i * 5 % 60, (i*5 + 5) / 60, (i*5 + 5) % 60 }
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		base := "http://" + r.Host
		switch r.URL.Path {
		case "/feed.xml":
			fmt.Fprintf(w, `<?xml version="1.0"?>
<rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
<channel><title>Shore Talk</title><link>https://shore.example</link><language>en</language>
<item><title>Tides</title><guid>shore-2</guid><pubDate>Tue, 02 Apr 2024 10:00:00 GMT</pubDate><itunes:duration>5:00</itunes:duration>
<enclosure url="%[1]s/2.mp3" type="audio/mpeg" length="1"/>
<podcast:transcript url="%[1]s/2.vtt" type="text/vtt"/></item>
<item><title>Rock pools</title><guid>shore-1</guid><pubDate>Tue, 26 Mar 2024 10:00:00 GMT</pubDate><itunes:duration>5:00</itunes:duration>
<enclosure url="%[1]s/1.mp3" type="audio/mpeg" length="1"/>
<podcast:transcript url="%[1]s/1.srt" type="application/srt"/></item>
</channel></rss>`, base)
		case "/1.srt":
			for i := range 60 {
				a, b, c, d := cue(i)
				fmt.Fprintf(w, "%d\n00:%02d:%02d,000 --> 00:%02d:%02d,000\nOwen: Pool number %d holds anemones and small fish.\n\n", i+1, a, b, c, d, i%4)
			}
		case "/2.vtt":
			fmt.Fprint(w, "WEBVTT\n\n")
			for i := range 60 {
				a, b, c, d := cue(i)
				fmt.Fprintf(w, "00:%02d:%02d.000 --> 00:%02d:%02d.000\n<v Mara>The tide turns %d times and the moon pulls the sea.\n\n", a, b, c, d, i%3)
			}
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// TestBatchEverySourceKind: each kind of source through POST /v1/batches,
// expanded, dispatched and summarized by `recap serve`.
func TestBatchEverySourceKind(t *testing.T) {
	f := newFakes(t)
	dir := t.TempDir()
	f.env["RECAP_HTTP_ADDR"] = "127.0.0.1:0"
	f.env["RECAP_YOUTUBE_RPM"] = "0" // a fake YouTube: no pace
	f.env["RECAP_WORKERS"] = "2"
	f.env["RECAP_BATCH_DIR"] = dir
	f.env["RECAP_ALLOW_PRIVATE_URLS"] = "true" // the feed is on 127.0.0.1

	pl := f.videos("pl", 3, 4*time.Minute)
	pl = append(pl, youtubetest.Item{ID: "plDeleted01", Deleted: true})
	f.yt.AddPlaylist(youtubetest.Playlist{ID: "PLrecapTest01", Title: "Crab playlist", Items: pl, Shape: youtubetest.ShapeLockup, PageSize: 2})
	ch := f.videos("ch", 3, 4*time.Minute)
	f.yt.AddChannel(youtubetest.Channel{ID: "UCrecapTestChannel000001", Title: "Crab Facts", Handle: "@crabfacts",
		Videos: ch, Grid: youtubetest.GridLockup})
	pod := podcastServer(t)
	lone := f.videos("ls", 1, 4*time.Minute)[0]
	if err := os.WriteFile(filepath.Join(dir, "list.txt"), []byte("# to watch\nhttps://youtu.be/"+lone.ID+"\n\n"+pod.URL+"/feed.xml\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	writeBundle(t, filepath.Join(dir, mkdir(t, dir, "downloads/talks")))

	s := f.serveInProcess(t)
	defer s.stop()
	for _, tc := range []struct {
		name, body       string
		done, skip       int
		kinds            map[string]int
		titleContains    string
		summarizedSource string
	}{
		{"playlist", `{"url": "https://www.youtube.com/playlist?list=PLrecapTest01"}`, 3, 1, map[string]int{"youtube": 3}, "Crab playlist", ""},
		{"channel", `{"url": "https://www.youtube.com/@crabfacts/videos", "limit": 2}`, 2, 0, map[string]int{"youtube": 2}, "Crab Facts", ""},
		{"feed", `{"url": "` + pod.URL + `/feed.xml"}`, 2, 0, map[string]int{"podcast": 2}, "Shore Talk", ""},
		{"list", `{"url": "list.txt"}`, 3, 0, map[string]int{"youtube": 1, "podcast": 2}, "list.txt", ""},
		{"folder", `{"url": "downloads"}`, 1, 0, map[string]int{"file": 1}, "downloads", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := s.postBatch(t, tc.body)
			got := s.waitBatch(t, v.ID)
			if got.Status != "done" || got.Counts["done"] != tc.done || got.Counts["skipped"] != tc.skip ||
				got.Total != tc.done+tc.skip || !strings.Contains(got.Title, tc.titleContains) {
				t.Fatalf("batch: %+v", got)
			}
			kinds := map[string]int{}
			for _, it := range s.items(t, v.ID) {
				if it.Status == "skipped" {
					if it.Error == nil || it.Error.Code != "skipped" {
						t.Errorf("skipped item without its reason: %+v", it)
					}
					continue
				}
				kinds[it.Kind]++
				j := s.job(t, it.JobID)
				if j.Status != "done" || j.Summary == nil || j.Summary.Video.ID != it.VideoID || j.Summary.Video.Source != it.Kind {
					t.Errorf("item %s: job %+v", it.VideoID, j)
				}
			}
			if fmt.Sprint(kinds) != fmt.Sprint(tc.kinds) {
				t.Errorf("item kinds %v; want %v", kinds, tc.kinds)
			}
		})
	}
	// A local path outside RECAP_BATCH_DIR is refused, at expansion.
	v := s.postBatch(t, `{"url": "/etc"}`)
	if got := s.waitBatch(t, v.ID); got.Status != "failed" || got.Error == nil || !strings.Contains(got.Error.Message, "outside the folder") {
		t.Errorf("batch of a path outside RECAP_BATCH_DIR: %+v", got)
	}
}

func mkdir(t *testing.T, root, rel string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(root, rel), 0o755); err != nil {
		t.Fatal(err)
	}
	return rel
}

// batchTasks counts the backlog's tasks in Redis: all of them (pending,
// running, waiting to retry) and those waiting.
func batchTasks(t testing.TB, insp *asynq.Inspector) (all, waiting int) {
	t.Helper()
	qs, err := insp.Queues()
	if err != nil || !slices.Contains(qs, "batch") {
		return 0, 0 // not made yet
	}
	info, err := insp.GetQueueInfo("batch")
	if err != nil {
		t.Error(err)
		return 0, 0
	}
	waiting = info.Pending + info.Scheduled + info.Retry
	return waiting + info.Active, waiting
}

// watchTasks samples the backlog's tasks in Redis every interval until the
// returned function is called, which returns the most seen at once: in
// all, and waiting.
func watchTasks(t testing.TB, insp *asynq.Inspector, every time.Duration) (stop func() (all, waiting int)) {
	var (
		mu                     sync.Mutex
		maxAll, maxWaiting     int
		stopWatch, watcherDone = make(chan struct{}), make(chan struct{})
	)
	go func() {
		defer close(watcherDone)
		for {
			select {
			case <-stopWatch:
				return
			case <-time.After(every):
			}
			all, waiting := batchTasks(t, insp)
			mu.Lock()
			maxAll, maxWaiting = max(maxAll, all), max(maxWaiting, waiting)
			mu.Unlock()
		}
	}()
	return func() (int, int) {
		close(stopWatch)
		<-watcherDone
		return maxAll, maxWaiting
	}
}

// TestBatchOvertakenBySingleURL: a single URL submitted through the API in
// the middle of a 200-item backlog finishes before more than
// 2 × RECAP_WORKERS + 1 further backlog items do, two batches progress
// side by side, and Redis holds no more than the window of backlog tasks.
func TestBatchOvertakenBySingleURL(t *testing.T) {
	f := newFakes(t, llmtest.WithLatency(15*time.Millisecond))
	mr := miniredis.RunT(t)
	const workers = 2
	f.env["RECAP_HTTP_ADDR"] = "127.0.0.1:0"
	f.env["RECAP_YOUTUBE_RPM"] = "0" // a fake YouTube: no pace
	f.env["RECAP_WORKERS"] = fmt.Sprint(workers)
	f.env["RECAP_REDIS_URL"] = "redis://" + mr.Addr() + "/0"
	window := 2 * workers // the default

	f.yt.AddPlaylist(youtubetest.Playlist{ID: "PLbacklog200", Title: "Backlog", Items: f.videos("bk", 200, 3*time.Minute)})
	f.yt.AddPlaylist(youtubetest.Playlist{ID: "PLsecond0020", Title: "Second", Items: f.videos("sc", 20, 3*time.Minute)})
	single := youtubetest.SyntheticVideo("singleVid01", 3*time.Minute, 2, 99)
	f.yt.AddVideo(single)

	s := f.serveInProcess(t)
	defer s.stop()
	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: mr.Addr()})
	defer insp.Close()

	// Redis holds only the window of backlog tasks (and, for a moment,
	// the task of an item that just finished, while its worker returns).
	stopWatch := watchTasks(t, insp, 20*time.Millisecond)

	big := s.postBatch(t, `{"url": "https://www.youtube.com/playlist?list=PLbacklog200"}`)
	second := s.postBatch(t, `{"url": "https://www.youtube.com/playlist?list=PLsecond0020"}`)

	// Mid-way: once 60 backlog items are done, a single URL.
	deadline := time.Now().Add(120 * time.Second)
	for s.batch(t, big.ID).Counts["done"] < 60 {
		if time.Now().After(deadline) {
			t.Fatalf("the backlog is stuck: %+v", s.batch(t, big.ID))
		}
		time.Sleep(20 * time.Millisecond)
	}
	submitted := time.Now()
	code, one := s.post(t, `{"url": "https://youtu.be/singleVid01"}`)
	if code != http.StatusAccepted {
		t.Fatalf("POST single URL = %d", code)
	}
	done := s.wait(t, one.ID, "done", finished)
	if done.Status != "done" {
		t.Fatalf("single URL: %+v", done)
	}
	finishedAt := s.finishedAt(t, one.ID)

	s.waitBatch(t, big.ID)
	s.waitBatch(t, second.ID)
	maxBacklog, maxWaiting := stopWatch()

	// Backlog items that finished after the single URL was submitted and
	// before it finished.
	overtook := 0
	var secondDone []time.Time
	for _, b := range []string{big.ID, second.ID} {
		for _, it := range s.items(t, b) {
			if it.Status != "done" {
				t.Fatalf("item %+v not done", it)
			}
			at := s.finishedAt(t, it.JobID)
			if at.After(submitted) && at.Before(finishedAt) {
				overtook++
			}
			if b == second.ID {
				secondDone = append(secondDone, at)
			}
		}
	}
	if limit := 2*workers + 1; overtook > limit {
		t.Errorf("%d backlog items finished while the single URL waited; want at most %d", overtook, limit)
	}
	t.Logf("backlog items finished while the single URL ran: %d (limit %d); most backlog tasks in Redis: %d, %d of them waiting (window %d, workers %d)",
		overtook, 2*workers+1, maxBacklog, maxWaiting, window, workers)
	if maxWaiting > window || maxBacklog > window+workers {
		t.Errorf("Redis held %d backlog tasks, %d waiting; want at most the window (%d) waiting and window + workers (%d) in all",
			maxBacklog, maxWaiting, window, window+workers)
	}
	if maxBacklog == 0 {
		t.Error("the watcher never saw a backlog task")
	}
	// The second batch, posted after the first, did not wait for its 200
	// items: all of it finished before the first batch's last 100 did.
	bigItems := s.items(t, big.ID)
	hundredth := s.finishedAt(t, bigItems[99].JobID)
	for _, at := range secondDone {
		if at.After(hundredth) {
			// Side by side: the second batch's items are spread over the
			// run, not queued behind the first.
			t.Errorf("an item of the second batch finished at %v, after the first batch's 100th (%v)", at, hundredth)
			break
		}
	}
}

// finishedAt reads a job's finished_at.
func (s *testService) finishedAt(t *testing.T, id string) time.Time {
	t.Helper()
	code, body := s.get(t, "/v1/summaries/"+id)
	var v struct {
		FinishedAt *time.Time `json:"finished_at"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &v) != nil || v.FinishedAt == nil {
		t.Fatalf("job %s: %d %s", id, code, body)
	}
	return *v.FinishedAt
}

// TestBatchCancelDropsQueuedTasks: DELETE /v1/batches/{id} cancels what
// has not started and drops its tasks from Redis.
func TestBatchCancelDropsQueuedTasks(t *testing.T) {
	f := newFakes(t, llmtest.WithLatency(50*time.Millisecond))
	mr := miniredis.RunT(t)
	f.env["RECAP_HTTP_ADDR"] = "127.0.0.1:0"
	f.env["RECAP_YOUTUBE_RPM"] = "0" // a fake YouTube: no pace
	f.env["RECAP_WORKERS"] = "1"
	f.env["RECAP_BATCH_WINDOW"] = "3"
	f.env["RECAP_REDIS_URL"] = "redis://" + mr.Addr() + "/0"
	f.yt.AddPlaylist(youtubetest.Playlist{ID: "PLcancel0001", Items: f.videos("cn", 10, 3*time.Minute)})
	s := f.serveInProcess(t)
	defer s.stop()
	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: mr.Addr()})
	defer insp.Close()

	v := s.postBatch(t, `{"url": "https://www.youtube.com/playlist?list=PLcancel0001"}`)
	deadline := time.Now().Add(60 * time.Second)
	for {
		b := s.batch(t, v.ID)
		if b.Counts["running"] == 1 && b.Counts["queued"] >= 8 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("batch never had one item running: %+v", b)
		}
		time.Sleep(5 * time.Millisecond)
	}
	code, data := s.do(t, "DELETE", "/v1/batches/"+v.ID, "")
	if code != 200 {
		t.Fatalf("DELETE = %d %s", code, data)
	}
	got := s.waitBatch(t, v.ID)
	// Settle: the running item finishes.
	time.Sleep(500 * time.Millisecond)
	got = s.batch(t, v.ID)
	if got.Status != "canceled" || got.Counts["canceled"] < 8 || got.Counts["queued"] != 0 || got.Counts["running"] != 0 {
		t.Errorf("canceled batch: %+v", got)
	}
	if backlog, _ := batchTasks(t, insp); backlog != 0 {
		t.Errorf("Redis still holds %d backlog tasks after cancel", backlog)
	}
	for _, it := range s.items(t, v.ID) {
		if it.Status == "canceled" && it.JobID != "" {
			if j := s.job(t, it.JobID); j.Status != "failed" || j.Error == nil || j.Error.Code != "canceled" {
				t.Errorf("job of a canceled item: %+v", j)
			}
		}
	}
}

// TestSubscriptionTwoServesAndRestart: a subscription's first poll
// summarizes its backfill; when it is due again and two `recap serve`
// share the store, it is polled once and the new video summarized once;
// after a restart it is not polled again before its interval.
func TestSubscriptionTwoServesAndRestart(t *testing.T) {
	f := newFakes(t)
	f.env["RECAP_HTTP_ADDR"] = "127.0.0.1:0"
	f.env["RECAP_YOUTUBE_RPM"] = "0" // a fake YouTube: no pace
	f.env["RECAP_WORKERS"] = "1"
	items := f.videos("sb", 4, 3*time.Minute) // newest first
	channel := youtubetest.Channel{ID: "UCrecapSubscription00001", Title: "Tide Facts", Handle: "@tidefacts", Videos: items}
	f.yt.AddChannel(channel)

	first := f.serveInProcess(t)
	code, data := first.do(t, "POST", "/v1/subscriptions", `{"url": "https://www.youtube.com/@tidefacts", "interval": "1h", "backfill": 1}`)
	var sub struct {
		ID      string `json:"id"`
		BatchID string `json:"batch_id"`
	}
	if code != http.StatusCreated || json.Unmarshal(data, &sub) != nil {
		t.Fatalf("POST /v1/subscriptions = %d %s", code, data)
	}
	if b := first.waitBatch(t, sub.BatchID); b.Total != 1 || b.Counts["done"] != 1 {
		t.Fatalf("after the first poll: %+v; want the newest item only", b)
	}
	first.stop()
	onePoll := f.yt.Requests(youtubetest.PathBrowse)

	// A new upload, and an hour later (the poll is due): two serves start
	// on the store at once.
	fresh := f.videos("nw", 1, 3*time.Minute)
	channel.Videos = append(fresh, items...)
	f.yt.AddChannel(channel)
	makeDue(t, f.env["RECAP_DATABASE_URL"], sub.ID)
	a, b := f.serveInProcess(t), f.serveInProcess(t)
	deadline := time.Now().Add(60 * time.Second)
	for a.batch(t, sub.BatchID).Counts["done"] < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("the new video was not summarized: %+v", a.batch(t, sub.BatchID))
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // give the other serve its chance
	if n := f.yt.Requests(youtubetest.PathBrowse) - onePoll; n != onePoll {
		t.Errorf("YouTube was asked %d times by two serves; one poll asks %d", n, onePoll)
	}
	its := a.items(t, sub.BatchID)
	if len(its) != 2 || its[1].VideoID != fresh[0].ID || its[1].Status != "done" {
		t.Errorf("subscription items: %+v; want the backfill and the new video, each once", its)
	}
	a.stop()
	b.stop()

	// Restarted: not polled before the interval.
	before := f.yt.Requests(youtubetest.PathBrowse)
	c := f.serveInProcess(t)
	time.Sleep(500 * time.Millisecond)
	code, data = c.do(t, "GET", "/v1/subscriptions", "")
	var list struct {
		Subscriptions []struct {
			Polls      int       `json:"polls"`
			NextPollAt time.Time `json:"next_poll_at"`
		} `json:"subscriptions"`
	}
	if code != 200 || json.Unmarshal(data, &list) != nil || len(list.Subscriptions) != 1 {
		t.Fatalf("GET /v1/subscriptions = %d %s", code, data)
	}
	if got := list.Subscriptions[0]; got.Polls != 2 || time.Until(got.NextPollAt) < 50*time.Minute {
		t.Errorf("after a restart: %+v; want 2 polls, the next in about an hour", got)
	}
	if n := f.yt.Requests(youtubetest.PathBrowse); n != before {
		t.Errorf("YouTube was asked %d times after the restart; want none before the interval", n-before)
	}
	c.stop()
}

// makeDue moves a subscription's next poll into the past, as if its
// interval had passed.
func makeDue(t *testing.T, dbURL, id string) {
	t.Helper()
	if _, err := openSQLite(t, dbURL).Exec(`UPDATE subscriptions SET next_poll_at = '2000-01-01T00:00:00.000000Z' WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
}

// TestBatchBudget: with max_cost_usd, a batch stops starting items before
// its spending (priced by RECAP_LLM_PRICE_*) plus the estimates in flight
// would pass it; the rest stay, paused, and the batch says why.
func TestBatchBudget(t *testing.T) {
	f := newFakes(t)
	f.env["RECAP_HTTP_ADDR"] = "127.0.0.1:0"
	f.env["RECAP_YOUTUBE_RPM"] = "0"
	f.env["RECAP_WORKERS"] = "1"
	f.env["RECAP_LLM_PRICE_INPUT"] = "1000" // $1,000 per million tokens: a few dollars a video
	f.env["RECAP_LLM_PRICE_OUTPUT"] = "1000"
	f.yt.AddPlaylist(youtubetest.Playlist{ID: "PLbudget0001", Items: f.videos("bu", 8, 3*time.Minute)})
	s := f.serveInProcess(t)
	defer s.stop()

	const budget = 6.0
	v := s.postBatch(t, fmt.Sprintf(`{"url": "https://www.youtube.com/playlist?list=PLbudget0001", "max_cost_usd": %v}`, budget))
	got := s.waitBatch(t, v.ID)
	code, data := s.do(t, "GET", "/v1/batches/"+v.ID, "")
	var full struct {
		Usage struct {
			CostUSD *float64 `json:"cost_usd"`
		} `json:"usage"`
	}
	if code != 200 || json.Unmarshal(data, &full) != nil || full.Usage.CostUSD == nil {
		t.Fatalf("GET batch = %d %s", code, data)
	}
	t.Logf("paused after %d items, $%.2f spent of $%.2f: %s", got.Counts["done"], *full.Usage.CostUSD, budget, got.Error.Message)
	if got.Status != "paused" || got.Error == nil || got.Error.Code != "over_budget" ||
		got.Counts["done"] == 0 || got.Counts["paused"] == 0 || got.Counts["done"]+got.Counts["paused"] != 8 {
		t.Fatalf("batch over its budget: %+v", got)
	}
	if *full.Usage.CostUSD > budget {
		t.Errorf("spent $%.2f; want at most the budget, $%.2f", *full.Usage.CostUSD, budget)
	}
	if calls := f.llm.Calls(); calls != got.Usage.LLMCalls {
		t.Errorf("the LLM answered %d calls; the batch's documents used %d", calls, got.Usage.LLMCalls)
	}
	// Without prices a budget is refused at once.
	g := newFakes(t)
	g.env["RECAP_HTTP_ADDR"] = "127.0.0.1:0"
	gs := g.serveInProcess(t)
	defer gs.stop()
	code, data = gs.do(t, "POST", "/v1/batches", `{"url": "https://www.youtube.com/playlist?list=PLx", "max_cost_usd": 1}`)
	if code != 400 || !strings.Contains(string(data), "RECAP_LLM_PRICE_INPUT") {
		t.Errorf("a budget without prices = %d %s", code, data)
	}
}
