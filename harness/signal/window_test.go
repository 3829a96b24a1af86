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
	if v := s.Compute(CriticalBreakersOpen, 15*time.Second, t0.Add(75*time.Second), Options{}); v.OK {
		t.Errorf("critical_breakers_open[15s] at 75s: got %v, want no data (the up sample at 60s is the left edge; 75s is down)", v)
	}
}
