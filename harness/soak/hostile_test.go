package soak

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/signal"
	"github.com/presoak/presoak/harness/target"
	"github.com/presoak/presoak/internal/modroot"
	"github.com/presoak/presoak/internal/runlock"
)

// quickSpec is a real-clock spec: a 40 ms interval.
func quickSpec(t testing.TB) *criteria.Spec {
	t.Helper()
	s := &criteria.Spec{Version: 1, EvaluationInterval: 40 * time.Millisecond, Criteria: []criteria.Criterion{
		{Name: "miss_stop", Signal: signal.DeadlineMissPct, Op: criteria.Greater, Threshold: 5, Window: 200 * time.Millisecond, Severity: criteria.Stop, Description: "misses", Action: "look"},
		{Name: "down_stop", Signal: signal.TargetDown, Op: criteria.Greater, Threshold: 0, Window: time.Minute, Severity: criteria.Stop, Description: "down", Action: "look"},
	}}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	return s
}

// nanPage is a bot page whose miss counter is NaN and whose tick
// histogram's _sum is +Inf: valid Prometheus text.
func nanPage(ticks int64) string {
	return fmt.Sprintf(`# TYPE mm_ticks_total counter
mm_ticks_total %d
# TYPE mm_tick_deadline_misses_total counter
mm_tick_deadline_misses_total NaN
# TYPE mm_tick_duration_seconds histogram
mm_tick_duration_seconds_bucket{le="0.01"} %d
mm_tick_duration_seconds_bucket{le="+Inf"} %d
mm_tick_duration_seconds_sum +Inf
mm_tick_duration_seconds_count %d
`, ticks, ticks, ticks, ticks)
}

func scrapeTarget(t testing.TB, h http.HandlerFunc) target.Target {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	tg, err := target.NewScrape(target.ScrapeOptions{URL: srv.URL + "/metrics", Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tg.Close() })
	return tg
}

// Issue 17, item 1. Before: `write sample: json: unsupported value: NaN`,
// samples.jsonl at 0 bytes, a report saying INTERRUPTED. After: the soak
// runs its duration, every sample is recorded with its NaN, and the miss
// criterion has no data (the verdict is inconclusive, not a pass).
func TestSoakRecordsNaNPage(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	tg := scrapeTarget(t, func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, nanPage(100*n.Add(1))) })
	dir := t.TempDir()
	rep, err := Run(context.Background(), Config{Spec: quickSpec(t), Target: tg, Duration: 300 * time.Millisecond, Dir: dir})
	if err != nil {
		t.Fatalf("run: %v, want none", err)
	}
	if rep.Verdict != Inconclusive {
		t.Fatalf("verdict %s (%s), want inconclusive: miss_stop never had data", rep.Verdict, rep.Reason)
	}
	got, err := ReadSamples(filepath.Join(dir, SamplesFile))
	if err != nil || len(got) < 3 {
		t.Fatalf("samples: got %d, %v; want every sample recorded", len(got), err)
	}
	if _, err := ReadReport(filepath.Join(dir, ReportJSONFile)); err != nil {
		t.Fatalf("soak_report.json: %v", err)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, SamplesFile))
	if !strings.Contains(string(raw), `"deadline_misses":"NaN"`) || !strings.Contains(string(raw), `"sum":"+Inf"`) {
		t.Errorf("samples.jsonl does not carry NaN and +Inf: %.300s", raw)
	}
}

// A NaN ticks counter: recorded, no data, and the report is still written.
func TestSoakRecordsNaNTicks(t *testing.T) {
	t.Parallel()
	tg := scrapeTarget(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "# TYPE mm_ticks_total counter\nmm_ticks_total NaN\n")
	})
	dir := t.TempDir()
	rep, err := Run(context.Background(), Config{Spec: quickSpec(t), Target: tg, Duration: 200 * time.Millisecond, Dir: dir})
	if err != nil || rep.Verdict != Inconclusive {
		t.Fatalf("got %v, verdict %s (%s); want inconclusive, no error", err, rep.Verdict, rep.Reason)
	}
	if _, err := ReadReport(filepath.Join(dir, ReportJSONFile)); err != nil {
		t.Fatalf("soak_report.json: %v", err)
	}
}

// Issue 17, item 1 (the report). Before: a soak whose samples could not be
// written said INTERRUPTED, hiding the cause. After: FAILED with the error.
func TestSoakWriteFailureIsFailedNotInterrupted(t *testing.T) {
	orig := sampleWriter
	sampleWriter = func(*os.File) io.Writer { return failingWriter{} }
	t.Cleanup(func() { sampleWriter = orig })
	dir := t.TempDir()
	rep, err := Run(context.Background(), Config{Spec: testSpec(t), Target: newFakeBot(), Duration: time.Hour, Dir: dir})
	if err == nil || !strings.Contains(err.Error(), "no space left") {
		t.Fatalf("run: got %v, want the write error", err)
	}
	if rep.Verdict != Failed || !strings.Contains(rep.Reason, "no space left") {
		t.Fatalf("verdict %s (%s), want failed naming the cause", rep.Verdict, rep.Reason)
	}
	if len(rep.Written) != 2 || rep.Written[0] != filepath.Join(dir, ReportJSONFile) {
		t.Errorf("written %q, want both reports, not the samples whose writes failed", rep.Written)
	}
	md, _ := os.ReadFile(filepath.Join(dir, ReportMDFile))
	if strings.Contains(string(md), "INTERRUPTED") || !strings.Contains(string(md), "FAILED") {
		t.Fatalf("soak_report.md: want FAILED, never INTERRUPTED:\n%s", md)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) {
	return 0, errors.New("write: no space left on device")
}

// Issue 17, item 5. Before: two soaks in one directory interleaved into one
// samples.jsonl. After: the second refuses at once, naming the first.
func TestSecondSoakInOneDirRefuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	started := make(chan struct{})
	var once atomic.Bool
	tg := scrapeTarget(t, func(w http.ResponseWriter, r *http.Request) {
		if once.CompareAndSwap(false, true) {
			close(started)
		}
		_, _ = io.WriteString(w, "# TYPE mm_ticks_total counter\nmm_ticks_total 1\n")
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, Config{Spec: quickSpec(t), Target: tg, Duration: time.Hour, Dir: dir})
		done <- err
	}()
	<-started
	t0 := time.Now()
	_, err := Run(context.Background(), Config{Spec: quickSpec(t), Target: newFakeBot(), Duration: time.Hour, Dir: dir})
	cancel()
	if ferr := <-done; ferr != nil {
		t.Errorf("first run: %v", ferr)
	}
	if !errors.Is(err, runlock.ErrBusy) || !strings.Contains(err.Error(), fmt.Sprintf("soak (pid %d", os.Getpid())) {
		t.Fatalf("second soak: got %v, want ErrBusy naming the running soak", err)
	}
	if d := time.Since(t0); d > 5*time.Second {
		t.Errorf("second soak took %s to refuse, want at once", d)
	}
	// the first run recorded real-clock samples (or none): a simulated bot
	// resumes them only with its clock after them
	later := newFakeBot()
	later.now = time.Now().Add(time.Hour)
	if _, err := Run(context.Background(), Config{Spec: testSpec(t), Target: later, Duration: time.Minute, Dir: dir, Resume: true}); err != nil {
		t.Fatalf("after the first ended: %v, want the directory free", err)
	}
}

// TestResumeRefusesAClockBeforeItsSamples: resuming recorded samples with a
// simulated target whose clock is before them is refused at once. Before,
// its samples never added soak time and the run looped until the clock
// caught up (a resume of real-clock samples with a 2026-01-01 clock: ~29 M
// iterations, TestSecondSoakInOneDirRefuses hung when its first run had
// written a sample).
func TestResumeRefusesAClockBeforeItsSamples(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ahead := newFakeBot()
	ahead.now = t0.Add(24 * time.Hour)
	if _, err := Run(context.Background(), Config{Spec: testSpec(t), Target: ahead, Duration: time.Minute, Dir: dir}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := Run(context.Background(), Config{Spec: testSpec(t), Target: newFakeBot(), Duration: 2 * time.Minute, Dir: dir, Resume: true})
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "is before the last recorded sample") {
			t.Fatalf("resume with an earlier clock: got %v, want a refusal", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("resume with an earlier clock did not return within 30s")
	}
}

// Issue 17, item 6. Before: a cut last line was kept and the resume appended
// onto it, so the next resume failed. After: the resume cuts it off, says
// so, and every later resume works.
func TestResumeRepairsTornLastLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bot := newFakeBot()
	if _, err := Run(context.Background(), Config{Spec: testSpec(t), Target: bot, Duration: 2 * time.Minute, Dir: dir}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, SamplesFile)
	whole, _ := os.ReadFile(path)
	n := strings.Count(string(whole), "\n")
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	_, _ = f.WriteString(`{"at":"2026-01-01T00:02:10Z","instance":"fake","up":tr`)
	f.Close()
	var progress strings.Builder
	rep, err := Run(context.Background(), Config{Spec: testSpec(t), Target: bot, Duration: 4 * time.Minute, Dir: dir, Resume: true, Progress: &progress})
	if err != nil {
		t.Fatalf("first resume: %v", err)
	}
	if rep.Resumed != n || !strings.Contains(rep.Repaired, "dropped a torn last line") || !strings.Contains(progress.String(), "torn last line") {
		t.Fatalf("resumed %d (want %d), repaired %q, progress %q: want the torn line dropped and said", rep.Resumed, n, rep.Repaired, progress.String())
	}
	if _, err := Run(context.Background(), Config{Spec: testSpec(t), Target: bot, Duration: 6 * time.Minute, Dir: dir, Resume: true}); err != nil {
		t.Fatalf("second resume: %v, want the file whole", err)
	}
	// A last line whole but for its newline is kept and completed.
	data, _ := os.ReadFile(path)
	if err := os.WriteFile(path, data[:len(data)-1], 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err = Run(context.Background(), Config{Spec: testSpec(t), Target: bot, Duration: 8 * time.Minute, Dir: dir, Resume: true})
	if err != nil || !strings.Contains(rep.Repaired, "lost its newline") {
		t.Fatalf("resume without the last newline: %v, repaired %q", err, rep.Repaired)
	}
	if _, err := ReadSamples(path); err != nil {
		t.Fatal(err)
	}
}

// Must decide: symlinks under artifacts/. Decision: the samples file is
// never written through a link (refused, naming it); reports are written
// by rename, which replaces a link instead of following it.
func TestSoakRefusesSymlinkedSamples(t *testing.T) {
	t.Parallel()
	dir, outside := t.TempDir(), filepath.Join(t.TempDir(), "precious")
	if err := os.WriteFile(outside, []byte("keep me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, SamplesFile)); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, ReportJSONFile)); err != nil {
		t.Fatal(err)
	}
	_, err := Run(context.Background(), Config{Spec: testSpec(t), Target: newFakeBot(), Duration: time.Minute, Dir: dir})
	if !errors.Is(err, ErrSymlink) || !strings.Contains(err.Error(), SamplesFile) {
		t.Fatalf("got %v, want ErrSymlink naming %s", err, SamplesFile)
	}
	if b, _ := os.ReadFile(outside); string(b) != "keep me\n" {
		t.Fatalf("the file outside was changed: %q", b)
	}
	_, err = Run(context.Background(), Config{Spec: testSpec(t), Target: newFakeBot(), Duration: time.Minute, Dir: dir, Resume: true})
	if !errors.Is(err, ErrSymlink) {
		t.Fatalf("resume: got %v, want ErrSymlink", err)
	}
	os.Remove(filepath.Join(dir, SamplesFile))
	if _, err := Run(context.Background(), Config{Spec: testSpec(t), Target: newFakeBot(), Duration: time.Minute, Dir: dir}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(outside); string(b) != "keep me\n" {
		t.Fatalf("the report followed its link: outside is %q", b)
	}
	if fi, _ := os.Lstat(filepath.Join(dir, ReportJSONFile)); fi.Mode()&os.ModeSymlink != 0 {
		t.Error("soak_report.json is still a link, want it replaced by the report")
	}
}

// Issue 17, item 6 (sync). The samples file is synced every SyncEvery.
func TestSamplesSyncedOnInterval(t *testing.T) {
	t.Parallel()
	l, err := openSampleLog(filepath.Join(t.TempDir(), SamplesFile), false)
	if err != nil {
		t.Fatal(err)
	}
	defer l.close()
	_ = l.write(signal.Sample{Instance: "a"})
	if err := l.flush(); err != nil || l.syncs != 0 {
		t.Fatalf("flush right after open: %v, %d syncs, want none yet", err, l.syncs)
	}
	l.lastSync = time.Now().Add(-SyncEvery)
	if err := l.flush(); err != nil || l.syncs != 1 {
		t.Fatalf("flush %s after the last sync: %v, %d syncs, want 1", SyncEvery, err, l.syncs)
	}
}

// Issue 17, item 2 (visible to a criterion). Before: a bot serving garbage
// every other scrape never tripped target_down (each window held a good
// read) and the soak passed on half its data. After: the shipped criteria
// stop it on scrape_failure_stop, and target_down stays quiet.
func TestGarbageHalfTheTimeStopsTheSoak(t *testing.T) {
	t.Parallel()
	wd, _ := os.Getwd()
	root, err := modroot.Find(wd)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := criteria.Load(filepath.Join(root, "fixtures/criteria.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	bot := newFakeBot()
	bot.down = func(d time.Duration) bool { return (d/spec.EvaluationInterval)%2 == 1 }
	rep, err := Run(context.Background(), Config{Spec: spec, Target: bot, Duration: 2 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != Stopped || rep.Stop == nil || rep.Stop.Criterion != "scrape_failure_stop" {
		t.Fatalf("got %s (%s), want stopped by scrape_failure_stop", rep.Verdict, rep.Reason)
	}
	if v := rep.Stop.Value; !v.OK || v.V < 45 || v.V > 55 {
		t.Errorf("scrape_failure_pct at the stop: %v, want about 50", v)
	}
	for _, c := range rep.Criteria {
		if c.Name == "target_down_stop" && c.Fired > 0 {
			t.Errorf("target_down_stop fired %d times, want a bot read every other time never down", c.Fired)
		}
	}
}

// Issue 17, item 6: a report that could not be written is not claimed
// (Written), and the run says why.
func TestUnwrittenReportIsNotClaimed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// A directory where soak_report.md must go: its rename fails.
	if err := os.Mkdir(filepath.Join(dir, ReportMDFile), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ReportMDFile, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), Config{Spec: testSpec(t), Target: newFakeBot(), Duration: time.Minute, Dir: dir})
	if err == nil || !strings.Contains(err.Error(), ReportMDFile) {
		t.Fatalf("got %v, want the failed write named", err)
	}
	for _, f := range rep.Written {
		if strings.HasSuffix(f, ReportMDFile) {
			t.Errorf("written %q claims %s", rep.Written, ReportMDFile)
		}
	}
	if len(rep.Written) != 2 {
		t.Errorf("written %q, want samples.jsonl and soak_report.json", rep.Written)
	}
}
