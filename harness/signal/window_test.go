package signal

import (
	"math/rand/v2"
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

// TestBreakersCarriedMatchesScan: the carried critical_breakers_open
// (breakersFast) gives the scan's value (breakersScan, the definition) at
// every evaluation of seeded random runs: 1 s and jittered samples, several
// samples at one instant, down stretches, gaps, breakers opening and
// closing, windows on and off the 1 s grid, evaluations at each sample, in
// between, past the newest sample and going back, and a ring too short for
// three windows (the scan then answers). Most evaluations must be served
// by the carried state, or the test proves nothing.
func TestBreakersCarriedMatchesScan(t *testing.T) {
	t.Parallel()
	windows := []time.Duration{5 * time.Second, time.Minute, 90*time.Second + 500*time.Millisecond, 5 * time.Minute}
	for seed := uint64(1); seed <= 12; seed++ {
		for _, w := range windows {
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			keep := 3 * w
			if seed%4 == 0 {
				keep = w // the ring drops samples a scan of three windows needs
			}
			s := NewSeries(keep)
			at, open, up := t0, 0, true
			evals, mismatches := 0, 0
			check := func(q time.Time) {
				evals++
				want := s.breakersScan(q, w)
				got := s.Compute(CriticalBreakersOpen, w, q, Options{})
				if got.OK != want.OK || (got.OK && got.V != want.V) || got.Reason != want.Reason {
					mismatches++
					if mismatches <= 5 {
						t.Errorf("seed %d window %s at +%s: got %v (%s), want the scan's %v (%s)", seed, w, q.Sub(t0), got, got.Reason, want, want.Reason)
					}
				}
			}
			for k := 0; k < 3000; k++ {
				switch r := rng.IntN(100); {
				case r < 70:
					at = at.Add(time.Second)
				case r < 80:
					at = at.Add(time.Duration(rng.Int64N(int64(2500 * time.Millisecond))))
				case r < 85: // same instant
				case r < 87:
					at = at.Add(time.Duration(rng.Int64N(int64(4 * w))))
				case r < 90: // a gap of whole seconds
					at = at.Add(time.Duration(1+rng.Int64N(int64(4*w/time.Second))) * time.Second)
				default: // back onto the 1 s grid
					at = at.Truncate(time.Second).Add(time.Second)
				}
				if rng.IntN(40) == 0 {
					up = !up
				}
				if rng.IntN(25) == 0 {
					open = rng.IntN(4)
				}
				s.Add(Sample{At: at, Up: up, CriticalBreakersOpen: open})
				switch r := rng.IntN(20); {
				case r == 0: // between samples, or past the newest
					check(at.Add(time.Duration(rng.Int64N(int64(3 * time.Second)))))
				case r == 1: // back in time
					check(at.Add(-time.Duration(rng.Int64N(int64(2 * w)))))
				case r == 2: // far past the newest sample
					check(at.Add(time.Duration(rng.Int64N(int64(4 * w)))))
				case r == 3: // past the newest sample, on the grid
					check(at.Truncate(time.Second).Add(time.Duration(rng.Int64N(int64(3*w/time.Second))) * time.Second))
				default:
					check(at)
				}
			}
			if seed%4 != 0 && s.brkScans > evals/5 {
				t.Errorf("seed %d window %s: %d of %d evaluations fell back to the scan, want most carried", seed, w, s.brkScans, evals)
			}
		}
	}
}
