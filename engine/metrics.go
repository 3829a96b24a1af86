package engine

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/presoak/presoak/engine/fault"
)

// Metric names (ARCHITECTURE.md): the default contract of harness/signal.
const (
	MetricTickDuration   = "mm_tick_duration_seconds"
	MetricStageDuration  = "mm_stage_duration_seconds"
	MetricTicks          = "mm_ticks_total"
	MetricDeadlineMisses = "mm_tick_deadline_misses_total"
	MetricCacheRequests  = "mm_md_cache_requests_total"
	MetricFillVolume     = "mm_fill_volume_total"
	MetricBreakerOpen    = "mm_circuit_breaker_open"
	MetricTickErrors     = "mm_tick_errors_total"
	MetricResidentMemory = "process_resident_memory_bytes"
	MetricFeatureFlag    = "mm_feature_flag_enabled"
	// MetricSlotsSkipped counts tick slots that never ran because a tick
	// overran them; each is also counted in MetricTicks and
	// MetricDeadlineMisses.
	MetricSlotsSkipped = "mm_tick_slots_skipped_total"
	// MetricQuotedBookAge is the age of the book each tick quoted on.
	MetricQuotedBookAge = "mm_quoted_book_age_seconds"
	// MetricTicksRun counts ticks that ran (MetricTicks minus
	// MetricSlotsSkipped): rate() of it is the tick rate.
	MetricTicksRun = "mm_ticks_run_total"
	// MetricInventory is the signed inventory in base units, by symbol.
	MetricInventory = "mm_inventory_base"
	// MetricInventoryLimit is risk.max_inventory in base units, by symbol:
	// abs(MetricInventory) / MetricInventoryLimit is the use of the limit.
	MetricInventoryLimit = "mm_inventory_limit_base"
	// MetricOrderRejects counts orders refused, by reason: post_only (the
	// venue rejected a post-only order that would cross), venue (an
	// order-entry call failed) and risk (blocked by the risk stage's
	// limits: size, inventory, taker cap).
	MetricOrderRejects = "mm_order_rejects_total"
	// MetricMDAge is the age of the newest book the bot has, at the tick.
	MetricMDAge = "mm_md_age_seconds"
	// MetricQuoteSides is the number of sides quoted now (0, 1, 2).
	MetricQuoteSides = "mm_quote_sides"
	// MetricTwoSidedTicks counts ticks run that ended quoting both sides.
	MetricTwoSidedTicks = "mm_quote_two_sided_ticks_total"
	// MetricPnL is the mark-to-market PnL in quote currency, by symbol.
	MetricPnL = "mm_pnl_mtm_quote"
	// MetricInventoryUse is abs(MetricInventory) / MetricInventoryLimit,
	// by symbol: one selector for "inventory at its limit" (>= 0.95).
	MetricInventoryUse = "mm_inventory_limit_use"
	// MetricPnLDrawdown is the running peak of MetricPnL since the start
	// minus its value now, by symbol (quote currency, >= 0).
	MetricPnLDrawdown = "mm_pnl_drawdown_quote"
)

var (
	descTick     = prometheus.NewDesc(MetricTickDuration, "Duration of a whole tick in seconds.", nil, nil)
	descStage    = prometheus.NewDesc(MetricStageDuration, "Duration of a tick pipeline stage in seconds.", []string{"stage"}, nil)
	descTicks    = prometheus.NewDesc(MetricTicks, "Tick slots: ticks run plus slots skipped because a tick overran them.", nil, nil)
	descMisses   = prometheus.NewDesc(MetricDeadlineMisses, "Ticks longer than tick.deadline plus skipped tick slots.", nil, nil)
	descSkipped  = prometheus.NewDesc(MetricSlotsSkipped, "Tick slots that never ran because a tick overran them (also in ticks and deadline misses).", nil, nil)
	descCache    = prometheus.NewDesc(MetricCacheRequests, "fetch_md requests to the MD cache by result: hit (served without a venue round trip) or miss.", []string{"result"}, nil)
	descAge      = prometheus.NewDesc(MetricQuotedBookAge, "Age in seconds of the book a tick quoted on: time since the venue's book last changed before the tick read it.", nil, nil)
	descFill     = prometheus.NewDesc(MetricFillVolume, "Filled volume in base units by liquidity (maker, taker).", []string{"liquidity"}, nil)
	descBreaker  = prometheus.NewDesc(MetricBreakerOpen, "1 while a circuit breaker is open or half-open.", []string{"breaker", "critical"}, nil)
	descErrors   = prometheus.NewDesc(MetricTickErrors, "Tick errors by stage.", []string{"stage"}, nil)
	descResident = prometheus.NewDesc(MetricResidentMemory, "Resident memory in bytes (modeled on the simulated clock).", nil, nil)
	descFlag     = prometheus.NewDesc(MetricFeatureFlag, "1 when a feature flag is enabled in the config.", []string{"flag"}, nil)
	descFetches  = prometheus.NewDesc("mm_venue_md_requests_total", "Market-data requests sent to the venue.", nil, nil)
	descOrders   = prometheus.NewDesc("mm_orders_total", "Order actions by kind (placed, requote, kept, cancel, post_only_reject).", []string{"action"}, nil)
	descBlocks   = prometheus.NewDesc("mm_risk_blocks_total", "Orders blocked by the risk stage by reason (taker_cap, limits, stale_quote).", []string{"reason"}, nil)
	descInv      = prometheus.NewDesc(MetricInventory, "Inventory in base units, signed (long > 0).", []string{"symbol"}, nil)
	descInvLimit = prometheus.NewDesc(MetricInventoryLimit, "Inventory limit in base units (risk.max_inventory): |inventory| never exceeds it.", []string{"symbol"}, nil)
	descTicksRun = prometheus.NewDesc(MetricTicksRun, "Ticks that ran (tick slots minus skipped slots).", nil, nil)
	descRejects  = prometheus.NewDesc(MetricOrderRejects, "Orders refused by reason: post_only (venue rejected a crossing post-only order), venue (order-entry call failed), risk (blocked by size, inventory or taker-cap limits).", []string{"reason"}, nil)
	descMDAge    = prometheus.NewDesc(MetricMDAge, "Age in seconds of the newest book the bot has (streamed or fetched), at the last tick.", []string{"symbol"}, nil)
	descSides    = prometheus.NewDesc(MetricQuoteSides, "Sides with a resting quote at the end of the last tick (0, 1 or 2).", []string{"symbol"}, nil)
	descTwoSided = prometheus.NewDesc(MetricTwoSidedTicks, "Ticks run that ended with both a bid and an ask resting.", nil, nil)
	descInvUse   = prometheus.NewDesc(MetricInventoryUse, "abs(inventory) / inventory limit: 1 at the limit.", []string{"symbol"}, nil)
	descDrawdown = prometheus.NewDesc(MetricPnLDrawdown, "Mark-to-market PnL's running peak since the start minus its value now, in quote currency.", []string{"symbol"}, nil)
	descPnL      = prometheus.NewDesc(MetricPnL, "Mark-to-market PnL in quote currency: cash + inventory x the mid of the last book priced on.", []string{"symbol"}, nil)
	descSpread   = prometheus.NewDesc("mm_quoted_spread_bps", "Last quoted spread in basis points.", nil, nil)
	descFault    = prometheus.NewDesc("mm_fault_active", "1 while an injected fault of the kind is active.", []string{"kind"}, nil)
)

// collector exports the engine's recorders on each scrape: the tick never
// touches Prometheus. Label values are fixed strings built once.
type collector struct{ e *Engine }

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descTick, descStage, descTicks, descMisses, descSkipped, descCache, descAge, descFill,
		descBreaker, descErrors, descFlag, descFetches, descOrders, descBlocks, descInv, descSpread, descFault,
		descInvLimit, descTicksRun, descRejects, descMDAge, descSides, descTwoSided, descPnL,
		descInvUse, descDrawdown} {
		ch <- d
	}
	if c.e.sim {
		ch <- descResident
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	s := c.e.Stats()
	bounds := ExportBounds()
	hist := func(d *prometheus.Desc, h *StageHistogram, labels ...string) prometheus.Metric {
		b := make(map[float64]uint64, NumExportBuckets)
		for i, ub := range bounds {
			b[ub] = h.Cumulative[i]
		}
		return prometheus.MustNewConstHistogram(d, h.Count, h.SumSeconds, b, labels...)
	}
	counter := func(d *prometheus.Desc, v float64, labels ...string) prometheus.Metric {
		return prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) prometheus.Metric {
		return prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	ch <- hist(descTick, &s.Stages[TickTotal])
	ch <- hist(descAge, &s.QuotedBookAge)
	for i := range NumStages {
		ch <- hist(descStage, &s.Stages[i], StageNames[i])
		ch <- counter(descErrors, float64(s.StageErrors[i]), StageNames[i])
	}
	ch <- counter(descTicks, float64(s.Ticks))
	ch <- counter(descMisses, float64(s.DeadlineMisses))
	ch <- counter(descSkipped, float64(s.SkippedSlots))
	ch <- counter(descCache, float64(s.CacheHits), "hit")
	ch <- counter(descCache, float64(s.CacheMisses), "miss")
	ch <- counter(descFill, s.MakerVolume, "maker")
	ch <- counter(descFill, s.TakerVolume, "taker")
	for _, b := range s.Breakers {
		ch <- gauge(descBreaker, b01(b.Open), b.Name, strconv.FormatBool(b.Critical))
	}
	for _, name := range FlagNames {
		on, _ := s.Flags.Enabled(name)
		ch <- gauge(descFlag, b01(on), name)
	}
	if c.e.sim {
		ch <- gauge(descResident, s.ResidentBytes)
	}
	ch <- counter(descFetches, float64(s.VenueFetches))
	ch <- counter(descOrders, float64(s.OrdersPlaced), "placed")
	ch <- counter(descOrders, float64(s.Requotes), "requote")
	ch <- counter(descOrders, float64(s.OrdersKept), "kept")
	ch <- counter(descOrders, float64(s.Cancels), "cancel")
	ch <- counter(descOrders, float64(s.PostOnlyRejects), "post_only_reject")
	ch <- counter(descBlocks, float64(s.TakerCapBlocks), "taker_cap")
	ch <- counter(descBlocks, float64(s.RiskBlocks), "limits")
	ch <- counter(descBlocks, float64(s.StaleQuoteBlocks), "stale_quote")
	sym := s.Symbol
	ch <- gauge(descInv, s.Inventory, sym)
	ch <- gauge(descInvLimit, s.InventoryLimit, sym)
	ch <- counter(descTicksRun, float64(s.TicksRun))
	ch <- counter(descRejects, float64(s.PostOnlyRejects), "post_only")
	ch <- counter(descRejects, float64(s.VenueRejects), "venue")
	ch <- counter(descRejects, float64(s.RiskBlocks+s.TakerCapBlocks), "risk")
	ch <- gauge(descMDAge, s.MDAgeSeconds, sym)
	ch <- gauge(descSides, float64(s.QuoteSides), sym)
	ch <- counter(descTwoSided, float64(s.TwoSidedTicks))
	ch <- gauge(descPnL, s.PnLMtm, sym)
	ch <- gauge(descInvUse, s.InventoryUse, sym)
	ch <- gauge(descDrawdown, s.PnLDrawdown, sym)
	ch <- gauge(descSpread, s.SpreadBps)
	for k := range fault.NumKinds {
		ch <- gauge(descFault, b01(s.FaultsActive[k]), k.String())
	}
}

func b01(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
