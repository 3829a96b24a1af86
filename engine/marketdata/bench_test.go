package marketdata

import (
	"testing"
	"time"
)

// tickNs is one benchmark tick: AdvanceTo by 100 ms of market time.
const tickNs = int64(100 * time.Millisecond)

func reportTicks(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ticks/s")
}

// BenchmarkReplayAdvanceTo: one tick of a pre-parsed replay of the committed
// recording (restarted, untimed, when it ends).
func BenchmarkReplayAdvanceTo(b *testing.B) {
	rec, err := Load(fixtureManifest(b))
	if err != nil {
		b.Fatal(err)
	}
	f := rec.Replay()
	ts := rec.Manifest.StartNs
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if f.Done() {
			b.StopTimer()
			f, ts = rec.Replay(), rec.Manifest.StartNs
			b.StartTimer()
		}
		ts += tickNs
		f.AdvanceTo(ts)
	}
	reportTicks(b)
}

// BenchmarkStreamAdvanceTo: one tick replayed straight from the committed
// CSV (parse, sha256, book update); reopened, untimed, at its end.
func BenchmarkStreamAdvanceTo(b *testing.B) {
	path := fixtureManifest(b)
	s, err := OpenStream(path)
	if err != nil {
		b.Fatal(err)
	}
	ts := s.Manifest().StartNs
	rows := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if s.Done() {
			b.StopTimer()
			if s.Err() != nil {
				b.Fatal(s.Err())
			}
			rows += s.dec.rows
			s.Close()
			if s, err = OpenStream(path); err != nil {
				b.Fatal(err)
			}
			ts = s.Manifest().StartNs
			b.StartTimer()
		}
		ts += tickNs
		s.AdvanceTo(ts)
	}
	rows += s.dec.rows
	s.Close()
	reportTicks(b)
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkSyntheticAdvanceTo: one tick of the endless synthetic feed
// (generation included).
func BenchmarkSyntheticAdvanceTo(b *testing.B) {
	f := NewSynthetic(SyntheticOptions{Seed: 1})
	ts := defaultStartNs
	for i := 0; i < 1000; i++ {
		ts += tickNs
		f.AdvanceTo(ts)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ts += tickNs
		f.AdvanceTo(ts)
	}
	reportTicks(b)
}

// BenchmarkLoad: load (sha256 + parse) the whole committed recording.
func BenchmarkLoad(b *testing.B) {
	path := fixtureManifest(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Load(path); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGenerate5m: generate five minutes of the synthetic market.
func BenchmarkGenerate5m(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Generate(SyntheticOptions{Seed: 42}, 5*time.Minute); err != nil {
			b.Fatal(err)
		}
	}
}
