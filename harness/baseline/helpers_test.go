package baseline

import (
	"os"
	"testing"

	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/harness/budget"
	"github.com/presoak/presoak/harness/checklist"
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
