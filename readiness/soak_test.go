//go:build soak

package readiness

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/presoak/presoak/engine/fault"
	"github.com/presoak/presoak/readiness/baseline"
	"github.com/presoak/presoak/readiness/checklist"
	"github.com/presoak/presoak/readiness/criteria"
	sig "github.com/presoak/presoak/readiness/signal"
	"github.com/presoak/presoak/readiness/soak"
	"github.com/presoak/presoak/readiness/target"
)

// soakStopMargin is how long before go test's -timeout the soak stops by
// itself, so a timeout still leaves a report (marked interrupted).
const soakStopMargin = 90 * time.Second

// TestSoak is the soak under stop criteria (make soak DURATION=72h): the
// embedded engine on the real clock for DURATION (default 72h), sampled and
// judged every evaluation_interval by CRITERIA (default
// fixtures/criteria.yaml), a progress line every minute, artifacts in
// artifacts/soak/ (samples.jsonl, soak_report.json, soak_report.md). It
// stops at once when a stop criterion fires and fails naming it. One subtest
// per criterion (the JUnit testcases). RESUME=1 continues an interrupted
// soak from its samples.jsonl; FAULTS=plan.yaml injects a fault plan.
// SIGINT, SIGTERM or an approaching -timeout end it early: the report is
// written, marked interrupted, and the samples are kept.
func TestSoak(t *testing.T) {
	d, err := soakDuration(os.Getenv("DURATION"))
	if err != nil {
		t.Fatal(err)
	}
	env, err := checklist.LoadEnv(os.Getenv("CONFIG"))
	if err != nil {
		t.Fatal(err)
	}
	if env.LoadErr != nil {
		t.Fatalf("soak: config: %v", env.LoadErr)
	}
	root := env.Layers.Root
	critPath := resolve(root, os.Getenv("CRITERIA"), "fixtures/criteria.yaml")
	spec, err := criteria.Load(critPath)
	if err != nil {
		t.Fatalf("soak: %v", err)
	}
	var plan *fault.Plan
	if f := os.Getenv("FAULTS"); f != "" {
		if plan, err = fault.Load(resolve(root, f, "")); err != nil {
			t.Fatalf("soak: %v", err)
		}
	}
	if tg := os.Getenv("TARGET"); tg != "" && tg != "embedded" {
		t.Fatalf("soak: TARGET=%s: make soak drives the embedded engine only so far; use TARGET=embedded", tg)
	}
	tgt, err := target.NewEmbedded(target.EmbeddedOptions{Config: env.Loaded, Faults: plan})
	if err != nil {
		t.Fatalf("soak: %v", err)
	}
	defer tgt.Close()
	opts, baseNote := frozenP95(root)

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
	layers := make([]string, len(env.Layers.Paths))
	for i, p := range env.Layers.Paths {
		layers[i] = env.Layers.Display(p)
	}
	fmt.Printf("soak: DURATION=%s, criteria %s (every %s), config %v, faults %q, p95 baseline: %s, resume %v; artifacts in %s\n",
		d, env.Layers.Display(critPath), spec.EvaluationInterval, layers, os.Getenv("FAULTS"), baseNote, resume, env.Layers.Display(dir))
	rep, err := soak.Run(ctx, soak.Config{
		Spec: spec, CriteriaFile: env.Layers.Display(critPath), Target: tgt, Duration: d, Dir: dir, Resume: resume,
		Signals: opts, Progress: os.Stdout, ProgressEvery: time.Minute,
	})
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
	p95 := map[string]float64{}
	for name, st := range b.Stages {
		if st.P95Ms > 0 {
			p95[name] = st.P95Ms / 1000
		}
	}
	if b.TickTotal.P95Ms > 0 {
		p95["tick_total"] = b.TickTotal.P95Ms / 1000
	}
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
