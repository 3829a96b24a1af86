package engine

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/presoak/presoak/engine/marketdata"
)

// walkFeed is a market whose mid is a Gaussian random walk with volatility
// volBpsPerSqrtS (bps per square root of a second), a one-tick-wide book
// at 100000 (tick 0.1 = 0.01 bps).
type walkFeed struct {
	book   marketdata.Book
	bids   [1]marketdata.Level
	asks   [1]marketdata.Level
	rng    *rand.Rand
	vol    float64
	mid    float64
	lastNs int64
}

func newWalkFeed(volBpsPerSqrtS float64, seed uint64) *walkFeed {
	return &walkFeed{rng: rand.New(rand.NewPCG(seed, 1)), vol: volBpsPerSqrtS, mid: 100000}
}

func (f *walkFeed) AdvanceTo(tNs int64) (*marketdata.Book, []marketdata.Trade) {
	if f.lastNs > 0 && tNs > f.lastNs {
		dt := float64(tNs-f.lastNs) / 1e9
		f.mid *= 1 + f.rng.NormFloat64()*f.vol*1e-4*math.Sqrt(dt)
	}
	f.lastNs = tNs
	bid := math.Floor(f.mid*10) / 10
	f.bids[0] = marketdata.Level{Price: bid, Size: 1}
	f.asks[0] = marketdata.Level{Price: bid + 0.1, Size: 1}
	f.book = marketdata.Book{Symbol: "BTCUSDT", TimeNs: tNs, Bids: f.bids[:], Asks: f.asks[:]}
	return &f.book, nil
}

func (f *walkFeed) Done() bool { return false }

// spreadsOver runs the soak config with adaptive_spread on over a random
// walk of vol bps/√s for span after a warm-up of three EWMA half-lives and
// returns the quoted spreads, one a tick.
func spreadsOver(t *testing.T, vol float64, span time.Duration) []float64 {
	t.Helper()
	cfg := testConfig()
	e := newSimEngine(t, cfg, Options{Feed: newWalkFeed(vol, 3)})
	e.RunFor(3 * cfg.AdaptiveSpread.VolHalfLife)
	var out []float64
	for range int(span / cfg.Tick.Interval) {
		e.Step()
		out = append(out, e.Stats().SpreadBps)
	}
	return out
}

// TestAdaptiveSpreadWidensWhenVolatile: the adaptive spread is
// vol_multiplier (1.5) x the mid's volatility over vol_horizon (1 s). In a
// quiet market (0.8 bps/√s: 1.2 bps over a second) it sits at the 2 bps
// floor; in a volatile one (three times that: 3.6 bps over a second) it is
// wider. The review found the volatility taken per 100 ms tick (0.25 and
// 0.76 bps, x 1.5 always under the floor): every quote at 2.00 bps, the
// flag changing nothing.
func TestAdaptiveSpreadWidensWhenVolatile(t *testing.T) {
	t.Parallel()
	quiet := spreadsOver(t, 0.8, 5*time.Minute)
	wild := spreadsOver(t, 2.4, 5*time.Minute)
	atFloor := func(s []float64) float64 {
		n := 0
		for _, v := range s {
			if v <= 2+1e-9 {
				n++
			}
		}
		return float64(n) / float64(len(s)) * 100
	}
	mean := func(s []float64) float64 {
		sum := 0.0
		for _, v := range s {
			sum += v
		}
		return sum / float64(len(s))
	}
	t.Logf("quiet: %.1f%% of quotes at the floor, mean %.2f bps; volatile: %.1f%% at the floor, mean %.2f bps",
		atFloor(quiet), mean(quiet), atFloor(wild), mean(wild))
	if f := atFloor(quiet); f < 95 {
		t.Errorf("quiet market: %.1f%% of quotes at the 2 bps floor (mean %.2f bps), want >= 95%% (1.5 x 1.2 bps < 2)", f, mean(quiet))
	}
	if m := mean(wild); m < 3 || m > 4.5 {
		t.Errorf("volatile market: mean spread %.2f bps (%.1f%% at the floor), want ~3.6 (1.5 x 2.4 bps over 1 s)", m, atFloor(wild))
	}
}

// TestAdaptiveSpreadOnTheSyntheticHour: over an hour of the synthetic
// market (calm ~0.8 bps/√s, volatile spells three times that) the flag must
// move some quotes off the floor: the review measured 100 % of 36,000 at
// exactly 2.00 bps.
func TestAdaptiveSpreadOnTheSyntheticHour(t *testing.T) {
	t.Parallel()
	e := newSimEngine(t, testConfig(), Options{})
	floor, n := 0, 0
	for range 36000 {
		e.Step()
		n++
		if e.Stats().SpreadBps <= 2+1e-9 {
			floor++
		}
	}
	pct := float64(floor) / float64(n) * 100
	t.Logf("%d quotes, %.1f%% at the 2 bps floor", n, pct)
	if pct > 95 {
		t.Errorf("%.1f%% of %d quotes at the 2 bps floor over a synthetic hour, want the volatile spells wider", pct, n)
	}
}
