package bench

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/harness/baseline"
	"github.com/presoak/presoak/harness/budget"
	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/profile"
)

// warmupTicks are ticked and dropped before a benchmark measures.
const warmupTicks = 200

type env struct {
	layers checklist.Layers
	loaded *config.Loaded
	set    *budget.Set
}

// loadEnv loads CONFIG (default: base + soak overrides) and BUDGETS
// (default: fixtures/budgets.yaml): the budgets are parsed and validated
// before anything is measured.
func loadEnv(tb testing.TB) env {
	tb.Helper()
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	root, err := checklist.ModuleRoot(wd)
	if err != nil {
		tb.Fatal(err)
	}
	e := env{layers: checklist.ConfigLayers(os.Getenv("CONFIG"), root)}
	// the reference engine's budgets: BUDGETS, else presoak's own
	c, err := profile.Pick(profile.FileBudgets, os.Getenv("BUDGETS"), root, nil)
	if err != nil {
		tb.Fatalf("budgets: %v", err)
	}
	if e.set, err = budget.Load(c.Path); err != nil {
		tb.Fatalf("budgets: %v", err)
	}
	if e.loaded, err = config.Load(e.layers.Paths...); err != nil {
		tb.Fatalf("config %s: %v", strings.Join(e.layers.Names(), ","), err)
	}
	return e
}

func (e env) options() baseline.Options {
	return baseline.Options{Loaded: e.loaded, Layers: e.layers.Names(), Display: e.layers.Display, Budgets: e.set}
}

// benchTicks ticks a warmed-up engine b.N times and reports the modeled
// percentiles of stage. Each tick's latency is recorded by the engine's exact
// per-stage recorder, not only averaged into ns/op (which is the real CPU
// cost of simulating one tick).
func benchTicks(b *testing.B, stage string) {
	env := loadEnv(b)
	e, err := baseline.NewSimEngine(env.options())
	if err != nil {
		b.Fatal(err)
	}
	for range warmupTicks {
		e.Step()
	}
	e.ResetLatencies()
	for b.Loop() {
		e.Step()
	}
	l := e.Latencies(stage)
	if l.Count == 0 {
		b.Fatalf("%s: no samples in %d ticks", stage, b.N)
	}
	b.ReportMetric(msOf(l.P50), "modeled-p50-ms")
	b.ReportMetric(msOf(l.P95), "modeled-p95-ms")
	b.ReportMetric(msOf(l.P99), "modeled-p99-ms")
}

func msOf(d time.Duration) float64 { return float64(d) / 1e6 }

// BenchmarkTick is the whole tick (tick_total).
func BenchmarkTick(b *testing.B) { benchTicks(b, budget.TickTotal) }

// BenchmarkStage is each pipeline stage.
func BenchmarkStage(b *testing.B) {
	for _, stage := range budget.Stages {
		b.Run(stage, func(b *testing.B) { benchTicks(b, stage) })
	}
}

// TestBudgets asserts every latency budget of BUDGETS (stages and
// tick_total) on the same measurement make bench prints: the embedded engine
// on the simulated clock over the committed recording, warm-up dropped.
// Latencies are the engine's modeled ones. One subtest per budget, its
// measured value as an attribute. The ratio budgets (deadline_miss,
// md_cache_hit_ratio) are checklist items: readiness Baseline and MD-Cache.
func TestBudgets(t *testing.T) {
	env := loadEnv(t)
	o := env.options()
	o.Budgets = env.set.OfKind(budget.Latency)
	if len(o.Budgets.Budgets) == 0 {
		t.Fatal("no latency budgets in BUDGETS: nothing to assert is a failure")
	}
	run, err := Measure(context.Background(), o, baseline.SimulatedClock, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Attr("clock", run.Baseline.Clock)
	t.Attr("latency_source", run.Baseline.LatencySource)
	for _, res := range run.Results {
		t.Run(baseline.CheckName(res.Budget), func(t *testing.T) {
			t.Attr("value", res.FormatObserved())
			t.Attr("want", res.Budget.Expr)
			t.Attr("samples", strconv.Itoa(res.Samples))
			if !res.Pass {
				t.Errorf("%s (%s)", res, run.Baseline.LatencySource)
			}
		})
	}
}

// TestTableFailsOverBudget: a budget the run cannot meet is FAIL in the table
// and in Failed; a met one is PASS.
func TestTableFailsOverBudget(t *testing.T) {
	env := loadEnv(t)
	set, err := budget.ParseFile("tight.yaml", []byte("version: 1\nbudgets:\n  fetch_md: p(95) < 1ms\n  tick_total: p(95) < 10s\n  deadline_miss: rate < 2%\n"))
	if err != nil {
		t.Fatal(err)
	}
	o := env.options()
	o.Budgets, o.Ticks = set, 500
	run, err := Measure(context.Background(), o, baseline.SimulatedClock, 0)
	if err != nil {
		t.Fatal(err)
	}
	table := TableOf(run)
	failed := table.Failed()
	if len(failed) != 1 || failed[0].Target != "fetch_md" || failed[0].Verdict != "FAIL" {
		t.Fatalf("failed rows %+v, want only fetch_md", failed)
	}
	var out bytes.Buffer
	if err := table.Write(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"stage", "p50", "p95", "p99", "budget", "verdict", "modeled", "FAIL: 1 of 3 budgets over: fetch_md p(95) < 1ms"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
	if _, err := Measure(context.Background(), o, "lunar", 0); err == nil {
		t.Error("unknown clock: nil error")
	}
}
