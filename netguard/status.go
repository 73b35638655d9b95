package netguard

import "net/http"

// CheckStatus is the status rule of Get and Open for callers that make
// their own requests with a guarded client (audio downloads, which resume
// with range requests): nil for 2xx; EFETCH (transient) for 408, 429 and
// 5xx; EINVALID for any other answer. what names the fetched thing.
func CheckStatus(what string, resp *http.Response) error { return statusError(what, resp) }
