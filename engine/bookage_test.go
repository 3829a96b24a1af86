package engine

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// bucketQuantile is the upper bound of the export bucket holding quantile q
// of h (seconds); +Inf past the last bound.
func bucketQuantile(h *StageHistogram, q float64) float64 {
	rank := uint64(q * float64(h.Count))
	for i, ub := range ExportBounds() {
		if h.Cumulative[i] >= rank {
			return ub
		}
	}
	return 1e300
}

// TestQuotedBookAge: the age of the book each tick quotes on is exported
// (mm_quoted_book_age_seconds), one observation per tick that quoted. With
// the pipeline a tick quotes on the book prefetched a tick before, so the
// age is over one interval on most ticks whatever md_cache.ttl is (the
// review measured mean 187 ms, p95 290 ms with pipeline + cache, while the
// readiness TTL rule promised no tick quotes on a book older than one
// interval); without the pipeline and the cache a tick quotes on the book
// it has just fetched, younger than one interval.
func TestQuotedBookAge(t *testing.T) {
	t.Parallel()
	interval := testConfig().Tick.Interval.Seconds()
	for _, tc := range []struct {
		name            string
		pipeline, cache bool
		minP50, maxP95  float64 // seconds
	}{
		{"pipeline + cache", true, true, interval, 2 * interval},
		{"sequential, no cache", false, false, 0, interval},
	} {
		cfg := testConfig()
		cfg.Pipeline.Enabled, cfg.MDCache.Enabled = tc.pipeline, tc.cache
		reg := prometheus.NewPedanticRegistry()
		e := newSimEngine(t, cfg, Options{Registerer: reg})
		e.RunFor(10 * time.Minute)
		s := e.Stats()
		h := &s.QuotedBookAge
		mean := h.SumSeconds / float64(h.Count)
		p50, p95 := bucketQuantile(h, 0.5), bucketQuantile(h, 0.95)
		t.Logf("%s: %d ticks quoted, book age mean %.0f ms, p50 <= %.0f ms, p95 <= %.0f ms", tc.name, h.Count, mean*1e3, p50*1e3, p95*1e3)
		if h.Count == 0 || h.Count > s.Ticks {
			t.Errorf("%s: %d book ages for %d ticks, want one per tick that quoted", tc.name, h.Count, s.Ticks)
		}
		if p50 < tc.minP50 || p95 > tc.maxP95 {
			t.Errorf("%s: book age p50 <= %.0f ms, p95 <= %.0f ms; want p50 >= %.0f ms and p95 <= %.0f ms",
				tc.name, p50*1e3, p95*1e3, tc.minP50*1e3, tc.maxP95*1e3)
		}
		mf := gather(t, reg)[MetricQuotedBookAge]
		if mf == nil || mf.GetMetric()[0].GetHistogram().GetSampleCount() != h.Count {
			t.Errorf("%s: %s missing or its count is not %d", tc.name, MetricQuotedBookAge, h.Count)
		}
	}
}
