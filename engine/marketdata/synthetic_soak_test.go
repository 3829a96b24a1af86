//go:build soak

package marketdata

import (
	"runtime"
	"testing"
	"time"
)

// TestSyntheticSoak72h replays 72 hours of the synthetic feed in 100 ms
// ticks (2.59 M ticks), as a 72 h soak does: no allocation after warm-up,
// and a sane book (sorted, not crossed, at depth) at every tick.
func TestSyntheticSoak72h(t *testing.T) {
	const seed = 72
	f := NewSynthetic(SyntheticOptions{Seed: seed})
	ts := defaultStartNs
	warm := int64(time.Hour / (100 * time.Millisecond))
	for i := int64(0); i < warm; i++ {
		ts += tickNs
		f.AdvanceTo(ts)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	ticks := int64(72 * time.Hour / (100 * time.Millisecond))
	var bad, trades int64
	var first, last float64
	for i := int64(0); i < ticks; i++ {
		ts += tickNs
		book, tr := f.AdvanceTo(ts)
		trades += int64(len(tr))
		if len(book.Bids) < MaxDepth/2 || len(book.Asks) < MaxDepth/2 || book.Bids[0].Price >= book.Asks[0].Price {
			bad++
		}
		if i == 0 {
			first = book.Bids[0].Price
		}
		last = book.Bids[0].Price
	}
	runtime.ReadMemStats(&after)
	t.Logf("seed %d: %d ticks, %d trades, best bid %.1f -> %.1f, mallocs during run %d, heap %d -> %d bytes",
		seed, ticks, trades, first, last, after.Mallocs-before.Mallocs, before.HeapAlloc, after.HeapAlloc)
	if bad > 0 {
		t.Errorf("book thin or crossed at %d of %d ticks, want 0", bad, ticks)
	}
	if m := after.Mallocs - before.Mallocs; m > 100 {
		t.Errorf("mallocs during the 72 h replay: got %d, want ~0 (allocation-free feed)", m)
	}
}
