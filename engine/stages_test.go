package engine

import (
	"math"
	"testing"
	"time"

	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/engine/marketdata"
)

// queueConfig quotes exactly at the scripted book's best bid (100.0) and
// ask (100.2): mid fair value, fixed 19 bps, no skew, fresh books.
func queueConfig() *config.Config {
	cfg := testConfig()
	cfg.Pipeline.Enabled, cfg.MDCache.Enabled, cfg.AdaptiveSpread.Enabled = false, false, false
	cfg.Quoting.FairValue, cfg.Quoting.BaseSpreadBps, cfg.Quoting.InventorySkewBps = "mid", 19, 0
	cfg.QueueAware.MaxQueueAheadLots, cfg.QueueAware.RequoteThresholdBps = 1e6, 1
	return cfg
}

func TestFairValue(t *testing.T) {
	t.Parallel()
	b := &marketdata.Book{Bids: []marketdata.Level{{Price: 100, Size: 3}}, Asks: []marketdata.Level{{Price: 101, Size: 1}}}
	tests := []struct {
		name      string
		fv        string
		inventory float64
		want      float64
	}{
		{"mid", "mid", 0, 100.5},
		{"microprice leans to the thin side", "microprice", 0, 100.75},
		{"long inventory skews down", "mid", 2, 100.5 * (1 - 10e-4*2)},
	}
	for _, tt := range tests {
		cfg := testConfig()
		cfg.Quoting.FairValue, cfg.Quoting.InventorySkewBps = tt.fv, 10
		e := newSimEngine(t, cfg, Options{Feed: newScriptFeed(100, 1, 101, 1)})
		e.st.inventory = tt.inventory
		got, _, ok := e.fairValue(b)
		if !ok || math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("%s: fair = %v (ok %v), want %v", tt.name, got, ok, tt.want)
		}
	}
	e := newSimEngine(t, testConfig(), Options{Feed: newScriptFeed(100, 1, 101, 1)})
	for _, bad := range []*marketdata.Book{
		{},
		{Bids: []marketdata.Level{{Price: 100, Size: 1}}},
		{Bids: []marketdata.Level{{Price: 101, Size: 1}}, Asks: []marketdata.Level{{Price: 100, Size: 1}}},
	} {
		if _, _, ok := e.fairValue(bad); ok {
			t.Errorf("fair value of %+v accepted, want an error", bad)
		}
	}
}

func TestFairValueErrorCountedLoopGoesOn(t *testing.T) {
	t.Parallel()
	f := newScriptFeed(100, 1, 100.2, 1)
	f.book.Asks = nil // one-sided book
	cfg := testConfig()
	cfg.Pipeline.Enabled = false
	e := newSimEngine(t, cfg, Options{Feed: f})
	for range 10 {
		e.Step()
	}
	s := e.Stats()
	if s.Ticks != 10 || s.StageErrors[StageFairValue] != 10 || s.TickErrors != 10 {
		t.Fatalf("ticks %d fair_value errors %d tick errors %d, want 10 each", s.Ticks, s.StageErrors[StageFairValue], s.TickErrors)
	}
}

func TestQueueModelFills(t *testing.T) {
	t.Parallel()
	f := newScriptFeed(100, 2, 100.2, 3)
	e := newSimEngine(t, queueConfig(), Options{Feed: f})
	e.Step()
	o := e.vn.orders[bid]
	if !o.active || math.Abs(o.price-100) > 1e-9 || o.ahead != 2 {
		t.Fatalf("bid %+v, want resting at 100 behind the visible 2", o)
	}
	f.trade(100, 1.5, marketdata.Sell)
	e.Step()
	if s := e.Stats(); s.MakerVolume != 0 || math.Abs(e.vn.orders[bid].ahead-0.5) > 1e-9 {
		t.Fatalf("after 1.5 traded: maker %v ahead %v, want no fill and 0.5 ahead", s.MakerVolume, e.vn.orders[bid].ahead)
	}
	f.setTop(100, 0.3, 100.2, 3) // cancels: the size ahead cannot exceed the visible size
	e.Step()
	if a := e.vn.orders[bid].ahead; math.Abs(a-0.3) > 1e-9 {
		t.Fatalf("ahead %v after the level shrank to 0.3, want 0.3", a)
	}
	f.trade(100, 0.305, marketdata.Sell) // 0.3 ahead, then 0.005 of ours
	e.Step()
	s := e.Stats()
	if math.Abs(s.MakerVolume-0.005) > 1e-9 || s.TakerVolume != 0 || math.Abs(s.Inventory-0.005) > 1e-9 {
		t.Fatalf("maker %v taker %v inventory %v, want a 0.005 maker fill", s.MakerVolume, s.TakerVolume, s.Inventory)
	}
	f.trade(100.3, 1, marketdata.Buy) // buys through our ask at 100.2: it fills whole
	e.Step()
	s = e.Stats()
	if math.Abs(s.MakerVolume-0.015) > 1e-9 || s.MakerFills != 2 {
		t.Fatalf("maker %v in %d fills, want 0.015 in 2", s.MakerVolume, s.MakerFills)
	}
}

func TestTakerCapBlocksCrossingOrders(t *testing.T) {
	t.Parallel()
	// A target inventory far above the current one skews fair value through
	// the ask: the bid crosses, a taker order.
	run := func(capPct float64) Stats {
		cfg := queueConfig()
		cfg.Quoting.TargetInventory, cfg.Quoting.InventorySkewBps = 0.4, 100
		cfg.TakerCap.MaxTakerSharePct = capPct
		e := newSimEngine(t, cfg, Options{Feed: newScriptFeed(100, 2, 100.2, 3)})
		for range 20 {
			e.Step()
		}
		return e.Stats()
	}
	capped := run(9)
	if capped.TakerCapBlocks == 0 || capped.TakerVolume != 0 {
		t.Errorf("cap 9%%: %d blocks, taker volume %v; want every crossing order blocked", capped.TakerCapBlocks, capped.TakerVolume)
	}
	open := run(100)
	if open.TakerCapBlocks != 0 || open.TakerVolume == 0 {
		t.Errorf("cap 100%%: %d blocks, taker volume %v; want taker fills", open.TakerCapBlocks, open.TakerVolume)
	}
}

func TestTakerWindowRolls(t *testing.T) {
	t.Parallel()
	w := newTakerWindow(64 * time.Second) // 1 s buckets
	sec := int64(time.Second)
	w.add(0, 9, false)
	w.add(sec, 1, true)
	if got := w.sharePctWith(2*sec, 0); math.Abs(got-10) > 1e-9 {
		t.Fatalf("share %v, want 10", got)
	}
	if got := w.sharePctWith(2*sec, 10); math.Abs(got-55) > 1e-9 {
		t.Fatalf("share with 10 more %v, want 55", got)
	}
	if got := w.sharePctWith(64*sec+sec/2, 0); got != 100 {
		t.Fatalf("share after the maker fill left the window %v, want 100", got)
	}
	if got := w.sharePctWith(1000*sec, 0); got != 0 {
		t.Fatalf("share of an empty window %v, want 0", got)
	}
}

func TestRiskLimits(t *testing.T) {
	t.Parallel()
	cfg := queueConfig()
	cfg.Risk.MaxOrderSize = 0.005 // below order_size: every order blocked
	e := newSimEngine(t, cfg, Options{Feed: newScriptFeed(100, 2, 100.2, 3)})
	e.Step()
	if s := e.Stats(); s.RiskBlocks != 2 || s.OrdersPlaced != 0 {
		t.Fatalf("order size over the limit: %d blocks, %d placed; want 2 and 0", s.RiskBlocks, s.OrdersPlaced)
	}
	cfg = queueConfig()
	cfg.Risk.MaxInventory = 0.5
	e = newSimEngine(t, cfg, Options{Feed: newScriptFeed(100, 2, 100.2, 3)})
	e.st.inventory = 0.495
	e.Step()
	if s := e.Stats(); s.RiskBlocks != 1 || e.vn.orders[bid].active || !e.vn.orders[ask].active {
		t.Fatalf("near max inventory: %d blocks, bid %v ask %v; want only the bid blocked", s.RiskBlocks, e.vn.orders[bid].active, e.vn.orders[ask].active)
	}
}

func TestPostOnlyRejectsStaleCrossing(t *testing.T) {
	t.Parallel()
	cfg := queueConfig()
	cfg.Pipeline.Enabled = true // each tick prices on the book prefetched a tick before
	f := newScriptFeed(100, 2, 100.2, 3)
	e := newSimEngine(t, cfg, Options{Feed: f})
	e.Step()
	e.Step()
	e.vn.orders = [2]order{}   // forget the resting orders: the next tick places anew
	f.setTop(99.5, 2, 99.7, 3) // the market falls through our stale bid
	e.Step()
	if s := e.Stats(); s.PostOnlyRejects == 0 || s.TakerVolume != 0 {
		t.Fatalf("post-only rejects %d, taker %v; want the stale bid rejected, no taker fill", s.PostOnlyRejects, s.TakerVolume)
	}
}
