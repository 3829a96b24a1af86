package engine

import (
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/presoak/presoak/engine/marketdata"
)

// benchRecording is a pre-parsed hour-long recording of an active market
// (looped in benchmarks: a new Replay every 36k ticks).
func benchRecording(tb testing.TB) *marketdata.Recording {
	tb.Helper()
	rec, err := marketdata.Generate(marketdata.SyntheticOptions{Seed: 11, StartPrice: 10000}, time.Hour)
	if err != nil {
		tb.Fatal(err)
	}
	return rec
}

// newBenchEngine runs the soak config (every flag on) on the simulated
// clock over rec, looped, warmed up for a minute of market time.
func newBenchEngine(tb testing.TB, rec *marketdata.Recording) *Engine {
	tb.Helper()
	e := newSimEngine(tb, testConfig(), Options{Feed: LoopRecording(rec), StartNs: rec.Manifest.StartNs})
	e.RunFor(time.Minute)
	return e
}

// BenchmarkTick is one instrumented tick (all six stages recorded, counters,
// venue matching) on the simulated clock over a pre-parsed recording.
func BenchmarkTick(b *testing.B) {
	e := newBenchEngine(b, benchRecording(b))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		e.Step()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ticks/s")
}

// BenchmarkTickCSV is the same tick with the market replayed straight from
// the committed CSV recording (fixtures/marketdata/btcusdt-5m), reopened
// when it ends.
func BenchmarkTickCSV(b *testing.B) {
	manifest := filepath.Join(moduleRoot(b), "fixtures/marketdata/btcusdt-5m.manifest.json")
	open := func() (*Engine, *marketdata.Stream) {
		s, err := marketdata.OpenStream(manifest)
		if err != nil {
			b.Fatal(err)
		}
		return newSimEngine(b, testConfig(), Options{Feed: s, StartNs: s.Manifest().StartNs, TickSize: s.Manifest().TickSize}), s
	}
	e, s := open()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if s.Done() {
			b.StopTimer()
			if err := s.Err(); err != nil {
				b.Fatal(err)
			}
			s.Close()
			e, s = open()
			b.StartTimer()
		}
		e.Step()
	}
	b.StopTimer()
	s.Close()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ticks/s")
}

// BenchmarkStats is the cost of a Stats snapshot.
func BenchmarkStats(b *testing.B) {
	e := newBenchEngine(b, benchRecording(b))
	b.ReportAllocs()
	var s Stats
	for b.Loop() {
		s = e.Stats()
	}
	_ = s
}

// heapInUse is the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkTenMillionTicks runs 10 M ticks (about 11.6 days of market time)
// per iteration and reports the live heap before and after: the engine's
// memory must stay flat. Run it with -benchtime=1x.
func BenchmarkTenMillionTicks(b *testing.B) {
	rec := benchRecording(b)
	for b.Loop() {
		e := newBenchEngine(b, rec)
		before := heapInUse()
		for range 10_000_000 {
			e.Step()
		}
		after := heapInUse()
		b.ReportMetric(float64(before), "heap-before-B")
		b.ReportMetric(float64(after), "heap-after-B")
		if after > before+1<<20 {
			b.Fatalf("live heap grew from %d to %d bytes over 10M ticks, want flat (< 1 MiB)", before, after)
		}
	}
}

func TestHeapFlatOverManyTicks(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	e := newBenchEngine(t, benchRecording(t))
	before := heapInUse()
	for range 100_000 { // 2.8 h of market time, 16 loops of the recording
		e.Step()
	}
	after := heapInUse()
	t.Logf("live heap %d bytes before, %d after 100k ticks", before, after)
	if after > before+256<<10 {
		t.Fatalf("live heap grew from %d to %d bytes over 100k ticks, want flat (< 256 KiB)", before, after)
	}
}

// staticFeed is a market that never changes: the engine's own cost.
type staticFeed struct{ book marketdata.Book }

func (f *staticFeed) AdvanceTo(int64) (*marketdata.Book, []marketdata.Trade) { return &f.book, nil }
func (f *staticFeed) Done() bool                                             { return false }

// BenchmarkTickEngineOnly is one instrumented tick over a market that does
// not move (the feed costs nothing): what the engine itself costs.
func BenchmarkTickEngineOnly(b *testing.B) {
	f := &staticFeed{}
	sf := newScriptFeed(10000, 1, 10000.2, 1)
	f.book = sf.book
	e := newSimEngine(b, testConfig(), Options{Feed: f})
	e.RunFor(time.Minute)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		e.Step()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ticks/s")
}

// BenchmarkFeedAdvance is the pre-parsed replay alone, 100 ms of market per
// call: the part of BenchmarkTick the engine does not control.
func BenchmarkFeedAdvance(b *testing.B) {
	rec := benchRecording(b)
	f := LoopRecording(rec)
	t := rec.Manifest.StartNs
	b.ReportAllocs()
	for b.Loop() {
		t += int64(100 * time.Millisecond)
		f.AdvanceTo(t)
	}
}
