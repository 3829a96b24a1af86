package soak

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/signal"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// fakeBot is a simulated target whose miss share, taker share and
// readability are functions of its simulated time.
type fakeBot struct {
	mu     sync.Mutex
	now    time.Time
	ticks  float64
	misses float64
	maker  float64
	taker  float64
	// missPct and takerPct give the shares at an offset from t0; down says
	// the bot cannot be read.
	missPct  func(d time.Duration) float64
	takerPct func(d time.Duration) float64
	down     func(d time.Duration) bool
	closed   bool
}

func newFakeBot() *fakeBot {
	zero := func(time.Duration) float64 { return 0 }
	return &fakeBot{now: t0, missPct: zero, takerPct: zero, down: func(time.Duration) bool { return false }}
}

func (b *fakeBot) Advance(d time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for step := time.Second; d > 0; d -= step {
		b.now = b.now.Add(step)
		off := b.now.Sub(t0)
		b.ticks += 10
		b.misses += b.missPct(off) / 10
		b.taker += b.takerPct(off) / 100
		b.maker += 1 - b.takerPct(off)/100
	}
}

func (b *fakeBot) Now() time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.now
}

func (b *fakeBot) Sample(context.Context) ([]signal.Sample, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.down(b.now.Sub(t0)) {
		return nil, errors.New("connection refused")
	}
	return []signal.Sample{{At: b.now, Instance: "fake", Up: true, Ticks: b.ticks, DeadlineMisses: b.misses,
		MakerVolume: b.maker, TakerVolume: b.taker, ResidentBytes: 1e8}}, nil
}

func (b *fakeBot) Close() error { b.closed = true; return nil }

// testSpec: a stop on deadline misses, a warning on taker share, target_down.
func testSpec(t testing.TB) *criteria.Spec {
	t.Helper()
	s := &criteria.Spec{Version: 1, EvaluationInterval: 10 * time.Second, Criteria: []criteria.Criterion{
		{Name: "miss_stop", Signal: signal.DeadlineMissPct, Op: criteria.Greater, Threshold: 5, Window: time.Minute, For: 2 * time.Minute, Severity: criteria.Stop, Description: "misses", Action: "look"},
		{Name: "taker_warn", Signal: signal.TakerSharePct, Op: criteria.Greater, Threshold: 10, Window: time.Minute, For: time.Minute, Severity: criteria.Warn, Description: "taker", Action: "look"},
		{Name: "down_stop", Signal: signal.TargetDown, Op: criteria.Greater, Threshold: 0, Window: 30 * time.Second, For: time.Minute, Severity: criteria.Stop, Description: "down", Action: "look"},
	}}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	return s
}

func between(lo, hi time.Duration) func(time.Duration) bool {
	return func(d time.Duration) bool { return d >= lo && d < hi }
}

func TestRunHealthyPasses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var progress strings.Builder
	rep, err := Run(context.Background(), Config{Spec: testSpec(t), Target: newFakeBot(), Duration: time.Hour, Dir: dir, Progress: &progress, ProgressEvery: 10 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != Pass || rep.Stop != nil || len(rep.Warnings) != 0 {
		t.Fatalf("healthy hour: got verdict %s (%s), want pass", rep.Verdict, rep.Reason)
	}
	if rep.Elapsed != time.Hour || rep.Samples != 361 {
		t.Fatalf("got elapsed %v, %d samples; want 1h, 361", rep.Elapsed, rep.Samples)
	}
	lines := strings.Count(progress.String(), "\n")
	if lines != 7 || !strings.Contains(progress.String(), "miss_stop 0 (stop >5)") {
		t.Fatalf("progress: got %d lines, want 7 with each signal:\n%s", lines, progress.String())
	}
	samples, err := ReadSamples(filepath.Join(dir, SamplesFile))
	if err != nil || len(samples) != 361 {
		t.Fatalf("samples.jsonl: got %d samples (%v), want 361", len(samples), err)
	}
	md, _ := os.ReadFile(filepath.Join(dir, ReportMDFile))
	if !strings.Contains(string(md), "**Verdict: PASS**") {
		t.Fatalf("soak_report.md has no verdict:\n%s", md)
	}
}

func TestRunStopsOnStopCriterion(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bot := newFakeBot()
	bot.missPct = func(d time.Duration) float64 {
		if d >= 10*time.Minute {
			return 50
		}
		return 0
	}
	var stopped []Firing
	rep, err := Run(context.Background(), Config{Spec: testSpec(t), Target: bot, Duration: time.Hour, Dir: dir, OnStop: func(f Firing) { stopped = append(stopped, f) }})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != Stopped || rep.Stop == nil || rep.Stop.Criterion != "miss_stop" {
		t.Fatalf("got verdict %s (%s), want stopped by miss_stop", rep.Verdict, rep.Reason)
	}
	// Misses start at 10m; the 1m window is over 5% at the first evaluation
	// after (10m10s); it fires 2m later.
	if want := t0.Add(12*time.Minute + 10*time.Second); !rep.Stop.At.Equal(want) || !rep.Stop.Since.Equal(want.Add(-2*time.Minute)) {
		t.Fatalf("got fired at %v since %v, want %v since %v", rep.Stop.At, rep.Stop.Since, want, want.Add(-2*time.Minute))
	}
	if rep.Elapsed != 12*time.Minute+10*time.Second {
		t.Fatalf("soak did not stop at once: elapsed %v", rep.Elapsed)
	}
	if len(stopped) != 1 {
		t.Fatalf("OnStop called %d times, want 1", len(stopped))
	}
	for _, want := range []string{"miss_stop (stop): deadline_miss_pct = ", "> 5 since 2026-01-01T00:10:10Z", "fired at 2026-01-01T00:12:10Z"} {
		if !strings.Contains(rep.Stop.String(), want) {
			t.Fatalf("stop line %q lacks %q", rep.Stop.String(), want)
		}
	}
	back, err := ReadReport(filepath.Join(dir, ReportJSONFile))
	if err != nil || back.Verdict != Stopped || back.Stop.Criterion != "miss_stop" {
		t.Fatalf("soak_report.json: %+v, %v", back, err)
	}
}

func TestRunRecordsWarningsWithoutStopping(t *testing.T) {
	t.Parallel()
	bot := newFakeBot()
	bot.takerPct = func(d time.Duration) float64 {
		if d >= 10*time.Minute && d < 20*time.Minute {
			return 30
		}
		return 5
	}
	rep, err := Run(context.Background(), Config{Spec: testSpec(t), Target: bot, Duration: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != Pass || len(rep.Warnings) != 1 || rep.Warnings[0].Criterion != "taker_warn" {
		t.Fatalf("got verdict %s, warnings %+v; want pass with taker_warn", rep.Verdict, rep.Warnings)
	}
	if got := rep.Criteria[1]; got.Fired != 1 || got.State != criteria.Inactive {
		t.Fatalf("taker_warn: fired %d, final %s; want fired once and resolved", got.Fired, got.State)
	}
}

func TestRunTargetDownStops(t *testing.T) {
	t.Parallel()
	bot := newFakeBot()
	bot.down = between(5*time.Minute, time.Hour)
	rep, err := Run(context.Background(), Config{Spec: testSpec(t), Target: bot, Duration: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Stop == nil || rep.Stop.Criterion != "down_stop" {
		t.Fatalf("got %s (%s), want stopped by down_stop", rep.Verdict, rep.Reason)
	}
	// Last good sample at 4m50s; the 30s window (t-30s, t] has none from
	// 5m20s (Prometheus 3: the left edge is out); +1m.
	if want := t0.Add(6*time.Minute + 20*time.Second); !rep.Stop.At.Equal(want) {
		t.Fatalf("fired at %v, want %v", rep.Stop.At.Sub(t0), want.Sub(t0))
	}
}

// cancelAfter is a target that cancels the run after n samples.
type cancelAfter struct {
	*fakeBot
	n      int
	cancel context.CancelCauseFunc
}

func (c *cancelAfter) Sample(ctx context.Context) ([]signal.Sample, error) {
	c.n--
	if c.n < 0 {
		c.cancel(errors.New("interrupt signal received"))
	}
	return c.fakeBot.Sample(ctx)
}

func TestRunInterruptedThenResumed(t *testing.T) {
	t.Parallel()
	misses := func(d time.Duration) float64 {
		if d >= 10*time.Minute {
			return 50
		}
		return 0
	}
	// The uninterrupted run, for reference.
	ref := newFakeBot()
	ref.missPct = misses
	want, err := Run(context.Background(), Config{Spec: testSpec(t), Target: ref, Duration: time.Hour})
	if err != nil || want.Stop == nil {
		t.Fatalf("reference run: %v %+v", err, want)
	}

	// Interrupted at 11m (miss_stop pending since 10m10s)...
	dir := t.TempDir()
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	bot := newFakeBot()
	bot.missPct = misses
	rep, err := Run(ctx, Config{Spec: testSpec(t), Target: &cancelAfter{fakeBot: bot, n: 66, cancel: cancel}, Duration: time.Hour, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != Interrupted || !strings.Contains(rep.InterruptedBy, "interrupt signal") || rep.Samples != 66 {
		t.Fatalf("got %s by %q after %d samples, want interrupted after 66 (the sample read while cancelling is dropped)", rep.Verdict, rep.InterruptedBy, rep.Samples)
	}
	md, _ := os.ReadFile(filepath.Join(dir, ReportMDFile))
	if !strings.Contains(string(md), "INTERRUPTED") {
		t.Fatal("soak_report.md does not say interrupted")
	}
	if s, _ := ReadSamples(filepath.Join(dir, SamplesFile)); len(s) != 66 {
		t.Fatalf("samples.jsonl kept %d samples, want 66", len(s))
	}

	// ...resumed: the same bot carries on; the pending state is kept, so it
	// fires exactly when the uninterrupted run did.
	got, err := Run(context.Background(), Config{Spec: testSpec(t), Target: bot, Duration: time.Hour, Dir: dir, Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	if got.Resumed != 66 || got.Stop == nil || !got.Stop.At.Equal(want.Stop.At) || !got.Stop.Since.Equal(want.Stop.Since) {
		t.Fatalf("resumed: got stop %+v (resumed %d), want fired at %v since %v", got.Stop, got.Resumed, want.Stop.At, want.Stop.Since)
	}
}

// TestRunRealClock: on the real clock a soak waits out its duration and
// paces its reads. It is not parallel (it runs before the CPU-heavy
// accelerated scenarios start), and its bounds follow from the run's own
// rules, so a loaded machine (late timers, fewer reads) does not fail it.
func TestRunRealClock(t *testing.T) {
	spec := testSpec(t)
	spec.EvaluationInterval = 50 * time.Millisecond
	rt := &realBot{}
	start := time.Now()
	rep, err := Run(context.Background(), Config{Spec: spec, Target: rt, Duration: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	// The bounds are the run's own rules, not the machine's speed: it ends
	// when its samples cover Duration less the slack (half an evaluation
	// interval, the real clock's jitter), which the wall clock must have
	// seen pass; it samples at most once an interval (a late sample is not
	// made up with a burst) and at least at its start and its end.
	wall := time.Since(start)
	iv := spec.EvaluationInterval
	if rep.Simulated || rep.Elapsed < 500*time.Millisecond-iv/2 || wall < rep.Elapsed {
		t.Fatalf("real clock: covered %v in %v of wall time (simulated %v), want >= %v covered, the wall clock at least that", rep.Elapsed, wall, rep.Simulated, 500*time.Millisecond-iv/2)
	}
	if most := int(rep.Elapsed/iv) + 2; rep.Samples < 2 || rep.Samples > most {
		t.Fatalf("real clock: %d samples over %v, want 2..%d (one an interval of %v)", rep.Samples, rep.Elapsed, most, iv)
	}
	if rep.Verdict != Pass {
		t.Fatalf("real clock: got %s (%s), want pass", rep.Verdict, rep.Reason)
	}
}

// realBot is read on the real clock.
type realBot struct{ n float64 }

func (b *realBot) Sample(context.Context) ([]signal.Sample, error) {
	b.n += 10
	return []signal.Sample{{At: time.Now(), Instance: "real", Up: true, Ticks: b.n}}, nil
}
func (b *realBot) Close() error { return nil }

func TestRunRejectsBadConfig(t *testing.T) {
	t.Parallel()
	if _, err := Run(context.Background(), Config{Spec: testSpec(t), Target: newFakeBot()}); !errors.Is(err, ErrConfig) {
		t.Fatalf("no duration: got %v, want ErrConfig", err)
	}
	bad := testSpec(t)
	bad.Criteria[0].Op = "~"
	if _, err := Run(context.Background(), Config{Spec: bad, Target: newFakeBot(), Duration: time.Hour}); err == nil || !strings.Contains(err.Error(), "miss_stop") {
		t.Fatalf("bad spec: got %v, want an error naming miss_stop", err)
	}
}

func TestReadSamplesDropsTornLastLine(t *testing.T) {
	t.Parallel()
	in := `{"at":"2026-01-01T00:00:00Z","instance":"a","up":true,"ticks":1}` + "\n" + `{"at":"2026-01-01T00:00:01Z","inst`
	got, _, err := readSamples(strings.NewReader(in), "samples.jsonl")
	if err != nil || len(got) != 1 {
		t.Fatalf("got %d samples, %v; want 1", len(got), err)
	}
	if _, _, err := readSamples(strings.NewReader("{bad}\n{}\n"), "samples.jsonl"); err == nil || !strings.Contains(err.Error(), "samples.jsonl:1") {
		t.Fatalf("bad line: got %v, want an error naming line 1", err)
	}
}

func TestResumeOfAStoppedSoakDoesNotReplayHooks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bot := newFakeBot()
	bot.missPct = func(d time.Duration) float64 { return 50 }
	calls := 0
	cfg := Config{Spec: testSpec(t), Target: bot, Duration: time.Hour, Dir: dir, OnStop: func(Firing) { calls++ }}
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	cfg.Resume = true
	var out strings.Builder
	cfg.Progress = &out
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 || rep.Verdict != Stopped || rep.Stop.Criterion != "miss_stop" {
		t.Fatalf("resumed a stopped soak: OnStop called %d times (want 1, the original), verdict %s", calls, rep.Verdict)
	}
}

func TestRunReportsCriteriaWithoutData(t *testing.T) {
	t.Parallel()
	spec := testSpec(t)
	spec.Criteria = append(spec.Criteria,
		criteria.Criterion{Name: "p95_warn", Signal: signal.P95RegressionPct, Op: criteria.Greater, Threshold: 10, Window: time.Minute, For: time.Minute, Severity: criteria.Warn, Description: "p95", Action: "look"},
		criteria.Criterion{Name: "mem_stop", Signal: signal.MemoryGrowthMBPerH, Op: criteria.Greater, Threshold: 100, Window: 4 * time.Hour, For: time.Minute, Severity: criteria.Stop, Description: "mem", Action: "look"})
	dir := t.TempDir()
	rep, err := Run(context.Background(), Config{Spec: spec, Target: newFakeBot(), Duration: time.Hour, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != Inconclusive || !strings.Contains(rep.Reason, "mem_stop") {
		t.Fatalf("a stop criterion without data: got %s (%s), want inconclusive naming mem_stop", rep.Verdict, rep.Reason)
	}
	back, err := ReadReport(filepath.Join(dir, ReportJSONFile))
	if err != nil || back.Criteria[3].Evaluated != 0 || back.Criteria[3].Value.Reason != "no frozen baseline" {
		t.Fatalf("soak_report.json: %v, %+v", err, back.Criteria[3])
	}
	md, _ := os.ReadFile(filepath.Join(dir, ReportMDFile))
	if !strings.Contains(string(md), "not evaluated (no data)") {
		t.Fatal("soak_report.md does not say which criteria were not evaluated")
	}
}

func TestResumeDoesNotCountTheDowntime(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	bot := newFakeBot()
	if _, err := Run(ctx, Config{Spec: testSpec(t), Target: &cancelAfter{fakeBot: bot, n: 61, cancel: cancel}, Duration: 30 * time.Minute, Dir: dir}); err != nil {
		t.Fatal(err)
	}
	bot.Advance(time.Hour) // the soak is down for an hour (the bot ran on)
	rep, err := Run(context.Background(), Config{Spec: testSpec(t), Target: bot, Duration: 30 * time.Minute, Dir: dir, Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != Pass || rep.Elapsed != 30*time.Minute || rep.End.Sub(rep.Start) < 90*time.Minute {
		t.Fatalf("got %s after %v (%v wall), want pass after 30m of soak over 1h30m+", rep.Verdict, rep.Elapsed, rep.End.Sub(rep.Start))
	}
	if want := float64(10 * (30*60 + 3600 + 10)); rep.Ticks < want-20 || rep.Ticks > want {
		t.Fatalf("ticks: got %v, want about %v (the bot's, across the resume)", rep.Ticks, want)
	}
}
