package storage

import "github.com/recap-dev/recap"

// The checks below are the argument rules of Store that do not depend on
// the database. Drivers call them before touching it, so that every driver
// refuses the same arguments with the same recap.EINVALID message.

// CheckSubmit validates the job given to SubmitJob.
func CheckSubmit(j *Job) error {
	switch {
	case j == nil:
		return recap.Errorf(recap.EINVALID, "no job to submit")
	case j.VideoID == "":
		return recap.Errorf(recap.EINVALID, "job has no video id")
	case j.SourceKind == "" || j.SourceRef == "":
		return recap.Errorf(recap.EINVALID, "job for video %s does not say what to fetch: source kind %q, reference %q", j.VideoID, j.SourceKind, j.SourceRef)
	case j.Priority != PriorityHigh && j.Priority != PriorityLow:
		return recap.Errorf(recap.EINVALID, "job for video %s has priority %q; want %s or %s", j.VideoID, j.Priority, PriorityHigh, PriorityLow)
	case j.OptionsKey == "":
		return recap.Errorf(recap.EINVALID, "job for video %s has no options key", j.VideoID)
	}
	return nil
}

// CheckProgress validates the done of total chapters given to
// SetJobProgress; total 0 means not yet known.
func CheckProgress(done, total int) error {
	if done < 0 || total < 0 || (total > 0 && done > total) {
		return recap.Errorf(recap.EINVALID, "progress %d of %d: want 0 <= done <= total", done, total)
	}
	return nil
}

// CheckFinish validates the document given to FinishJob for job id, before
// the job is touched: it must be there and carry the job's id. Its video is
// checked against the job's by EncodeDocument, once the job is read.
func CheckFinish(id string, doc *recap.Document) error {
	if doc == nil {
		return recap.Errorf(recap.EINVALID, "finish job %s: no document", id)
	}
	if doc.ID != id {
		return recap.Errorf(recap.EINVALID, "finish job %s: document id is %q; want the job id", id, doc.ID)
	}
	return nil
}

// CheckVideo validates the video given to PutVideo.
func CheckVideo(v recap.Video) error {
	if v.ID == "" {
		return recap.Errorf(recap.EINVALID, "video has no id")
	}
	return nil
}

// CheckTranscript validates the arguments of PutTranscript: a transcript
// is stored under its video and its language, so both are needed.
func CheckTranscript(videoID string, t recap.Transcript) error {
	if videoID == "" || t.Language == "" {
		return recap.Errorf(recap.EINVALID, "transcript needs a video id and a language; got %q and %q", videoID, t.Language)
	}
	return nil
}

// CheckLease validates the lease given to StartJob and RenewLease.
func CheckLease(l Lease) error {
	if l.Owner == "" || l.TTL <= 0 {
		return recap.Errorf(recap.EINVALID, "lease needs an owner and a positive duration; got %q for %s", l.Owner, l.TTL)
	}
	return nil
}
