package baseline

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/budget"
)

func TestMeasureSim(t *testing.T) {
	t.Parallel()
	f := newFixture(t, defaultLayers)
	run := measure(t, f.options())
	b := run.Baseline
	if b.Ticks < MinTicks {
		t.Errorf("ticks = %d, want >= %d (the whole recording after the warm-up)", b.Ticks, MinTicks)
	}
	if b.Clock != SimulatedClock || !strings.Contains(b.LatencySource, "modeled") {
		t.Errorf("clock %q, latency source %q: want simulated and modeled", b.Clock, b.LatencySource)
	}
	if b.SchemaVersion != SchemaVersion || b.ConfigHash != f.loaded.Hash() || b.GitCommit != "test" ||
		!reflect.DeepEqual(b.ConfigLayers, []string{"fixtures/config.yaml", "fixtures/config.soak_overrides.yaml"}) {
		t.Errorf("provenance: schema %d hash %q commit %q layers %v", b.SchemaVersion, b.ConfigHash, b.GitCommit, b.ConfigLayers)
	}
	if b.Feed != "fixtures/marketdata/btcusdt-5m.manifest.json" {
		t.Errorf("feed %q, want the committed recording as a module-relative path", b.Feed)
	}
	for _, name := range budget.LatencyTargets {
		st, ok := b.Stage(name)
		if !ok || st.Count == 0 || st.P95Ms <= 0 || st.P50Ms > st.P95Ms || st.P95Ms > st.P99Ms || st.P99Ms > st.MaxMs {
			t.Errorf("%s: %+v: want ordered, non-zero percentiles", name, st)
		}
		if st.Sketch.N != st.Count || len(st.Sketch.QuantilesNs) != SketchPoints {
			t.Errorf("%s: sketch n=%d points=%d", name, st.Sketch.N, len(st.Sketch.QuantilesNs))
		}
		if st.Confidence == "" || len(st.P95CIMs) != 2 {
			t.Errorf("%s: confidence %q, interval %v", name, st.Confidence, st.P95CIMs)
		}
	}
	if b.DurationSeconds <= 0 || !b.End.After(b.Start) {
		t.Errorf("duration %v, start %v, end %v", b.DurationSeconds, b.Start, b.End)
	}
	if len(b.Budgets) != len(f.set.Budgets) {
		t.Errorf("%d budget verdicts, want %d", len(b.Budgets), len(f.set.Budgets))
	}
}

func TestMeasureSimDeterministic(t *testing.T) {
	t.Parallel()
	f := newFixture(t, defaultLayers)
	a, b := measure(t, f.options()), measure(t, f.options())
	if !reflect.DeepEqual(a.Baseline, b.Baseline) {
		t.Error("two simulated runs of the same config and seed differ")
	}
}

func TestMeasureSimTicks(t *testing.T) {
	t.Parallel()
	f := newFixture(t, defaultLayers)
	o := f.options()
	o.Ticks, o.WarmupTicks = 300, 10
	run := measure(t, o)
	if run.Baseline.Ticks != 300 {
		t.Errorf("ticks = %d, want 300", run.Baseline.Ticks)
	}
	if _, err := MeasureSim(Options{}); !errors.Is(err, ErrNoConfig) {
		t.Errorf("MeasureSim without config: %v, want ErrNoConfig", err)
	}
}

// TestFrozenBaselineRegression: the same config measured twice (other venue
// seed) raises no regression; +30% venue latency does, on fetch_md.
func TestFrozenBaselineRegression(t *testing.T) {
	t.Parallel()
	f := newFixture(t, defaultLayers)
	frozen := measure(t, f.options()).Baseline

	again := f.options()
	again.Seed = 7
	same := measure(t, again).Baseline
	rs, err := CompareBaselines(frozen, same, CompareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Status == Regressed {
			t.Errorf("same config, other seed: %s", r.Reason)
		}
	}

	slow := f.options()
	slow.Faults = VenueLatencyPlan(1.3, 24*time.Hour)
	slower := measure(t, slow).Baseline
	rs, err = CompareBaselines(frozen, slower, CompareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	byStage := map[string]StageRegression{}
	for _, r := range rs {
		byStage[r.Stage] = r
	}
	if r := byStage["fetch_md"]; r.Status != Regressed {
		t.Errorf("+30%% venue latency: fetch_md %s (%s), want REGRESSED", r.Status, r.Reason)
	}
	if r := byStage["quote"]; r.Status == Regressed {
		t.Errorf("+30%% venue latency: quote (no venue call) %s: %s", r.Status, r.Reason)
	}
	pct, stage, err := P95RegressionPct(frozen, p95s(slower))
	if err != nil || pct < 20 {
		t.Errorf("P95RegressionPct = %.1f%% on %s (%v), want >= 20%%", pct, stage, err)
	}
	if VenueLatencyPlan(1, time.Hour) != nil {
		t.Error("VenueLatencyPlan(1) is not nil")
	}
}

func p95s(b *Baseline) map[string]time.Duration {
	out := map[string]time.Duration{}
	for name, s := range b.P95Seconds() {
		out[name] = time.Duration(s * float64(time.Second))
	}
	return out
}
