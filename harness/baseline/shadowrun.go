package baseline

import (
	"context"
	"fmt"
	"github.com/presoak/presoak/internal/runlock"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/presoak/presoak/harness/budget"
	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/checklist/result"
	"github.com/presoak/presoak/harness/target"

	"github.com/presoak/presoak/internal/gitinfo"
)

// ShadowSpec is one shadow baseline run as make shadow asks for it.
type ShadowSpec struct {
	// Env is the CONFIG the bot runs on (checklist.LoadEnv).
	Env checklist.Env
	// BudgetsPath is BUDGETS as the user set it, relative to the module
	// root; "" reads the bot profile's budgets: (the Harness's profile),
	// else presoak's default (profile.Pick).
	BudgetsPath string
	// Duration of the measured run (embedded: after a warm-up of min(5s, Duration/10)).
	Duration time.Duration
	// Dir is the baseline directory ("" = artifacts/baseline under the module root).
	Dir string
	// Progress and ProgressEvery as in Options (defaults: none, 30s).
	Progress      io.Writer
	ProgressEvery time.Duration
	// Harness is where the bot is read (target.LoadHarnessEnv: TARGET,
	// SCRAPE_URL, PROMETHEUS_URL, SELECTOR); nil or kind embedded runs the
	// embedded engine.
	Harness *target.Harness
	// Every overrides the harness's sampling interval (0: Harness.Interval()).
	Every time.Duration
	// DatasetsRoot is the root under which the embedded run writes its
	// calibration dataset, artifacts/edge/datasets/shadow-<time>/ ("" = the
	// module root).
	DatasetsRoot string
}

// ShadowResult is what a shadow baseline run produced for one bot.
type ShadowResult struct {
	// Instance names the bot read through a target ("" for the embedded engine).
	Instance string
	Run      *Run
	// Paths are the artifacts written (stage_budgets.json, visualization.md, the SVG).
	Paths Paths
	// Dataset is the calibration dataset directory the embedded run wrote
	// (quotes, fills, markouts, manifest); "" for a target run.
	Dataset string
	// Frozen is the frozen baseline compared with (nil when there is none);
	// Regressions the comparison.
	Frozen      *Baseline
	Regressions []StageRegression
	// Checks are the JUnit testcases of the run, in order.
	Checks []Check
}

// InstancesDir is where a fleet's baselines go under the baseline
// directory: artifacts/baseline/instances/<instance>/, one per bot.
const InstancesDir = "instances"

// RunShadow runs a shadow baseline on the real clock, compares it with the
// frozen baseline when there is one, writes the artifacts — also for a run
// ctx cut short, then marked partial — and returns the checks.
//
// With the embedded engine (the default) it runs Shadow with a calibration
// recorder attached, so the run also leaves a dataset under
// artifacts/edge/datasets/shadow-<time>/. With a scrape target it runs
// ShadowTarget and writes the same artifacts to the same directory. With a
// prometheus target every bot of the fleet gets its own baseline (written
// to Dir/instances/<instance>/, compared with that directory's frozen one),
// and Dir/instances/FLEET.md gives every bot's verdict and the overall one:
// one result per bot, sorted by instance.
//
// The error is for a run that could not start, a target that gave no
// samples (ErrNoSamples), or artifacts that could not be written.
func RunShadow(ctx context.Context, spec ShadowSpec) ([]ShadowResult, error) {
	env := spec.Env
	running := spec.Harness != nil && spec.Harness.Kind != target.KindEmbedded
	switch {
	case env.NoConfig && !running:
		return nil, fmt.Errorf("shadow baseline: CONFIG is empty: only a running bot (TARGET=scrape or prometheus) can be measured without config files")
	case env.Loaded == nil && !env.NoConfig:
		return nil, fmt.Errorf("shadow baseline: the config did not load: %w", env.LoadErr)
	}
	set, budgetsFile, err := loadBudgets(env, spec.Harness, spec.BudgetsPath)
	if err != nil {
		return nil, fmt.Errorf("shadow baseline: %w", err)
	}
	if spec.Progress != nil {
		fmt.Fprintf(spec.Progress, "shadow baseline: budgets %s\n", budgetsFile)
	}
	dir := spec.Dir
	if dir == "" {
		dir = filepath.Join(env.Layers.Root, "artifacts", "baseline")
	}
	// One shadow per baseline directory: a second refuses at once, naming
	// the first (issue 17).
	lock, err := runlock.Acquire(dir, "shadow")
	if err != nil {
		return nil, fmt.Errorf("shadow baseline: %w", err)
	}
	defer lock.Close()
	o := Options{
		Loaded: env.Loaded, Layers: env.Layers.Names(), Display: env.Layers.Display, Budgets: set,
		Duration: spec.Duration, GitCommit: gitinfo.Commit(env.Layers.Root),
		Progress: spec.Progress, ProgressEvery: spec.ProgressEvery,
	}
	o.ProfileProvenance(env)
	if spec.Harness == nil || spec.Harness.Kind == target.KindEmbedded {
		res, err := runShadowEmbedded(ctx, spec, o, set, dir)
		if err != nil {
			return nil, err
		}
		return []ShadowResult{res}, nil
	}
	return runShadowTarget(ctx, spec, o, set, dir)
}

// ProfileProvenance records a bot read through its profile (env's
// BotProfile) with the bot's own config: the profile's config layers and
// their hash (checklist.ProfileConfigHash), not presoak's CONFIG.
func (o *Options) ProfileProvenance(env checklist.Env) {
	p := env.BotProfile()
	if p == nil {
		return
	}
	o.Layers = p.Config.Layers
	if h, err := checklist.ProfileConfigHash(p); err == nil {
		o.ConfigHash = h
	}
}

// runShadowEmbedded is RunShadow on the embedded engine, recording the
// calibration dataset as it goes.
func runShadowEmbedded(ctx context.Context, spec ShadowSpec, o Options, set *budget.Set, dir string) (ShadowResult, error) {
	var res ShadowResult
	root := spec.DatasetsRoot
	if root == "" {
		root = spec.Env.Layers.Root
	}
	o.Calibration = &target.Calibration{Root: root, Kind: "shadow"}
	run, dataset, closeErr := shadow(ctx, o) // returns once the engine has stopped
	res.Run, res.Dataset = run, dataset
	if run == nil {
		return res, closeErr
	}
	if err := finishShadow(&res, spec, set, dir); err != nil {
		return res, err
	}
	if closeErr != nil {
		return res, closeErr
	}
	return res, nil
}

// runShadowTarget is RunShadow through a scrape or prometheus target.
func runShadowTarget(ctx context.Context, spec ShadowSpec, o Options, set *budget.Set, dir string) ([]ShadowResult, error) {
	h := spec.Harness
	tg, err := h.Open(nil)
	if err != nil {
		return nil, fmt.Errorf("shadow baseline: %w", err)
	}
	defer tg.Close()
	every := spec.Every
	if every <= 0 {
		every = h.Interval()
	}
	runs, err := ShadowTarget(ctx, TargetSpec{Target: tg, Describe: h.Describe(), Every: every}, o)
	if err != nil {
		return nil, err
	}
	out := make([]ShadowResult, 0, len(runs))
	for _, run := range runs {
		res := ShadowResult{Instance: run.Baseline.Instance, Run: run}
		d := dir
		if h.Kind == target.KindPrometheus {
			d = filepath.Join(dir, InstancesDir, safeName(res.Instance))
		}
		if err := finishShadow(&res, spec, set, d); err != nil {
			return out, err
		}
		out = append(out, res)
	}
	if h.Kind == target.KindPrometheus {
		if _, err := WriteFleet(dir, h.Describe(), out); err != nil {
			return out, fmt.Errorf("shadow baseline: %w", err)
		}
	}
	return out, nil
}

// finishShadow compares a measured run with the frozen baseline in dir,
// writes its artifacts there and makes its checks.
func finishShadow(res *ShadowResult, spec ShadowSpec, set *budget.Set, dir string) error {
	env := spec.Env
	frozen, ok, ferr := ReadFrozen(dir)
	if ok {
		res.Frozen = frozen
		res.Regressions, ferr = CompareBaselines(frozen, res.Run.Baseline, CompareOptions{})
	}
	var err error
	res.Paths, err = WriteArtifacts(dir, res.Run, set, res.Regressions)
	if err != nil {
		return fmt.Errorf("shadow baseline: %w", err)
	}
	view, _ := env.View()
	minTicks, fix := int64(1), "the bot did not tick while it was read: check that it runs (CONFIG is empty, so its tick.interval is unknown and only ticking at all is checked)"
	if env.Loaded != nil {
		interval := env.Loaded.Config.Tick.Interval
		minTicks = 0
		if interval > 0 {
			minTicks = int64(0.9 * float64(res.Run.Baseline.DurationSeconds*float64(time.Second)) / float64(interval))
		}
		fix = fmt.Sprintf("the loop fell behind one tick per tick.interval (%v; want 90%% of the ticks the run had time for): look for ticks longer than the interval and a busy machine", interval)
	}
	res.Checks = append(res.Checks, completeCheck(res.Run.Baseline))
	res.Checks = append(res.Checks, baselineChecks(res.Run, view, minTicks, fix)...)
	res.Checks = append(res.Checks, regressionChecks(res.Frozen, res.Regressions, ferr, env.Layers.Display(dir))...)
	return nil
}

// safeName turns an instance ("10.0.0.7:9100") into a directory name.
func safeName(s string) string {
	if s == "" {
		return "unnamed"
	}
	if s == "." || s == ".." {
		return "_" + s
	}
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '_':
		default:
			b[i] = '_'
		}
	}
	return string(b)
}

// completeCheck is "the run lasted its DURATION".
func completeCheck(b *Baseline) Check {
	it := checklist.Item{
		Area: checklist.AreaBaseline, Severity: result.Blocking,
		Got: fmt.Sprintf("%.0fs", b.DurationSeconds), Want: fmt.Sprintf("%.0fs (DURATION)", b.PlannedSeconds),
		Source: sourceOf(b),
	}
	if b.Partial {
		it.Status = result.StatusFail
		it.Fix = "rerun make shadow for the whole DURATION (artifacts of this run are marked partial)"
		it.Message = fmt.Sprintf("shadow run incomplete: %s: %s", b.PartialReason, it.Fix)
	} else {
		it.Status = result.StatusPass
		it.Message = fmt.Sprintf("shadow run complete: %.0fs on the real clock, %d ticks", b.DurationSeconds, b.Ticks)
	}
	return Check{Name: "run_complete", Item: it}
}

// regressionChecks are one warning item per latency target against the
// frozen baseline, or one item saying there is none to compare with.
func regressionChecks(frozen *Baseline, rs []StageRegression, err error, dir string) []Check {
	if err != nil {
		return []Check{{Name: "regression", Item: checklist.Item{
			Area: checklist.AreaBaseline, Severity: result.Warning, Status: result.StatusWarn,
			Got: "not compared", Want: "p95 within +10% of the frozen baseline", Fix: "freeze a baseline measured on the same clock and read the same way (" + freezeCommand(dir) + ")",
			Message: fmt.Sprintf("regression not evaluated: %v", err),
		}}}
	}
	if frozen == nil {
		return []Check{{Name: "regression", Item: checklist.Item{
			Area: checklist.AreaBaseline, Severity: result.Warning, Status: result.StatusWarn,
			Got: "no frozen baseline", Want: "p95 within +10% of the frozen baseline",
			Fix:     "keep this run as the reference: " + freezeCommand(dir),
			Message: fmt.Sprintf("no frozen baseline in %s/%s to compare with: keep this run as the reference with %s", dir, FrozenDir, freezeCommand(dir)),
		}}}
	}
	var out []Check
	for _, r := range rs {
		it := checklist.Item{
			Area: checklist.AreaBaseline, Severity: result.Warning,
			Got:    fmt.Sprintf("%+.1f%% (ratio %.3f, 95%% CI %.3f..%.3f)", r.PctChange(), r.Ratio, r.Low, r.High),
			Want:   "not significantly over +10%",
			Source: "frozen baseline " + dir + "/" + FrozenDir + " (" + frozen.GitCommit + ")",
		}
		if r.Ratio == 0 { // not compared: too little data on a side
			it.Got = fmt.Sprintf("not compared (n=%d frozen, n=%d now)", r.BaselineN, r.CurrentN)
		}
		switch r.Status {
		case NoRegression:
			it.Status = result.StatusPass
			it.Message = r.Reason
		default:
			it.Status = result.StatusWarn
			it.Fix = "compare the stage with the frozen baseline (visualization.md); rerun longer when INCONCLUSIVE"
			it.Message = string(r.Status) + ": " + r.Reason
		}
		out = append(out, Check{Name: "regression_" + r.Stage, Item: it, Attrs: [][2]string{
			{"regression_status", string(r.Status)}, {"ratio", strconv.FormatFloat(r.Ratio, 'f', 3, 64)},
		}})
	}
	return out
}

// freezeCommand is the make command that freezes the baseline in dir (as
// displayed): BASELINE_DIR names a fleet bot's directory.
func freezeCommand(dir string) string {
	if strings.Contains(dir, InstancesDir+string(filepath.Separator)) {
		return "make baseline-freeze BASELINE_DIR=" + dir
	}
	return "make baseline-freeze"
}
