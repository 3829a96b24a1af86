package monitoring_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/monitoring"
	"github.com/presoak/presoak/harness/signal"
)

// TestParityWithTheInProcessEvaluator feeds every criterion's scenario — the
// series promtool's rule tests use — to presoak's own evaluator
// (criteria.EvaluateSeries) at the same evaluation times, and asserts that
// it goes pending at HoldAt and fires at FireAt, the evaluation at which
// promtool's test (TestRuleTestsFireAtTheRightEvaluation) proves the
// generated alert fires and not one interval before; and that it sees the
// same value the alert's annotation shows.
func TestParityWithTheInProcessEvaluator(t *testing.T) {
	for _, c := range []struct {
		name string
		spec *criteria.Spec
		o    monitoring.Options
		opts []monitoring.ScenarioOption
	}{
		{"default", defaultSpec(t), monitoring.Options{}, nil},
		{"custom_names_baseline_restart", defaultSpec(t), monitoring.Options{Profile: customNames(), Baseline: realisticBaseline}, []monitoring.ScenarioOption{monitoring.WithRestart()}},
		{"short_criteria_flap", shortSpec(t), monitoring.Options{}, []monitoring.ScenarioOption{monitoring.WithFlap()}},
		{"nodata_gap_2h", noDataSpec(t), monitoring.Options{}, []monitoring.ScenarioOption{monitoring.WithNoDataGap(2 * time.Hour)}},
	} {
		spec := c.spec
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rt, err := monitoring.NewRuleTests(spec, c.o, c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			for _, sc := range rt.Scenarios {
				t.Run(sc.Criterion.Name, func(t *testing.T) {
					assertParity(t, spec, sc)
				})
			}
		})
	}
}

func assertParity(t *testing.T, spec *criteria.Spec, sc monitoring.Scenario) {
	t.Helper()
	tr := criteria.EvaluateSeries(spec, signal.Options{BaselineP95: sc.Baseline}, sc.Samples(), sc.EvalTimes())
	name := sc.Criterion.Name
	fired, ok := tr.FirstFiring(name)
	if !ok {
		t.Fatalf("%s never fired in presoak's evaluator; promtool fires it at %v", name, sc.FireAt)
	}
	// The pending episode that led to firing began at HoldAt; with a flap or
	// a no-data gap, an earlier one began at FirstHoldAt and was reset.
	var pendings []time.Duration
	reset := false
	for _, x := range tr.Transitions {
		if x.Criterion != name || x.At.After(fired) {
			continue
		}
		switch x.To {
		case criteria.Pending:
			pendings = append(pendings, x.At.Sub(monitoring.Epoch))
		case criteria.Inactive:
			reset = true
		}
	}
	switch {
	case len(pendings) == 0 && sc.Criterion.For > 0:
		t.Errorf("%s fired without going pending", name)
	case len(pendings) > 0 && pendings[len(pendings)-1] != sc.HoldAt:
		t.Errorf("%s: presoak pending from %v, PromQL from %v", name, pendings[len(pendings)-1], sc.HoldAt)
	}
	if sc.FirstHoldAt > 0 && (len(pendings) != 2 || pendings[0] != sc.FirstHoldAt || !reset) {
		t.Errorf("%s: flap: presoak pending at %v (reset %v), want pending at %v, reset, pending at %v", name, pendings, reset, sc.FirstHoldAt, sc.HoldAt)
	}
	if got := fired.Sub(monitoring.Epoch); got != sc.FireAt {
		t.Errorf("%s: presoak fires at %v, promtool at %v (interval %v)", name, got, sc.FireAt, sc.Interval)
	}
	for _, x := range tr.Transitions {
		if x.Criterion == name && x.At.Equal(fired) {
			if math.Abs(x.Value.V-sc.Value) >= 0.005 {
				t.Errorf("%s: presoak's value at firing %v, the alert's %.2f", name, x.Value.V, sc.Value)
			}
		}
	}
	// Nothing else fires on a scenario built for one criterion, except a
	// criterion on the same signal with a looser condition.
	for _, x := range tr.Transitions {
		if x.To != criteria.Firing || x.Criterion == name {
			continue
		}
		other, _ := spec.ByName(x.Criterion)
		if other.Signal != sc.Criterion.Signal {
			t.Errorf("%s's scenario also fired %s at %v", name, x.Criterion, x.At.Sub(monitoring.Epoch))
		}
	}
}

// TestWithRestartResetsTheCounters makes sure the restart variant really
// restarts the bot between HoldAt and FireAt (else its parity proves nothing).
func TestWithRestartResetsTheCounters(t *testing.T) {
	spec := defaultSpec(t)
	c, _ := spec.ByName("deadline_miss_stop")
	sc, err := monitoring.NewScenario(c, spec.EvaluationInterval, monitoring.Options{}, monitoring.WithRestart())
	if err != nil {
		t.Fatal(err)
	}
	s := signal.NewSeries(spec.MaxWindow())
	resetAt := time.Duration(-1)
	for _, smp := range sc.Samples() {
		before := s.Resets()
		s.Add(smp)
		if s.Resets() > before && resetAt < 0 {
			resetAt = smp.At.Sub(monitoring.Epoch)
		}
	}
	if s.Resets() != 1 || resetAt <= sc.HoldAt || resetAt >= sc.FireAt {
		t.Fatalf("resets %d at %v, want 1 between HoldAt %v and FireAt %v", s.Resets(), resetAt, sc.HoldAt, sc.FireAt)
	}
	if !strings.Contains(sc.Series[0].Notation(), " ") {
		t.Errorf("ticks series has no reset phase: %s", sc.Series[0].Notation())
	}
}

// TestWithFlapInterruptsTheFault makes sure the flap variant really resets
// the pending alert (else its parity proves nothing about resets).
func TestWithFlapInterruptsTheFault(t *testing.T) {
	spec := shortSpec(t)
	rt, err := monitoring.NewRuleTests(spec, monitoring.Options{}, monitoring.WithFlap())
	if err != nil {
		t.Fatal(err)
	}
	flapped := 0
	for _, sc := range rt.Scenarios {
		if sc.FirstHoldAt == 0 {
			continue
		}
		flapped++
		if sc.HoldAt <= sc.FirstHoldAt+sc.Criterion.Window || sc.FireAt-sc.FirstHoldAt <= sc.Criterion.For {
			t.Errorf("%s: first hold %v, hold %v, fire %v: no room for a reset", sc.Criterion.Name, sc.FirstHoldAt, sc.HoldAt, sc.FireAt)
		}
	}
	if flapped < len(rt.Scenarios)/2 {
		t.Errorf("only %d of %d scenarios flap", flapped, len(rt.Scenarios))
	}
}

// TestWithNoDataGapHasNoData makes sure the no-data variant really leaves
// the ratio criteria without data between two breaches (else its parity
// proves nothing about no data), and that taker_share_stop is the review's
// case: one minute of breach, two hours without fills, the breach again.
func TestWithNoDataGapHasNoData(t *testing.T) {
	spec := defaultSpec(t)
	rt, err := monitoring.NewRuleTests(spec, monitoring.Options{}, monitoring.WithNoDataGap(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	gapped := 0
	for _, sc := range rt.Scenarios {
		if sc.FirstHoldAt == 0 {
			continue
		}
		gapped++
		tr := criteria.EvaluateSeries(spec, signal.Options{}, sc.Samples(), sc.EvalTimes())
		noData := false
		for _, x := range tr.Transitions {
			if x.Criterion == sc.Criterion.Name && x.To == criteria.Inactive && !x.Value.OK {
				noData = noData || (x.At.Sub(monitoring.Epoch) > sc.FirstHoldAt && x.At.Sub(monitoring.Epoch) < sc.HoldAt)
			}
		}
		if !noData {
			t.Errorf("%s: no reset on no data between %v and %v", sc.Criterion.Name, sc.FirstHoldAt, sc.HoldAt)
		}
		if len(sc.QuietAt) == 0 {
			t.Errorf("%s: no quiet evaluation after the gap", sc.Criterion.Name)
		}
		if sc.Criterion.Name == "taker_share_stop" && (sc.HoldAt-sc.FirstHoldAt != 2*time.Hour+time.Minute) {
			t.Errorf("taker_share_stop: breach again %v after the first, want 2h1m (1m of breach, 2h without fills)", sc.HoldAt-sc.FirstHoldAt)
		}
	}
	if gapped != 7 {
		t.Errorf("%d scenarios have a no-data gap, want the 7 ratio criteria", gapped)
	}
}
