package incident_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/presoak/presoak/engine"
	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/engine/fault"
	"github.com/presoak/presoak/engine/marketdata"
	"github.com/presoak/presoak/harness/checklist/userenv"
	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/safety"
)

// secret is planted in the config's venue.api_secret; it must never reach a bundle.
const secret = "s3cr3t-incident-test-value"

func TestMain(m *testing.M) {
	userenv.Clear()                               // the user's CONFIG, TARGET, ... are not this test's
	os.Setenv("PRESOAK_VENUE_API_SECRET", secret) // before any parallel test loads the config
	os.Exit(m.Run())
}

func root(t testing.TB) string {
	t.Helper()
	r, err := safety.ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func layers(t testing.TB) []string {
	return []string{filepath.Join(root(t), "fixtures/config.yaml"), filepath.Join(root(t), "fixtures/config.soak_overrides.yaml")}
}

// scenarioConfig is the soak config at a 1 s tick and ttl (as the accelerated soak
// scenarios run it) with the planted secret.
func scenarioConfig(t testing.TB) *config.Loaded {
	t.Helper()
	l, err := config.Load(layers(t)...)
	if err != nil {
		t.Fatal(err)
	}
	l.Config.Tick.Interval = time.Second
	l.Config.MDCache.TTL = time.Second
	return l
}

func scenarioFeed() marketdata.Feed {
	return marketdata.NewSynthetic(marketdata.SyntheticOptions{Seed: 42, StartNs: engine.DefaultStartNs, EventRate: 5})
}

func loadSpec(t testing.TB) *criteria.Spec {
	t.Helper()
	s, err := criteria.Load(filepath.Join(root(t), "fixtures/criteria.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// shiftedPlan is a fixtures/faults plan with its first fault moved to start
// at 30 minutes, so the scenario stops sooner.
func shiftedPlan(t testing.TB, name string) *fault.Plan {
	t.Helper()
	p, err := fault.Load(filepath.Join(root(t), "fixtures/faults", name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	shift := p.Faults[0].Start - 30*time.Minute
	for i := range p.Faults {
		p.Faults[i].Start -= shift
	}
	return p
}

// safetyOptions is a scratch safety workspace on the fixture layers.
func safetyOptions(t testing.TB) safety.Options {
	t.Helper()
	return safety.Options{
		Workspace:    safety.Workspace{Root: t.TempDir()},
		ConfigLayers: layers(t),
		TargetsFile:  filepath.Join(root(t), safety.TargetsFile),
		Meta:         safety.Meta{Now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Version: "test", GitCommit: "unknown"},
	}
}
