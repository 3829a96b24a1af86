package target

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"

	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/signal"
)

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// DefaultPrometheusTimeout bounds one Sample of a Prometheus target (every
// query together).
const DefaultPrometheusTimeout = 10 * time.Second

// PrometheusOptions configure a Prometheus target. URL is required; the zero
// value of every other field works.
type PrometheusOptions struct {
	// URL is the Prometheus server, e.g. http://127.0.0.1:9090.
	URL string
	// Selector is a PromQL label selector appended to every metric name,
	// e.g. {job="mm"} (the braces may be left out); empty matches every
	// series of the metric.
	Selector string
	// InstanceLabel groups series into bots; default "instance".
	InstanceLabel string
	// Timeout bounds one Sample (all its queries); default 10s.
	Timeout time.Duration
	// Profile declares the bots' signals; its selectors (with Selector's
	// matchers added) are the queries sent. nil: the reference engine's
	// (profile.Default).
	Profile *profile.Profile
	// RoundTripper does the HTTP; nil: a transport of its own.
	RoundTripper http.RoundTripper
	// MaxBodyBytes caps each answer of the server; a larger one is a fault
	// of the sample (the server's answer is not read further). Default
	// DefaultMaxBodyBytes (16 MiB, as a scrape target's page).
	MaxBodyBytes int64
	// Now is the evaluation time of the queries; nil: time.Now.
	Now func() time.Time
}

// Prometheus is a target reading a fleet through a Prometheus server's HTTP
// API: one instant query per metric with the selector, grouped by instance
// into one sample per bot. A bot Prometheus reports down (up == 0) or whose
// ticks counter is missing is a down sample; a Prometheus that is down, slow
// or answers garbage makes every known bot a down sample whose Fault names
// the server's failure. Neither is an error.
type Prometheus struct {
	opts    PrometheusOptions
	api     v1.API
	queries []promQuery

	mu     sync.Mutex
	closed bool
	known  []string // instances seen so far, sorted
}

var _ Target = (*Prometheus)(nil)

// FaultPrometheus prefixes the fault of every sample when the server itself
// could not be read; FaultScrapeDown when it reports the bot's scrape failed.
const (
	FaultPrometheus = "prometheus"
	FaultScrapeDown = "prometheus reports up == 0"
)

// promQuery is one instant query and the family its result feeds.
type promQuery struct {
	expr   string
	family string // metric family name in Derive's terms ("" for up)
	part   string // "", "bucket", "count" or "sum" for histograms
}

// NewPrometheus validates opts and returns the target. It does not contact
// the server.
func NewPrometheus(opts PrometheusOptions) (*Prometheus, error) {
	u, err := url.Parse(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("new prometheus target: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("new prometheus target: url %q: want http(s)://host:port", opts.URL)
	}
	opts.Selector = NormalizeSelector(opts.Selector)
	if err := ValidateSelector(opts.Selector); err != nil {
		return nil, fmt.Errorf("new prometheus target: %w", err)
	}
	if opts.InstanceLabel == "" {
		opts.InstanceLabel = "instance"
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultPrometheusTimeout
	}
	if opts.Profile == nil {
		opts.Profile = profile.Default()
	}
	var extra []*labels.Matcher
	if opts.Selector != "" {
		ms, err := profile.ParseSelector(opts.Selector)
		if err != nil {
			return nil, fmt.Errorf("new prometheus target: %w", err)
		}
		extra = ms
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	rt := opts.RoundTripper
	if rt == nil {
		rt = &http.Transport{Proxy: nil, MaxIdleConns: 4, IdleConnTimeout: time.Minute}
	}
	rt = cappedTransport{rt: rt, max: opts.MaxBodyBytes}
	c, err := api.NewClient(api.Config{Address: opts.URL, RoundTripper: rt})
	if err != nil {
		return nil, fmt.Errorf("new prometheus target: %w", err)
	}
	p := &Prometheus{opts: opts, api: v1.NewAPI(c)}
	p.queries = append(p.queries, promQuery{expr: "up" + opts.Selector})
	// The ticks signal first: Sample names it when nothing matches.
	seen := map[string]bool{}
	names := opts.Profile.SignalNames()
	slices.SortStableFunc(names, func(a, b string) int { return cmpBool(b == "ticks", a == "ticks") })
	for _, name := range names {
		sg := opts.Profile.Signals[name]
		parts := []string{""}
		if sg.Kind == profile.KindHistogram {
			parts = []string{"bucket", "count", "sum"}
		}
		for _, part := range parts {
			suffix := ""
			if part != "" {
				suffix = "_" + part
			}
			expr := sg.Selector(suffix, extra)
			if seen[expr] {
				continue
			}
			seen[expr] = true
			p.queries = append(p.queries, promQuery{expr: expr, family: sg.Metric, part: part})
		}
	}
	return p, nil
}

// Queries are the PromQL instant queries one Sample runs, in order.
func (p *Prometheus) Queries() []string {
	out := make([]string, len(p.queries))
	for i, q := range p.queries {
		out[i] = q.expr
	}
	return out
}

// NormalizeSelector accepts a selector with or without its braces
// (job="mm" or {job="mm"}, as make monitoring does) and returns it with
// them; empty stays empty.
func NormalizeSelector(sel string) string {
	sel = strings.TrimSpace(sel)
	if sel == "" || strings.HasPrefix(sel, "{") {
		return sel
	}
	return "{" + sel + "}"
}

// ValidateSelector checks a PromQL label selector's shape: empty, or
// {name="value", ...} with matchers =, !=, =~, !~ on valid label names.
func ValidateSelector(sel string) error {
	if sel == "" {
		return nil
	}
	if !strings.HasPrefix(sel, "{") || !strings.HasSuffix(sel, "}") {
		return fmt.Errorf("selector %q: want {label=\"value\", ...}", sel)
	}
	rest := strings.TrimSpace(sel[1 : len(sel)-1])
	for rest != "" {
		i := strings.IndexAny(rest, "=!")
		if i <= 0 {
			return fmt.Errorf("selector %q: want label=\"value\" at %q", sel, rest)
		}
		name := strings.TrimSpace(rest[:i])
		if !model.LabelName(name).IsValidLegacy() {
			return fmt.Errorf("selector %q: bad label name %q", sel, name)
		}
		rest = rest[i:]
		for _, op := range []string{"=~", "!~", "!=", "="} {
			if strings.HasPrefix(rest, op) {
				rest = strings.TrimSpace(rest[len(op):])
				break
			}
		}
		if rest == "" || rest[0] != '"' {
			return fmt.Errorf("selector %q: label %s: want a quoted value", sel, name)
		}
		q, err := strconv.QuotedPrefix(rest)
		if err != nil {
			return fmt.Errorf("selector %q: label %s: %w", sel, name, err)
		}
		rest = strings.TrimSpace(rest[len(q):])
		if rest != "" {
			if rest[0] != ',' {
				return fmt.Errorf("selector %q: want , between matchers at %q", sel, rest)
			}
			rest = strings.TrimSpace(rest[1:])
		}
	}
	return nil
}

// Sample queries the server once at Now and returns one sample per instance,
// sorted by instance. The error is only for a closed target or a done ctx.
func (p *Prometheus) Sample(ctx context.Context) ([]signal.Sample, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, fmt.Errorf("sample prometheus: %w", ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sample prometheus: %w", err)
	}
	at := p.opts.Now().UTC()
	fleet, err := p.query(ctx, at)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, fmt.Errorf("sample prometheus: %w", cerr)
		}
		return p.downAll(at, err), nil
	}
	out := make([]signal.Sample, 0, len(fleet))
	for inst, b := range fleet {
		s := signal.Sample{At: at, Instance: BoundText(inst)}
		switch {
		case b.up == 0:
			s.Fault = FaultScrapeDown + " (the bot's scrape failed)"
		case len(b.fams) == 0:
			s.Fault = FaultNoTicks + ": no series but up"
		default:
			fams := b.families()
			s.SeriesFaults = checkFamilies(fams, p.opts.Profile)
			if _, err := DeriveProfile(fams, p.opts.Profile, &s); err != nil {
				s = signal.Sample{At: at, Instance: BoundText(inst), Fault: BoundText(FaultNoTicks + ": " + err.Error())}
			} else {
				s.Up = true
			}
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Instance < out[j].Instance })
	p.known = p.known[:0]
	for _, s := range out {
		p.known = append(p.known, s.Instance)
	}
	if len(out) == 0 {
		return p.downAll(at, fmt.Errorf("no series match %q", p.queries[1].expr)), nil
	}
	return out, nil
}

// downAll is a down sample for every known instance (or one for the server
// when none is known yet).
func (p *Prometheus) downAll(at time.Time, err error) []signal.Sample {
	insts := p.known
	if len(insts) == 0 {
		u, _ := url.Parse(p.opts.URL)
		insts = []string{"prometheus " + u.Host}
	}
	out := make([]signal.Sample, len(insts))
	for i, in := range insts {
		out[i] = signal.Sample{At: at, Instance: in, Fault: BoundText(FaultPrometheus + ": " + err.Error())}
	}
	return out
}

// bot collects one instance's series as metric families.
type bot struct {
	up   float64 // -1: no up series
	fams map[string]*dto.MetricFamily
	hist map[string]*dto.Metric // family + "\xff" + labels without le -> histogram metric
}

func (b *bot) families() map[string]*dto.MetricFamily { return b.fams }

// query runs every query at at and groups the results by instance.
func (p *Prometheus) query(ctx context.Context, at time.Time) (map[string]*bot, error) {
	ctx, cancel := context.WithTimeout(ctx, p.opts.Timeout)
	defer cancel()
	fleet := map[string]*bot{}
	get := func(inst string) *bot {
		b, ok := fleet[inst]
		if !ok {
			b = &bot{up: -1, fams: map[string]*dto.MetricFamily{}, hist: map[string]*dto.Metric{}}
			fleet[inst] = b
		}
		return b
	}
	lbl := model.LabelName(p.opts.InstanceLabel)
	for _, q := range p.queries {
		v, _, _, err := p.api.Query(ctx, q.expr, at)
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				return nil, fmt.Errorf("query %s: timeout after %v: %w", q.expr, p.opts.Timeout, err)
			}
			return nil, fmt.Errorf("query %s: %w", q.expr, err)
		}
		vec, ok := v.(model.Vector)
		if !ok {
			return nil, fmt.Errorf("query %s: got a %s, want a vector", q.expr, v.Type())
		}
		for _, smp := range vec {
			inst := string(smp.Metric[lbl])
			b := get(inst)
			val := float64(smp.Value)
			switch {
			case q.family == "":
				b.up = max(b.up, val)
			case q.part == "":
				b.add(q.family, smp.Metric, val)
			default:
				b.addHist(q.family, q.part, smp.Metric, val)
			}
		}
	}
	return fleet, nil
}

// add records a scalar series as an untyped metric of family (once: two
// signals' selectors may return the same series).
func (b *bot) add(family string, m model.Metric, v float64) {
	key := family + "\xff" + labelKey(m)
	if _, dup := b.hist[key]; dup {
		return
	}
	b.hist[key] = nil
	f := b.family(family, dto.MetricType_UNTYPED)
	f.Metric = append(f.Metric, &dto.Metric{Label: labelPairs(m, ""), Untyped: &dto.Untyped{Value: &v}})
}

// addHist records one part of a histogram series (bucket, count or sum).
func (b *bot) addHist(family, part string, m model.Metric, v float64) {
	key := family + "\xff" + labelKey(m)
	hm, ok := b.hist[key]
	if part == "bucket" {
		// a bucket series is keyed with its le: the same bucket returned by
		// two selectors is added once.
		bk := key + "\xffle" + string(m["le"])
		if _, dup := b.hist[bk]; dup {
			return
		}
		b.hist[bk] = nil
	}
	if !ok {
		f := b.family(family, dto.MetricType_HISTOGRAM)
		hm = &dto.Metric{Label: labelPairs(m, "le"), Histogram: &dto.Histogram{}}
		f.Metric = append(f.Metric, hm)
		b.hist[key] = hm
	}
	h := hm.Histogram
	switch part {
	case "count":
		h.SampleCountFloat = &v // a float keeps NaN and Inf for checkFamilies
	case "sum":
		h.SampleSum = &v
	case "bucket":
		ub, err := strconv.ParseFloat(string(m["le"]), 64)
		if err != nil {
			return
		}
		h.Bucket = append(h.Bucket, &dto.Bucket{UpperBound: &ub, CumulativeCountFloat: &v})
	}
}

func (b *bot) family(name string, typ dto.MetricType) *dto.MetricFamily {
	f, ok := b.fams[name]
	if !ok {
		f = &dto.MetricFamily{Name: &name, Type: &typ}
		b.fams[name] = f
	}
	return f
}

// labelPairs are m's labels except __name__ and skip.
func labelPairs(m model.Metric, skip model.LabelName) []*dto.LabelPair {
	out := make([]*dto.LabelPair, 0, len(m))
	for k, v := range m {
		if k == model.MetricNameLabel || k == skip {
			continue
		}
		name, val := string(k), string(v)
		out = append(out, &dto.LabelPair{Name: &name, Value: &val})
	}
	return out
}

// labelKey identifies a histogram series: its labels except __name__ and le.
func labelKey(m model.Metric) string {
	c := m.Clone()
	delete(c, model.MetricNameLabel)
	delete(c, "le")
	return c.String()
}

// Close releases the target. Sample after Close returns ErrClosed.
func (p *Prometheus) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	return nil
}

// cappedTransport caps each answer's body at max bytes: reading past it is
// an error naming the cap (a server answering 1.5 GB does not take the
// memory with it).
type cappedTransport struct {
	rt  http.RoundTripper
	max int64
}

func (c cappedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.rt.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > c.max {
		resp.Body.Close()
		return nil, fmt.Errorf("%s: answer of %d bytes, cap %d", FaultOversized, resp.ContentLength, c.max)
	}
	resp.Body = &cappedBody{rc: resp.Body, left: c.max}
	return resp, nil
}

type cappedBody struct {
	rc   io.ReadCloser
	left int64
	max  int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.max == 0 {
		b.max = b.left
	}
	if b.left <= 0 {
		// One byte more tells a body of exactly max from a longer one.
		var one [1]byte
		if n, _ := b.rc.Read(one[:]); n > 0 {
			return 0, fmt.Errorf("%s: answer longer than %d bytes", FaultOversized, b.max)
		}
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }
