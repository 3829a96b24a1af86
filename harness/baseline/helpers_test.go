package baseline

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/engine/latency"
	"github.com/presoak/presoak/harness/budget"
	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/target"
)

// The fixtures' config layers.
const (
	defaultLayers = "fixtures/config.yaml,fixtures/config.soak_overrides.yaml"
	baseOnly      = "fixtures/config.yaml"
)

type fixture struct {
	layers checklist.Layers
	loaded *config.Loaded
	view   checklist.ConfigView
	set    *budget.Set
}

// newFixture loads config layers (a CONFIG list) and fixtures/budgets.yaml.
func newFixture(t testing.TB, list string) fixture {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, err := checklist.ModuleRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	f := fixture{layers: checklist.ConfigLayers(list, root)}
	if f.loaded, err = config.Load(f.layers.Paths...); err != nil {
		t.Fatalf("load %s: %v", list, err)
	}
	f.view = checklist.ViewOf(f.loaded, f.layers)
	if f.set, err = budget.Load(root + "/fixtures/budgets.yaml"); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f fixture) options() Options {
	return Options{Loaded: f.loaded, Layers: f.layers.Names(), Display: f.layers.Display, Budgets: f.set, GitCommit: "test"}
}

func measure(t testing.TB, o Options) *Run {
	t.Helper()
	run, err := MeasureSim(o)
	if err != nil {
		t.Fatalf("MeasureSim: %v", err)
	}
	return run
}

// plumbingBot is the reference engine serving its metrics in reg, for the
// tests of what is read through a target and how it is judged, not of the
// engine's speed: its verdicts must not turn on how late a loaded machine
// wakes a real-clock engine (submit p95 40 ms against a 25 ms budget was
// seen so). It runs on the simulated clock, kept in step with the wall
// clock (about 10 ticks a second, as on the real one), so its latencies are
// the ones modeled from testdata/latency-margin.yaml (round trips a tenth
// of the default's, well inside every budget) whatever the load.
func plumbingBot(t testing.TB, f fixture, reg prometheus.Registerer) *target.SimulatedEmbedded {
	t.Helper()
	prof, err := latency.Load(filepath.Join("testdata", "latency-margin.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	bot, err := target.NewSimulated(target.EmbeddedOptions{Config: f.loaded, Registerer: reg, Latency: prof})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tk := time.NewTicker(50 * time.Millisecond)
		defer tk.Stop()
		last := time.Now()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-tk.C:
				bot.Advance(now.Sub(last))
				last = now
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		_ = bot.Close()
	})
	return bot
}
