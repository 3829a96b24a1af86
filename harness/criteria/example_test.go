package criteria_test

import (
	"fmt"
	"time"

	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/signal"
)

// EvaluateSeries over a synthetic series, as the Prometheus parity test does:
// 1000 ticks a minute sampled every 30s, 10% deadline misses from minute 3,
// evaluated every minute over a 1m window (Prometheus 3: (t-1m, t], so the
// sample exactly a minute old is out and each window holds two samples). The condition first holds at 4m (pending) and has held for the
// 3m for-duration at 7m (firing) — the evaluation Prometheus fires at.
func ExampleEvaluateSeries() {
	spec := &criteria.Spec{Version: 1, EvaluationInterval: time.Minute, Criteria: []criteria.Criterion{{
		Name: "deadline_miss_stop", Signal: signal.DeadlineMissPct, Op: criteria.Greater, Threshold: 5,
		Window: time.Minute, For: 3 * time.Minute, Severity: criteria.Stop, Description: "d", Action: "a",
	}}}
	if err := spec.Validate(); err != nil {
		panic(err)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var samples []signal.Sample
	var evalAt []time.Time
	misses := 0.0
	for h := 0; h <= 20; h++ { // half minutes
		if h > 6 {
			misses += 50
		}
		at := t0.Add(time.Duration(h) * 30 * time.Second)
		samples = append(samples, signal.Sample{At: at, Up: true, Ticks: float64(500 * h), DeadlineMisses: misses})
		if h%2 == 0 {
			evalAt = append(evalAt, at)
		}
	}
	tr := criteria.EvaluateSeries(spec, signal.Options{}, samples, evalAt)
	for _, x := range tr.Transitions {
		fmt.Printf("%v %s -> %s (%s%%)\n", x.At.Sub(t0), x.From, x.To, x.Value)
	}
	// Output:
	// 4m0s inactive -> pending (10%)
	// 7m0s pending -> firing (10%)
}
