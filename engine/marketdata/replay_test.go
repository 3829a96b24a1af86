package marketdata

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

const t0 = int64(1767225600000000000)

// replayCSV: an opening snapshot, diffs, trades, a second snapshot.
const replayCSV = `time_ns,kind,side,price,size
1767225600000000000,S,bid,100.0,1.000
1767225600000000000,S,bid,99.8,2.000
1767225600000000000,S,ask,100.2,1.500
1767225600000000000,S,ask,100.3,3.000
1767225600100000000,T,buy,100.2,0.500
1767225600100000000,D,ask,100.2,1.000
1767225600150000000,D,bid,99.9,0.700
1767225600200000000,T,sell,100.0,1.000
1767225600200000000,D,bid,100.0,0
1767225600300000000,D,ask,100.1,0.100
1767225601000000000,S,bid,99.5,1.000
1767225601000000000,S,ask,99.6,1.000
`

func levels(ls []Level) string { return fmt.Sprint(ls) }

func TestReplayAppliesDiffsAndSnapshots(t *testing.T) {
	t.Parallel()
	f := parseString(t, replayCSV).Replay()
	tests := []struct {
		at         int64
		bids, asks string
		trades     []Trade
		timeNs     int64
	}{
		{at: t0 - 1, bids: "[]", asks: "[]"},
		{at: t0, bids: "[{100 1} {99.8 2}]", asks: "[{100.2 1.5} {100.3 3}]", timeNs: t0},
		{at: t0 + 99e6, bids: "[{100 1} {99.8 2}]", asks: "[{100.2 1.5} {100.3 3}]", timeNs: t0},
		{at: t0 + 100e6, bids: "[{100 1} {99.8 2}]", asks: "[{100.2 1} {100.3 3}]", timeNs: t0 + 100e6,
			trades: []Trade{{TimeNs: t0 + 100e6, Price: 100.2, Size: 0.5, Aggressor: Buy}}},
		{at: t0 + 250e6, bids: "[{99.9 0.7} {99.8 2}]", asks: "[{100.2 1} {100.3 3}]", timeNs: t0 + 200e6,
			trades: []Trade{{TimeNs: t0 + 200e6, Price: 100, Size: 1, Aggressor: Sell}}},
		{at: t0 + 300e6, bids: "[{99.9 0.7} {99.8 2}]", asks: "[{100.1 0.1} {100.2 1} {100.3 3}]", timeNs: t0 + 300e6},
		{at: t0 + 2e9, bids: "[{99.5 1}]", asks: "[{99.6 1}]", timeNs: t0 + 1e9},
	}
	for _, tt := range tests {
		if f.Done() {
			t.Fatalf("at %d: done before the last row", tt.at-t0)
		}
		book, trades := f.AdvanceTo(tt.at)
		if got := levels(book.Bids); got != tt.bids {
			t.Errorf("at +%dns: bids got %s, want %s", tt.at-t0, got, tt.bids)
		}
		if got := levels(book.Asks); got != tt.asks {
			t.Errorf("at +%dns: asks got %s, want %s", tt.at-t0, got, tt.asks)
		}
		if book.TimeNs != tt.timeNs || book.Symbol != "BTCUSDT" {
			t.Errorf("at +%dns: book time %d symbol %q, want %d BTCUSDT", tt.at-t0, book.TimeNs, book.Symbol, tt.timeNs)
		}
		if fmt.Sprint(trades) != fmt.Sprint(tt.trades) {
			t.Errorf("at +%dns: trades got %v, want %v", tt.at-t0, trades, tt.trades)
		}
	}
	if !f.Done() {
		t.Error("replay not done after its last row")
	}
	if _, trades := f.AdvanceTo(t0); len(trades) != 0 {
		t.Errorf("advancing backwards: got %d trades, want 0", len(trades))
	}
}

func TestReplaysAreIndependent(t *testing.T) {
	t.Parallel()
	rec := parseString(t, replayCSV)
	a, b := rec.Replay(), rec.Replay()
	a.AdvanceTo(t0 + 2e9)
	book, trades := b.AdvanceTo(t0 + 100e6)
	if len(trades) != 1 || levels(book.Asks) != "[{100.2 1} {100.3 3}]" {
		t.Errorf("second replay: got asks %s, %d trades, want the book at +100ms and 1 trade", levels(book.Asks), len(trades))
	}
}

// TestConcurrentReplays: replays of one Recording share its events; -race
// checks that they only read them.
func TestConcurrentReplays(t *testing.T) {
	t.Parallel()
	rec, err := Generate(SyntheticOptions{Seed: 9}, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	want := finalBook(rec.Replay(), rec.Manifest.EndNs)
	var wg sync.WaitGroup
	got := make([]string, 4)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = finalBook(rec.Replay(), rec.Manifest.EndNs)
		}()
	}
	wg.Wait()
	for i, g := range got {
		if g != want {
			t.Errorf("replay %d: got final book %s, want %s", i, g, want)
		}
	}
}

func finalBook(f Feed, end int64) string {
	for ts := end - int64(30*time.Second); ts <= end; ts += 100e6 {
		f.AdvanceTo(ts)
	}
	b, _ := f.AdvanceTo(end)
	return fmt.Sprint(*b)
}

func TestBookSideKeepsBestMaxDepthSorted(t *testing.T) {
	t.Parallel()
	bids, asks := bookSide{sgn: -1}, bookSide{sgn: 1}
	for i := int64(0); i < 3*MaxDepth; i++ {
		p := (i * 37) % (3 * MaxDepth) // every price once, shuffled
		bids.set(1000+p, 1)
		asks.set(1000+p, 1)
	}
	if bids.n != MaxDepth || asks.n != MaxDepth {
		t.Fatalf("got %d bids and %d asks, want %d each", bids.n, asks.n, MaxDepth)
	}
	for i := 0; i < MaxDepth; i++ {
		if want := int64(1000 + 3*MaxDepth - 1 - i); bids.lv[i].ticks != want {
			t.Errorf("bid %d: got %d ticks, want %d", i, bids.lv[i].ticks, want)
		}
		if want := int64(1000 + i); asks.lv[i].ticks != want {
			t.Errorf("ask %d: got %d ticks, want %d", i, asks.lv[i].ticks, want)
		}
	}
	asks.set(1005, 0)
	asks.set(999999, 0) // absent: no-op
	if asks.n != MaxDepth-1 || asks.find(1005) >= 0 || asks.lv[5].ticks != 1006 {
		t.Errorf("after removing 1005: n=%d, level 5 at %d, want n=%d and 1006", asks.n, asks.lv[5].ticks, MaxDepth-1)
	}
}

func TestReplayAdvanceAllocatesNothing(t *testing.T) {
	rec, err := Load(fixtureManifest(t))
	if err != nil {
		t.Fatal(err)
	}
	f := rec.Replay()
	ts := rec.Manifest.StartNs
	allocs := testing.AllocsPerRun(2000, func() {
		ts += 100e6
		f.AdvanceTo(ts)
	})
	if allocs != 0 {
		t.Errorf("replay AdvanceTo: got %v allocations per call, want 0", allocs)
	}
}
