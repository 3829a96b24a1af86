package soak_test

import (
	"testing"
	"time"

	"github.com/presoak/presoak/engine"
	"github.com/presoak/presoak/engine/marketdata"
	"github.com/presoak/presoak/harness/signal"
	"github.com/presoak/presoak/harness/soak"
	"github.com/presoak/presoak/harness/target"
)

// BenchmarkHealthySoak72h is the healthy 72-hour soak on the simulated clock
// at the production 100 ms tick (2.59 M ticks) and the default synthetic
// market (25 events/s), with every criterion of fixtures/criteria.yaml
// evaluated every simulated second. Target: under 10 s per op on 2 cores.
//
//	go test -run '^$' -bench HealthySoak72h -benchtime 1x ./harness/soak/
func BenchmarkHealthySoak72h(b *testing.B) {
	spec := loadCriteria(b)
	spec.EvaluationInterval = time.Second
	if err := spec.Validate(); err != nil {
		b.Fatal(err)
	}
	cfg := scenarioConfig(b, 100*time.Millisecond)
	for b.Loop() {
		feed := marketdata.NewSynthetic(marketdata.SyntheticOptions{Seed: 42, StartNs: engine.DefaultStartNs})
		sim, err := target.NewSimulated(target.EmbeddedOptions{Config: cfg, Feed: feed})
		if err != nil {
			b.Fatal(err)
		}
		rep, err := soak.Run(b.Context(), soak.Config{Spec: spec, Target: sim, Duration: 72 * time.Hour, Signals: signal.Options{BaselineP95: map[string]float64{"tick_total": 0.05}}})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Stop != nil || rep.Elapsed != 72*time.Hour {
			b.Fatalf("healthy soak: %s (%s)", rep.Verdict, rep.Reason)
		}
		b.ReportMetric(rep.Ticks, "ticks")
		b.ReportMetric(float64(rep.Evaluations), "evaluations")
		sim.Close()
	}
}
