package baseline

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/presoak/presoak/harness/budget"
	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/target"

	"github.com/presoak/presoak/internal/gitinfo"
)

// EnvReadinessSample is the variable holding the length of a running bot's
// readiness sample (a Go duration: "20s", "1m").
const EnvReadinessSample = "READINESS_SAMPLE"

// DefaultReadinessSample is the readiness sample of a running bot when
// READINESS_SAMPLE is unset.
const DefaultReadinessSample = 20 * time.Second

// TargetDir is where a running bot's readiness sample writes its evidence,
// under the module root (a fleet: TargetDir/instances/<instance>/). It is
// never a shadow baseline's directory.
const TargetDir = "artifacts/baseline/target"

// fixBotDown is the fix of an item that could not read the bot.
const fixBotDown = "start the bot, or point the harness at it (SCRAPE_URL, or PROMETHEUS_URL and SELECTOR), then run again"

// ErrBadSampleLength wraps a READINESS_SAMPLE that is not a positive duration.
var ErrBadSampleLength = errors.New("bad readiness sample length")

// ReadinessSampleLength parses READINESS_SAMPLE: "" is DefaultReadinessSample.
func ReadinessSampleLength(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return DefaultReadinessSample, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("parse %s=%q: %w: want a positive duration such as 20s", EnvReadinessSample, v, ErrBadSampleLength)
	}
	return d, nil
}

// TargetSample is the Baseline and MD-Cache sample of a running bot, or of
// every bot of a fleet: a short shadow run through the harness's target
// (ShadowTarget, at the harness interval), its budgets evaluated on the
// histogram-bucket percentiles, and the bot's feature flags read once after.
type TargetSample struct {
	// Env is the checklist's Env (harness, CONFIG or NoConfig).
	Env checklist.Env
	// View is the config view when CONFIG's layers loaded (ViewOK).
	View   checklist.ConfigView
	ViewOK bool
	// Budgets are the parsed budgets (nil when they did not parse: Err);
	// BudgetsFile names the file and who chose it (loadBudgets).
	Budgets     *budget.Set
	BudgetsFile string
	// Describe names the target (Harness.Describe: no passwords).
	Describe string
	// Profile is the harness's bot profile: its metric names are the
	// items' sources (nil: the reference profile's).
	Profile *profile.Profile
	// Length and Every are the sample's length and read interval.
	Length, Every time.Duration
	// Runs are one measured run per instance, sorted by instance.
	Runs []*Run
	// Bot is the bot's flags as read after the sample (nil when the target
	// did not open: Err).
	Bot *checklist.Bot
	// Err is why there are no runs: the harness, the budgets, READINESS_SAMPLE,
	// the target, or no samples (ErrNoSamples). Every item fails with it.
	Err error
	// Artifacts are the evidence files written, by instance; ArtifactsErr
	// is why they were not (the items still stand on the measurement).
	Artifacts    map[string]Paths
	ArtifactsErr error
}

// MeasureTarget takes the readiness sample of the running bot(s) env's
// harness points at: length (READINESS_SAMPLE) of reads at the harness
// interval, budgets from budgetsPath (BUDGETS as the user set it, relative
// to the module root; "": the bot profile's budgets:, else presoak's
// default, profile.Pick). Evidence goes to dir ("" = TargetDir under the module
// root; a fleet's bots to dir/instances/<instance>/). It never panics on a
// bot that is down: that is Err, or an instance's run with no observations.
func MeasureTarget(ctx context.Context, env checklist.Env, budgetsPath string, length time.Duration, dir string) TargetSample {
	ts := TargetSample{Env: env, Length: length, Profile: profile.Default(), Describe: "TARGET=" + string(env.Kind)}
	ts.View, ts.ViewOK = env.View()
	var err error
	if ts.Budgets, ts.BudgetsFile, err = loadBudgets(env, nil, budgetsPath); err != nil {
		ts.Err = err
		return ts
	}
	h := env.Harness
	if h == nil {
		herr := env.HarnessErr
		if herr == nil {
			herr = errors.New("no harness config")
		}
		ts.Err = fmt.Errorf("readiness sample: %w", herr)
		return ts
	}
	ts.Describe, ts.Profile, ts.Every = h.Describe(), h.Profile, h.Interval()
	if length <= 0 {
		ts.Err = fmt.Errorf("readiness sample: %w: %v", ErrBadSampleLength, length)
		return ts
	}
	tg, err := h.Open(nil)
	if err != nil {
		ts.Err = fmt.Errorf("readiness sample: %w", err)
		return ts
	}
	defer tg.Close()
	if dir == "" {
		dir = filepath.Join(env.Layers.Root, filepath.FromSlash(TargetDir))
	}
	ts.measure(ctx, tg, readTimeout(h), h.Kind == target.KindPrometheus, dir)
	return ts
}

// measure runs the sample through tg (ts's Budgets, Describe, Profile, Length
// and Every set): ShadowTarget, then one read of the flags bounded by
// flagTimeout, then the evidence of every run under dir (perInstance: each
// bot under dir/instances/<instance>/).
func (ts *TargetSample) measure(ctx context.Context, tg target.Target, flagTimeout time.Duration, perInstance bool, dir string) {
	env := ts.Env
	o := Options{
		Loaded: env.Loaded, Layers: env.Layers.Names(), Display: env.Layers.Display, Budgets: ts.Budgets,
		Duration: ts.Length, GitCommit: gitinfo.Commit(env.Layers.Root),
	}
	o.ProfileProvenance(env)
	ts.Runs, ts.Err = ShadowTarget(ctx, TargetSpec{Target: tg, Describe: ts.Describe, Every: ts.Every}, o)
	rctx, cancel := context.WithTimeout(ctx, flagTimeout)
	ts.Bot = checklist.ReadBotFrom(rctx, tg, ts.Describe, ts.Profile.MetricOf("feature_flags"))
	cancel()
	if ts.Err != nil {
		return
	}
	ts.Artifacts = map[string]Paths{}
	for _, run := range ts.Runs {
		d := dir
		if perInstance {
			d = filepath.Join(dir, InstancesDir, safeName(run.Baseline.Instance))
		}
		p, err := WriteArtifacts(d, run, ts.Budgets, nil)
		if err != nil { // the measurement stands; the evidence attribute says it was not written
			ts.ArtifactsErr = fmt.Errorf("write readiness sample evidence: %w", err)
			return
		}
		ts.Artifacts[run.Baseline.Instance] = p
	}
}

// readTimeout bounds the flag read after the sample: twice the harness
// timeout, plus a second.
func readTimeout(h *target.Harness) time.Duration {
	timeout := h.Scrape.Timeout
	if h.Kind == target.KindPrometheus {
		timeout = h.Prometheus.Timeout
	}
	return 2*timeout + time.Second
}
