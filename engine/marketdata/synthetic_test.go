package marketdata

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"
)

func TestGenerateIsDeterministic(t *testing.T) {
	t.Parallel()
	a, err := Generate(SyntheticOptions{Seed: 7}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Generate(SyntheticOptions{Seed: 7}, time.Minute)
	c, _ := Generate(SyntheticOptions{Seed: 8}, time.Minute)
	if a.Manifest != b.Manifest || !slices.Equal(a.Events, b.Events) {
		t.Errorf("seed 7 twice: got different recordings (sha256 %s vs %s)", a.Manifest.SHA256, b.Manifest.SHA256)
	}
	if a.Manifest.SHA256 == c.Manifest.SHA256 {
		t.Errorf("seeds 7 and 8: got the same sha256 %s, want different data", a.Manifest.SHA256)
	}
}

// TestSyntheticFeedMatchesGenerate: the endless feed and a recording of it
// replayed give the same books and trades at every tick.
func TestSyntheticFeedMatchesGenerate(t *testing.T) {
	t.Parallel()
	opts := SyntheticOptions{Seed: 3}
	rec, err := Generate(opts, 2*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	live, replay := NewSynthetic(opts), rec.Replay()
	for ts := rec.Manifest.StartNs; ts <= rec.Manifest.EndNs; ts += 50e6 {
		b1, tr1 := live.AdvanceTo(ts)
		s1 := fmt.Sprint(*b1, tr1)
		b2, tr2 := replay.AdvanceTo(ts)
		if s2 := fmt.Sprint(*b2, tr2); s1 != s2 {
			t.Fatalf("at +%s: synthetic feed and replay differ:\n%s\n%s", time.Duration(ts-rec.Manifest.StartNs), s1, s2)
		}
	}
	if live.Done() {
		t.Error("synthetic feed says done, want endless")
	}
}

// TestSyntheticMarketShape checks the model over an hour: regimes switch,
// event rates vary (quiet spells, volatile spells), trades come in bursts,
// the book is never crossed, keeps its depth and a spread of a few ticks.
func TestSyntheticMarketShape(t *testing.T) {
	t.Parallel()
	o, sc, err := SyntheticOptions{Seed: 11}.normalized()
	if err != nil {
		t.Fatal(err)
	}
	g := newGenerator(o, sc)
	end := o.StartNs + int64(time.Hour)
	const window = int64(10 * time.Second)
	var (
		perWindow             = map[int64]int{}
		switches              int
		wasVolatile           bool
		bursts, run           int
		lastTrade             int64
		crossed, thin, checks int
		spreads               []int64
	)
	for g.t <= end {
		batch := g.step()
		if len(batch) == 0 {
			continue
		}
		perWindow[(g.t-o.StartNs)/window]++
		if g.volatile != wasVolatile {
			switches++
			wasVolatile = g.volatile
		}
		if batch[0].Kind == KindTrade {
			if g.t-lastTrade < int64(20*time.Millisecond) {
				run++
				if run == 3 {
					bursts++
				}
			} else {
				run = 1
			}
			lastTrade = g.t
		}
		checks++
		b := &g.book
		if b.crossed() {
			crossed++
		}
		if b.bids.n < o.Depth/2 || b.asks.n < o.Depth/2 {
			thin++
		}
		if b.bids.n > 0 && b.asks.n > 0 {
			spreads = append(spreads, b.asks.lv[0].ticks-b.bids.lv[0].ticks)
		}
	}
	minRate, maxRate := math.Inf(1), 0.0
	for w := int64(0); w < int64(time.Hour)/window; w++ {
		r := float64(perWindow[w]) / 10
		minRate, maxRate = min(minRate, r), max(maxRate, r)
	}
	slices.Sort(spreads)
	median, p99 := spreads[len(spreads)/2], spreads[len(spreads)*99/100]
	t.Logf("seed 11, 1h: %d events, regime switches %d, events/s per 10s window min %.1f max %.1f, bursts %d, spread median %d p99 %d ticks",
		checks, switches, minRate, maxRate, bursts, median, p99)
	if switches < 4 {
		t.Errorf("regime switches: got %d in an hour, want >= 4", switches)
	}
	if minRate > 0.3*o.EventRate {
		t.Errorf("quietest 10 s: got %.1f events/s, want <= %.1f (quiet spells)", minRate, 0.3*o.EventRate)
	}
	if maxRate < 2*o.EventRate {
		t.Errorf("busiest 10 s: got %.1f events/s, want >= %.1f (volatile regime, bursts)", maxRate, 2*o.EventRate)
	}
	if bursts < 10 {
		t.Errorf("trade bursts (3+ trades < 20 ms apart): got %d, want >= 10", bursts)
	}
	if crossed > 0 || thin > 0 {
		t.Errorf("book: crossed after %d and thinner than %d levels after %d of %d events, want 0", crossed, o.Depth/2, thin, checks)
	}
	if median < 1 || median > 3 || p99 > 12 {
		t.Errorf("spread: got median %d, p99 %d ticks, want a few ticks (median 1..3, p99 <= 12)", median, p99)
	}
}

func TestSyntheticAdvanceAllocatesNothing(t *testing.T) {
	f := NewSynthetic(SyntheticOptions{Seed: 1})
	ts := defaultStartNs
	for i := 0; i < 36000; i++ { // an hour of warm-up grows the trade buffer
		ts += 100e6
		f.AdvanceTo(ts)
	}
	allocs := testing.AllocsPerRun(5000, func() {
		ts += 100e6
		f.AdvanceTo(ts)
	})
	if allocs != 0 {
		t.Errorf("synthetic AdvanceTo: got %v allocations per call, want 0", allocs)
	}
}

func TestSyntheticOptionsRejected(t *testing.T) {
	t.Parallel()
	for _, o := range []SyntheticOptions{
		{TickSize: -1}, {LotSize: 1e-12}, {Depth: MaxDepth + 1}, {EventRate: -5}, {StartPrice: 1}, {StartNs: -1},
	} {
		if _, err := Generate(o, time.Second); err == nil {
			t.Errorf("Generate(%+v): got no error, want one", o)
		}
	}
	if _, err := Generate(SyntheticOptions{}, 0); err == nil {
		t.Error("Generate with span 0: got no error, want one")
	}
	defer func() {
		if recover() == nil {
			t.Error("NewSynthetic with depth 0..MaxDepth violated: got no panic, want one")
		}
	}()
	NewSynthetic(SyntheticOptions{Depth: -1})
}
