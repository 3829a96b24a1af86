package budget

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func ms(xs ...float64) Samples {
	out := make([]time.Duration, len(xs))
	for i, x := range xs {
		out[i] = time.Duration(x * 1e6)
	}
	return NewSamples(out)
}

// seq is 1..n times step, last first (NewSamples must sort it).
func seq(n int, step time.Duration) Samples {
	out := make([]time.Duration, n)
	for i := range out {
		out[n-1-i] = time.Duration(i+1) * step
	}
	return NewSamples(out)
}

func mustParse(t *testing.T, target, expr string) Budget {
	t.Helper()
	b, err := Parse(target, expr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	obs := Observations{
		Latencies: map[string]Distribution{
			"fetch_md":   seq(100, time.Millisecond), // 1..100ms
			"tick_total": ms(50, 10, 30, 20, 40),
		},
		Ticks: 2099, DeadlineMisses: 21,
		CacheHits: 76, CacheMisses: 24,
	}
	tests := []struct {
		target, expr string
		observed     float64
		pass         bool
	}{
		{"fetch_md", "p(95) < 35ms", 95e6, false},
		{"fetch_md", "p(95) <= 95ms", 95e6, true},
		{"fetch_md", "p(95) < 95ms", 95e6, false},
		{"fetch_md", "p(50) < 51ms", 50e6, true},
		{"fetch_md", "p(0) >= 1ms", 1e6, true},
		{"fetch_md", "max < 100ms", 100e6, false},
		{"fetch_md", "min < 2ms", 1e6, true},
		{"fetch_md", "avg < 51ms", 50.5e6, true},
		{"tick_total", "med < 31ms", 30e6, true},
		{"deadline_miss", "rate < 2%", 100 * 21.0 / 2099, true},
		{"deadline_miss", "rate < 1%", 100 * 21.0 / 2099, false},
		{"md_cache_hit_ratio", ">= 70%", 76, true},
		{"md_cache_hit_ratio", ">= 80%", 76, false},
	}
	for _, tt := range tests {
		t.Run(tt.target+" "+tt.expr, func(t *testing.T) {
			t.Parallel()
			r := Evaluate(mustParse(t, tt.target, tt.expr), obs)
			if r.Err != nil {
				t.Fatalf("Evaluate: %v", r.Err)
			}
			if diff := r.Observed - tt.observed; diff > 1e-6 || diff < -1e-6 {
				t.Errorf("observed %g, want %g", r.Observed, tt.observed)
			}
			if r.Pass != tt.pass {
				t.Errorf("pass = %v, want %v (%s)", r.Pass, tt.pass, r)
			}
		})
	}
}

// TestEvaluateNoSamples: a budget without evidence fails, never passes.
func TestEvaluateNoSamples(t *testing.T) {
	t.Parallel()
	empty := Observations{Latencies: map[string]Distribution{"fetch_md": Samples{}}}
	for _, b := range []Budget{
		mustParse(t, "fetch_md", "p(95) < 35ms"),
		mustParse(t, "submit", "max < 1s"),
		mustParse(t, "deadline_miss", "rate < 2%"),
		mustParse(t, "md_cache_hit_ratio", ">= 0%"),
	} {
		r := Evaluate(b, empty)
		if r.Pass || !errors.Is(r.Err, ErrNoSamples) {
			t.Errorf("%s: pass=%v err=%v, want a failure wrapping ErrNoSamples", b, r.Pass, r.Err)
		}
		if !strings.Contains(r.String(), "no samples") {
			t.Errorf("message %q does not say why", r.String())
		}
	}
}

func TestSetEvaluateAndFailed(t *testing.T) {
	t.Parallel()
	s, err := ParseFile("b.yaml", []byte("version: 1\nbudgets:\n  fetch_md: p(95) < 35ms\n  tick_total: p(95) < 150ms\n"))
	if err != nil {
		t.Fatal(err)
	}
	obs := Observations{Latencies: map[string]Distribution{
		"fetch_md":   ms(41.2, 41.2, 41.2),
		"tick_total": ms(50, 50),
	}}
	failed := Failed(s.Evaluate(obs))
	if len(failed) != 1 || failed[0].Budget.Target != "fetch_md" {
		t.Fatalf("failed = %v, want only fetch_md", failed)
	}
	want := "fetch_md p(95) 41.2ms over budget 35ms (p(95) < 35ms, n=3)"
	if got := failed[0].String(); got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}

func TestRank(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n    int
		p    float64
		want int
	}{
		{100, 95, 95}, {2099, 95, 1995}, {1, 95, 1}, {10, 0, 1}, {10, 100, 10}, {20, 50, 10}, {3, 50, 2},
	}
	for _, tt := range tests {
		if got := Rank(tt.n, tt.p); got != tt.want {
			t.Errorf("Rank(%d, %g) = %d, want %d", tt.n, tt.p, got, tt.want)
		}
	}
}
