package baseline

import (
	"fmt"
	"path/filepath"

	"github.com/presoak/presoak/harness/budget"
	"github.com/presoak/presoak/harness/checklist"

	"github.com/presoak/presoak/internal/gitinfo"
)

// Sample is the readiness checklist's baseline sample: the embedded engine
// in shadow mode on the simulated clock over the config's recording, with
// the budgets evaluated.
type Sample struct {
	// Env is the config the sample ran on (CONFIG layers, module root).
	Env checklist.Env
	// View is the config view for provenance and fixes; ViewOK is false when the config did not load.
	View   checklist.ConfigView
	ViewOK bool
	// Budgets are the parsed budgets (nil when they did not parse);
	// BudgetsFile names the file and who chose it (loadBudgets).
	Budgets     *budget.Set
	BudgetsFile string
	// Run is the measured run (nil when Err is set).
	Run *Run
	// Err says why there is no run: the config or the budgets did not load,
	// or the engine could not start. Checks that need the run fail with it.
	Err error
	// Artifacts are the evidence files written (empty when none).
	Artifacts Paths
}

// ReadinessSample loads the CONFIG layers (configList; empty: the default
// layers) and the budgets file (budgetsPath: BUDGETS as the user set it,
// relative to the module root; empty: the bot profile's, else presoak's
// default, profile.Pick), measures the simulated-clock sample and writes its
// evidence to artifacts/baseline/sim/ (never over a real shadow baseline).
// The error is only for a missing module root; everything else is in Sample.Err.
func ReadinessSample(configList, budgetsPath string) (Sample, error) {
	env, err := checklist.LoadEnv(configList)
	if err != nil {
		return Sample{}, err
	}
	return ReadinessSampleAt(env, budgetsPath), nil
}

// ReadinessSampleAt is ReadinessSample on an Env already loaded (e.g. by
// checklist.LoadRunEnv for the embedded target).
func ReadinessSampleAt(env checklist.Env, budgetsPath string) Sample {
	s := Sample{Env: env}
	var err error
	s.View, s.ViewOK = env.View()
	s.Budgets, s.BudgetsFile, err = loadBudgets(env, nil, budgetsPath)
	if err != nil {
		s.Err = err
		return s
	}
	if !s.ViewOK {
		s.Err = fmt.Errorf("the config did not load (see TestConfigAndFlags/config_loads): %w", env.LoadErr)
		return s
	}
	s.Run, err = MeasureSim(Options{
		Loaded: env.Loaded, Layers: env.Layers.Names(), Display: env.Layers.Display,
		Budgets: s.Budgets, GitCommit: gitinfo.Commit(env.Layers.Root),
	})
	if err != nil {
		s.Err = err
		return s
	}
	s.Artifacts, err = WriteArtifacts(filepath.Join(env.Layers.Root, "artifacts", "baseline", "sim"), s.Run, s.Budgets, nil)
	if err != nil {
		s.Err = fmt.Errorf("write baseline sample evidence: %w", err)
	}
	return s
}
