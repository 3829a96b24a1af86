//go:build soak

package readiness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/presoak/presoak/engine/calibration"
	"github.com/presoak/presoak/engine/fault"
	"github.com/presoak/presoak/harness/baseline"
	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/incident"
	sig "github.com/presoak/presoak/harness/signal"
	"github.com/presoak/presoak/harness/soak"
	"github.com/presoak/presoak/harness/target"
)

// soakStopMargin is how long before go test's -timeout the soak stops by
// itself, so a timeout still leaves a report (marked interrupted).
const soakStopMargin = 90 * time.Second

// TestSoak is the soak under stop criteria (make soak DURATION=72h): the
// harness's target (TARGET, fixtures/presoak.yaml: the embedded engine by
// default, or a running bot through scrape or prometheus) on the real clock
// for DURATION (default 72h), sampled and judged every evaluation_interval
// by CRITERIA (default fixtures/criteria.yaml), a progress line every
// minute, artifacts in artifacts/soak/ (samples.jsonl, soak_report.json,
// soak_report.md). It stops at once when a stop criterion fires, writes the
// incident bundle (artifacts/soak/incident-<time>/; ON_STOP=rollback also
// applies and verifies the rollback) and fails naming the criterion. One
// subtest per criterion (the JUnit testcases). The embedded engine's quotes
// and fills go to a calibration dataset (artifacts/edge/datasets/soak-*).
// RESUME=1 continues an interrupted soak from its samples.jsonl;
// FAULTS=plan.yaml injects a fault plan into the embedded engine. CONFIG
// empty with a running bot reads no config files. SIGINT, SIGTERM or an
// approaching -timeout end it early: the report is written, marked
// interrupted, and the samples are kept.
func TestSoak(t *testing.T) {
	d, err := soakDuration(os.Getenv("DURATION"))
	if err != nil {
		t.Fatal(err)
	}
	// CONFIG unset: the default layers; CONFIG empty with a running bot
	// (TARGET scrape or prometheus): no config files (env.NoConfig); an
	// applied rollback layer (ON_STOP=rollback, make rollback APPLY=1) is
	// loaded last until make restore.
	env, err := checklist.LoadRunEnv(os.LookupEnv)
	if err != nil {
		t.Fatalf("soak: %v", err)
	}
	if env.LoadErr != nil {
		t.Fatalf("soak: config: %v", env.LoadErr)
	}
	noConfig := env.NoConfig
	root := env.Layers.Root
	critPath := resolve(root, os.Getenv("CRITERIA"), "fixtures/criteria.yaml")
	spec, err := criteria.Load(critPath)
	if err != nil {
		t.Fatalf("soak: %v", err)
	}
	// Everything that can be refused is, before the engine or its dataset start.
	opts, baseNote := frozenP95(root)
	in, err := incident.ForSoak(root, env.Layers.Paths, env.Loaded, spec, opts, os.Getenv("ON_STOP"), os.Stdout)
	if err != nil {
		t.Fatalf("soak: %v", err)
	}
	if noConfig && strings.EqualFold(strings.TrimSpace(os.Getenv("ON_STOP")), string(incident.Rollback)) {
		t.Fatalf("soak: ON_STOP=rollback with CONFIG empty: no config files given, so there is nothing here to roll back; set CONFIG to the bot's config layers, or drop ON_STOP")
	}
	faults := os.Getenv("FAULTS")
	var rec *calibration.Recorder // the embedded engine's calibration dataset
	tgt, h, err := target.FromEnv(root, func() (target.Target, error) {
		if env.Loaded == nil {
			return nil, errors.New("soak: the embedded engine needs a config (CONFIG)")
		}
		var plan *fault.Plan
		if faults != "" {
			p, err := fault.Load(resolve(root, faults, ""))
			if err != nil {
				return nil, fmt.Errorf("soak: %w", err)
			}
			plan = p
		}
		r, err := calibration.NewForRun(root, "soak", env.Loaded, true, 0)
		if err != nil {
			return nil, fmt.Errorf("soak: %w", err)
		}
		emb, err := target.NewEmbedded(target.EmbeddedOptions{Config: env.Loaded, Faults: plan, Observer: r})
		if err != nil {
			r.Close()
			return nil, err
		}
		rec = r
		return emb, nil
	})
	if err != nil {
		t.Fatalf("soak: %v", err)
	}
	closeTarget := sync.OnceFunc(func() { // the target stops before its recorder
		if err := tgt.Close(); err != nil {
			t.Errorf("soak: %v", err)
		}
		if rec != nil {
			if err := rec.Close(); err != nil {
				t.Errorf("soak: calibration dataset %s: %v", env.Layers.Display(rec.Dir()), err)
			}
		}
	})
	defer closeTarget()
	if err := checkTarget(h, spec, faults, env.Layers.Display(critPath)); err != nil {
		t.Fatalf("soak: %v", err)
	}

	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	if dl, ok := t.Deadline(); ok {
		var stop context.CancelFunc
		ctx, stop = context.WithDeadlineCause(ctx, dl.Add(-soakStopMargin), fmt.Errorf("go test -timeout is %v away", soakStopMargin))
		defer stop()
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		select {
		case s := <-sigs:
			cancel(fmt.Errorf("signal %v", s))
		case <-ctx.Done():
		}
	}()

	dir := filepath.Join(root, "artifacts", "soak")
	resume := os.Getenv("RESUME") == "1" || os.Getenv("RESUME") == "true"
	cfgNote := "no config files given"
	if !noConfig {
		cfgNote = env.LayersAttr()
	}
	calNote := "none (the bot's quotes and fills are not visible through its metrics)"
	if rec != nil {
		calNote = env.Layers.Display(rec.Dir())
	}
	fmt.Printf("soak: DURATION=%s, target %s, criteria %s (every %s), config %s, faults %q, p95 baseline: %s, resume %v, on stop: %s; artifacts in %s, calibration dataset: %s\n",
		d, h.Describe(), env.Layers.Display(critPath), spec.EvaluationInterval, cfgNote, faults, baseNote, resume, onStopNote(), env.Layers.Display(dir), calNote)
	rep, err := soak.Run(ctx, soak.Config{
		Spec: spec, CriteriaFile: env.Layers.Display(critPath), Target: in.Watch(tgt), Duration: d, Dir: dir, Resume: resume,
		Signals: opts, Progress: os.Stdout, ProgressEvery: time.Minute, OnStop: in.OnStop,
	})
	closeTarget()
	if rec != nil {
		fmt.Printf("soak: calibration dataset in %s (make edge-report DATASETS=%s)\n", env.Layers.Display(rec.Dir()), env.Layers.Display(rec.Dir()))
	}
	if ferr := in.Finish(rep); ferr != nil {
		t.Errorf("soak: incident bundle: %v", ferr)
	}
	var bundles []string
	for _, b := range in.Bundles() {
		bundles = append(bundles, env.Layers.Display(b))
		fmt.Printf("soak: incident bundle %s (draft: %s)\n", env.Layers.Display(b), env.Layers.Display(filepath.Join(b, incident.BundleReport)))
	}
	if err != nil {
		if rep == nil {
			t.Fatalf("soak: %v", err)
		}
		t.Errorf("soak: %v", err) // the run happened: still report every criterion
	}
	t.Attr("area", "Soak")
	t.Attr("verdict", string(rep.Verdict))
	t.Attr("elapsed", rep.Elapsed.Round(time.Second).String())
	t.Attr("report", env.Layers.Display(filepath.Join(dir, soak.ReportMDFile)))
	if len(bundles) > 0 {
		t.Attr("incident", strings.Join(bundles, ","))
	}
	fmt.Printf("soak: %s — %s\nsoak: wrote %s, %s, %s\n", rep.Verdict, rep.Reason,
		env.Layers.Display(filepath.Join(dir, soak.SamplesFile)), env.Layers.Display(filepath.Join(dir, soak.ReportJSONFile)), env.Layers.Display(filepath.Join(dir, soak.ReportMDFile)))

	for _, c := range rep.Criteria {
		t.Run(c.Name, func(t *testing.T) { checkCriterion(t, rep, c) })
	}
	switch rep.Verdict {
	case soak.Stopped:
		t.Errorf("soak stopped: %s", rep.Stop)
	case soak.Interrupted:
		t.Errorf("soak %s", rep.Reason)
	case soak.Inconclusive:
		t.Errorf("soak inconclusive: %s", rep.Reason)
	}
}

// checkTarget refuses what cannot work with the harness's target: a fault
// plan for a bot that is not ours to inject into, and a prometheus target
// evaluated more often than it is queried (every other evaluation would
// re-read the same data and the for-durations would count stale points).
func checkTarget(h *target.Harness, spec *criteria.Spec, faults, critFile string) error {
	if faults != "" && h.Kind != target.KindEmbedded {
		return fmt.Errorf("FAULTS=%s applies to the embedded target only, and TARGET is %s: inject faults into the running bot itself (make bot FAULTS=%s), or drop FAULTS", faults, h.Kind, faults)
	}
	if h.Kind == target.KindPrometheus && spec.EvaluationInterval < h.Interval() {
		return fmt.Errorf("TARGET=prometheus: %s evaluates every %s, more often than the prometheus target is queried (every %s, %s target.prometheus.interval): set evaluation_interval: %s (or longer) in the criteria file, or lower target.prometheus.interval to at most %s",
			critFile, spec.EvaluationInterval, h.Interval(), harnessName(h), h.Interval(), spec.EvaluationInterval)
	}
	return nil
}

func harnessName(h *target.Harness) string {
	if h.File == "" {
		return "the harness's"
	}
	return filepath.Base(h.File) + "'s"
}

// onStopNote says what a stop does (ON_STOP).
func onStopNote() string {
	if strings.EqualFold(strings.TrimSpace(os.Getenv("ON_STOP")), "rollback") {
		return "incident bundle, rollback applied and verified (ON_STOP=rollback; make restore undoes it)"
	}
	return "incident bundle, rollback previewed (ON_STOP=rollback applies it)"
}

// checkCriterion is one criterion's JUnit testcase.
func checkCriterion(t *testing.T, rep *soak.Report, c soak.CriterionReport) {
	sev := "blocking"
	if c.Severity == criteria.Warn {
		sev = "warning"
	}
	t.Attr("area", "Soak")
	t.Attr("severity", sev)
	t.Attr("condition", fmt.Sprintf("%s %s %v over %s for %s", c.Signal, c.Op, c.Threshold, c.Window, c.For))
	t.Attr("value", c.Value.String())
	t.Attr("state", c.State.String())
	t.Attr("fix", c.Action)
	if rep.Stop != nil && rep.Stop.Criterion == c.Name {
		t.Errorf("stop condition fired: %s", rep.Stop)
		return
	}
	if c.Fired > 0 {
		for _, w := range rep.Warnings {
			if w.Criterion == c.Name {
				t.Attr("warning", w.String())
				t.Logf("warning: %s", w)
				break
			}
		}
	}
	if c.Evaluated == 0 {
		msg := fmt.Sprintf("not evaluated: %s had no data in %s of soak (%s)", c.Signal, rep.Elapsed.Round(time.Second), c.Value.Reason)
		if c.Severity == criteria.Stop {
			t.Error(msg)
			return
		}
		t.Skip(msg)
	}
}

// frozenP95 is the frozen shadow baseline's p95 per stage, when there is one
// measured on the real clock (a simulated baseline's modeled latencies say
// nothing of real ones).
func frozenP95(root string) (sig.Options, string) {
	b, ok, err := baseline.ReadFrozen(filepath.Join(root, "artifacts", "baseline"))
	switch {
	case err != nil:
		return sig.Options{}, "unreadable (" + err.Error() + "): p95_regression_pct has no data"
	case !ok:
		return sig.Options{}, "none frozen (make shadow, make baseline-freeze): p95_regression_pct has no data"
	case b.Clock != baseline.RealClock:
		return sig.Options{}, "frozen baseline is on the " + b.Clock + " clock: p95_regression_pct has no data"
	}
	// Bucket-interpolated like the soak's own p95, not the exact one.
	p95 := b.SoakP95Seconds()
	return sig.Options{BaselineP95: p95}, fmt.Sprintf("frozen %s (%d stages)", b.End.Format(time.RFC3339), len(p95))
}

func soakDuration(s string) (time.Duration, error) {
	if s == "" {
		return 72 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("soak: DURATION %q: want a positive Go duration such as 72h", s)
	}
	return d, nil
}

// resolve makes a relative path (or the default) absolute against the
// module root.
func resolve(root, path, def string) string {
	if path == "" {
		path = def
	}
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(root, path)
}

// TestSoakCheckTarget is checkTarget's table (go test -tags soak -run
// TestSoakCheckTarget ./readiness/; make soak runs TestSoak alone).
func TestSoakCheckTarget(t *testing.T) {
	t.Parallel()
	every := func(d time.Duration) *criteria.Spec { return &criteria.Spec{EvaluationInterval: d} }
	h := func(k target.Kind) *target.Harness {
		d := target.DefaultHarness()
		d.Kind, d.File = k, "fixtures/presoak.yaml"
		return &d
	}
	for _, tc := range []struct {
		name   string
		h      *target.Harness
		spec   *criteria.Spec
		faults string
		want   string // "" passes
	}{
		{"embedded with faults", h(target.KindEmbedded), every(time.Second), "f.yaml", ""},
		{"scrape without faults", h(target.KindScrape), every(time.Second), "", ""},
		{"scrape with faults", h(target.KindScrape), every(time.Second), "f.yaml", "applies to the embedded target only"},
		{"prometheus with faults", h(target.KindPrometheus), every(15 * time.Second), "f.yaml", "applies to the embedded target only"},
		{"prometheus at its interval", h(target.KindPrometheus), every(15 * time.Second), "", ""},
		{"prometheus slower than its interval", h(target.KindPrometheus), every(time.Minute), "", ""},
		{"prometheus faster than its interval", h(target.KindPrometheus), every(time.Second), "", "set evaluation_interval: 15s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkTarget(tc.h, tc.spec, tc.faults, "criteria.yaml")
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("got %v, want no error", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("got %v, want an error saying %q", err, tc.want)
			}
		})
	}
}
