package marketdata

import (
	"math"
	"testing"
	"time"
)

// realizedBps is the realized volatility of the book's mid over 100 ms
// steps, in bps, in the calm (quiet spells included) and the volatile regime,
// over span of the generator's market.
func realizedBps(t *testing.T, o SyntheticOptions, span time.Duration) (calm, volatile float64) {
	t.Helper()
	o, sc, err := o.normalized()
	if err != nil {
		t.Fatal(err)
	}
	g := newGenerator(o, sc)
	const step = int64(100 * time.Millisecond)
	var sum [2]float64
	var n [2]int
	prev, next := 0.0, o.StartNs+step
	for end := o.StartNs + int64(span); next <= end; {
		g.step()
		for g.t >= next && next <= end {
			b := &g.book
			mid := float64(b.bids.lv[0].ticks+b.asks.lv[0].ticks) / 2
			if prev > 0 {
				r := math.Log(mid/prev) * 1e4
				i := 0
				if g.volatile {
					i = 1
				}
				sum[i] += r * r
				n[i]++
			}
			prev = mid
			next += step
		}
	}
	return math.Sqrt(sum[0] / float64(n[0])), math.Sqrt(sum[1] / float64(n[1]))
}

// TestSyntheticVolatilityIsRelative: the mid moves about as BTC does,
// ~0.2-0.3 bps per 100 ms when calm and several times that when volatile,
// at any price and tick size (volatility is set in bps per √s).
func TestSyntheticVolatilityIsRelative(t *testing.T) {
	t.Parallel()
	for _, o := range []SyntheticOptions{
		{Seed: 42},
		{Seed: 5, Symbol: "ETHUSDT", StartPrice: 3400, TickSize: 0.01, LotSize: 0.0001},
	} {
		calm, volatile := realizedBps(t, o, time.Hour)
		o, _, _ = o.normalized()
		t.Logf("%s at %v: realized volatility per 100 ms: calm %.3f bps, volatile %.3f bps", o.Symbol, o.StartPrice, calm, volatile)
		if calm < 0.15 || calm > 0.35 {
			t.Errorf("%s: calm %.3f bps per 100 ms, want 0.15..0.35 (BTC-like)", o.Symbol, calm)
		}
		if volatile < 2*calm || volatile > 5*calm {
			t.Errorf("%s: volatile %.3f bps per 100 ms, want 2-5x calm (%.3f)", o.Symbol, volatile, calm)
		}
	}
}
