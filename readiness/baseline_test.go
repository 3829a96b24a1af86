package readiness

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/presoak/presoak/harness/baseline"
	"github.com/presoak/presoak/harness/checklist"
)

// The Baseline and MD-Cache areas share one sample: the embedded engine's on
// the simulated clock, or, with TARGET=scrape|prometheus, READINESS_SAMPLE
// (default 20s) of the running bot(s).
var (
	sampleOnce sync.Once
	sample     baseline.Readiness
	sampleErr  error
)

func readinessSample(t *testing.T) baseline.Readiness {
	t.Helper()
	sampleOnce.Do(func() {
		var env checklist.Env
		env, sampleErr = checklist.LoadRunEnv(os.LookupEnv)
		if sampleErr == nil {
			// not t.Context(): the sample is shared with the other area's test
			sample = baseline.LoadReadiness(context.Background(), env, os.Getenv("BUDGETS"), os.Getenv(baseline.EnvReadinessSample))
		}
	})
	if sampleErr != nil {
		t.Fatalf("baseline sample: %v", sampleErr)
	}
	return sample
}

// TestBaseline is the Baseline area. Embedded (the default): the engine in
// shadow mode on the simulated clock over the committed recording (>= 2,000
// ticks), with the seed's four targets and every other budget of BUDGETS
// evaluated on it; stage latencies are modeled from the engine's latency
// profile (make shadow measures them on the real clock). TARGET=scrape or
// prometheus: the running bot(s), READINESS_SAMPLE long, every budget on the
// histogram-bucket percentiles with their bucket error, every instance.
func TestBaseline(t *testing.T) {
	checklist.Group(t, checklist.AreaBaseline)
	s := readinessSample(t)
	for _, kv := range s.BaselineAttrs() {
		t.Attr(kv[0], kv[1])
	}
	recordChecks(t, s.BaselineChecks())
}

// recordChecks records every check as its own subtest.
func recordChecks(t *testing.T, checks []baseline.Check) {
	t.Helper()
	for _, c := range checks {
		t.Run(c.Name, func(t *testing.T) {
			for _, kv := range c.Attrs {
				t.Attr(kv[0], kv[1])
			}
			checklist.Record(t, c.Item)
		})
	}
}
