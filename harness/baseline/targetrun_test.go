package baseline

import (
	"context"
	"errors"
	"math"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/presoak/presoak/harness/budget"
	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/checklist/result"
	"github.com/presoak/presoak/harness/signal"
	"github.com/presoak/presoak/harness/target"
)

// fakeTarget serves samples computed from the number of reads so far.
type fakeTarget struct {
	mu    sync.Mutex
	reads int
	at    func(read int) []signal.Sample
}

func (f *fakeTarget) Sample(ctx context.Context) ([]signal.Sample, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	return f.at(f.reads), nil
}

func (f *fakeTarget) Close() error { return nil }

var fakeBounds = []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, math.Inf(1)}

// fakeBot is a bot that, between two reads, ticks 10 times (1 deadline
// miss), makes 7 cache hits and 3 misses, and observes in every stage 10
// latencies <= 1ms, 80 in (5ms, 10ms] and 10 in (25ms, 50ms]: a p95 of
// 37.5ms interpolated in the bucket 25ms..50ms (error <= 12.5ms), whatever
// the number of reads.
func fakeBot(instance string, n int) signal.Sample {
	k := float64(n)
	h := signal.Histogram{UpperBounds: fakeBounds, Counts: []float64{10 * k, 10 * k, 90 * k, 90 * k, 100 * k, 100 * k, 100 * k}, Count: 100 * k, Sum: 1.2 * k}
	s := signal.Sample{At: time.Now(), Instance: instance, Up: true, Ticks: 10 * k, DeadlineMisses: k, CacheHits: 7 * k, CacheMisses: 3 * k, Stages: map[string]signal.Histogram{}}
	for _, name := range budget.LatencyTargets {
		s.Stages[name] = h
	}
	return s
}

func shadowFake(t *testing.T, at func(int) []signal.Sample) ([]*Run, error) {
	t.Helper()
	f := newFixture(t, defaultLayers)
	o := f.options()
	o.Duration = 400 * time.Millisecond
	return ShadowTarget(context.Background(), TargetSpec{Target: &fakeTarget{at: at}, Describe: "fake", Every: 50 * time.Millisecond}, o)
}

// TestShadowTargetFromDeltas: percentiles come from the bucket deltas with
// their bucket error, ratios from the counter deltas; a budget inside the
// p95's bucket is a low-confidence verdict; a fleet gets one run per bot,
// and a bot down all along a partial run whose budgets fail.
func TestShadowTargetFromDeltas(t *testing.T) {
	t.Parallel()
	runs, err := shadowFake(t, func(n int) []signal.Sample {
		return []signal.Sample{fakeBot("b:2", n), fakeBot("a:1", n+5), {At: time.Now(), Instance: "c:3", Fault: "connection refused"}}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 3 || runs[0].Baseline.Instance != "a:1" || runs[2].Baseline.Instance != "c:3" {
		t.Fatalf("%d runs, want a:1, b:2, c:3", len(runs))
	}
	for _, run := range runs[:2] {
		b := run.Baseline
		if b.Source != SourceBuckets || b.Target != "fake" || b.Partial || b.Clock != RealClock || b.Samples < 5 {
			t.Errorf("%s: source %q target %q partial %v (%s) clock %q samples %d", b.Instance, b.Source, b.Target, b.Partial, b.PartialReason, b.Clock, b.Samples)
		}
		if math.Abs(b.DeadlineMissPct-10) > 1e-9 || math.Abs(b.HitRatioPct-70) > 1e-9 || b.Ticks%10 != 0 || b.Ticks == 0 {
			t.Errorf("%s: deadline misses %v%%, hit ratio %v%%, ticks %d: want 10%%, 70%%", b.Instance, b.DeadlineMissPct, b.HitRatioPct, b.Ticks)
		}
		tt := b.TickTotal
		if math.Abs(tt.P95Ms-37.5) > 1e-6 || int64(tt.Count) != 10*b.Ticks || tt.BucketError == nil {
			t.Fatalf("%s tick_total: %+v", b.Instance, tt)
		}
		if e := tt.BucketError.P95; e.LoMs != 25 || e.HiMs != 50 || math.Abs(e.MaxErrorMs-12.5) > 1e-6 || e.Unbounded {
			t.Errorf("p95 bucket error %+v, want 25..50ms, <= 12.5ms", e)
		}
		if tt.Confidence == Low {
			t.Errorf("tick_total p95 37.5ms against 150ms: confidence low: %s", tt.ConfidenceReason)
		}
		if fm := b.Stages[budget.StageFetchMD]; fm.Confidence != Low || !strings.Contains(fm.ConfidenceReason, "lies inside it") {
			t.Errorf("fetch_md p95 in 25..50ms against a 35ms budget: %s %s", fm.Confidence, fm.ConfidenceReason)
		}
	}
	down := runs[2].Baseline
	if !down.Partial || !strings.Contains(down.PartialReason, "no samples") || !strings.Contains(down.PartialReason, "connection refused") || down.SamplesDown != down.Samples {
		t.Errorf("bot down all along: partial %v, %q, %d of %d down", down.Partial, down.PartialReason, down.SamplesDown, down.Samples)
	}
	for _, r := range runs[2].Results {
		if r.Pass {
			t.Errorf("%s passed for a bot never read", r.Budget)
		}
	}
}

// TestShadowTargetNoSamples: a target whose bots are never up, or that
// fails every read, is an error, never a pass.
func TestShadowTargetNoSamples(t *testing.T) {
	t.Parallel()
	if _, err := shadowFake(t, func(int) []signal.Sample {
		return []signal.Sample{{Instance: "x:1", Fault: "http 503"}}
	}); !errors.Is(err, ErrNoSamples) || !strings.Contains(err.Error(), "http 503") {
		t.Errorf("always down: %v", err)
	}
	if _, err := shadowFake(t, func(int) []signal.Sample { return nil }); !errors.Is(err, ErrNoSamples) || !strings.Contains(err.Error(), "no bot") {
		t.Errorf("empty fleet: %v", err)
	}
	if _, err := shadowFake(t, func(n int) []signal.Sample {
		if n == 1 {
			return []signal.Sample{fakeBot("x:1", 1)}
		}
		return []signal.Sample{{Instance: "x:1", Fault: "timeout"}}
	}); !errors.Is(err, ErrNoSamples) {
		t.Errorf("up once: %v", err)
	}
}

// TestShadowTargetRestart: counters going down is a restart: measured from
// it and marked partial.
func TestShadowTargetRestart(t *testing.T) {
	t.Parallel()
	runs, err := shadowFake(t, func(n int) []signal.Sample {
		if n >= 4 {
			return []signal.Sample{fakeBot("x:1", n-3)}
		}
		return []signal.Sample{fakeBot("x:1", n+100)}
	})
	if err != nil {
		t.Fatal(err)
	}
	b := runs[0].Baseline
	if !b.Partial || !strings.Contains(b.PartialReason, "restarted") || math.Abs(b.HitRatioPct-70) > 1e-9 || b.TickTotal.P95Ms != 37.5 {
		t.Errorf("partial %v %q, hit ratio %v, p95 %v", b.Partial, b.PartialReason, b.HitRatioPct, b.TickTotal.P95Ms)
	}
}

// fakeBotSeries is fakeBot whose counters are the sums of one series per
// symbol, with symbol A at a and B at b (a missing series: negative), as a
// target that tells series apart (Sample.Parts) reads them.
func fakeBotSeries(instance string, a, b int) signal.Sample {
	return fakeBotSeriesOf(instance, a, b, false)
}

// fakeBotSeriesOf is fakeBotSeries whose histograms are also given per
// symbol (Sample.StageSeries) when withSeries.
func fakeBotSeriesOf(instance string, a, b int, withSeries bool) signal.Sample {
	s := fakeBot(instance, max(a, 0)+max(b, 0))
	per := func(f float64) map[string]float64 {
		m := map[string]float64{}
		if a >= 0 {
			m[`symbol="A"`] = f * float64(a)
		}
		if b >= 0 {
			m[`symbol="B"`] = f * float64(b)
		}
		return m
	}
	s.Parts = map[signal.Part]map[string]float64{
		signal.PartTicks: per(10), signal.PartDeadlineMisses: per(1), signal.PartCacheHits: per(7), signal.PartCacheMisses: per(3),
	}
	if withSeries {
		// the histograms per symbol too, as DeriveProfile gives them
		s.StageSeries = map[string]map[string]signal.Histogram{}
		for name := range s.Stages {
			m := map[string]signal.Histogram{}
			if a >= 0 {
				m[`{symbol="A"}`] = fakeBot(instance, a).Stages[name]
			}
			if b >= 0 {
				m[`{symbol="B"}`] = fakeBot(instance, b).Stages[name]
			}
			s.StageSeries[name] = m
		}
	}
	return s
}

// TestShadowTargetRestartPerSeries: a restart is a series going down, the
// rule of harness/signal: one symbol's series missing from one read makes
// the sums go down but is no restart (before: measured from zero, marked
// restarted); one series reset while the other grows keeps the sums going
// up but is a restart.
func TestShadowTargetRestartPerSeries(t *testing.T) {
	t.Parallel()
	runs, err := shadowFake(t, func(n int) []signal.Sample {
		if n == 3 {
			return []signal.Sample{fakeBotSeries("x:1", n+100, -1)}
		}
		return []signal.Sample{fakeBotSeries("x:1", n+100, n+100)}
	})
	if err != nil {
		t.Fatal(err)
	}
	if b := runs[0].Baseline; b.Partial || math.Abs(b.HitRatioPct-70) > 1e-9 {
		t.Errorf("a series missing from one read: partial %v %q, hit ratio %v; want whole, 70", b.Partial, b.PartialReason, b.HitRatioPct)
	}
	runs, err = shadowFake(t, func(n int) []signal.Sample {
		if n >= 4 {
			return []signal.Sample{fakeBotSeries("x:1", n-3, 100*n)}
		}
		return []signal.Sample{fakeBotSeries("x:1", n+100, n+100)}
	})
	if err != nil {
		t.Fatal(err)
	}
	if b := runs[0].Baseline; !b.Partial || !strings.Contains(b.PartialReason, "restarted") {
		t.Errorf("symbol A's series reset, the sums still growing: partial %v %q; want restarted", b.Partial, b.PartialReason)
	}
}

// TestShadowTargetDownAWhile: a bot that could not be read part of the
// time is measured over what was read, marked partial with the fault.
func TestShadowTargetDownAWhile(t *testing.T) {
	t.Parallel()
	runs, err := shadowFake(t, func(n int) []signal.Sample {
		if n == 3 {
			return []signal.Sample{{At: time.Now(), Instance: "x:1", Fault: "scrape timeout"}}
		}
		return []signal.Sample{fakeBot("x:1", n)}
	})
	if err != nil {
		t.Fatal(err)
	}
	b := runs[0].Baseline
	if !b.Partial || !strings.Contains(b.PartialReason, "could not be read 1 of") || !strings.Contains(b.PartialReason, "scrape timeout") || b.SamplesDown != 1 || b.TickTotal.P95Ms != 37.5 {
		t.Errorf("partial %v %q, %d down, p95 %v", b.Partial, b.PartialReason, b.SamplesDown, b.TickTotal.P95Ms)
	}
}

// TestShadowThroughScrape is make shadow TARGET=scrape for 3 s against the
// reference engine's own /metrics page, served in-process: the same
// artifacts as the embedded target, with measured values, the source and
// the bucket error; then the bot down all along fails with "no samples".
func TestShadowThroughScrape(t *testing.T) {
	t.Parallel()
	f := newFixture(t, defaultLayers)
	reg := prometheus.NewRegistry()
	bot, err := target.NewEmbedded(target.EmbeddedOptions{Config: f.loaded, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bot.Close() })
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	t.Cleanup(srv.Close)

	h := scrapeHarness(t, srv.URL+"/metrics")
	env := checklist.Env{Layers: f.layers, Loaded: f.loaded}
	dir := t.TempDir()
	res := runShadowOne(t, ShadowSpec{Env: env, Duration: 3 * time.Second, Dir: dir, Harness: h})
	b := res.Run.Baseline
	if res.Instance == "" || res.Dataset != "" || b.Source != SourceBuckets || !strings.Contains(b.Target, "scrape") || b.Partial {
		t.Errorf("instance %q dataset %q source %q target %q partial %v (%s)", res.Instance, res.Dataset, b.Source, b.Target, b.Partial, b.PartialReason)
	}
	if b.Ticks < 15 || b.Samples < 3 || b.SamplesDown != 0 || b.DurationSeconds < 2.5 {
		t.Errorf("ticks %d over %.1fs from %d reads (%d down): want ~30 ticks over 3s", b.Ticks, b.DurationSeconds, b.Samples, b.SamplesDown)
	}
	if tt := b.TickTotal; tt.Count < 15 || tt.P95Ms <= 0 || tt.BucketError == nil || (tt.BucketError.P95.HiMs <= tt.BucketError.P95.LoMs && !tt.BucketError.P95.Unbounded) {
		t.Errorf("tick_total %+v", tt)
	}
	if fm := b.Stages[budget.StageFetchMD]; fm.Count < 15 || fm.BucketError == nil {
		t.Errorf("fetch_md %+v", fm)
	}
	if b.CacheHits+b.CacheMisses == 0 || b.HitRatioPct < 0 || b.HitRatioPct > 100 {
		t.Errorf("cache %d hits %d misses, %v%%", b.CacheHits, b.CacheMisses, b.HitRatioPct)
	}
	if res.Paths.StageBudgets != filepath.Join(dir, StageBudgetsFile) {
		t.Errorf("stage_budgets at %s, want %s", res.Paths.StageBudgets, dir)
	}
	js, err := os.ReadFile(res.Paths.StageBudgets)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"source": "histogram buckets (bucket error stated)"`, `"bucket_error"`, `"max_error_ms"`, `"instance": "` + res.Instance} {
		if !strings.Contains(string(js), want) {
			t.Errorf("stage_budgets.json: no %s", want)
		}
	}
	md, err := os.ReadFile(res.Paths.Visualization)
	if err != nil || !strings.Contains(string(md), "## Bucket error") || !strings.Contains(string(md), "histogram buckets") || !strings.Contains(string(md), "error <= ") {
		t.Errorf("visualization.md: %v\n%s", err, md)
	}
	if c := checksByName(res.Checks)["run_complete"]; c.Item.Status != result.StatusPass || !strings.Contains(c.Item.Source, "read through scrape") {
		t.Errorf("run_complete: %+v", c.Item)
	}

	if c := checksByName(res.Checks)["tick_total_p95"]; !strings.Contains(c.Item.Message, "error <= ") || !hasAttr(c, "bucket_error") {
		t.Errorf("tick_total_p95 does not state its bucket error: %s %v", c.Item.Message, c.Attrs)
	}

	// CONFIG empty: a running bot is measured without its config files
	noCfg := checklist.Env{Layers: checklist.Layers{Root: f.layers.Root}, NoConfig: true}
	res = runShadowOne(t, ShadowSpec{Env: noCfg, Duration: 1500 * time.Millisecond, Every: 300 * time.Millisecond, Dir: t.TempDir(), Harness: h})
	if b := res.Run.Baseline; b.ConfigHash != NoConfigHash || b.Ticks == 0 || b.TickTotal.BucketError == nil {
		t.Errorf("CONFIG empty: config hash %q, %d ticks, tick_total %+v", b.ConfigHash, b.Ticks, b.TickTotal)
	}
	if c := checksByName(res.Checks)["ticks_sampled"]; c.Item.Want != ">= 1" || c.Item.Status != result.StatusPass {
		t.Errorf("CONFIG empty: ticks_sampled %+v", c.Item)
	}
	if _, err := RunShadow(t.Context(), ShadowSpec{Env: noCfg, Duration: time.Second}); err == nil || !strings.Contains(err.Error(), "CONFIG is empty") {
		t.Errorf("CONFIG empty with the embedded engine: %v", err)
	}

	srv.Close() // the bot is down all along now
	down := t.TempDir()
	_, err = RunShadow(context.Background(), ShadowSpec{Env: env, Duration: 1500 * time.Millisecond, Every: 300 * time.Millisecond, Dir: down, Harness: scrapeHarness(t, srv.URL+"/metrics")})
	if !errors.Is(err, ErrNoSamples) || !strings.Contains(err.Error(), "no samples") {
		t.Errorf("target down all along: %v", err)
	}
	if _, err := os.Stat(filepath.Join(down, StageBudgetsFile)); err == nil {
		t.Error("a run with no samples wrote a stage_budgets.json")
	}
}

// scrapeHarness is fixtures/presoak.yaml with TARGET=scrape SCRAPE_URL=url.
func scrapeHarness(t *testing.T, url string) *target.Harness {
	t.Helper()
	root := newFixture(t, defaultLayers).layers.Root
	h, err := target.LoadHarness(filepath.Join(root, target.HarnessFile), func(k string) string {
		return map[string]string{target.EnvTarget: "scrape", target.EnvScrapeURL: url}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestSafeName(t *testing.T) {
	for in, want := range map[string]string{"10.0.0.7:9100": "10.0.0.7_9100", "": "unnamed", "a/../b": "a_.._b", "..": "_..", "bot-1.prod": "bot-1.prod"} {
		if got := safeName(in); got != want {
			t.Errorf("safeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFreezeCommand(t *testing.T) {
	if got := freezeCommand("artifacts/baseline"); got != "make baseline-freeze" {
		t.Errorf("default dir: %q", got)
	}
	if got := freezeCommand(filepath.Join("artifacts", "baseline", InstancesDir, "10.0.0.7_9100")); !strings.HasSuffix(got, "BASELINE_DIR=artifacts/baseline/instances/10.0.0.7_9100") {
		t.Errorf("a fleet bot's dir: %q", got)
	}
}

// TestShadowTargetInterrupted: Ctrl-C during a target run returns what was
// measured, marked partial with the reason.
func TestShadowTargetInterrupted(t *testing.T) {
	t.Parallel()
	f := newFixture(t, defaultLayers)
	o := f.options()
	o.Duration = time.Hour
	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(400*time.Millisecond, func() { cancel(errors.New("interrupt signal")) })
	start := time.Now()
	runs, err := ShadowTarget(ctx, TargetSpec{Target: &fakeTarget{at: func(n int) []signal.Sample { return []signal.Sample{fakeBot("x:1", n)} }}, Describe: "fake", Every: 50 * time.Millisecond}, o)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %v after the interrupt", took)
	}
	b := runs[0].Baseline
	if !b.Partial || !strings.HasPrefix(b.PartialReason, "interrupted (interrupt signal) after") || b.PlannedSeconds != 3600 || b.TickTotal.P95Ms != 37.5 {
		t.Errorf("partial %v %q, planned %v, p95 %v", b.Partial, b.PartialReason, b.PlannedSeconds, b.TickTotal.P95Ms)
	}
}

// TestShadowTargetProgress: a target run prints progress lines with the
// reads so far and each bot's ticks and running tick_total p95.
func TestShadowTargetProgress(t *testing.T) {
	t.Parallel()
	f := newFixture(t, defaultLayers)
	o := f.options()
	o.Duration, o.ProgressEvery = 500*time.Millisecond, 150*time.Millisecond
	var progress syncBuffer
	o.Progress = &progress
	fake := &fakeTarget{at: func(n int) []signal.Sample {
		return []signal.Sample{fakeBot("x:1", n), {Instance: "y:2", Fault: "refused"}}
	}}
	if _, err := ShadowTarget(context.Background(), TargetSpec{Target: fake, Describe: "fake", Every: 50 * time.Millisecond}, o); err != nil {
		t.Fatal(err)
	}
	out := progress.String()
	if strings.Count(out, "\n") < 2 || !strings.Contains(out, "remaining: ") || !strings.Contains(out, "x:1 ") || !strings.Contains(out, "tick_total p95 37.5ms (bucket 25ms..50ms") || !strings.Contains(out, "y:2 down (refused)") {
		t.Errorf("progress:\n%s", out)
	}
}

// TestShadowTargetSeriesStopped: a series present in the first read and
// missing from the last (a symbol that stopped) still counts what it did
// while it was read: deltas are per series, never last sum minus first sum
// (before: ticks -930 from 1090 - 2020, a negative count).
func TestShadowTargetSeriesStopped(t *testing.T) {
	t.Parallel()
	runs, err := shadowFake(t, func(n int) []signal.Sample {
		if n >= 3 { // symbol B stopped after the second read
			return []signal.Sample{fakeBotSeriesOf("x:1", n+100, -1, true)}
		}
		return []signal.Sample{fakeBotSeriesOf("x:1", n+100, n+100, true)}
	})
	if err != nil {
		t.Fatal(err)
	}
	b := runs[0].Baseline
	reads := int64(b.Samples)
	// A ticked 10 per read from read 1 to the last; B 10 from read 1 to 2.
	if want := 10*(reads-1) + 10; b.Ticks != want || b.DeadlineMisses != want/10 || b.CacheHits+b.CacheMisses != want {
		t.Errorf("after %d reads: ticks %d, misses %d, cache requests %d; want %d, %d, %d", reads, b.Ticks, b.DeadlineMisses, b.CacheHits+b.CacheMisses, want, want/10, want)
	}
	// and observed 100 latencies per read in every stage the same way
	if want := int(100*(reads-1) + 100); b.TickTotal.Count != want || b.TickTotal.P95Ms != 37.5 {
		t.Errorf("tick_total: %d observations, p95 %vms; want %d, 37.5ms", b.TickTotal.Count, b.TickTotal.P95Ms, want)
	}
	if b.Partial {
		t.Errorf("a symbol that stopped is no restart: partial %q", b.PartialReason)
	}
}

// TestShadowTargetSeriesReset: one symbol's histogram series reset (its
// worker restarted) while the other kept growing: the reset series counts
// its new value, the other its increase; the run is marked restarted.
func TestShadowTargetSeriesReset(t *testing.T) {
	t.Parallel()
	runs, err := shadowFake(t, func(n int) []signal.Sample {
		if n >= 4 { // A restarted before read 4: from 0, one read's worth per read
			return []signal.Sample{fakeBotSeriesOf("x:1", n-3, n+100, true)}
		}
		return []signal.Sample{fakeBotSeriesOf("x:1", n+100, n+100, true)}
	})
	if err != nil {
		t.Fatal(err)
	}
	b := runs[0].Baseline
	reads := int64(b.Samples)
	// B: one read's worth per read after the first; A: reads 1-3 (2), then 1 at read 4 and 1 per read after
	want := 10*(reads-1) + 10*(2+reads-3)
	if b.Ticks != want || int64(b.TickTotal.Count) != 10*want || !b.Partial || !strings.Contains(b.PartialReason, "restarted") {
		t.Errorf("after %d reads: ticks %d, tick_total count %d, partial %v %q; want %d, %d, restarted", reads, b.Ticks, b.TickTotal.Count, b.Partial, b.PartialReason, want, 10*want)
	}
}
