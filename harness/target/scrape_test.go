package target

import (
	"context"
	"errors"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/signal"
)

// newMetricsServer serves body at /metrics on loopback (status 200).
func newMetricsServer(t testing.TB, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + "/metrics"
}

func newScrape(t testing.TB, opts ScrapeOptions) *Scrape {
	t.Helper()
	s, err := NewScrape(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func sampleOne(t testing.TB, tg Target) signal.Sample {
	t.Helper()
	ss, err := tg.Sample(context.Background())
	if err != nil {
		t.Fatalf("sample: %v", err)
	}
	if len(ss) != 1 {
		t.Fatalf("got %d samples, want 1", len(ss))
	}
	return ss[0]
}

const page = `# HELP mm_ticks_total Ticks run.
# TYPE mm_ticks_total counter
mm_ticks_total 1000
# TYPE mm_tick_deadline_misses_total counter
mm_tick_deadline_misses_total 12
# TYPE mm_tick_errors_total counter
mm_tick_errors_total{stage="quote"} 2
mm_tick_errors_total{stage="submit"} 3
# TYPE mm_md_cache_requests_total counter
mm_md_cache_requests_total{result="hit"} 900
mm_md_cache_requests_total{result="miss"} 100
# TYPE mm_fill_volume_total counter
mm_fill_volume_total{liquidity="maker"} 9.5
mm_fill_volume_total{liquidity="taker"} 0.5
# TYPE mm_circuit_breaker_open gauge
mm_circuit_breaker_open{breaker="venue",critical="true"} 1
mm_circuit_breaker_open{breaker="inventory",critical="true"} 0
mm_circuit_breaker_open{breaker="spread",critical="false"} 1
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes 5.24288e+07
# TYPE mm_feature_flag_enabled gauge
mm_feature_flag_enabled{flag="pipeline.enabled"} 1
mm_feature_flag_enabled{flag="md_cache.enabled"} 0
# TYPE mm_tick_duration_seconds histogram
mm_tick_duration_seconds_bucket{le="0.001"} 100
mm_tick_duration_seconds_bucket{le="0.01"} 900
mm_tick_duration_seconds_bucket{le="0.1"} 990
mm_tick_duration_seconds_bucket{le="+Inf"} 1000
mm_tick_duration_seconds_sum 4.2
mm_tick_duration_seconds_count 1000
# TYPE mm_stage_duration_seconds histogram
mm_stage_duration_seconds_bucket{stage="quote",le="0.001"} 800
mm_stage_duration_seconds_bucket{stage="quote",le="0.01"} 1000
mm_stage_duration_seconds_bucket{stage="quote",le="+Inf"} 1000
mm_stage_duration_seconds_sum{stage="quote"} 0.9
mm_stage_duration_seconds_count{stage="quote"} 1000
`

func TestScrapeDerivesSample(t *testing.T) {
	t.Parallel()
	url := newMetricsServer(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(page)) })
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s := sampleOne(t, newScrape(t, ScrapeOptions{URL: url, Now: func() time.Time { return at }}))
	want := signal.Sample{
		At: at, Instance: strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/metrics"), Up: true,
		Ticks: 1000, DeadlineMisses: 12, TickErrors: 5, CacheHits: 900, CacheMisses: 100,
		MakerVolume: 9.5, TakerVolume: 0.5, ResidentBytes: 52428800, CriticalBreakersOpen: 1,
		// the reference profile's own signals on this page: tick_slots only
		// (the page has no desk metrics: those are absent, no data)
		Declared: map[string]float64{"tick_slots": 1000},
	}
	got := s
	got.Stages, got.Flags, got.Parts, got.StageSeries = nil, nil, nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
	if q := s.StageSeries["quote"][`{stage="quote"}`]; q.Count != 1000 || len(s.StageSeries["tick_total"]) != 1 {
		t.Errorf("histogram series: got %v, want quote's {stage=\"quote\"} (1000) and tick_total's one series", s.StageSeries)
	}
	if p := s.Parts[signal.PartTickErrors]; len(p) != 2 || p[`{stage="quote"}`] != 2 || p[`{stage="submit"}`] != 3 {
		t.Fatalf("tick_errors series: got %v, want quote 2 and submit 3", p)
	}
	if !s.Flags["pipeline.enabled"] || s.Flags["md_cache.enabled"] || len(s.Flags) != 2 {
		t.Fatalf("flags: got %v", s.Flags)
	}
	tick := s.Stages[TickTotal]
	if tick.Count != 1000 || tick.Sum != 4.2 || len(tick.UpperBounds) != 3 || tick.Counts[2] != 990 {
		t.Fatalf("tick histogram: got %+v", tick)
	}
	if q := s.Stages["quote"]; q.Count != 1000 || q.Counts[0] != 800 {
		t.Fatalf("quote histogram: got %+v", q)
	}
}

func TestScrapeCustomMetricNames(t *testing.T) {
	t.Parallel()
	url := newMetricsServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("# TYPE bot_loops_total counter\nbot_loops_total 7\n"))
	})
	p := profile.FromNames(profile.MetricNames{Ticks: "bot_loops_total"})
	s := sampleOne(t, newScrape(t, ScrapeOptions{URL: url, Profile: p}))
	if !s.Up || s.Ticks != 7 {
		t.Fatalf("got %+v, want up with 7 ticks", s)
	}
	s = sampleOne(t, newScrape(t, ScrapeOptions{URL: url})) // the reference profile: not found
	if s.Up || !strings.HasPrefix(s.Fault, FaultNoTicks) {
		t.Fatalf("default names on a foreign page: got %+v, want fault %q", s, FaultNoTicks)
	}
}

func TestScrapeFaults(t *testing.T) {
	t.Parallel()
	refused := func(t *testing.T) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		return "http://" + addr + "/metrics"
	}
	serve := func(h http.HandlerFunc) func(t *testing.T) string {
		return func(t *testing.T) string { return newMetricsServer(t, h) }
	}
	for _, tc := range []struct {
		name  string
		url   func(t *testing.T) string
		opts  ScrapeOptions
		fault string
	}{
		{"refused", refused, ScrapeOptions{}, FaultRefused},
		{"timeout", serve(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}), ScrapeOptions{Timeout: 100 * time.Millisecond}, FaultTimeout},
		{"slow body", serve(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte("# TYPE mm_ticks_total counter\n"))
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}), ScrapeOptions{Timeout: 100 * time.Millisecond}, FaultTimeout},
		{"5xx", serve(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "boom", http.StatusInternalServerError)
		}), ScrapeOptions{}, FaultStatus + " 500"},
		{"404", serve(http.NotFound), ScrapeOptions{}, FaultStatus + " 404"},
		{"garbage", serve(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte("<html>this is not { a metrics page\n"))
		}), ScrapeOptions{}, FaultGarbage},
		{"histogram of wrong type", serve(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte("mm_ticks_total 1\n# TYPE mm_tick_duration_seconds gauge\nmm_tick_duration_seconds 3\n"))
		}), ScrapeOptions{}, FaultGarbage},
		{"oversized", serve(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(page))
		}), ScrapeOptions{MaxBodyBytes: 100}, FaultOversized},
		{"oversized chunked", serve(func(w http.ResponseWriter, r *http.Request) {
			for range 10 {
				_, _ = w.Write([]byte(page))
				w.(http.Flusher).Flush()
			}
		}), ScrapeOptions{MaxBodyBytes: int64(len(page)) * 2}, FaultOversized},
		{"empty page", serve(func(w http.ResponseWriter, r *http.Request) {}), ScrapeOptions{}, FaultNoTicks},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := tc.opts
			opts.URL = tc.url(t)
			s := sampleOne(t, newScrape(t, opts))
			if s.Up || !strings.HasPrefix(s.Fault, tc.fault) {
				t.Fatalf("got up=%v fault %q, want down with fault %q...", s.Up, s.Fault, tc.fault)
			}
			if s.Instance == "" || s.At.IsZero() || s.Ticks != 0 || s.Stages != nil {
				t.Fatalf("a down sample carries instance and time only: got %+v", s)
			}
		})
	}
}

func TestScrapeRecoversAfterFault(t *testing.T) {
	t.Parallel()
	var fail atomic.Bool
	fail.Store(true)
	url := newMetricsServer(t, func(w http.ResponseWriter, r *http.Request) {
		if fail.Load() {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(page))
	})
	sc := newScrape(t, ScrapeOptions{URL: url})
	if s := sampleOne(t, sc); s.Up {
		t.Fatalf("503: got up")
	}
	fail.Store(false)
	if s := sampleOne(t, sc); !s.Up || s.Ticks != 1000 {
		t.Fatalf("after recovery: got %+v", s)
	}
}

func TestScrapeClosedAndCancelled(t *testing.T) {
	t.Parallel()
	url := newMetricsServer(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(page)) })
	sc := newScrape(t, ScrapeOptions{URL: url})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := sc.Sample(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled ctx: got %v, want context.Canceled", err)
	}
	if err := sc.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.Sample(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("after close: got %v, want ErrClosed", err)
	}
}

func TestNewScrapeRejectsBadURL(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"", "127.0.0.1:9100/metrics", "ftp://x/metrics", "http://", "http://%zz"} {
		if _, err := NewScrape(ScrapeOptions{URL: u}); err == nil {
			t.Errorf("url %q: got nil error", u)
		}
	}
}

// TestScrapeAgreesWithEmbedded scrapes the reference engine's own /metrics
// page and compares it with the embedded target's sample of the same engine
// at the same moment: the scrape path must lose nothing.
func TestScrapeAgreesWithEmbedded(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	sim, err := NewSimulated(EmbeddedOptions{Config: soakConfig(t), Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	sim.Advance(2 * time.Minute)
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	t.Cleanup(srv.Close)
	want := sampleOne(t, sim)
	got := sampleOne(t, newScrape(t, ScrapeOptions{URL: srv.URL + "/metrics", Instance: "embedded", Now: sim.Now}))
	if !got.Up {
		t.Fatalf("scrape of the engine: %s", got.Fault)
	}
	if got.Ticks != want.Ticks || got.DeadlineMisses != want.DeadlineMisses || got.TickErrors != want.TickErrors ||
		got.CacheHits != want.CacheHits || got.CacheMisses != want.CacheMisses ||
		math.Abs(got.MakerVolume-want.MakerVolume) > 1e-9 || math.Abs(got.TakerVolume-want.TakerVolume) > 1e-9 ||
		got.ResidentBytes != want.ResidentBytes || got.CriticalBreakersOpen != want.CriticalBreakersOpen {
		t.Fatalf("scraped  %+v\nembedded %+v", got, want)
	}
	if len(got.Stages) != len(want.Stages) || len(got.Flags) != len(want.Flags) {
		t.Fatalf("stages %d flags %d, want %d and %d", len(got.Stages), len(got.Flags), len(want.Stages), len(want.Flags))
	}
	for name, w := range want.Stages {
		g := got.Stages[name]
		if g.Count != w.Count || len(g.Counts) != len(w.Counts) || math.Abs(g.Sum-w.Sum) > 1e-9 {
			t.Fatalf("stage %s: got %+v, want %+v", name, g, w)
		}
		for i := range w.Counts {
			if g.Counts[i] != w.Counts[i] || g.UpperBounds[i] != w.UpperBounds[i] {
				t.Fatalf("stage %s bucket %d: got le=%g %g, want le=%g %g", name, i, g.UpperBounds[i], g.Counts[i], w.UpperBounds[i], w.Counts[i])
			}
		}
	}
	for f, on := range want.Flags {
		if got.Flags[f] != on {
			t.Fatalf("flag %s: got %v, want %v", f, got.Flags[f], on)
		}
	}
}

func TestEstimateQuantileBucketError(t *testing.T) {
	t.Parallel()
	h := signal.Histogram{UpperBounds: []float64{0.001, 0.01, 0.1}, Counts: []float64{100, 900, 990}, Count: 1000}
	for _, tc := range []struct {
		q              float64
		lo, hi, maxErr float64
	}{
		{0.05, 0, 0.001, 0.0005},
		{0.5, 0.001, 0.01, 0.0045},
		{0.95, 0.01, 0.1, 0.05},
		{0.999, 0.1, math.Inf(1), math.Inf(1)},
	} {
		e, ok := EstimateQuantile(h, tc.q)
		if !ok || e.Lo != tc.lo || e.Hi != tc.hi || math.Abs(e.MaxError-tc.maxErr) > 1e-12 {
			t.Errorf("q=%g: got %+v, want bucket [%g, %g] error %g", tc.q, e, tc.lo, tc.hi, tc.maxErr)
		}
		if e.Value < e.Lo || e.Value > e.Hi {
			t.Errorf("q=%g: estimate %g outside its bucket [%g, %g]", tc.q, e.Value, e.Lo, e.Hi)
		}
	}
	if e, _ := EstimateQuantile(h, 0.95); !strings.Contains(e.String(), "error <= 50ms") {
		t.Errorf("string: got %q", e.String())
	}
	if _, ok := EstimateQuantile(signal.Histogram{}, 0.5); ok {
		t.Error("empty histogram: got ok")
	}
}

func TestScrapeFaultHidesPassword(t *testing.T) {
	t.Parallel()
	url := newMetricsServer(t, func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusBadGateway) })
	withPass := strings.Replace(url, "http://", "http://presoak:hunter2@", 1)
	s := sampleOne(t, newScrape(t, ScrapeOptions{URL: withPass}))
	if s.Up || !strings.HasPrefix(s.Fault, FaultStatus+" 502") || strings.Contains(s.Fault, "hunter2") {
		t.Fatalf("got fault %q, want the 502 without the password", s.Fault)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://presoak:hunter2@" + ln.Addr().String() + "/metrics"
	ln.Close()
	if s := sampleOne(t, newScrape(t, ScrapeOptions{URL: refused})); s.Up || strings.Contains(s.Fault, "hunter2") {
		t.Fatalf("refused: got fault %q, want it without the password", s.Fault)
	}
}
