package netguard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/recap-dev/recap"
)

// Defaults for Config.
const (
	DefaultTimeout      = 30 * time.Second
	DefaultMaxRedirects = 5
	DefaultUserAgent    = "recap (+https://github.com/recap-dev/recap)"
)

// Config sets up a guarded client. The zero value refuses private
// addresses and uses the defaults above.
type Config struct {
	// AllowPrivate lets the client connect to any address, loopback and
	// private ones included (RECAP_ALLOW_PRIVATE_URLS=true). Only http and
	// https are allowed either way.
	AllowPrivate bool
	// Timeout bounds one request, redirects and reading the body included;
	// 0 means DefaultTimeout.
	Timeout time.Duration
	// MaxRedirects is how many redirects one request may follow; 0 means
	// DefaultMaxRedirects, negative none.
	MaxRedirects int
	// UserAgent is sent with every request; "" means DefaultUserAgent.
	UserAgent string

	// public, when set, counts an address it returns true for as public.
	// Only this package's tests set it (so that a local test server can
	// stand for a public host next to refused ones); nothing outside the
	// package can reach it.
	public func(netip.AddrPort) bool
}

func (c Config) withDefaults() Config {
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxRedirects == 0 {
		c.MaxRedirects = DefaultMaxRedirects
	}
	if c.UserAgent == "" {
		c.UserAgent = DefaultUserAgent
	}
	return c
}

// NewClient returns an *http.Client that enforces the rules of this
// package on every request it sends, however it is called: the scheme is
// checked before each request and each redirect, the address on each
// connection. Errors it returns carry a recap.Error: EINVALID for a refused
// scheme, address or too many redirects, EFETCH for a timeout.
func NewClient(cfg Config) *http.Client {
	cfg = cfg.withDefaults()
	dialer := &net.Dialer{
		Timeout:   10 * time.Second,
		KeepAlive: 30 * time.Second,
		ControlContext: func(_ context.Context, network, address string, _ syscall.RawConn) error {
			return cfg.checkDial(network, address)
		},
	}
	transport := &http.Transport{
		Proxy:                 nil, // a proxy would connect for us, past the address check
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          20,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: cfg.Timeout,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{
		Transport: &guard{next: transport, userAgent: cfg.UserAgent},
		Timeout:   cfg.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > max(cfg.MaxRedirects, 0) {
				return recap.Errorf(recap.EINVALID, "%s redirected more than %d times (the redirect limit)", via[0].URL.Redacted(), max(cfg.MaxRedirects, 0))
			}
			return CheckURL(req.URL)
		},
	}
}

// checkDial applies the address rule to the address about to be dialled.
func (c Config) checkDial(network, address string) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return recap.Errorf(recap.EINVALID, "refusing to connect to %q over %s: not an IP address and port", address, network)
	}
	if c.AllowPrivate || (c.public != nil && c.public(ap)) {
		return nil
	}
	if err := CheckAddr(ap.Addr()); err != nil {
		return recap.Errorf(recap.EINVALID, "refusing to connect to %s: %v (set RECAP_ALLOW_PRIVATE_URLS=true to allow private addresses)", ap, err)
	}
	return nil
}

// guard checks the scheme of every request (the first and each redirect)
// and sets the User-Agent.
type guard struct {
	next      http.RoundTripper
	userAgent string
}

func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := CheckURL(req.URL); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	if req.Header.Get("User-Agent") == "" {
		req = req.Clone(req.Context())
		req.Header.Set("User-Agent", g.userAgent)
	}
	return g.next.RoundTrip(req)
}

// CheckURL allows only absolute http and https URLs with a host.
func CheckURL(u *url.URL) error {
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	case "":
		return recap.Errorf(recap.EINVALID, "%q is not an absolute URL: expected http:// or https://", u.Redacted())
	default:
		return recap.Errorf(recap.EINVALID, "%q: scheme %q is not allowed, only http and https", u.Redacted(), u.Scheme)
	}
	if u.Host == "" {
		return recap.Errorf(recap.EINVALID, "%q has no host", u.Redacted())
	}
	return nil
}

// Limit is what one fetch may take.
type Limit struct {
	// What names the thing fetched in errors: "feed", "transcript".
	What string
	// MaxBytes caps the body; a longer one is an ETOOLARGE error
	// ("feed body is over 20 MiB"). 0 means no cap.
	MaxBytes int64
	// Accept is sent as the Accept header when set.
	Accept string
}

// Response is a fetched body and what was said about it.
type Response struct {
	Body []byte
	// URL is where the body came from, after redirects.
	URL *url.URL
	// ContentType is the Content-Type header.
	ContentType string
}

// Get fetches rawURL with client (made by NewClient) and reads the body,
// within lim. Errors carry a recap.Error naming lim.What and the limit or
// answer that stopped it: EINVALID for a refused URL or address, too many
// redirects, or a 4xx answer; ETOOLARGE for a body over lim.MaxBytes;
// EFETCH (transient) for a network failure, a timeout, 408, 429 or 5xx.
func Get(ctx context.Context, client *http.Client, rawURL string, lim Limit) (*Response, error) {
	what := lim.What
	if what == "" {
		what = "response"
	}
	req, u, err := newRequest(ctx, rawURL, what)
	if err != nil {
		return nil, err
	}
	if lim.Accept != "" {
		req.Header.Set("Accept", lim.Accept)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, requestError(ctx, client, what, u, err)
	}
	defer resp.Body.Close()
	if err := statusError(what, resp); err != nil {
		return nil, err
	}
	if lim.MaxBytes > 0 && resp.ContentLength > lim.MaxBytes {
		return nil, tooLarge(what, lim.MaxBytes, resp.Request.URL)
	}
	r := io.Reader(resp.Body)
	if lim.MaxBytes > 0 {
		r = io.LimitReader(resp.Body, lim.MaxBytes+1)
	}
	body, err := io.ReadAll(r)
	if err != nil {
		return nil, requestError(ctx, client, what, u, err)
	}
	if lim.MaxBytes > 0 && int64(len(body)) > lim.MaxBytes {
		return nil, tooLarge(what, lim.MaxBytes, resp.Request.URL)
	}
	return &Response{Body: body, URL: resp.Request.URL, ContentType: resp.Header.Get("Content-Type")}, nil
}

// Open is Get for bodies too large to hold in memory (audio): it returns
// the response once its status is OK, for the caller to read and close.
// The caller caps what it reads; the client's timeout still bounds the
// whole transfer.
func Open(ctx context.Context, client *http.Client, rawURL, what string) (*http.Response, error) {
	req, u, err := newRequest(ctx, rawURL, what)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, requestError(ctx, client, what, u, err)
	}
	if err := statusError(what, resp); err != nil {
		resp.Body.Close()
		return nil, err
	}
	return resp, nil
}

// newRequest builds a GET request for rawURL, refusing what CheckURL
// refuses.
func newRequest(ctx context.Context, rawURL, what string) (*http.Request, *url.URL, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, nil, recap.Errorf(recap.EINVALID, "%s URL %q does not parse: %v", what, rawURL, err)
	}
	if err := CheckURL(u); err != nil {
		return nil, nil, recap.Errorf(recap.EINVALID, "%s URL refused: %s", what, recap.ErrorMessage(err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, nil, recap.Errorf(recap.EINVALID, "%s URL %q: %v", what, u.Redacted(), err)
	}
	return req, u, nil
}

// requestError turns a failed request into a recap.Error. A refusal made
// by the guard keeps its code; anything else is transient.
func requestError(ctx context.Context, client *http.Client, what string, u *url.URL, err error) error {
	var re *recap.Error
	if errors.As(err, &re) {
		return &recap.Error{Code: re.Code, Message: fmt.Sprintf("%s %s: %s", what, u.Redacted(), re.Message), Err: re.Err}
	}
	if ctx.Err() != nil {
		return recap.WrapError(recap.EFETCH, err, "%s %s: stopped: %v", what, u.Redacted(), context.Cause(ctx))
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return recap.WrapError(recap.EFETCH, err, "%s %s: no complete answer within %s (the time limit)", what, u.Redacted(), client.Timeout)
	}
	return recap.WrapError(recap.EFETCH, err, "%s %s could not be fetched: %v", what, u.Redacted(), rootCause(err))
}

// statusError is nil for 2xx answers.
func statusError(what string, resp *http.Response) error {
	code := resp.StatusCode
	if code >= 200 && code < 300 {
		return nil
	}
	where := resp.Request.URL.Redacted()
	switch {
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500:
		return recap.Errorf(recap.EFETCH, "%s %s answered %s", what, where, resp.Status)
	case code >= 300 && code < 400:
		return recap.Errorf(recap.EINVALID, "%s %s answered %s without a usable Location", what, where, resp.Status)
	}
	return recap.Errorf(recap.EINVALID, "%s %s answered %s", what, where, resp.Status)
}

func tooLarge(what string, limit int64, u *url.URL) error {
	return recap.Errorf(recap.ETOOLARGE, "%s body is over %s (the size limit): %s", what, FormatBytes(limit), u.Redacted())
}

// FormatBytes writes n the way limits are said: "20 MiB", "512 KiB",
// "100 bytes".
func FormatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// rootCause is the innermost error, for messages that would otherwise
// repeat the URL at every layer ("Get …: dial tcp …: connection refused").
func rootCause(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}
