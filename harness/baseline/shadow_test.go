package baseline

import (
	"bytes"
	"context"
	"errors"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/checklist/result"
)

// syncBuffer is a bytes.Buffer safe for the progress writer.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestShadowShort is the real-clock shadow run of make shadow, a few seconds
// long, so that the path cannot rot: progress lines, a complete baseline of
// measured latencies, and its artifacts.
func TestShadowShort(t *testing.T) {
	t.Parallel()
	f := newFixture(t, defaultLayers)
	o := f.options()
	o.Duration, o.Warmup, o.ProgressEvery = 2500*time.Millisecond, 300*time.Millisecond, time.Second
	var progress syncBuffer
	o.Progress = &progress
	run, err := Shadow(context.Background(), o)
	if err != nil {
		t.Fatalf("Shadow: %v", err)
	}
	b := run.Baseline
	if b.Partial || b.Clock != RealClock || !strings.Contains(b.LatencySource, "measured") {
		t.Errorf("partial %v (%s), clock %q, source %q", b.Partial, b.PartialReason, b.Clock, b.LatencySource)
	}
	if b.Ticks < 15 || b.TickTotal.Count == 0 || b.TickTotal.P95Ms <= 0 {
		t.Errorf("ticks %d, tick_total %+v: want ~25 measured ticks", b.Ticks, b.TickTotal)
	}
	if d := b.DurationSeconds; d < 2.4 || d > 4 {
		t.Errorf("duration %.2fs, want ~2.5s", d)
	}
	lines := strings.Count(progress.String(), "\n")
	if lines < 2 || !strings.Contains(progress.String(), "remaining") || !strings.Contains(progress.String(), "fetch_md=") {
		t.Errorf("progress (%d lines):\n%s", lines, progress.String())
	}

	dir := t.TempDir()
	paths, err := WriteArtifacts(dir, run, f.set, nil)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Read(paths.StageBudgets)
	if err != nil || back.Ticks != b.Ticks || back.TickTotal.P95Ms != b.TickTotal.P95Ms {
		t.Fatalf("read back: %v, %+v", err, back)
	}
	md, err := os.ReadFile(paths.Visualization)
	if err != nil || !strings.Contains(string(md), "measured on the real clock") || !strings.Contains(string(md), ChartFile) {
		t.Errorf("visualization.md: %v\n%s", err, md)
	}
	if svg, err := os.ReadFile(paths.Chart); err != nil || !bytes.HasPrefix(svg, []byte("<svg")) {
		t.Errorf("chart: %v", err)
	}
}

// TestShadowInterrupted: a cancelled run returns promptly with what it
// measured, marked partial with the reason.
func TestShadowInterrupted(t *testing.T) {
	t.Parallel()
	f := newFixture(t, defaultLayers)
	o := f.options()
	o.Duration, o.Warmup = time.Hour, 200*time.Millisecond
	ctx, cancel := context.WithCancelCause(context.Background())
	// The interrupt comes with the first progress line, which only the
	// measurement after the warm-up prints: however loaded the machine,
	// the run is interrupted after its warm-up, not in it.
	o.ProgressEvery = 100 * time.Millisecond
	o.Progress = writerFunc(func(p []byte) (int, error) {
		cancel(errors.New("interrupt signal"))
		return len(p), nil
	})
	start := time.Now()
	run, err := Shadow(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("took %v after the interrupt", took)
	}
	b := run.Baseline
	if !b.Partial || !regexp.MustCompile(`^interrupted \(interrupt signal\) after \d+s of 1h0m0s$`).MatchString(b.PartialReason) {
		t.Errorf("partial %v, reason %q", b.Partial, b.PartialReason)
	}
	if b.PlannedSeconds != 3600 || b.DurationSeconds >= 60 {
		t.Errorf("planned %vs, measured %vs", b.PlannedSeconds, b.DurationSeconds)
	}
	if _, err := Shadow(context.Background(), Options{Loaded: f.loaded}); !errors.Is(err, ErrNoDuration) {
		t.Errorf("no duration: %v", err)
	}
}

func TestShadowInterruptedInWarmup(t *testing.T) {
	t.Parallel()
	f := newFixture(t, defaultLayers)
	o := f.options()
	o.Duration, o.Warmup = time.Hour, time.Minute
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	run, err := Shadow(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if !run.Baseline.Partial || !strings.Contains(run.Baseline.PartialReason, "warm-up") {
		t.Errorf("reason %q", run.Baseline.PartialReason)
	}
	for _, r := range run.Results {
		if r.Pass {
			t.Errorf("%s passed on a run interrupted in its warm-up", r.Budget)
		}
	}
}

func TestFreeze(t *testing.T) {
	t.Parallel()
	f := newFixture(t, defaultLayers)
	o := f.options()
	o.Ticks = 400
	run := measure(t, o)
	dir := t.TempDir()
	if _, _, err := Freeze(dir, false); err == nil {
		t.Error("Freeze without a baseline: nil error")
	}
	if _, ok, err := ReadFrozen(dir); ok || err != nil {
		t.Errorf("ReadFrozen of nothing: %v %v", ok, err)
	}
	if _, err := WriteArtifacts(dir, run, f.set, nil); err != nil {
		t.Fatal(err)
	}
	dst, _, err := Freeze(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	frozen, ok, err := ReadFrozen(dir)
	if !ok || err != nil || dst == "" || frozen.Ticks != 400 {
		t.Fatalf("ReadFrozen: %v %v %+v", ok, err, frozen)
	}

	run.Baseline.Partial, run.Baseline.PartialReason = true, "interrupted"
	if _, err := WriteArtifacts(dir, run, f.set, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Freeze(dir, false); err == nil || !strings.Contains(err.Error(), "partial") {
		t.Errorf("Freeze of a partial baseline: %v", err)
	}
	if _, _, err := Freeze(dir, true); err != nil {
		t.Errorf("Freeze of a partial baseline, allowed: %v", err)
	}
	if err := os.WriteFile(dir+"/"+StageBudgetsFile, []byte(`{"schema_version": 99}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Freeze(dir, false); !errors.Is(err, ErrSchema) {
		t.Errorf("Freeze of another schema: %v", err)
	}
}

// TestRunShadow is make shadow's logic for a few seconds: artifacts in a
// directory, run_complete, the cadence check, and the regression items
// against a frozen baseline (none, then one of the same run).
func TestRunShadow(t *testing.T) {
	t.Parallel()
	f := newFixture(t, defaultLayers)
	env := checklist.Env{Layers: f.layers, Loaded: f.loaded}
	dir, datasets := t.TempDir(), t.TempDir()
	spec := ShadowSpec{Env: env, Duration: 2 * time.Second, Dir: dir, DatasetsRoot: datasets}
	res := runShadowOne(t, spec)
	checkDataset(t, res.Dataset, datasets)
	if b := res.Run.Baseline; b.Source != SourceExact || b.Target != "" || b.TickTotal.BucketError != nil {
		t.Errorf("embedded run: source %q, target %q, bucket error %+v", b.Source, b.Target, b.TickTotal.BucketError)
	}
	cs := checksByName(res.Checks)
	for _, name := range []string{"run_complete", "ticks_sampled", "fetch_md_p95", "tick_total_p95", "deadline_miss", "hit_ratio", "regression"} {
		if _, ok := cs[name]; !ok {
			t.Errorf("no check %s", name)
		}
	}
	if c := cs["run_complete"]; c.Item.Status != result.StatusPass {
		t.Errorf("run_complete: %s", c.Item.Message)
	}
	// ticks_sampled is the loop's cadence: on a loaded machine under -race it
	// may honestly fall behind, so only its presence is asserted here.
	if c := cs["ticks_sampled"]; c.Item.Got == "" || !strings.HasPrefix(c.Item.Want, ">= ") {
		t.Errorf("ticks_sampled: %+v", c.Item)
	}
	if c := cs["regression"]; c.Item.Status != result.StatusWarn || !strings.Contains(c.Item.Fix, "make baseline-freeze") {
		t.Errorf("regression without a frozen baseline: %+v", c.Item)
	}
	if _, err := os.Stat(res.Paths.Visualization); err != nil {
		t.Fatal(err)
	}

	if _, _, err := Freeze(dir, false); err != nil {
		t.Fatal(err)
	}
	res = runShadowOne(t, spec)
	if res.Frozen == nil || len(res.Regressions) == 0 {
		t.Fatalf("second run not compared with the frozen one")
	}
	if c, ok := checksByName(res.Checks)["regression_tick_total"]; !ok {
		t.Errorf("no regression_tick_total item: %v", res.Checks)
	} else if !strings.HasPrefix(c.Item.Got, "not compared (n=") || !strings.Contains(c.Item.Message, "too little data") {
		t.Errorf("~20 ticks a side is too little to compare, not a -100%% change: got %q, %s", c.Item.Got, c.Item.Message)
	}

	if _, err := RunShadow(context.Background(), ShadowSpec{Env: checklist.Env{Layers: f.layers, LoadErr: errors.New("bad")}, Duration: time.Second}); err == nil {
		t.Error("RunShadow without a config: nil error")
	}
}

// runShadowOne is RunShadow of one bot.
func runShadowOne(t *testing.T, spec ShadowSpec) ShadowResult {
	t.Helper()
	rs, err := RunShadow(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 {
		t.Fatalf("%d results, want 1", len(rs))
	}
	return rs[0]
}

// writerFunc is an io.Writer from a function.
type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
