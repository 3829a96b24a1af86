package baseline

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/budget"
	"github.com/presoak/presoak/harness/signal"
	"github.com/presoak/presoak/harness/target"
)

// soakP95Regression runs the engine of f as the soak reads it (the
// simulated target, one sample every 15 s, like fixtures/criteria.yaml's
// evaluation_interval) for d, and returns, per latency target, the lowest
// and the highest p95_regression_pct over 30-minute windows (the
// p95_regression_warn window) against base, from the first full window on.
func soakP95Regression(t *testing.T, f fixture, base map[string]float64, opts target.EmbeddedOptions, d time.Duration) (lo, hi map[string]float64) {
	t.Helper()
	opts.Config = f.loaded
	sim, err := target.NewSimulated(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	const window, every = 30 * time.Minute, 15 * time.Second
	s := signal.NewSeries(window)
	lo, hi = map[string]float64{}, map[string]float64{}
	start := sim.Now()
	for el := time.Duration(0); el <= d; el += every {
		ss, err := sim.Sample(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		s.Add(ss[0])
		if el >= window {
			for st, p := range base {
				v := s.Compute(signal.P95RegressionPct, window, ss[0].At, signal.Options{BaselineP95: map[string]float64{st: p}})
				if !v.OK {
					t.Fatalf("%s at +%v: no data (%s)", st, ss[0].At.Sub(start), v.Reason)
				}
				if old, ok := lo[st]; !ok || v.V < old {
					lo[st] = v.V
				}
				if old, ok := hi[st]; !ok || v.V > old {
					hi[st] = v.V
				}
			}
		}
		sim.Advance(every)
	}
	return lo, hi
}

// TestEngineAgainstItsOwnFrozenBaseline: the frozen baseline's p95 was
// exact (the engine's recorder) while the soak's is interpolated inside
// the exported histogram buckets, so an unchanged engine read +51% on
// spread and +15% on submit and p95_regression_warn (> 10% for 1 h) fired.
// Compared like with like, every stage stays within the threshold for two
// hours; +30% venue latency still holds the warning's condition throughout.
func TestEngineAgainstItsOwnFrozenBaseline(t *testing.T) {
	t.Parallel()
	f := newFixture(t, defaultLayers)
	o := f.options()
	o.Ticks = 36000 // an hour at the 100 ms tick
	frozen := measure(t, o).Baseline
	base := frozen.SoakP95Seconds()
	if len(base) != len(budget.LatencyTargets) {
		t.Fatalf("baseline p95 for %v, want every latency target %v", slices.Sorted(maps.Keys(base)), budget.LatencyTargets)
	}
	const threshold = 10 // p95_regression_warn's, percent
	_, hi := soakP95Regression(t, f, base, target.EmbeddedOptions{}, 2*time.Hour)
	for _, st := range budget.LatencyTargets {
		t.Logf("unchanged engine: %s p95 at most %+.1f%% of the frozen baseline", st, hi[st])
		if hi[st] > threshold {
			t.Errorf("unchanged engine: %s p95 regression up to %+.1f%%, want <= %d%% (p95_regression_warn would fire)", st, hi[st], threshold)
		}
	}
	lo, _ := soakP95Regression(t, f, base, target.EmbeddedOptions{Faults: VenueLatencyPlan(1.3, 24*time.Hour)}, 2*time.Hour)
	worst := 0.0
	for _, st := range budget.LatencyTargets {
		worst = max(worst, lo[st])
	}
	t.Logf("+30%% venue latency: the worst stage's p95 regression is at least %+.1f%%", worst)
	if worst <= threshold {
		t.Errorf("+30%% venue latency: lowest worst-stage p95 regression %+.1f%%, want > %d%% throughout (p95_regression_warn must fire)", worst, threshold)
	}
}
