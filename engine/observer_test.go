package engine

import (
	"math"
	"testing"
	"time"

	"github.com/presoak/presoak/engine/marketdata"
)

// countObserver tallies what it is told without allocating.
type countObserver struct {
	quotes, fills, makerFills, takerFills int
	makerVol, takerVol                    float64
	placed                                int
	lastInventory                         float64
	badSide, badMid, badQueue             int
	lastTime                              int64
	backwards                             int
}

func (o *countObserver) OnQuote(q QuoteEvent) {
	o.quotes++
	o.placed += q.Placed
	if q.Mid <= 0 {
		o.badMid++
	}
	if q.TimeNs < o.lastTime {
		o.backwards++
	}
	o.lastTime = q.TimeNs
}

func (o *countObserver) OnFill(f FillEvent) {
	o.fills++
	if f.Side != 1 && f.Side != -1 {
		o.badSide++
	}
	if f.Taker {
		o.takerFills++
		o.takerVol += f.Size
		if f.QueueAhead != 0 {
			o.badQueue++
		}
	} else {
		o.makerFills++
		o.makerVol += f.Size
	}
	o.lastInventory = f.Inventory
}

func TestObserverSeesEveryQuoteAndFill(t *testing.T) {
	obs := &countObserver{}
	e := newSimEngine(t, testConfig(), Options{Observer: obs})
	e.RunFor(30 * time.Minute)
	s := e.Stats()
	if obs.fills == 0 || obs.quotes == 0 {
		t.Fatalf("observed %d quotes and %d fills in 30 min, want some of each", obs.quotes, obs.fills)
	}
	if uint64(obs.makerFills) != s.MakerFills || uint64(obs.takerFills) != s.TakerFills {
		t.Errorf("observed %d maker / %d taker fills, stats say %d / %d", obs.makerFills, obs.takerFills, s.MakerFills, s.TakerFills)
	}
	if math.Abs(obs.makerVol-s.MakerVolume) > 1e-9 || math.Abs(obs.takerVol-s.TakerVolume) > 1e-9 {
		t.Errorf("observed volume %g maker / %g taker, stats say %g / %g", obs.makerVol, obs.takerVol, s.MakerVolume, s.TakerVolume)
	}
	if uint64(obs.placed) != s.OrdersPlaced {
		t.Errorf("observed %d orders placed, stats say %d", obs.placed, s.OrdersPlaced)
	}
	if obs.lastInventory != s.Inventory {
		t.Errorf("inventory after the last fill %g, stats say %g", obs.lastInventory, s.Inventory)
	}
	if obs.badSide+obs.badQueue+obs.backwards+obs.badMid > 0 {
		t.Errorf("bad sides %d, taker fills with a queue position %d, quotes going back in time %d, quotes without a mid %d", obs.badSide, obs.badQueue, obs.backwards, obs.badMid)
	}
	if uint64(obs.quotes) > s.Ticks {
		t.Errorf("%d quotes for %d ticks, want at most one per tick", obs.quotes, s.Ticks)
	}
}

func TestObserverQueuePositionAtPlacement(t *testing.T) {
	f := newScriptFeed(100.0, 3, 100.2, 4)
	cfg := testConfig()
	cfg.Pipeline.Enabled = false
	cfg.MDCache.Enabled = false
	cfg.AdaptiveSpread.Enabled = false
	cfg.QueueAware.Enabled = true
	cfg.Quoting.FairValue = "mid"
	cfg.Quoting.BaseSpreadBps = 19.9 // 100.1 +- 0.0996: bid 100.0, ask 100.2, joining the queues
	obs := &recordObserver{}
	e := newSimEngine(t, cfg, Options{Feed: f, Observer: obs})
	e.Step()
	f.trade(100.0, 3.005, marketdata.Sell) // eats the 3 ahead of our bid, then 0.005 of us
	e.Step()
	if len(obs.fills) == 0 {
		t.Fatal("no fill observed")
	}
	got := obs.fills[0]
	if got.Taker || got.Side != 1 || math.Abs(got.QueueAhead-3) > 1e-9 || math.Abs(got.Price-100.0) > 1e-9 {
		t.Errorf("fill %+v, want a maker buy at 100.0 with 3 ahead at placement", got)
	}
	if math.Abs(got.Mid-100.1) > 1e-9 {
		t.Errorf("fill mid %g, want 100.1", got.Mid)
	}
}

type recordObserver struct {
	quotes []QuoteEvent
	fills  []FillEvent
}

func (o *recordObserver) OnQuote(q QuoteEvent) { o.quotes = append(o.quotes, q) }
func (o *recordObserver) OnFill(f FillEvent)   { o.fills = append(o.fills, f) }

func TestStepWithObserverDoesNotAllocate(t *testing.T) {
	rec, err := marketdata.Generate(marketdata.SyntheticOptions{Seed: 3, StartPrice: 10000}, 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	obs := &countObserver{}
	e := newSimEngine(t, testConfig(), Options{Feed: rec.Replay(), StartNs: rec.Manifest.StartNs, Observer: obs})
	e.RunFor(time.Minute)
	if n := testing.AllocsPerRun(2000, e.Step); n != 0 {
		t.Errorf("Step with an observer allocates %.2f times per tick, want 0", n)
	}
	if obs.quotes == 0 {
		t.Error("observer saw no quotes")
	}
}
