package engine

import (
	"math"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/presoak/presoak/engine/latency"
)

// constantVenue is the default profile with venue_md a constant d.
func constantVenue(t testing.TB, d time.Duration) *latency.Profile {
	t.Helper()
	p := latency.Default()
	p.Dependencies[latency.VenueMD] = latency.Dist{Kind: "constant", Value: d}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSkippedSlotsAreDeadlineMisses: with the deadline (150 ms) longer than
// the interval (100 ms) and venue_md a constant 120 ms, every tick overruns
// its slot without missing its deadline and the next slot never runs. The
// review measured 1,500 of 3,000 slots run and 0 deadline misses over 5
// minutes. A slot that never ran is a tick slot and a deadline miss: the
// deadline-miss rate (mm_tick_deadline_misses_total / mm_ticks_total, as
// harness/signal derives it) is 50 %.
func TestSkippedSlotsAreDeadlineMisses(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.Pipeline.Enabled, cfg.MDCache.Enabled = false, false
	reg := prometheus.NewPedanticRegistry()
	e := newSimEngine(t, cfg, Options{Latency: constantVenue(t, 120*time.Millisecond), Registerer: reg})
	e.RunFor(5 * time.Minute)
	s := e.Stats()
	ran := s.Stages[TickTotal].Count
	if ran != 1500 || s.Ticks != 3000 || s.SkippedSlots != 1500 {
		t.Errorf("got %d ticks run, %d slots, %d skipped; want 1500 run of 3000 slots, 1500 skipped", ran, s.Ticks, s.SkippedSlots)
	}
	if s.DeadlineMisses != s.SkippedSlots {
		t.Errorf("got %d deadline misses, want %d (every skipped slot, no tick over 150ms)", s.DeadlineMisses, s.SkippedSlots)
	}
	mfs := gather(t, reg)
	val := func(name string) float64 {
		mf := mfs[name]
		if mf == nil {
			t.Fatalf("metric %s missing", name)
		}
		return mf.GetMetric()[0].GetCounter().GetValue()
	}
	if got := val(MetricSlotsSkipped); got != float64(s.SkippedSlots) {
		t.Errorf("%s = %v, want %d", MetricSlotsSkipped, got, s.SkippedSlots)
	}
	rate := val(MetricDeadlineMisses) / val(MetricTicks) * 100
	if math.Abs(rate-50) > 0.5 {
		t.Errorf("deadline-miss rate %s / %s = %.1f%%, want ~50%%", MetricDeadlineMisses, MetricTicks, rate)
	}
}

// TestNoSkippedSlotsOnTime: a tick within its interval skips nothing.
func TestNoSkippedSlotsOnTime(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.Pipeline.Enabled, cfg.MDCache.Enabled = false, false
	e := newSimEngine(t, cfg, Options{Latency: constantVenue(t, 80*time.Millisecond)})
	e.RunFor(time.Minute)
	if s := e.Stats(); s.Ticks != 600 || s.SkippedSlots != 0 || s.DeadlineMisses != 0 {
		t.Errorf("got %d slots, %d skipped, %d misses; want 600, 0, 0", s.Ticks, s.SkippedSlots, s.DeadlineMisses)
	}
}
