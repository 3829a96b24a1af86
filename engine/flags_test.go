package engine

import (
	"testing"
	"time"

	"github.com/presoak/presoak/engine/config"
)

// runSim runs cfg for d on the seeded synthetic market and returns the engine.
func runSim(t *testing.T, cfg *config.Config, d time.Duration, opts Options) *Engine {
	t.Helper()
	e := newSimEngine(t, cfg, opts)
	e.RunFor(d)
	return e
}

func TestMDCacheFlag(t *testing.T) {
	t.Parallel()
	off, on := testConfig(), testConfig()
	off.MDCache.Enabled, on.MDCache.Enabled = false, true
	off.Pipeline.Enabled, on.Pipeline.Enabled = false, false
	eOff, eOn := runSim(t, off, 5*time.Minute, Options{}), runSim(t, on, 5*time.Minute, Options{})
	sOff, sOn := eOff.Stats(), eOn.Stats()
	if sOff.VenueFetches != sOff.Ticks || sOff.CacheHits+sOff.CacheMisses != 0 {
		t.Errorf("cache off: %d venue fetches, %d lookups over %d ticks, want a fetch every tick and no lookups",
			sOff.VenueFetches, sOff.CacheHits+sOff.CacheMisses, sOff.Ticks)
	}
	if sOn.VenueFetches >= sOff.VenueFetches || sOn.CacheHits == 0 {
		t.Errorf("cache on: %d venue fetches (off: %d), %d hits; want fewer fetches and some hits",
			sOn.VenueFetches, sOff.VenueFetches, sOn.CacheHits)
	}
	lOff, lOn := eOff.Latencies("fetch_md"), eOn.Latencies("fetch_md")
	if lOn.Mean >= lOff.Mean || lOn.P50 >= lOff.P50 {
		t.Errorf("fetch_md mean %v p50 %v with cache, %v %v without; want lower with", lOn.Mean, lOn.P50, lOff.Mean, lOff.P50)
	}
}

func TestPipelineFlag(t *testing.T) {
	t.Parallel()
	off, on := testConfig(), testConfig()
	off.MDCache.Enabled, on.MDCache.Enabled = false, false
	off.QueueAware.Enabled, on.QueueAware.Enabled = false, false // order entry every tick: compute is long
	off.Pipeline.Enabled, on.Pipeline.Enabled = false, true
	lOff := runSim(t, off, 5*time.Minute, Options{}).Latencies("tick_total")
	lOn := runSim(t, on, 5*time.Minute, Options{}).Latencies("tick_total")
	if lOn.Mean >= lOff.Mean || lOn.P95 >= lOff.P95 {
		t.Errorf("tick_total mean %v p95 %v pipelined, %v %v sequential; want lower pipelined", lOn.Mean, lOn.P95, lOff.Mean, lOff.P95)
	}
}

func TestAdaptiveSpreadFlag(t *testing.T) {
	t.Parallel()
	// A calm market and a volatile one: the mid moves 0.05 or 5 every tick.
	spreadAfter := func(adaptive bool, jump float64) float64 {
		cfg := testConfig()
		cfg.AdaptiveSpread.Enabled = adaptive
		cfg.AdaptiveSpread.MaxSpreadBps = 100
		cfg.MDCache.Enabled = false // a fresh book every tick
		f := newScriptFeed(1000, 1, 1000.2, 1)
		e := newSimEngine(t, cfg, Options{Feed: f})
		for i := range 600 {
			d := jump
			if i%2 == 1 {
				d = -jump
			}
			bid := f.book.Bids[0].Price + d
			f.setTop(bid, 1, bid+0.2, 1)
			e.Step()
		}
		return e.Stats().SpreadBps
	}
	calm, wild := spreadAfter(true, 0.05), spreadAfter(true, 5)
	if wild <= calm {
		t.Errorf("adaptive spread %.2f bps in a volatile market, %.2f in a calm one; want wider when volatile", wild, calm)
	}
	if calm < 2 || wild > 100 {
		t.Errorf("adaptive spread outside [min, max]: calm %.2f wild %.2f", calm, wild)
	}
	if f1, f2 := spreadAfter(false, 0.05), spreadAfter(false, 5); f1 != 6 || f2 != 6 {
		t.Errorf("fixed spread %.2f and %.2f bps, want base_spread_bps 6 regardless of volatility", f1, f2)
	}
}

func TestQueueAwareFlag(t *testing.T) {
	t.Parallel()
	off, on := testConfig(), testConfig()
	off.QueueAware.Enabled, on.QueueAware.Enabled = false, true
	sOff := runSim(t, off, 5*time.Minute, Options{}).Stats()
	sOn := runSim(t, on, 5*time.Minute, Options{}).Stats()
	if sOn.Requotes >= sOff.Requotes || sOn.OrdersKept == 0 || sOff.OrdersKept != 0 {
		t.Errorf("requotes %d (kept %d) queue-aware, %d (kept %d) without; want fewer requotes when queue-aware",
			sOn.Requotes, sOn.OrdersKept, sOff.Requotes, sOff.OrdersKept)
	}
}

func TestFlagsReflectConfig(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.Pipeline.Enabled, cfg.MDCache.Enabled, cfg.AdaptiveSpread.Enabled, cfg.QueueAware.Enabled = true, false, true, false
	f := newSimEngine(t, cfg, Options{}).Stats().Flags
	want := map[string]bool{FlagPipeline: true, FlagMDCache: false, FlagAdaptiveSpread: true, FlagQueueAware: false}
	for name, w := range want {
		if got, ok := f.Enabled(name); !ok || got != w {
			t.Errorf("flag %s = %v (known %v), want %v", name, got, ok, w)
		}
	}
	if _, ok := f.Enabled("nope"); ok {
		t.Error("unknown flag reported as known")
	}
}
