package baseline

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/budget"
)

func TestPercentileCIRanks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n      int
		ok     bool
		lo, hi int // 0 = do not check
	}{
		{0, false, 0, 0},
		{50, false, 0, 0},
		{71, false, 0, 0},
		{72, true, 0, 72}, // smallest n with an upper bound for p95 at 95%
		{100, true, 0, 0},
		{1000, true, 936, 964},
	}
	for _, tt := range tests {
		lo, hi, cov, ok := PercentileCIRanks(tt.n, 95, 0.95)
		if ok != tt.ok {
			t.Errorf("n=%d: ok = %v, want %v", tt.n, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		if cov < 0.95 {
			t.Errorf("n=%d: coverage %.4f < 0.95", tt.n, cov)
		}
		if lo > Rank95(tt.n) || hi < Rank95(tt.n) {
			t.Errorf("n=%d: ranks %d..%d do not contain the p95 rank %d", tt.n, lo, hi, Rank95(tt.n))
		}
		if tt.lo != 0 && lo != tt.lo {
			t.Errorf("n=%d: lo = %d, want %d", tt.n, lo, tt.lo)
		}
		if tt.hi != 0 && hi != tt.hi {
			t.Errorf("n=%d: hi = %d, want %d", tt.n, hi, tt.hi)
		}
	}
}

func Rank95(n int) int { return int(math.Ceil(0.95 * float64(n))) }

// TestPercentileCICoverage: over many samples from a known distribution the
// interval covers the true p95 at least ~95% of the time (distribution-free).
func TestPercentileCICoverage(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 7))
	const trials, n = 400, 300
	trueP95 := -math.Log(0.05) * 1e6 // exponential with mean 1ms, in ns
	covered := 0
	for range trials {
		xs := make([]time.Duration, n)
		for i := range xs {
			xs[i] = time.Duration(rng.ExpFloat64() * 1e6)
		}
		ci, ok := PercentileCI(budget.NewSamples(xs), 95, 0.95)
		if !ok {
			t.Fatal("no interval at n=300")
		}
		if float64(ci.Low) <= trueP95 && trueP95 <= float64(ci.High) {
			covered++
		}
	}
	if rate := float64(covered) / trials; rate < 0.92 {
		t.Errorf("coverage %.3f over %d trials, want >= ~0.95", rate, trials)
	}
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	xs := make([]time.Duration, 2000)
	for i := range xs {
		xs[len(xs)-1-i] = time.Duration(i+1) * time.Microsecond
	}
	s := Summarize(budget.NewSamples(xs))
	if s.Count != 2000 || s.P50 != 1000*time.Microsecond || s.P95 != 1900*time.Microsecond ||
		s.P99 != 1980*time.Microsecond || s.Max != 2000*time.Microsecond || s.Min != time.Microsecond {
		t.Errorf("got %+v", s)
	}
	if !s.P95CIOK || s.P95CI.Low > s.P95 || s.P95CI.High < s.P95 {
		t.Errorf("p95 interval %+v does not contain p95 %v", s.P95CI, s.P95)
	}
	if xs[0] != 2000*time.Microsecond {
		t.Error("Summarize sorted its input in place")
	}
	if (Summarize(budget.Samples{}) != Summary{}) {
		t.Error("Summarize(nil) is not the zero Summary")
	}
}

func TestAssess(t *testing.T) {
	t.Parallel()
	ci := Interval{Low: 30 * time.Millisecond, High: 34 * time.Millisecond}
	tests := []struct {
		name  string
		ci    Interval
		ok    bool
		n     int
		limit time.Duration
		want  Confidence
	}{
		{"no interval", Interval{}, false, 40, 35 * time.Millisecond, Insufficient},
		{"clear, large", ci, true, 2099, 35 * time.Millisecond, High},
		{"clear, small", ci, true, 300, 35 * time.Millisecond, Medium},
		{"contains budget", ci, true, 5000, 32 * time.Millisecond, Low},
		{"clearly over, large", ci, true, 5000, 20 * time.Millisecond, High},
		{"no budget, large", ci, true, 5000, 0, High},
		{"no budget, small", ci, true, 100, 0, Medium},
	}
	for _, tt := range tests {
		got, why := Assess(tt.ci, tt.ok, tt.n, tt.limit)
		if got != tt.want {
			t.Errorf("%s: got %s (%s), want %s", tt.name, got, why, tt.want)
		}
		if why == "" {
			t.Errorf("%s: no reason", tt.name)
		}
	}
}

func TestSketchQuantile(t *testing.T) {
	t.Parallel()
	xs := make([]time.Duration, 2000)
	for i := range xs {
		xs[i] = time.Duration(i+1) * 10 * time.Microsecond
	}
	sk := NewSketch(budget.NewSamples(xs))
	if sk.N != 2000 || len(sk.QuantilesNs) != SketchPoints {
		t.Fatalf("sketch n=%d points=%d", sk.N, len(sk.QuantilesNs))
	}
	for u, want := range map[float64]time.Duration{0.95: 19000 * time.Microsecond, 0.5: 10000 * time.Microsecond, 1: 20000 * time.Microsecond, 0: 20 * time.Microsecond} {
		if got := sk.Quantile(u); got != want {
			t.Errorf("Quantile(%g) = %v, want %v", u, got, want)
		}
	}
	if (Sketch{}).Quantile(0.5) != 0 || NewSketch(budget.Samples{}).N != 0 {
		t.Error("empty sketch is not empty")
	}
}
