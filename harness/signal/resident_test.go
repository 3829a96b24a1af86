package signal

import (
	"strings"
	"testing"
	"time"
)

func TestResidentMemoryCeiling(t *testing.T) {
	t.Parallel()
	s := NewSeries(time.Hour)
	if v := s.Compute(ResidentMemoryMB, time.Minute, t0, Options{}); v.OK || !strings.Contains(v.Reason, "no sample") {
		t.Fatalf("empty series: got %+v, want no data", v)
	}
	// 500 MB, one reading of 900 MB at 30 s, then a failed read.
	for k, mb := range []float64{500, 500, 900, 500, 500} {
		s.Add(Sample{At: t0.Add(time.Duration(k) * 15 * time.Second), Up: true, ResidentBytes: mb * 1e6})
	}
	s.Add(Sample{At: t0.Add(75 * time.Second), Up: false, Fault: "timeout"})
	approx(t, "max over 1m holding the 900 MB reading", s.Compute(ResidentMemoryMB, time.Minute, t0.Add(60*time.Second), Options{}).V, 900, 0)
	approx(t, "max over 30s after it", s.Compute(ResidentMemoryMB, 30*time.Second, t0.Add(75*time.Second), Options{}).V, 500, 0)
	approx(t, "the reading at 60s (no window)", s.Compute(ResidentMemoryMB, 0, t0.Add(60*time.Second), Options{}).V, 500, 0)
	if v := s.Compute(ResidentMemoryMB, 10*time.Second, t0.Add(80*time.Second), Options{}); v.OK {
		t.Fatalf("only a failed read in the window: got %v, want no data", v)
	}
}
