//go:build shadow

package readiness

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/baseline"
	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/target"
	"github.com/presoak/presoak/internal/runctx"
)

// shadowStopMargin is how long before go test's -timeout the shadow run
// stops by itself, so a timeout still leaves artifacts (marked partial).
const shadowStopMargin = 90 * time.Second

// TestShadowBaseline is the shadow baseline (make shadow DURATION=60m): the
// embedded engine in shadow mode on the real clock for DURATION, a progress
// line every 30 s, artifacts/baseline/stage_budgets.json, visualization.md
// and its SVG, a calibration dataset in artifacts/edge/datasets/shadow-<time>/,
// and one subtest per baseline check with the measured values as
// attributes (JUnit properties). TARGET=scrape (SCRAPE_URL) or
// TARGET=prometheus (PROMETHEUS_URL, SELECTOR) measures a running bot
// through its metrics instead (fixtures/presoak.yaml; a fleet gets one
// baseline per bot under artifacts/baseline/instances/). Ctrl-C (SIGINT, SIGTERM) or an
// approaching -timeout stops it early: the artifacts are still written,
// marked partial, and run_complete fails.
func TestShadowBaseline(t *testing.T) {
	checklist.Group(t, checklist.AreaBaseline)
	d, err := shadowDuration(os.Getenv("DURATION"))
	if err != nil {
		t.Fatal(err)
	}
	env, err := checklist.LoadRunEnv(os.LookupEnv) // CONFIG, and TARGET & co. (fixtures/presoak.yaml)
	if err != nil {
		t.Fatal(err)
	}
	if env.HarnessErr != nil {
		t.Fatal(env.HarnessErr)
	}
	h := env.Harness
	deadline, ok := t.Deadline()
	ctx, stop := runctx.New(deadline, ok, shadowStopMargin)
	defer stop()

	t.Logf("shadow baseline of %s for %v", h.Describe(), d)
	results, err := baseline.RunShadow(ctx, baseline.ShadowSpec{
		Env: env, BudgetsPath: os.Getenv("BUDGETS"), Duration: d, Harness: h,
		Progress: os.Stdout, ProgressEvery: 30 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Attr("target", h.Describe())
	if h.Kind == target.KindPrometheus {
		t.Logf("fleet: %d bot(s), one baseline each; verdicts in %s", len(results),
			env.Layers.Display(filepath.Join(env.Layers.Root, "artifacts", "baseline", baseline.InstancesDir, baseline.FleetFile)))
	}
	for _, res := range results {
		if len(results) > 1 { // a fleet: one baseline, and one group of checks, per bot
			t.Run(res.Instance, func(t *testing.T) { recordShadow(t, env, d, res) })
			continue
		}
		recordShadow(t, env, d, res)
	}
}

// recordShadow records one bot's shadow baseline: its provenance as
// attributes, then one subtest per check.
func recordShadow(t *testing.T, env checklist.Env, d time.Duration, res baseline.ShadowResult) {
	b := res.Run.Baseline
	for k, v := range map[string]string{
		"clock": b.Clock, "latency_source": b.LatencySource, "source": b.Source, "duration": d.String(),
		"config_hash": b.ConfigHash, "config_layers": env.LayersAttr(), "git_commit": b.GitCommit,
		"stage_budgets": env.Layers.Display(res.Paths.StageBudgets), "visualization": env.Layers.Display(res.Paths.Visualization),
	} {
		t.Attr(k, v)
	}
	if res.Instance != "" {
		t.Attr("instance", res.Instance)
	}
	if res.Dataset != "" {
		t.Attr("calibration_dataset", env.Layers.Display(res.Dataset))
		t.Logf("calibration dataset %s (make edge-report renders it)", env.Layers.Display(res.Dataset))
	}
	t.Logf("wrote %s, %s, %s", env.Layers.Display(res.Paths.StageBudgets), env.Layers.Display(res.Paths.Visualization), env.Layers.Display(res.Paths.Chart))
	for _, c := range res.Checks {
		t.Run(c.Name, func(t *testing.T) {
			for _, kv := range c.Attrs {
				t.Attr(kv[0], kv[1])
			}
			checklist.Record(t, c.Item)
		})
	}
}

// shadowDuration parses DURATION (default 60m).
func shadowDuration(s string) (time.Duration, error) {
	if s == "" {
		return time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, errors.Join(fmt.Errorf("DURATION=%q: want a positive Go duration such as 60m", s), err)
	}
	return d, nil
}
