package monitoring_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/presoak/presoak/readiness/criteria"
	"github.com/presoak/presoak/readiness/monitoring"
	"github.com/presoak/presoak/readiness/signal"
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
		{"custom_names_baseline_restart", defaultSpec(t), monitoring.Options{Names: customNames(), Baseline: realisticBaseline}, []monitoring.ScenarioOption{monitoring.WithRestart()}},
		{"short_criteria", shortSpec(t), monitoring.Options{}, nil},
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
	pending, ok := tr.FirstPending(name)
	if !ok {
		t.Fatalf("%s never went pending in presoak's evaluator; PromQL holds from %v", name, sc.HoldAt)
	}
	if got := pending.Sub(monitoring.Epoch); got != sc.HoldAt {
		t.Errorf("%s: presoak pending from %v, PromQL from %v", name, got, sc.HoldAt)
	}
	fired, ok := tr.FirstFiring(name)
	if !ok {
		t.Fatalf("%s never fired in presoak's evaluator; promtool fires it at %v", name, sc.FireAt)
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
	_ = time.Second
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
