package target

import (
	"testing"
	"time"

	"github.com/presoak/presoak/engine"
	"github.com/presoak/presoak/harness/budget"
)

// TestEngineStagesAreTheBudgetStages: the stages the engine records are the
// budgets' stages, in order, so Observe has a distribution for every one.
func TestEngineStagesAreTheBudgetStages(t *testing.T) {
	t.Parallel()
	for i, s := range budget.Stages {
		if engine.StageNames[i] != s {
			t.Errorf("stage %d: got engine %q, want the budgets' %q", i, engine.StageNames[i], s)
		}
	}
}

// TestRecordingOnceEndsAndObserveCounts: with RecordingOnce the simulated
// target replays the config's 5-minute recording once (Step says false at
// its end, about 3000 ticks of 100 ms), and Observe counts from the mark.
func TestRecordingOnceEndsAndObserveCounts(t *testing.T) {
	t.Parallel()
	sim, err := NewSimulated(EmbeddedOptions{Config: soakConfig(t), Span: RecordingOnce})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	if sim.Market().Looped || sim.Market().Recording == "" {
		t.Fatalf("market: got %+v, want the config's recording, once", sim.Market())
	}
	for range 100 {
		sim.Step()
	}
	mark := sim.Mark()
	sim.ResetLatencies()
	n := 0
	for sim.Step() {
		n++
		if n > 10000 {
			t.Fatal("a 5-minute recording replayed once did not end after 10000 ticks")
		}
	}
	if n < 2800 || n > 3000 {
		t.Fatalf("ticks after the warm-up: got %d, want about 2900", n)
	}
	obs := sim.Observe(mark)
	if obs.Ticks != float64(n) {
		t.Errorf("observed ticks: got %v, want %d", obs.Ticks, n)
	}
	if d := obs.Latencies[budget.TickTotal]; d == nil || d.Count() != n || d.AtRank(n) <= 0 {
		t.Errorf("tick_total distribution: got %v, want %d positive samples", d, n)
	}
	if got := sim.EngineNow().Sub(mark.At()); got < 4*time.Minute {
		t.Errorf("market time measured: got %v, want the rest of the recording", got)
	}
}

// TestEndlessLoopsTheRecording: the default span (0) never runs out of market.
func TestEndlessLoopsTheRecording(t *testing.T) {
	t.Parallel()
	sim, err := NewSimulated(EmbeddedOptions{Config: soakConfig(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	if !sim.Market().Looped {
		t.Fatalf("market: got %+v, want the recording looped", sim.Market())
	}
	sim.Advance(6 * time.Minute)
	if !sim.Step() {
		t.Fatal("an endless target ran out of market after 6 minutes of a 5-minute recording")
	}
}
