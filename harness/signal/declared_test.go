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
