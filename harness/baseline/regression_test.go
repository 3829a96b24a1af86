package baseline

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/budget"
)

func lognormalSample(seed uint64, n int, scale float64) []time.Duration {
	rng := rand.New(rand.NewPCG(seed, 1))
	xs := make([]time.Duration, n)
	for i := range xs {
		xs[i] = time.Duration(scale * 18e6 * expNorm(rng))
	}
	return xs
}

func expNorm(rng *rand.Rand) float64 {
	v := 0.3 * rng.NormFloat64()
	return 1 + v + v*v/2 + v*v*v/6 // exp(v) to third order: positive, skewed, good enough
}

func baselineOf(fetch []time.Duration) *Baseline {
	return &Baseline{SchemaVersion: SchemaVersion, Clock: SimulatedClock, Stages: map[string]StageStats{
		"fetch_md": NewStageStats("fetch_md", budget.NewSamples(fetch), nil),
	}}
}

func TestCompare(t *testing.T) {
	t.Parallel()
	frozen := baselineOf(lognormalSample(1, 3000, 1))
	tests := []struct {
		name    string
		current *Baseline
		want    RegressionStatus
	}{
		{"same distribution, other seed", baselineOf(lognormalSample(2, 3000, 1)), NoRegression},
		{"+5%", baselineOf(lognormalSample(3, 3000, 1.05)), NoRegression},
		{"+30%", baselineOf(lognormalSample(4, 3000, 1.3)), Regressed},
		{"+30% on 50 samples", baselineOf(lognormalSample(5, 50, 1.3)), Inconclusive},
		{"faster", baselineOf(lognormalSample(6, 3000, 0.8)), NoRegression},
	}
	for _, tt := range tests {
		rs := Compare(frozen, tt.current, CompareOptions{})
		if len(rs) != 1 {
			t.Fatalf("%s: %d comparisons, want 1", tt.name, len(rs))
		}
		if rs[0].Status != tt.want {
			t.Errorf("%s: %s (%s), want %s", tt.name, rs[0].Status, rs[0].Reason, tt.want)
		}
	}
}

func TestCompareDeterministic(t *testing.T) {
	t.Parallel()
	a, b := baselineOf(lognormalSample(1, 2000, 1)), baselineOf(lognormalSample(2, 2000, 1.1))
	r1, r2 := Compare(a, b, CompareOptions{Seed: 9}), Compare(a, b, CompareOptions{Seed: 9})
	if r1[0] != r2[0] {
		t.Errorf("same seed, different results: %+v vs %+v", r1[0], r2[0])
	}
}

func TestCompareBaselinesClockMismatch(t *testing.T) {
	t.Parallel()
	a := baselineOf(lognormalSample(1, 500, 1))
	b := baselineOf(lognormalSample(1, 500, 1))
	b.Clock = RealClock
	if _, err := CompareBaselines(a, b, CompareOptions{}); !errors.Is(err, ErrClockMismatch) {
		t.Errorf("got %v, want ErrClockMismatch", err)
	}
}

// TestCompareBaselinesSourceMismatch: a baseline read from histogram
// buckets is not compared with one from the exact recorder (an old file
// without a source is the exact recorder's); two of the same source are.
func TestCompareBaselinesSourceMismatch(t *testing.T) {
	t.Parallel()
	a := baselineOf(lognormalSample(1, 500, 1))
	b := baselineOf(lognormalSample(1, 500, 1))
	a.Source, b.Source = "", SourceBuckets
	if _, err := CompareBaselines(a, b, CompareOptions{}); !errors.Is(err, ErrSourceMismatch) {
		t.Errorf("got %v, want ErrSourceMismatch", err)
	}
	a.Source = SourceBuckets
	if _, err := CompareBaselines(a, b, CompareOptions{}); err != nil {
		t.Errorf("same source: %v", err)
	}
}

func TestP95RegressionPct(t *testing.T) {
	t.Parallel()
	frozen := &Baseline{
		Stages:    map[string]StageStats{"fetch_md": {Count: 100, P95Ms: 30}, "submit": {Count: 100, P95Ms: 10}},
		TickTotal: StageStats{Count: 100, P95Ms: 50},
	}
	pct, stage, err := P95RegressionPct(frozen, map[string]time.Duration{
		"fetch_md": 33 * time.Millisecond, "submit": 9 * time.Millisecond, "tick_total": 55 * time.Millisecond, "quote": time.Millisecond,
	})
	if err != nil || stage != "fetch_md" || pct < 9.999 || pct > 10.001 {
		t.Errorf("got %.3f%% on %q (%v), want 10%% on fetch_md", pct, stage, err)
	}
	if _, _, err := P95RegressionPct(frozen, nil); err == nil {
		t.Error("no current p95s: got nil error")
	}
}
