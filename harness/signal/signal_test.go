package signal

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func approx(t testing.TB, what string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > tol {
		t.Fatalf("%s: got %.4g, want %.4g ± %.3g", what, got, want, tol)
	}
}

func TestRatiosOverWindow(t *testing.T) {
	t.Parallel()
	s := NewSeries(time.Hour)
	for k := 0; k <= 120; k++ {
		s.Add(Sample{At: t0.Add(time.Duration(k) * time.Second), Up: true,
			Ticks: float64(10 * k), DeadlineMisses: float64(k), TickErrors: float64(k) / 10,
			CacheHits: float64(3 * k), CacheMisses: float64(k), MakerVolume: float64(9 * k), TakerVolume: float64(k)})
	}
	at := t0.Add(120 * time.Second)
	approx(t, "deadline miss", s.Compute(DeadlineMissPct, time.Minute, at, Options{}).V, 10, 1e-9)
	approx(t, "error", s.Compute(ErrorPct, time.Minute, at, Options{}).V, 1, 1e-9)
	approx(t, "hit", s.Compute(MDCacheHitPct, time.Minute, at, Options{}).V, 75, 1e-9)
	approx(t, "taker", s.Compute(TakerSharePct, time.Minute, at, Options{}).V, 10, 1e-9)
}

func TestRatioNoData(t *testing.T) {
	t.Parallel()
	s := NewSeries(time.Hour)
	if v := s.Compute(DeadlineMissPct, time.Minute, t0, Options{}); v.OK {
		t.Fatalf("empty series: got %v, want no data", v)
	}
	s.Add(Sample{At: t0, Up: true, Ticks: 10, MakerVolume: 5})
	if v := s.Compute(DeadlineMissPct, time.Minute, t0, Options{}); v.OK || !strings.Contains(v.Reason, "fewer than 2") {
		t.Fatalf("one sample: got %+v, want no data", v)
	}
	s.Add(Sample{At: t0.Add(time.Second), Up: true, Ticks: 20, MakerVolume: 5})
	if v := s.Compute(TakerSharePct, time.Minute, t0.Add(time.Second), Options{}); v.OK || !strings.Contains(v.Reason, "no fills") {
		t.Fatalf("no fills: got %+v, want no data", v)
	}
	// Down samples are not data.
	s.Add(Sample{At: t0.Add(2 * time.Second), Up: false, Fault: "connection refused"})
	s.Add(Sample{At: t0.Add(3 * time.Second), Up: false})
	if v := s.Compute(DeadlineMissPct, 1500*time.Millisecond, t0.Add(3*time.Second), Options{}); v.OK {
		t.Fatalf("only down samples: got %+v, want no data", v)
	}
}

func TestRatioSurvivesResets(t *testing.T) {
	t.Parallel()
	s := NewSeries(time.Hour)
	// 2% errors; two restarts.
	raw := []float64{1000, 2000, 3000, 500, 1500, 2500, 100, 1100}
	for k, ticks := range raw {
		s.Add(Sample{At: t0.Add(time.Duration(k) * time.Second), Up: true, Ticks: ticks, TickErrors: ticks / 50})
	}
	v := s.Compute(ErrorPct, time.Hour, t0.Add(10*time.Second), Options{})
	approx(t, "error pct across resets", v.V, 2, 1e-9)
	if s.Resets() != 2 {
		t.Fatalf("resets: got %d, want 2", s.Resets())
	}
}

// memorySeries adds a resident-memory series at 1 s: f(seconds) bytes.
func memorySeries(s *Series, d time.Duration, f func(sec float64) float64) {
	for k := 0; k <= int(d/time.Second); k++ {
		s.Add(Sample{At: t0.Add(time.Duration(k) * time.Second), Up: true, Ticks: float64(k), ResidentBytes: f(float64(k))})
	}
}

// sawtooth is a GC sawtooth: +40 MB over 2 minutes, then collected.
func sawtooth(sec float64) float64 { return 40e6 * math.Mod(sec, 120) / 120 }

func TestMemoryGrowthLinearLeak(t *testing.T) {
	t.Parallel()
	s := NewSeries(time.Hour)
	memorySeries(s, 2*time.Hour, func(sec float64) float64 { return 500e6 + 300e6*sec/3600 + sawtooth(sec) })
	v := s.Compute(MemoryGrowthMBPerH, time.Hour, t0.Add(2*time.Hour), Options{})
	approx(t, "leak slope MB/h", v.V, 300, 30)
	if !(v.Lo <= v.V && v.V <= v.Hi && v.Lo > 200) {
		t.Fatalf("confidence interval [%v, %v] around %v: want it to hold the estimate and exclude 250", v.Lo, v.Hi, v.V)
	}
}

func TestMemoryGrowthSawtoothIsNotGrowth(t *testing.T) {
	t.Parallel()
	s := NewSeries(time.Hour)
	memorySeries(s, 2*time.Hour, func(sec float64) float64 { return 500e6 + sawtooth(sec) })
	v := s.Compute(MemoryGrowthMBPerH, time.Hour, t0.Add(2*time.Hour), Options{})
	approx(t, "sawtooth slope MB/h", v.V, 0, 30)
	if v.Lo > 0 || v.Hi < 0 {
		t.Fatalf("interval [%v, %v] excludes 0 for a flat sawtooth", v.Lo, v.Hi)
	}
}

func TestMemoryGrowthStepIsNotSustained(t *testing.T) {
	t.Parallel()
	// A one-off +400 MB step at 1h30m. A two-point difference over an hour
	// says 400 MB/h for a whole hour; the robust slope is over 100 MB/h for
	// a few minutes at most, shorter than any sensible for-duration.
	s := NewSeries(time.Hour)
	step := func(sec float64) float64 {
		if sec >= 5400 {
			return 900e6 + sawtooth(sec)
		}
		return 500e6 + sawtooth(sec)
	}
	over := time.Duration(0)
	for k := 0; k <= 4*3600; k++ {
		at := t0.Add(time.Duration(k) * time.Second)
		s.Add(Sample{At: at, Up: true, ResidentBytes: step(float64(k))})
		if k%15 == 0 {
			if v := s.Compute(MemoryGrowthMBPerH, time.Hour, at, Options{}); v.OK && v.V > 100 {
				over += 15 * time.Second
			}
		}
	}
	if over > 10*time.Minute {
		t.Fatalf("a one-off step read as > 100 MB/h for %v, want < 10m", over)
	}
}

func TestMemoryGrowthNeedsHalfTheWindow(t *testing.T) {
	t.Parallel()
	s := NewSeries(time.Hour)
	memorySeries(s, 20*time.Minute, func(sec float64) float64 { return 1e9 + 1e6*sec })
	if v := s.Compute(MemoryGrowthMBPerH, time.Hour, t0.Add(20*time.Minute), Options{}); v.OK {
		t.Fatalf("20 min of data for a 1 h window: got %v, want no data", v)
	}
}

func TestQuantileLikePrometheus(t *testing.T) {
	t.Parallel()
	h := Histogram{UpperBounds: []float64{0.01, 0.02, 0.05, 0.1, math.Inf(1)}, Counts: []float64{50, 80, 95, 100, 100}, Count: 100}
	q, ok := h.Quantile(0.95)
	approx(t, "p95 at a bucket edge", q, 0.05, 1e-12)
	q, _ = h.Quantile(0.5)
	approx(t, "p50 inside the first bucket", q, 0.01, 1e-12)
	q, _ = h.Quantile(0.9)
	approx(t, "p90 interpolated", q, 0.02+0.03*(90-80)/15, 1e-12)
	if !ok {
		t.Fatal("quantile of a full histogram not ok")
	}
	over := Histogram{UpperBounds: []float64{0.01, math.Inf(1)}, Counts: []float64{1, 10}, Count: 10}
	q, _ = over.Quantile(0.95)
	approx(t, "rank in +Inf returns the last finite bound", q, 0.01, 0)
	if _, ok := (Histogram{}).Quantile(0.95); ok {
		t.Fatal("empty histogram: got ok")
	}
}

func TestP95Regression(t *testing.T) {
	t.Parallel()
	bounds := []float64{0.01, 0.02, 0.04, 0.08}
	hist := func(n float64, slow bool) Histogram {
		// n observations: 95% at <= 10ms, or (slow) 95% at <= 20ms.
		if slow {
			return Histogram{UpperBounds: bounds, Counts: []float64{0, 0.95 * n, n, n}, Count: n}
		}
		return Histogram{UpperBounds: bounds, Counts: []float64{0.95 * n, n, n, n}, Count: n}
	}
	s := NewSeries(time.Hour)
	s.Add(Sample{At: t0, Up: true, Stages: map[string]Histogram{"fetch_md": hist(1000, false)}})
	d1 := hist(1000, false)
	d2 := hist(1000, true)
	sum := Histogram{UpperBounds: bounds, Counts: make([]float64, 4), Count: d1.Count + d2.Count}
	for i := range sum.Counts {
		sum.Counts[i] = d1.Counts[i] + d2.Counts[i]
	}
	s.Add(Sample{At: t0.Add(time.Minute), Up: true, Stages: map[string]Histogram{"fetch_md": sum}})
	at := t0.Add(time.Minute)
	// The window's delta is the slow 1000: p95 = 20ms, baseline 10ms: +100%.
	// (A window excludes its left edge: 2m holds both samples.)
	v := s.Compute(P95RegressionPct, 2*time.Minute, at, Options{BaselineP95: map[string]float64{"fetch_md": 0.01, "submit": 0.01}})
	approx(t, "p95 regression %", v.V, 100, 1e-9)
	if v := s.Compute(P95RegressionPct, time.Minute, at, Options{}); v.OK {
		t.Fatalf("no baseline: got %v, want no data", v)
	}
}

func TestBreakersAndTargetDown(t *testing.T) {
	t.Parallel()
	s := NewSeries(time.Hour)
	s.Add(Sample{At: t0, Up: true, CriticalBreakersOpen: 1})
	s.Add(Sample{At: t0.Add(30 * time.Second), Up: true, CriticalBreakersOpen: 0})
	at := t0.Add(30 * time.Second)
	if v := s.Compute(CriticalBreakersOpen, time.Minute, at, Options{}); v.OK {
		t.Fatalf("breakers over 1m after 30s of samples: got %v, want no data (no stretch of a whole minute yet)", v)
	}
	approx(t, "breakers now", s.Compute(CriticalBreakersOpen, 0, at, Options{}).V, 0, 0)
	approx(t, "target up", s.Compute(TargetDown, time.Minute, at, Options{}).V, 0, 0)
	s.Add(Sample{At: t0.Add(60 * time.Second), Up: false, Fault: "timeout"})
	at = t0.Add(61 * time.Second)
	approx(t, "one failed read within the window", s.Compute(TargetDown, time.Minute, at, Options{}).V, 0, 0)
	approx(t, "newest read failed", s.Compute(TargetDown, 0, at, Options{}).V, 1, 0)
	approx(t, "no good read in the window", s.Compute(TargetDown, time.Minute, t0.Add(91*time.Second), Options{}).V, 1, 0)
	approx(t, "no samples at all", NewSeries(time.Minute).Compute(TargetDown, time.Minute, t0, Options{}).V, 1, 0)
}

func TestSeriesIsBounded(t *testing.T) {
	t.Parallel()
	s := NewSeries(10 * time.Minute)
	for k := 0; k < 100000; k++ {
		s.Add(Sample{At: t0.Add(time.Duration(k) * time.Second), Up: true})
	}
	if s.Len() > 11*60+2 {
		t.Fatalf("holds %d samples for a 10m window at 1 s", s.Len())
	}
	if s.Add(Sample{At: t0}) {
		t.Fatal("accepted a sample older than the newest")
	}
}

func TestValueJSONHasNoNaN(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(noData("no frozen baseline"))
	if err != nil || string(b) != `{"v":null,"ok":false,"reason":"no frozen baseline","lo":null,"hi":null}` {
		t.Fatalf("no-data value: got %s, %v", b, err)
	}
	var back Value
	if err := json.Unmarshal(b, &back); err != nil || back.OK || !math.IsNaN(back.V) {
		t.Fatalf("round trip: got %+v, %v", back, err)
	}
	b, _ = json.Marshal(Value{V: 2, OK: true, Lo: 1, Hi: 3})
	if err := json.Unmarshal(b, &back); err != nil || back != (Value{V: 2, OK: true, Lo: 1, Hi: 3}) {
		t.Fatalf("round trip: got %+v, %v", back, err)
	}
}

// Issue 17, item 1: a NaN or infinite counter is no data for the signals it
// feeds while it is in their window, never a value that compares false
// against every threshold (a silent pass).
func TestNaNCounterIsNoData(t *testing.T) {
	s := NewSeries(time.Hour)
	for i := range 5 {
		misses := float64(i)
		if i == 2 {
			misses = math.NaN()
		}
		s.Add(Sample{At: t0.Add(time.Duration(i) * time.Second), Up: true, Ticks: float64(100 * i), DeadlineMisses: misses})
	}
	// Windows are Prometheus 3's (at-window, at]: 2s at 2s holds the samples at 1s and 2s.
	v := s.Compute(DeadlineMissPct, 2*time.Second, t0.Add(2*time.Second), Options{})
	if v.OK {
		t.Fatalf("got %v, want no data across a NaN", v)
	}
	if !strings.Contains(v.Reason, "NaN") {
		t.Errorf("reason %q: want it to name the NaN", v.Reason)
	}
	if v := s.Compute(DeadlineMissPct, 2*time.Second, t0.Add(4*time.Second), Options{}); !v.OK || v.V != 1 {
		t.Errorf("window past the NaN: got %v, want 1 (%%)", v)
	}
}

func TestSampleJSONCoversEveryField(t *testing.T) {
	if a, b := reflect.TypeOf(Sample{}).NumField(), reflect.TypeOf(sampleJSON{}).NumField(); a != b {
		t.Fatalf("Sample has %d fields, sampleJSON %d: keep them in step", a, b)
	}
	for i := range reflect.TypeOf(Sample{}).NumField() {
		if a, b := reflect.TypeOf(Sample{}).Field(i), reflect.TypeOf(sampleJSON{}).Field(i); a.Name != b.Name || a.Tag != b.Tag {
			t.Errorf("field %d: Sample %s %q, sampleJSON %s %q", i, a.Name, a.Tag, b.Name, b.Tag)
		}
	}
}

func TestScrapeFailurePct(t *testing.T) {
	s := NewSeries(time.Hour)
	if v := s.Compute(ScrapeFailurePct, time.Minute, t0, Options{}); v.OK {
		t.Fatalf("no samples: got %v, want no data", v)
	}
	for i := range 10 {
		s.Add(Sample{At: t0.Add(time.Duration(i) * time.Second), Up: i%2 == 0, Ticks: float64(i)})
	}
	if v := s.Compute(ScrapeFailurePct, 10*time.Second, t0.Add(9*time.Second), Options{}); !v.OK || v.V != 50 {
		t.Errorf("every other read failed: got %v, want 50", v)
	}
	if v := s.Compute(ScrapeFailurePct, 0, t0.Add(8*time.Second), Options{}); !v.OK || v.V != 0 {
		t.Errorf("window 0 at an up sample: got %v, want 0", v)
	}
	if v := s.Compute(TargetDown, 2*time.Second, t0.Add(9*time.Second), Options{}); !v.OK || v.V != 0 {
		t.Errorf("target_down over the same bot: got %v, want 0 (a good read in every window)", v)
	}
}
