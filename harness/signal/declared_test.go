package signal

import (
	"encoding/json"
	"math"
	"testing"
	"time"
)

func declSeries(vals ...float64) *Series {
	s := NewSeries(time.Hour)
	for i, v := range vals {
		s.Add(Sample{At: t0.Add(time.Duration(i) * 10 * time.Second), Up: true, Declared: map[string]float64{"q": v, "den": float64(10 * i)}})
	}
	return s
}

func TestComputeDeclared(t *testing.T) {
	s := declSeries(1, 5, 3, 2) // at 0, 10, 20, 30 s
	at := t0.Add(30 * time.Second)
	for _, c := range []struct {
		over Over
		of   string
		want float64
	}{
		{OverMax, "", 5}, {OverMin, "", 1}, {OverAvg, "", 2.75}, {OverLast, "", 2}, {OverDrop, "", 3},
		// as a counter, 5 -> 3 is a reset: increase 1->5 (4), 3, 2->? : 5-1 + 3 + 0 (3 -> 2 reset: +2) = 9
		{OverIncrease, "", 9 * 40.0 / 30}, {OverRate, "", 9.0 / 30}, {OverRatio, "den", 100 * 9.0 / 30},
	} {
		v := s.ComputeDeclared("q", c.over, c.of, 40*time.Second, at)
		if !v.OK || math.Abs(v.V-c.want) > 1e-9 {
			t.Errorf("%s: got %v, want %v", c.over, v, c.want)
		}
	}
}

// TestComputeDeclaredNoData: a signal absent from the samples, a single
// value for a counter, a NaN in the window and a zero denominator are no
// data, never a value that passes.
func TestComputeDeclaredNoData(t *testing.T) {
	at := t0.Add(30 * time.Second)
	s := declSeries(1, 2, 3, 4)
	if v := s.ComputeDeclared("absent", OverMax, "", time.Minute, at); v.OK {
		t.Errorf("absent signal: got %v, want no data", v)
	}
	if v := s.ComputeDeclared("q", OverRate, "", 5*time.Second, at); v.OK {
		t.Errorf("one sample in the window: got %v, want no data", v)
	}
	if v := declSeries(1, math.NaN(), 3).ComputeDeclared("q", OverMax, "", time.Minute, t0.Add(20*time.Second)); v.OK {
		t.Errorf("NaN in the window: got %v, want no data", v)
	}
	z := NewSeries(time.Hour)
	for i := range 3 {
		z.Add(Sample{At: t0.Add(time.Duration(i) * time.Second), Up: true, Declared: map[string]float64{"q": float64(i), "den": 7}})
	}
	if v := z.ComputeDeclared("q", OverRatio, "den", time.Minute, t0.Add(2*time.Second)); v.OK {
		t.Errorf("denominator flat: got %v, want no data", v)
	}
}

func TestSampleDeclaredJSON(t *testing.T) {
	in := Sample{At: t0, Up: true, Declared: map[string]float64{"a": 1.5, "b": math.NaN(), "c": math.Inf(1)}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out Sample
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	if out.Declared["a"] != 1.5 || !math.IsNaN(out.Declared["b"]) || !math.IsInf(out.Declared["c"], 1) {
		t.Errorf("got %v, want a 1.5, b NaN, c +Inf (%s)", out.Declared, b)
	}
}

// TestDeclaredWindowsMatchAScan: the running window aggregates equal a
// plain scan of (at-window, at], over gaps, NaNs, missing values and an
// evaluation that goes back in time.
func TestDeclaredWindowsMatchAScan(t *testing.T) {
	type pt struct {
		at  time.Time
		v   float64
		has bool
	}
	var pts []pt
	s := NewSeries(time.Hour)
	x := 0.0
	for i := range 2000 {
		at := t0.Add(time.Duration(i)*time.Second + time.Duration(i%7)*100*time.Millisecond)
		x = math.Mod(x*31+float64(i%13)+0.5, 97)
		p := pt{at: at, v: x, has: i%11 != 3}
		if i%257 == 100 {
			p.v = math.NaN()
		}
		pts = append(pts, p)
		d := map[string]float64{}
		if p.has {
			d["g"] = p.v
		}
		s.Add(Sample{At: at, Up: true, Declared: d})
	}
	scan := func(over Over, w time.Duration, at time.Time) (float64, bool) {
		n, acc, last := 0, 0.0, 0.0
		for _, p := range pts {
			if !p.at.After(at.Add(-w)) || p.at.After(at) || !p.has {
				continue
			}
			if math.IsNaN(p.v) {
				return 0, false
			}
			last = p.v
			switch {
			case n == 0:
				acc = p.v
			case over == OverMin:
				acc = math.Min(acc, p.v)
			case over == OverAvg:
				acc += p.v
			default:
				acc = math.Max(acc, p.v)
			}
			n++
		}
		if n == 0 {
			return 0, false
		}
		switch over {
		case OverAvg:
			return acc / float64(n), true
		case OverDrop:
			return acc - last, true
		}
		return acc, true
	}
	for _, over := range []Over{OverMax, OverMin, OverAvg, OverDrop} {
		for _, w := range []time.Duration{3 * time.Second, time.Minute, 10 * time.Minute} {
			evals := []int{}
			for k := 0; k < 2000; k += 7 {
				evals = append(evals, k)
			}
			evals = append(evals, 500, 1999) // back in time, then forward
			for _, k := range evals {
				at := t0.Add(time.Duration(k) * time.Second)
				got := s.ComputeDeclared("g", over, "", w, at)
				want, ok := scan(over, w, at)
				if got.OK != ok || (ok && math.Abs(got.V-want) > 1e-9) {
					t.Fatalf("%s over %v at +%ds: got %v, want %v (ok %v)", over, w, k, got, want, ok)
				}
			}
		}
	}
}
