package engine

import (
	"math"
	"time"

	"github.com/presoak/presoak/engine/breaker"
	"github.com/presoak/presoak/engine/fault"
	"github.com/presoak/presoak/engine/hist"
)

// exportBoundsNs are the bucket upper bounds of the exported histograms
// (Prometheus and Stats). The budgets' thresholds (35 ms, 150 ms) are bounds,
// so a bucket-based check is exact at them.
var exportBoundsNs = [...]int64{
	250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000,
	1e6, 2.5e6, 5e6, 10e6, 15e6, 20e6, 25e6, 30e6, 35e6, 40e6, 50e6, 75e6,
	100e6, 150e6, 200e6, 300e6, 500e6, 1e9, 2.5e9, 5e9,
}

// NumExportBuckets is the number of finite buckets of exported histograms.
const NumExportBuckets = len(exportBoundsNs)

// ExportBounds returns the exported histograms' bucket upper bounds in seconds.
func ExportBounds() []float64 {
	out := make([]float64, NumExportBuckets)
	for i, ns := range exportBoundsNs {
		out[i] = float64(ns) / 1e9
	}
	return out
}

// exportHist counts values per export bucket; the last slot is +Inf.
type exportHist struct {
	counts [NumExportBuckets + 1]uint64
}

// exportOf maps a recorder's fine bucket to the first export bucket whose
// bound is at least the fine bucket's lowest value; add then needs one
// comparison for a fine bucket that straddles a bound.
var exportOf = func() (t [hist.NumBuckets]uint8) {
	j := 0
	for i := range t {
		lo := int64(0)
		if i > 0 {
			lo = hist.BucketUpper(i-1) + 1
		}
		for j < NumExportBuckets && exportBoundsNs[j] < lo {
			j++
		}
		t[i] = uint8(j)
	}
	return t
}()

func (h *exportHist) add(ns int64) {
	j := int(exportOf[hist.BucketIndex(ns)])
	if j < NumExportBuckets && ns > exportBoundsNs[j] {
		j++
	}
	h.counts[j]++
}

func (e *Engine) record(s int, ns int64) {
	e.rec[s].Record(ns)
	e.exp[s].add(ns)
}

// recordBookAge records the age of the book a tick quoted on: the engine
// clock's time at the quote stage minus the time the venue's book last
// changed before it was fetched (or streamed into the cache).
func (e *Engine) recordBookAge(ns int64) {
	ns = max(ns, 0)
	e.age.add(ns)
	e.ageSum += ns
}

func (h *exportHist) cumulative(dst *StageHistogram, sumNs int64) {
	var cum uint64
	for j := range NumExportBuckets {
		cum += h.counts[j]
		dst.Cumulative[j] = cum
	}
	dst.Count = cum + h.counts[NumExportBuckets]
	dst.SumSeconds = float64(sumNs) / 1e9
}

// StageHistogram is a cumulative latency histogram as Prometheus exposes it.
type StageHistogram struct {
	// Count and SumSeconds are the number and sum of observations.
	Count      uint64
	SumSeconds float64
	// Cumulative[i] counts observations <= ExportBounds()[i].
	Cumulative [NumExportBuckets]uint64
}

// BreakerStats is one circuit breaker's state.
type BreakerStats struct {
	Name     string
	Critical bool
	State    breaker.State
	Open     bool // open or half-open: calls refused or probing
	Trips    uint64
}

// Stats is a snapshot of the engine's cumulative counters and gauges, the
// values signal.Sample mirrors. Copying it never allocates.
type Stats struct {
	// NowNs is the engine clock's time (Unix ns) of the snapshot.
	NowNs int64
	// Symbol is the instrument (the symbol label of the per-symbol
	// metrics): the feed's book symbol once seen, else the config's first.
	Symbol string
	// Ticks counts tick slots: the ticks run (Stages[TickTotal].Count) and
	// SkippedSlots, the slots that never ran because a tick overran them.
	// DeadlineMisses counts the ticks longer than tick.deadline and every
	// skipped slot, so DeadlineMisses / Ticks is the share of slots that did
	// not get a tick within its deadline. TickErrors is the sum of
	// StageErrors.
	Ticks, DeadlineMisses, TickErrors uint64
	SkippedSlots                      uint64
	StageErrors                       [NumStages]uint64
	// CacheHits and CacheMisses are fetch_md's requests to the MD cache,
	// one a tick with the cache on (none with it off): a hit is a tick
	// served without a venue round trip, so the hit ratio is the share of
	// venue round trips saved. The quote and risk stages' re-reads of the
	// touch are not counted. VenueFetches counts venue market-data requests
	// (every tick with the cache off).
	CacheHits, CacheMisses, VenueFetches uint64
	// MakerVolume and TakerVolume are filled volume in base units.
	MakerVolume, TakerVolume float64
	MakerFills, TakerFills   uint64
	// OrdersPlaced counts orders sent; Requotes counts cancel-and-replace;
	// OrdersKept counts resting quotes kept by queue-aware quoting;
	// Cancels counts cancels sent (requotes included).
	OrdersPlaced, Requotes, OrdersKept, Cancels uint64
	// PostOnlyRejects counts passive orders the venue rejected because the
	// book had moved through their price (a stale book).
	PostOnlyRejects uint64
	// TakerCapBlocks, RiskBlocks and StaleQuoteBlocks count orders the risk
	// stage blocked: over the taker cap, over a size or inventory limit, and
	// passive quotes that the touch it re-read shows crossing (stale).
	TakerCapBlocks, RiskBlocks, StaleQuoteBlocks uint64
	// Inventory (base units, signed: long > 0), Cash (quote units) and the
	// last quoted spread. InventoryLimit is risk.max_inventory: the risk
	// stage blocks an order that would take |Inventory| over it.
	Inventory, Cash, SpreadBps float64
	InventoryLimit             float64
	// InventoryUse is |Inventory| / InventoryLimit (mm_inventory_limit_use):
	// 1 at the limit; +Inf with a limit of 0 and some inventory.
	InventoryUse float64
	// Mid is the mid of the book the last tick priced on (0 before any);
	// PnLMtm is the mark-to-market PnL in quote units, Cash + Inventory x Mid
	// (mm_pnl_mtm_quote): the engine starts flat, with no cash. PnLPeak is
	// its running peak at tick ends since New (0 at the flat start) and
	// PnLDrawdown = PnLPeak - PnLMtm, never negative
	// (mm_pnl_drawdown_quote).
	Mid, PnLMtm          float64
	PnLPeak, PnLDrawdown float64
	// TicksRun counts ticks that ran (Ticks - SkippedSlots).
	TicksRun uint64
	// VenueRejects counts orders (placements and replacements) in an
	// order-entry call the venue failed (venue_error_burst, venue_outage).
	VenueRejects uint64
	// MDAgeSeconds is the age of the newest book the bot has, at the last
	// tick's start after its fetch was issued: the time since the market-data
	// stream last brought a changed book into the MD cache or a venue fetch
	// last answered (mm_md_age_seconds). It climbs while a feed stalls. In
	// a quiet market (no book change) it stays within md_cache.ttl and a
	// tick: once the cached book is older than the TTL, fetch_md asks the
	// venue, whose answer is new. Before any tick it is the time since New.
	MDAgeSeconds float64
	// QuoteSides is the number of sides (0, 1, 2) with a resting quote at
	// the end of the last tick (mm_quote_sides); TwoSidedTicks counts the
	// ticks run that ended with both (mm_quote_two_sided_ticks_total).
	QuoteSides    int
	TwoSidedTicks uint64
	// ResidentBytes is resident memory: modeled on the simulated clock.
	ResidentBytes float64
	// CriticalBreakersOpen counts critical breakers open or half-open.
	CriticalBreakersOpen int
	Breakers             [NumBreakers]BreakerStats
	// Stages are the per-stage histograms, StageNames order, TickTotal last.
	Stages [NumStages + 1]StageHistogram
	// QuotedBookAge is the age of the book each tick quoted on
	// (mm_quoted_book_age_seconds): at the quote stage, the time since the
	// venue's book last changed before the tick read it (from the venue or
	// the MD cache). With the pipeline it includes the interval the
	// prefetched book waits for its tick; with the cache, up to md_cache.ttl
	// more.
	QuotedBookAge StageHistogram
	// Flags are the feature flags; FaultsActive the faults active now.
	Flags        Flags
	FaultsActive [fault.NumKinds]bool
}

// TakerSharePct is the cumulative taker share of filled volume, in percent.
func (s *Stats) TakerSharePct() float64 {
	if t := s.MakerVolume + s.TakerVolume; t > 0 {
		return s.TakerVolume / t * 100
	}
	return 0
}

// Stats returns a snapshot of the counters. It is cheap and allocation-free.
func (e *Engine) Stats() Stats {
	var s Stats
	e.mu.Lock()
	e.statsLocked(&s)
	e.mu.Unlock()
	return s
}

// NowNs is the engine clock's time (Unix ns): Stats().NowNs without the
// rest of the snapshot.
func (e *Engine) NowNs() int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.clk.Now()
}

func (e *Engine) statsLocked(s *Stats) {
	c := &e.c
	s.NowNs = e.clk.Now()
	s.Symbol = e.sym
	s.Ticks, s.DeadlineMisses, s.TickErrors = c.ticks, c.misses, c.tickErrors
	s.SkippedSlots = c.skipped
	s.StageErrors = c.stageErrors
	s.CacheHits, s.CacheMisses, s.VenueFetches = e.cache.Hits(), e.cache.Misses(), c.venueFetches
	s.MakerVolume, s.TakerVolume = c.makerVol, c.takerVol
	s.MakerFills, s.TakerFills = c.makerFills, c.takerFills
	s.OrdersPlaced, s.Requotes, s.OrdersKept, s.Cancels = c.placed, c.requotes, c.kept, c.cancels
	s.PostOnlyRejects = c.postOnlyRejects
	s.TakerCapBlocks, s.RiskBlocks, s.StaleQuoteBlocks = c.takerBlocks, c.riskBlocks, c.staleBlocks
	s.Inventory, s.Cash, s.SpreadBps = e.st.inventory, e.st.cash, e.st.spreadBps
	s.InventoryLimit = e.p.maxInv
	s.Mid = e.st.lastMid
	s.PnLMtm = e.pnl()
	s.PnLPeak = e.pnlPeak
	s.PnLDrawdown = max(e.pnlPeak-s.PnLMtm, 0)
	switch {
	case s.InventoryLimit > 0:
		s.InventoryUse = math.Abs(s.Inventory) / s.InventoryLimit
	case s.Inventory != 0:
		s.InventoryUse = math.Inf(1)
	}
	s.TicksRun = c.ticks - c.skipped
	s.VenueRejects = c.venueRejects
	s.MDAgeSeconds = float64(e.mdAge) / 1e9
	if c.ticks == 0 { // no tick yet: no book since New
		s.MDAgeSeconds = float64(s.NowNs-e.mdAsOf) / 1e9
	}
	for i := range e.vn.orders {
		if e.vn.orders[i].active {
			s.QuoteSides++
		}
	}
	s.TwoSidedTicks = c.twoSidedTicks
	s.ResidentBytes = float64(e.mem.resident())
	for i, b := range e.brk {
		s.Breakers[i] = BreakerStats{Name: b.Name(), Critical: b.Critical(), State: b.State(), Open: b.IsOpen(), Trips: b.Trips()}
		if b.Critical() && b.IsOpen() {
			s.CriticalBreakersOpen++
		}
	}
	for i := range s.Stages {
		h := &s.Stages[i]
		h.Count = e.rec[i].Count()
		h.SumSeconds = float64(e.rec[i].Sum()) / 1e9
		var cum uint64
		for j := range NumExportBuckets {
			cum += e.exp[i].counts[j]
			h.Cumulative[j] = cum
		}
	}
	e.age.cumulative(&s.QuotedBookAge, e.ageSum)
	s.Flags = e.flags()
	for k := range fault.NumKinds {
		_, s.FaultsActive[k] = e.sched.Active(k)
	}
}

// Latency summarizes one stage's exact latency distribution (HDR-style
// recorder: within 0.4 % of the true value).
type Latency struct {
	Stage                    string
	Count                    uint64
	Min, Mean, Max           time.Duration
	P50, P90, P95, P99, P999 time.Duration
}

// Latencies summarizes stage (StageNames, "tick_total" for the whole tick);
// an unknown stage or one with no samples has Count 0.
func (e *Engine) Latencies(stage string) Latency {
	i := stageIndex(stage)
	if i < 0 {
		return Latency{Stage: stage}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	r := e.rec[i]
	return Latency{
		Stage: stage, Count: r.Count(),
		Min: time.Duration(r.Min()), Mean: time.Duration(r.Mean()), Max: time.Duration(r.Max()),
		P50: time.Duration(r.Quantile(0.50)), P90: time.Duration(r.Quantile(0.90)),
		P95: time.Duration(r.Quantile(0.95)), P99: time.Duration(r.Quantile(0.99)),
		P999: time.Duration(r.Quantile(0.999)),
	}
}

// Quantile is stage's latency at quantile q (0..1); 0 when it has no samples.
func (e *Engine) Quantile(stage string, q float64) time.Duration {
	i := stageIndex(stage)
	if i < 0 {
		return 0
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return time.Duration(e.rec[i].Quantile(q))
}

// CopyLatencies copies stage's full recorder into dst (for merging runs or
// resampling) and reports false for an unknown stage.
func (e *Engine) CopyLatencies(stage string, dst *hist.Recorder) bool {
	i := stageIndex(stage)
	if i < 0 {
		return false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	dst.CopyFrom(e.rec[i])
	return true
}

// ResetLatencies forgets every recorded latency (to drop a warm-up); the
// counters are kept.
func (e *Engine) ResetLatencies() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := range e.rec {
		e.rec[i].Reset()
		e.exp[i] = exportHist{}
	}
	e.age, e.ageSum = exportHist{}, 0
}

func stageIndex(stage string) int {
	for i, n := range StageNames {
		if n == stage {
			return i
		}
	}
	return -1
}
