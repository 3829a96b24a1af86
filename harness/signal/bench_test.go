package signal

import (
	"testing"
	"time"
)

// BenchmarkMemoryGrowth15mIn1hSeries is the 15-minute memory slope (a new
// 15 s bucket each call, so nothing is cached) over a Series that keeps an
// hour of 1 s samples for the seed's 1 h criterion: the fit must read the
// window's samples only.
func BenchmarkMemoryGrowth15mIn1hSeries(b *testing.B) {
	s := NewSeries(time.Hour)
	k := 0
	add := func() time.Time {
		at := t0.Add(time.Duration(k) * time.Second)
		s.Add(Sample{At: at, Up: true, ResidentBytes: 5e8 + sawtooth(float64(k))})
		k++
		return at
	}
	for k < 2*3600 {
		add()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var at time.Time
		for range 15 {
			at = add()
		}
		if v := s.Compute(MemoryGrowthMBPerH, 15*time.Minute, at, Options{}); !v.OK {
			b.Fatalf("no data: %s", v.Reason)
		}
	}
}
