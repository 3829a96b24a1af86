package signal

import (
	"testing"
	"time"
)

// TestWindowExcludesItsLeftEdge: a window ending at t covers (t-window, t],
// as Prometheus 3's range selectors do: a sample exactly `window` before t
// is out. (Prometheus 2 included it; promtool 3.16 then fires
// PresoakTargetDownStop at 7m15s while presoak fired at 7m30s.)
func TestWindowExcludesItsLeftEdge(t *testing.T) {
	t.Parallel()
	s := NewSeries(time.Hour)
	// Up every 15s until 60s, down from 75s on.
	for k := 0; k <= 10; k++ {
		at := t0.Add(time.Duration(k) * 15 * time.Second)
		up := k <= 4
		s.Add(Sample{At: at, Up: up, Ticks: float64(100 * k), DeadlineMisses: float64(k)})
	}
	// The last good sample is at 60s: at 120s it is exactly a minute old.
	if v := s.Compute(TargetDown, time.Minute, t0.Add(105*time.Second), Options{}); v.V != 0 {
		t.Errorf("target_down[1m] at 105s: got %v, want 0 (the sample at 60s is inside (45s, 105s])", v)
	}
	if v := s.Compute(TargetDown, time.Minute, t0.Add(120*time.Second), Options{}); v.V != 1 {
		t.Errorf("target_down[1m] at 120s: got %v, want 1 (the sample at 60s is the window's left edge, out)", v)
	}
	// Two samples 60s apart are one sample in a 1m window: no increase.
	if v := s.Compute(DeadlineMissPct, time.Minute, t0.Add(15*time.Second), Options{}); !v.OK {
		t.Errorf("deadline_miss_pct[1m] at 15s: got %v, want a value (samples at 0s and 15s)", v)
	}
	if v := s.Compute(DeadlineMissPct, 15*time.Second, t0.Add(30*time.Second), Options{}); v.OK {
		t.Errorf("deadline_miss_pct[15s] at 30s: got %v, want no data (the sample at 15s is the left edge: one sample left)", v)
	}
	if v := s.Compute(CriticalBreakersOpen, 0, t0.Add(75*time.Second), Options{}); v.OK {
		t.Errorf("critical_breakers_open now at 75s: got %v, want no data (75s is down)", v)
	}
}

// TestBreakersNeedAWholeWindowOpen: critical_breakers_open over a window
// counts a breaker only once it has been open at every sample of a whole
// window with a sample before it, so the first seconds of a run are not a
// whole window by themselves; a stretch that ended since the last
// evaluation still counts.
func TestBreakersNeedAWholeWindowOpen(t *testing.T) {
	t.Parallel()
	run := func(openFor time.Duration) *Series {
		s := NewSeries(time.Hour)
		for k := 0; k <= 300; k++ { // 1s samples, open from the first one
			n := 0
			if time.Duration(k)*time.Second < openFor {
				n = 1
			}
			s.Add(Sample{At: t0.Add(time.Duration(k) * time.Second), Up: true, CriticalBreakersOpen: n})
		}
		return s
	}
	short := run(10 * time.Second)
	for _, at := range []time.Duration{5 * time.Second, 30 * time.Second, 61 * time.Second, 90 * time.Second} {
		if v := short.Compute(CriticalBreakersOpen, time.Minute, t0.Add(at), Options{}); v.OK && v.V != 0 {
			t.Errorf("open for the first 10s, at %v: got %v, want 0 or no data", at, v)
		}
	}
	long := run(65 * time.Second)
	if v := long.Compute(CriticalBreakersOpen, time.Minute, t0.Add(59*time.Second), Options{}); v.OK && v.V != 0 {
		t.Errorf("open from the start, at 59s: got %v, want 0 or no data (not a whole minute yet)", v)
	}
	for _, at := range []time.Duration{60 * time.Second, 64 * time.Second, 90 * time.Second} {
		if v := long.Compute(CriticalBreakersOpen, time.Minute, t0.Add(at), Options{}); v.V != 1 {
			t.Errorf("open from 0s to 65s, at %v: got %v, want 1", at, v)
		}
	}
	if v := long.Compute(CriticalBreakersOpen, time.Minute, t0.Add(126*time.Second), Options{}); v.V != 0 {
		t.Errorf("closed since 65s, at 126s: got %v, want 0 (the stretch ended more than a window ago)", v)
	}
}
