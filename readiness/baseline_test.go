package readiness

import (
	"os"
	"sync"
	"testing"

	"github.com/presoak/presoak/readiness/baseline"
	"github.com/presoak/presoak/readiness/checklist"
	report "github.com/presoak/presoak/reports/readiness"
)

// The Baseline and MD-Cache areas share one simulated-clock sample.
var (
	sampleOnce sync.Once
	sample     baseline.Sample
	sampleErr  error
)

func baselineSample(t *testing.T) baseline.Sample {
	t.Helper()
	sampleOnce.Do(func() {
		sample, sampleErr = baseline.ReadinessSample(os.Getenv("CONFIG"), os.Getenv("BUDGETS"))
	})
	if sampleErr != nil {
		t.Fatalf("baseline sample: %v", sampleErr)
	}
	return sample
}

// seedBaselineItems are the Baseline items that exist whatever the budgets
// file says, so they are reported even when the sample cannot be measured.
var seedBaselineItems = []string{"ticks_sampled", "hit_ratio", "fetch_md_p95", "tick_total_p95", "deadline_miss"}

// TestBaseline is the Baseline area: the embedded engine in shadow mode on
// the simulated clock over the committed recording (>= 2,000 ticks), with the
// seed's four targets and every other budget of BUDGETS evaluated on it.
// On the simulated clock the stage latencies are modeled by the engine from
// its latency profile; make shadow measures them on the real clock.
func TestBaseline(t *testing.T) {
	checklist.Group(t, checklist.AreaBaseline)
	s := baselineSample(t)
	if s.Run == nil {
		for _, name := range seedBaselineItems {
			t.Run(name, func(t *testing.T) {
				checklist.Record(t, checklist.NotEvaluated(checklist.AreaBaseline, report.Blocking,
					name, s.Err.Error(), "fix what the cause names, then rerun"))
			})
		}
		return
	}
	t.Attr("clock", s.Run.Baseline.Clock)
	t.Attr("latency_source", s.Run.Baseline.LatencySource)
	t.Attr("evidence", s.Env.Layers.Display(s.Artifacts.StageBudgets))
	for _, c := range baseline.BaselineChecks(s.Run, s.View) {
		t.Run(c.Name, func(t *testing.T) {
			for _, kv := range c.Attrs {
				t.Attr(kv[0], kv[1])
			}
			checklist.Record(t, c.Item)
		})
	}
}
