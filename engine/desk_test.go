package engine

import (
	"math"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/engine/fault"
)

// The desk's signals: what a market-making desk expects a soak gate to
// judge (inventory against its limit, order rejects, market-data age, tick
// rate, two-sided quoting, mark-to-market drawdown). Each has a fault that
// makes it go bad, and a healthy run where it stays good.

// deskTrace samples an engine's desk signals once a second of engine time.
type deskTrace struct {
	maxInvUse     float64 // max |inventory| / limit
	pinnedS       int     // seconds with |inventory| / limit >= 0.95
	peak, maxDD   float64 // PnL peak and the largest drawdown from the running peak
	maxMDAge      float64 // seconds
	maxEngineDD   float64 // the largest mm_pnl_drawdown_quote sampled
	maxEngineUse  float64 // the largest mm_inventory_limit_use sampled
	oneSidedS     int     // seconds with fewer than two sides quoted
	first, last   Stats
	samples       int
	minTicksRunPS float64 // the lowest ticks run per second, second by second
}

func traceDesk(e *Engine, d time.Duration) deskTrace {
	tr := deskTrace{first: e.Stats(), peak: math.Inf(-1), minTicksRunPS: math.Inf(1)}
	prev := tr.first
	for range int(d / time.Second) {
		e.RunFor(time.Second)
		s := e.Stats()
		use := math.Abs(s.Inventory) / s.InventoryLimit
		tr.maxInvUse = max(tr.maxInvUse, use)
		if use >= 0.95 {
			tr.pinnedS++
		}
		tr.peak = max(tr.peak, s.PnLMtm)
		tr.maxDD = max(tr.maxDD, tr.peak-s.PnLMtm)
		tr.maxEngineDD = max(tr.maxEngineDD, s.PnLDrawdown)
		tr.maxEngineUse = max(tr.maxEngineUse, s.InventoryUse)
		tr.maxMDAge = max(tr.maxMDAge, s.MDAgeSeconds)
		if s.QuoteSides < 2 {
			tr.oneSidedS++
		}
		tr.minTicksRunPS = min(tr.minTicksRunPS, float64(s.TicksRun-prev.TicksRun))
		tr.samples++
		prev = s
	}
	tr.last = prev
	return tr
}

func (tr deskTrace) delta(f func(Stats) uint64) uint64 { return f(tr.last) - f(tr.first) }

func runDesk(t *testing.T, cfg *config.Config, plan *fault.Plan, warm, d time.Duration) deskTrace {
	t.Helper()
	e := newSimEngine(t, cfg, Options{Faults: plan})
	e.RunFor(warm)
	return traceDesk(e, d)
}

func oneFault(k fault.Kind, m float64) *fault.Plan {
	return &fault.Plan{Faults: []fault.Fault{{Kind: k, Start: time.Minute, Duration: time.Minute, Magnitude: m}}}
}

func noCacheConfig() *config.Config { c := testConfig(); c.MDCache.Enabled = false; return c }

// TestDeskSignalsHealthy: with no fault, every desk signal stays healthy
// over 10 minutes, with the MD cache on and off.
func TestDeskSignalsHealthy(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]*config.Config{"cache on": testConfig(), "cache off": noCacheConfig()} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tr := runDesk(t, cfg, nil, 10*time.Second, 10*time.Minute)
			t.Logf("10 min healthy: max |inv|/limit %.2f, drawdown %.2f, max MD age %.3f s, min ticks run %v/s, two-sided %d of %d ticks, rejects venue %d risk %d post_only %d",
				tr.maxInvUse, tr.maxDD, tr.maxMDAge, tr.minTicksRunPS, tr.delta(func(s Stats) uint64 { return s.TwoSidedTicks }),
				tr.delta(func(s Stats) uint64 { return s.TicksRun }), tr.delta(func(s Stats) uint64 { return s.VenueRejects }),
				tr.delta(func(s Stats) uint64 { return s.RiskBlocks + s.TakerCapBlocks }), tr.delta(func(s Stats) uint64 { return s.PostOnlyRejects }))
			if tr.maxInvUse >= 0.5 || tr.pinnedS != 0 {
				t.Errorf("max |inventory|/limit %.2f, %d s pinned; want < 0.5 and never pinned", tr.maxInvUse, tr.pinnedS)
			}
			if tr.maxDD > 15 {
				t.Errorf("PnL drawdown %.2f quote from its peak, want <= 15", tr.maxDD)
			}
			if tr.maxMDAge > 0.25 {
				t.Errorf("max MD age %.3f s, want <= 0.25 (the stream changes the book every ~40 ms)", tr.maxMDAge)
			}
			ticks := tr.delta(func(s Stats) uint64 { return s.TicksRun })
			if ticks != tr.delta(func(s Stats) uint64 { return s.Ticks }) || tr.minTicksRunPS != 10 {
				t.Errorf("ticks run %d of %d slots, min %v a second; want every slot run, 10 a second",
					ticks, tr.delta(func(s Stats) uint64 { return s.Ticks }), tr.minTicksRunPS)
			}
			if two := tr.delta(func(s Stats) uint64 { return s.TwoSidedTicks }); float64(two) < 0.9*float64(ticks) {
				t.Errorf("two-sided at the end of %d of %d ticks, want >= 90%%", two, ticks)
			}
			if tr.oneSidedS > tr.samples/10 {
				t.Errorf("fewer than two sides quoted at %d of %d samples, want <= 10%%", tr.oneSidedS, tr.samples)
			}
			venue := tr.delta(func(s Stats) uint64 { return s.VenueRejects })
			risk := tr.delta(func(s Stats) uint64 { return s.RiskBlocks + s.TakerCapBlocks })
			// Post-only rejects need a stale book: with the cache on the
			// risk stage's re-read of the touch holds such quotes back
			// (stale_quote), with it off the pipeline quotes on the previous
			// tick's book and about 2 % of ticks send one.
			postOnly := tr.delta(func(s Stats) uint64 { return s.PostOnlyRejects })
			maxPostOnly := 0.0
			if !cfg.MDCache.Enabled {
				maxPostOnly = 0.05 * float64(ticks)
			}
			if venue != 0 || risk != 0 || float64(postOnly) > maxPostOnly {
				t.Errorf("rejects: venue %d risk %d post_only %d in %d ticks; want 0, 0, <= %.0f", venue, risk, postOnly, ticks, maxPostOnly)
			}
		})
	}
}

// TestMarketTrendPinsInventoryAndDrawsDown: a market falling 300 bps a
// minute fills the bot's bids on the way down: inventory pins at the limit,
// the risk stage blocks the bids (rejects{reason="risk"}) and the
// mark-to-market PnL draws down.
func TestMarketTrendPinsInventoryAndDrawsDown(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]*config.Config{"cache on": testConfig(), "cache off": noCacheConfig()} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			healthy := runDesk(t, cfg, nil, 59*time.Second, 70*time.Second)
			tr := runDesk(t, cfg, oneFault(fault.MarketTrend, 300), 59*time.Second, 70*time.Second)
			if tr.maxInvUse < 0.95 || tr.pinnedS < 20 {
				t.Errorf("max |inventory|/limit %.2f, pinned %d s; want >= 0.95 for >= 20 s (healthy: %.2f, %d s)",
					tr.maxInvUse, tr.pinnedS, healthy.maxInvUse, healthy.pinnedS)
			}
			risk := func(s Stats) uint64 { return s.RiskBlocks + s.TakerCapBlocks }
			if tr.delta(risk) < 50 || healthy.delta(risk) != 0 {
				t.Errorf("risk rejects %d in the trend, %d healthy; want >= 50 and 0", tr.delta(risk), healthy.delta(risk))
			}
			// The engine's own drawdown is from its peak at every tick end,
			// so at least the one traced from once-a-second samples.
			if tr.maxEngineDD < tr.maxDD || tr.maxEngineUse != tr.maxInvUse || healthy.maxEngineDD < healthy.maxDD || healthy.maxEngineDD > 15 {
				t.Errorf("engine drawdown %.2f (traced %.2f), use %.2f (traced %.2f); healthy drawdown %.2f (traced %.2f); want engine >= traced, use equal, healthy <= 15",
					tr.maxEngineDD, tr.maxDD, tr.maxEngineUse, tr.maxInvUse, healthy.maxEngineDD, healthy.maxDD)
			}
			if tr.maxDD < 50 || healthy.maxDD > 15 {
				t.Errorf("PnL drawdown %.2f in the trend, %.2f healthy; want >= 50 and <= 15", tr.maxDD, healthy.maxDD)
			}
			t.Logf("trend: max |inv|/limit %.2f, pinned %d s, risk rejects %d, drawdown %.2f; healthy: %.2f, %d s, %d, %.2f",
				tr.maxInvUse, tr.pinnedS, tr.delta(risk), tr.maxDD, healthy.maxInvUse, healthy.pinnedS, healthy.delta(risk), healthy.maxDD)
		})
	}
}

// TestRejectsByReason: venue errors on submit are venue rejects (an error
// burst, an outage); the risk stage's limit blocks are risk rejects.
func TestRejectsByReason(t *testing.T) {
	t.Parallel()
	for _, k := range []fault.Kind{fault.VenueErrorBurst, fault.VenueOutage} {
		t.Run(k.String(), func(t *testing.T) {
			t.Parallel()
			b, _, a, _ := faultRun(t, testConfig(), k, 0)
			if b.VenueRejects != 0 || a.VenueRejects == 0 {
				t.Errorf("venue rejects %d before, %d after %s; want 0 then > 0", b.VenueRejects, a.VenueRejects, k)
			}
			if a.RiskBlocks+a.TakerCapBlocks != 0 {
				t.Errorf("risk rejects %d from %s, want 0 (a venue fault)", a.RiskBlocks+a.TakerCapBlocks, k)
			}
			t.Logf("%s: venue rejects %d before, %d at its end", k, b.VenueRejects, a.VenueRejects)
		})
	}
	t.Run("limits", func(t *testing.T) {
		t.Parallel()
		cfg := testConfig()
		cfg.Risk.MaxOrderSize = cfg.Quoting.OrderSize / 2 // every order over the size limit
		e := newSimEngine(t, cfg, Options{})
		e.RunFor(10 * time.Second)
		if s := e.Stats(); s.RiskBlocks < 100 || s.OrdersPlaced != 0 || s.VenueRejects != 0 {
			t.Errorf("risk blocks %d, placed %d, venue rejects %d with orders over the size limit; want >= 100, 0, 0",
				s.RiskBlocks, s.OrdersPlaced, s.VenueRejects)
		}
	})
}

// TestFeedStallAgesMarketData: a stalled feed makes the MD age climb with
// the engine clock, and it drops back once the feed resumes.
func TestFeedStallAgesMarketData(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]*config.Config{"cache on": testConfig(), "cache off": noCacheConfig()} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b, d, a, end := faultRun(t, cfg, fault.FeedStall, 100)
			t.Logf("MD age %.3f s before, %.3f 30 s into the stall, %.3f at its end, %.3f a minute later", b.MDAgeSeconds, d.MDAgeSeconds, a.MDAgeSeconds, end.MDAgeSeconds)
			if b.MDAgeSeconds > 0.25 || d.MDAgeSeconds < 29 || a.MDAgeSeconds < 59 || end.MDAgeSeconds > 0.25 {
				t.Errorf("MD age %.3f s before, %.3f 30 s into the stall, %.3f at its end, %.3f a minute later; want <= 0.25, >= 29, >= 59, <= 0.25",
					b.MDAgeSeconds, d.MDAgeSeconds, a.MDAgeSeconds, end.MDAgeSeconds)
			}
		})
	}
}

// TestTicksRunRate: ticks run per second is derivable (mm_ticks_run_total
// = slots - skipped) and falls when ticks overrun their slots.
func TestTicksRunRate(t *testing.T) {
	t.Parallel()
	b, _, a, end := faultRun(t, noCacheConfig(), fault.VenueLatencySpike, 8)
	for _, s := range []Stats{b, a, end} {
		if s.TicksRun != s.Ticks-s.SkippedSlots || s.TicksRun != s.Stages[TickTotal].Count {
			t.Fatalf("ticks run %d, slots %d, skipped %d, tick histogram %d; want run = slots - skipped = histogram count",
				s.TicksRun, s.Ticks, s.SkippedSlots, s.Stages[TickTotal].Count)
		}
	}
	healthy := float64(b.TicksRun) / 60
	spiked := float64(a.TicksRun-b.TicksRun) / 60
	t.Logf("ticks run %.2f/s healthy, %.2f/s during an 8x venue latency spike (slots %.2f/s)", healthy, spiked, float64(a.Ticks-b.Ticks)/60)
	if healthy < 9.9 || spiked > 0.8*healthy {
		t.Errorf("ticks run %.2f/s healthy, %.2f/s during an 8x latency spike; want ~10 then < 80%% of it", healthy, spiked)
	}
	if slots := float64(a.Ticks-b.Ticks) / 60; slots < 9.9 {
		t.Errorf("tick slots %.2f/s during the spike, want 10 (slots count run or not)", slots)
	}
}

// TestOneSidedQuotingDropsASide: the one_sided_quoting fault pulls the ask:
// one side quoted, no two-sided tick, until it ends.
func TestOneSidedQuotingDropsASide(t *testing.T) {
	t.Parallel()
	b, d, a, end := faultRun(t, testConfig(), fault.OneSidedQuoting, 0)
	if b.QuoteSides != 2 || d.QuoteSides != 1 || a.QuoteSides != 1 || end.QuoteSides != 2 {
		t.Errorf("sides quoted %d before, %d and %d during, %d after; want 2, 1, 1, 2", b.QuoteSides, d.QuoteSides, a.QuoteSides, end.QuoteSides)
	}
	t.Logf("sides %d/%d/%d/%d; two-sided ticks %d of %d during, %d of %d after", b.QuoteSides, d.QuoteSides, a.QuoteSides, end.QuoteSides,
		a.TwoSidedTicks-b.TwoSidedTicks, a.TicksRun-b.TicksRun, end.TwoSidedTicks-a.TwoSidedTicks, end.TicksRun-a.TicksRun)
	if n := a.TwoSidedTicks - b.TwoSidedTicks; n != 0 {
		t.Errorf("%d two-sided ticks during one-sided quoting, want 0", n)
	}
	if n, ran := end.TwoSidedTicks-a.TwoSidedTicks, end.TicksRun-a.TicksRun; float64(n) < 0.9*float64(ran) {
		t.Errorf("%d of %d ticks two-sided after the fault, want >= 90%%", n, ran)
	}
	if d.Breakers[BreakerOrderEntry].Open {
		t.Error("order_entry breaker open: one-sided quoting must not look like a venue fault")
	}
}

// TestMarketTrendLeavesTheMarketWhereItFell: the trend persists after the
// fault (no jump back), and the prices stay on the tick grid.
func TestMarketTrendLeavesTheMarketWhereItFell(t *testing.T) {
	t.Parallel()
	f := newScriptFeed(10000, 1, 10000.2, 1)
	plan := &fault.Plan{Faults: []fault.Fault{{Kind: fault.MarketTrend, Start: time.Second, Duration: time.Minute, Magnitude: 100}}}
	e := newSimEngine(t, testConfig(), Options{Feed: f, Faults: plan})
	e.RunFor(2 * time.Minute)
	s := e.Stats()
	// 100 bps a minute for a minute: 1 % down from 10000.1.
	if want := 10000.1 * 0.99; math.Abs(s.Mid-want) > 0.2 {
		t.Errorf("mid %.2f a minute after a 1 %% trend ended, want about %.2f", s.Mid, want)
	}
	e.mu.Lock()
	bb := e.live.Bids[0].Price
	e.mu.Unlock()
	if r := bb / 0.1; math.Abs(r-math.Round(r)) > 1e-6 {
		t.Errorf("shifted best bid %v off the 0.1 tick grid", bb)
	}
	if f.book.Bids[0].Price != 10000 {
		t.Errorf("the feed's own book was changed to %v, want it untouched", f.book.Bids[0].Price)
	}
}

// TestDeskMetricsExported: every desk metric is exported with its labels
// and type and equals Stats.
func TestDeskMetricsExported(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewPedanticRegistry()
	e := newSimEngine(t, testConfig(), Options{Registerer: reg, Faults: oneFault(fault.VenueErrorBurst, 0.5)})
	e.RunFor(90 * time.Second)
	s := e.Stats()
	mfs := gather(t, reg)
	type want struct {
		typ    dto.MetricType
		labels map[string]string
		value  float64
	}
	sym := map[string]string{"symbol": "BTCUSDT"}
	wants := map[string][]want{
		MetricInventory:      {{dto.MetricType_GAUGE, sym, s.Inventory}},
		MetricInventoryLimit: {{dto.MetricType_GAUGE, sym, 0.5}},
		MetricTicksRun:       {{dto.MetricType_COUNTER, nil, float64(s.TicksRun)}},
		MetricMDAge:          {{dto.MetricType_GAUGE, sym, s.MDAgeSeconds}},
		MetricQuoteSides:     {{dto.MetricType_GAUGE, sym, float64(s.QuoteSides)}},
		MetricTwoSidedTicks:  {{dto.MetricType_COUNTER, nil, float64(s.TwoSidedTicks)}},
		MetricPnL:            {{dto.MetricType_GAUGE, sym, s.Cash + s.Inventory*s.Mid}},
		MetricInventoryUse:   {{dto.MetricType_GAUGE, sym, math.Abs(s.Inventory) / 0.5}},
		MetricPnLDrawdown:    {{dto.MetricType_GAUGE, sym, s.PnLPeak - s.PnLMtm}},
		MetricOrderRejects: {
			{dto.MetricType_COUNTER, map[string]string{"reason": "post_only"}, float64(s.PostOnlyRejects)},
			{dto.MetricType_COUNTER, map[string]string{"reason": "venue"}, float64(s.VenueRejects)},
			{dto.MetricType_COUNTER, map[string]string{"reason": "risk"}, float64(s.RiskBlocks + s.TakerCapBlocks)},
		},
	}
	if s.VenueRejects == 0 || s.Mid == 0 {
		t.Fatalf("venue rejects %d, mid %v after an error burst; want both > 0", s.VenueRejects, s.Mid)
	}
	for name, ws := range wants {
		mf := mfs[name]
		if mf == nil {
			t.Errorf("metric %s missing", name)
			continue
		}
		if len(mf.GetMetric()) != len(ws) {
			t.Errorf("%s: %d series, want %d", name, len(mf.GetMetric()), len(ws))
			continue
		}
		for _, w := range ws {
			if mf.GetType() != w.typ {
				t.Errorf("%s: type %v, want %v", name, mf.GetType(), w.typ)
			}
			found := false
			for _, m := range mf.GetMetric() {
				l := labelsOf(m)
				if len(l) != len(w.labels) {
					continue
				}
				match := true
				for k, v := range w.labels {
					match = match && l[k] == v
				}
				if !match {
					continue
				}
				found = true
				got := m.GetGauge().GetValue()
				if w.typ == dto.MetricType_COUNTER {
					got = m.GetCounter().GetValue()
				}
				if math.Abs(got-w.value) > 1e-9*max(1, math.Abs(w.value)) {
					t.Errorf("%s%v = %v, want %v", name, w.labels, got, w.value)
				}
			}
			if !found {
				t.Errorf("%s: no series with labels %v", name, w.labels)
			}
		}
	}
}

// TestMDAgeInAQuietMarket: a book that does not change is not a stalled
// feed: the MD age stays within md_cache.ttl and a tick (the cache then
// misses and the venue answers), and within a tick with the cache off.
func TestMDAgeInAQuietMarket(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]*config.Config{"cache on": testConfig(), "cache off": noCacheConfig()} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := &staticFeed{book: newScriptFeed(10000, 1, 10000.2, 1).book} // TimeNs 0 for good
			e := newSimEngine(t, cfg, Options{Feed: f})
			worst := 0.0
			for range 600 {
				e.Step()
				worst = max(worst, e.Stats().MDAgeSeconds)
			}
			t.Logf("max MD age %.3f s over an unchanging book", worst)
			if limit := (cfg.MDCache.TTL + cfg.Tick.Interval).Seconds(); worst > limit {
				t.Errorf("MD age up to %.3f s over a minute of an unchanging book, want <= %.3f", worst, limit)
			}
		})
	}
}
