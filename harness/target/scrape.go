package target

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/signal"
)

// Scrape defaults.
const (
	DefaultScrapeTimeout = 5 * time.Second
	DefaultMaxBodyBytes  = 16 << 20 // 16 MiB
	// DefaultMaxLines caps the lines of a page parsed: parsing is about
	// 8 µs a line here, so 100k lines keep a scrape under a second and the
	// soak loop on its interval; a larger page is an oversized-page fault
	// (the reference engine serves a few hundred lines).
	DefaultMaxLines = 100_000
)

// ScrapeOptions configure a scrape target. URL is required; the zero value of
// every other field works.
type ScrapeOptions struct {
	// URL is the bot's metrics page, e.g. http://127.0.0.1:9100/metrics.
	URL string
	// Instance names the bot in samples; default the URL's host:port.
	Instance string
	// Timeout bounds one scrape (connect, headers and body); default 5s.
	Timeout time.Duration
	// MaxBodyBytes caps the page; a larger page is a fault. Default 16 MiB.
	MaxBodyBytes int64
	// MaxLines caps the lines of the page parsed (parse time grows with
	// them); a longer page is a fault. Default DefaultMaxLines.
	MaxLines int
	// Profile declares the bot's signals (selectors, units, aggregation);
	// nil: the reference engine's (profile.Default).
	Profile *profile.Profile
	// Client does the HTTP; nil: a client of its own (no proxy, since the
	// bot is on this machine) that follows a redirect only to the same
	// host:port (a redirect elsewhere is a fault: the sample would name a
	// bot it did not read).
	Client *http.Client
	// Now is the clock stamping samples; nil: time.Now.
	Now func() time.Time
}

// Scrape is a target that reads one bot's Prometheus text exposition over
// HTTP each time it is sampled (the runner calls Sample on its interval). A
// scrape that is refused, times out, returns a non-2xx status, garbage, an
// oversized body or a page without the ticks counter is a sample with Up
// false and Fault saying which: never an error, never a panic.
type Scrape struct {
	opts ScrapeOptions

	mu     sync.Mutex
	closed bool
	buf    bytes.Buffer
	parser expfmt.TextParser
	last   Derivation
}

var _ Target = (*Scrape)(nil)

// The faults a scrape records (the prefix of Sample.Fault).
const (
	FaultRefused   = "refused"
	FaultTimeout   = "timeout"
	FaultStatus    = "http status"
	FaultGarbage   = "garbage"
	FaultOversized = "oversized body"
	FaultNoTicks   = "not the bot's metrics"
	FaultRequest   = "request failed"
	FaultRedirect  = "redirect refused"
)

// errCrossHost is the redirect policy's refusal.
var errCrossHost = errors.New(FaultRedirect)

// sameHostRedirect follows at most 5 redirects, each to the first request's
// host:port only.
func sameHostRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return fmt.Errorf("%w: more than 5 redirects", errCrossHost)
	}
	if h := via[0].URL.Host; req.URL.Host != h {
		return fmt.Errorf("%w: %s redirects to another host %s", errCrossHost, redactURL(via[len(via)-1].URL.String()), BoundText(req.URL.Host))
	}
	return nil
}

// NewScrape validates opts and returns the target. It does not contact the
// bot: a bot that is not up yet is a fault of the first sample.
func NewScrape(opts ScrapeOptions) (*Scrape, error) {
	u, err := url.Parse(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("new scrape target: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("new scrape target: url %q: want http(s)://host:port/path", opts.URL)
	}
	if opts.Instance == "" {
		opts.Instance = u.Host
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultScrapeTimeout
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.MaxLines <= 0 {
		opts.MaxLines = DefaultMaxLines
	}
	if opts.Profile == nil {
		opts.Profile = profile.Default()
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConns: 2, IdleConnTimeout: time.Minute},
			CheckRedirect: sameHostRedirect}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Scrape{opts: opts, parser: expfmt.NewTextParser(model.UTF8Validation)}, nil
}

// Sample scrapes the page once and returns one sample. The error is only for
// a closed target or a done ctx.
func (s *Scrape) Sample(ctx context.Context) ([]signal.Sample, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, fmt.Errorf("sample scrape: %w", ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sample scrape: %w", err)
	}
	out := signal.Sample{At: s.opts.Now().UTC(), Instance: s.opts.Instance}
	if fault := s.scrape(ctx, &out); fault != "" {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("sample scrape: %w", err)
		}
		out = signal.Sample{At: out.At, Instance: out.Instance, Fault: BoundText(fault)}
		return []signal.Sample{out}, nil
	}
	out.Up = true
	return []signal.Sample{out}, nil
}

// scrape fetches and derives into out; it returns the fault, "" when none.
func (s *Scrape) scrape(ctx context.Context, out *signal.Sample) string {
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.opts.URL, nil)
	if err != nil {
		return FaultRequest + ": " + err.Error()
	}
	req.Header.Set("Accept", "text/plain;version=0.0.4;q=1,*/*;q=0.1")
	resp, err := s.opts.Client.Do(req)
	if err != nil {
		return classify(err, s.opts.Timeout)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return fmt.Sprintf("%s %d from %s", FaultStatus, resp.StatusCode, redactURL(s.opts.URL))
	}
	if resp.ContentLength > s.opts.MaxBodyBytes {
		return fmt.Sprintf("%s: %d bytes, cap %d", FaultOversized, resp.ContentLength, s.opts.MaxBodyBytes)
	}
	s.buf.Reset()
	n, err := s.buf.ReadFrom(io.LimitReader(resp.Body, s.opts.MaxBodyBytes+1))
	if err != nil {
		return classify(err, s.opts.Timeout)
	}
	if n > s.opts.MaxBodyBytes {
		return fmt.Sprintf("%s: more than %d bytes", FaultOversized, s.opts.MaxBodyBytes)
	}
	if s.buf.Cap() > 4*int(n)+64<<10 {
		defer func() { s.buf = bytes.Buffer{} }() // do not keep a huge page's buffer for small ones
	}
	if lines := countLines(s.buf.Bytes()); lines > s.opts.MaxLines {
		return fmt.Sprintf("%s: %d lines, cap %d (parsing it would hold up the sampling interval)", FaultOversized, lines, s.opts.MaxLines)
	}
	fams, err := s.parser.TextToMetricFamilies(&s.buf)
	if err != nil {
		return FaultGarbage + ": " + BoundText(err.Error())
	}
	out.SeriesFaults = checkFamilies(fams, s.opts.Profile)
	d, err := DeriveProfile(fams, s.opts.Profile, out)
	s.last = d
	if err != nil {
		if errors.Is(err, ErrNoTicks) {
			return FaultNoTicks + ": " + err.Error()
		}
		return FaultGarbage + ": " + err.Error()
	}
	return ""
}

// classify names a transport error's fault.
func classify(err error, timeout time.Duration) string {
	var ne net.Error
	switch {
	case errors.Is(err, errCrossHost):
		return BoundText(errors.Unwrap(err).Error())
	case errors.Is(err, syscall.ECONNREFUSED):
		return FaultRefused + ": " + err.Error()
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return fmt.Sprintf("%s after %v: %v", FaultTimeout, timeout, err)
	}
	return FaultRequest + ": " + err.Error()
}

// LastDerivation is what the last successful parse's derivation saw
// besides the sample: signals that matched nothing, unit warnings, the
// slowest series of each latency histogram.
func (s *Scrape) LastDerivation() Derivation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

// Close releases idle connections. Sample after Close returns ErrClosed.
func (s *Scrape) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.opts.Client.CloseIdleConnections()
	return nil
}
