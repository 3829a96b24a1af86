package engine

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/presoak/presoak/engine/breaker"
	"github.com/presoak/presoak/engine/clock"
	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/engine/fault"
	"github.com/presoak/presoak/engine/hist"
	"github.com/presoak/presoak/engine/latency"
	"github.com/presoak/presoak/engine/marketdata"
	"github.com/presoak/presoak/engine/mdcache"
)

// DefaultStartNs is the market time of the first tick when Options.StartNs
// is 0: 2026-01-01T00:00:00Z, where the synthetic feed starts by default.
const DefaultStartNs = 1767225600 * int64(time.Second)

// Options are what the engine runs on besides its config. The zero value of
// every field but Feed works.
type Options struct {
	// Clock is the engine's clock: clock.NewReal() for shadow and soak runs,
	// a *clock.Sim (or nil: a simulated clock at StartNs) for fast replays.
	Clock clock.Clock
	// Feed is the market (required): a recording's Replay, a Stream or the
	// synthetic feed.
	Feed marketdata.Feed
	// Latency is the latency profile; nil means latency.Default().
	Latency *latency.Profile
	// Faults is the fault plan, its start offsets counted from New; nil: none.
	Faults *fault.Plan
	// Registerer receives the engine's metrics; nil registers nothing. Never
	// pass prometheus.DefaultRegisterer from a test.
	Registerer prometheus.Registerer
	// Seed seeds the simulated venue's latency and error draws; 0 means
	// cfg.Venue.Seed.
	Seed int64
	// StartNs is the market time (Unix ns) of the first tick: a recording's
	// Manifest.StartNs; 0 means DefaultStartNs. On the real clock market time
	// runs from StartNs at the real clock's pace.
	StartNs int64
	// TickSize and LotSize are the instrument's price and size increments
	// (a recording's manifest); 0 means 0.1 and 0.001 (the synthetic feed's).
	TickSize, LotSize float64
	// BaseResidentBytes is the modeled resident memory on the simulated
	// clock, before any memory_leak fault; 0 means 64 MiB.
	BaseResidentBytes int64
	// Observer receives every quote and fill (a calibration recorder); nil:
	// none, at the cost of a nil check.
	Observer Observer
}

// Stage indexes: the six pipeline stages, then the whole tick.
const (
	StageFetchMD = iota
	StageFairValue
	StageSpread
	StageQuote
	StageRisk
	StageSubmit
	NumStages
	// TickTotal indexes the whole tick in Stats.Stages.
	TickTotal = NumStages
)

// StageNames are the stage label values, indexed by stage; "tick_total" last.
var StageNames = [NumStages + 1]string{"fetch_md", "fair_value", "spread", "quote", "risk", "submit", "tick_total"}

// Breaker indexes and names (config keys of circuit_breakers).
const (
	BreakerVenueMD = iota
	BreakerOrderEntry
	NumBreakers
)

// BreakerNames are the breaker label values, indexed by breaker.
var BreakerNames = [NumBreakers]string{"venue_md", "order_entry"}

// Feature flag names, as mm_feature_flag_enabled{flag} and the config keys.
const (
	FlagPipeline       = "pipeline.enabled"
	FlagMDCache        = "md_cache.enabled"
	FlagAdaptiveSpread = "adaptive_spread.enabled"
	FlagQueueAware     = "queue_aware.enabled"
)

// FlagNames lists the feature flags in a fixed order.
var FlagNames = [4]string{FlagPipeline, FlagMDCache, FlagAdaptiveSpread, FlagQueueAware}

// ErrNoFeed is returned by New without Options.Feed.
var ErrNoFeed = errors.New("no market-data feed")

// Engine is one market-making bot. Its methods are safe for concurrent use
// (one tick at a time; Stats and the metrics collector take the same lock).
type Engine struct {
	mu sync.Mutex

	p     params
	clk   clock.Clock
	sim   bool
	feed  marketdata.Feed
	rng   *rand.Rand
	sched *fault.Schedule
	cache *mdcache.Cache
	brk   [NumBreakers]*breaker.Breaker

	mdLat, oeLat, hitLat latency.Dist
	compute              [NumStages]latency.Dist

	origin  int64 // clock time of New: fault offsets count from here
	startNs int64 // market time at origin
	next    int64 // clock time of the next scheduled tick (simulated clock)

	views        [2]viewBook
	cur          int  // index of the view the compute uses
	havePrefetch bool // pipelined: views[cur] holds a book prefetched last tick
	live         *marketdata.Book
	fetched      marketdata.Book // the venue's answer: live cut to FetchDepth
	sym          string          // the instrument (the feed's book symbol)
	tickStart    int64           // clock time the current tick started
	prevStart    int64           // clock time the previous tick started
	liveSeenNs   int64           // live.TimeNs when last looked at
	liveAsOf     int64           // clock time the live book last changed (books' TimeNs inside the engine)
	liveMid      float64         // the live book's mid at the tick's start (0: not two-sided)
	fillAt       int64           // clock time of the fill being booked (the observer's FillEvent.TimeNs)
	mdAsOf       int64           // clock time of the newest book the bot has (streamed or fetched); origin before any
	mdAge        int64           // ns: tick start minus mdAsOf at the last tick (mm_md_age_seconds)
	pnlPeak      float64         // the running peak of the mark-to-market PnL at tick ends (0: the flat start)

	// market_trend: the venue's market is shifted down by trendBps (kept
	// after the fault ends); shifted and shiftedTrades hold the shifted
	// book and trades the engine sees (reused: no allocation per tick).
	trendBps      float64
	shifted       viewBook
	shiftedTrades []marketdata.Trade

	st strategy
	vn venue
	tw takerWindow

	c      counters
	rec    [NumStages + 1]*hist.Recorder
	exp    [NumStages + 1]exportHist
	age    exportHist // the age of the book each tick quoted on
	ageSum int64

	mem memory

	obs Observer // nil: nobody observes quotes and fills
}

// params are the config values the hot path reads, converted once.
type params struct {
	interval, deadline         int64
	pipeline, cacheOn          bool
	adaptive, queueAware       bool
	microprice                 bool
	baseSpread, minSpr, maxSpr float64
	volMult, volAlpha          float64
	volHalfLife, volHorizonS   float64 // ns; seconds
	orderSize, targetInv, skew float64
	maxInv, maxOrder           float64
	takerCapPct                float64
	maxQueueAhead, requoteBps  float64
	tick, lot                  float64
	symbol                     string
	baseResident               int64
}

// viewBook is the bot's own copy of a book.
type viewBook struct {
	ok   bool
	book marketdata.Book
	bids [marketdata.MaxDepth]marketdata.Level
	asks [marketdata.MaxDepth]marketdata.Level
}

func (v *viewBook) copyFrom(b *marketdata.Book) {
	v.book.Symbol, v.book.TimeNs = b.Symbol, b.TimeNs
	v.book.Bids = v.bids[:copy(v.bids[:], b.Bids)]
	v.book.Asks = v.asks[:copy(v.asks[:], b.Asks)]
	v.ok = true
}

// DefaultVolHorizon is the horizon the adaptive spread takes the mid's
// volatility over when adaptive_spread.vol_horizon is not set: one second,
// the first markout horizon (engine/calibration), about how long a quote
// rests before the market has moved through it or it is requoted.
const DefaultVolHorizon = time.Second

// FetchDepth is the number of levels per side the bot fetches from the venue
// (and caches): its quoting reads the top of the book only.
const FetchDepth = 5

// topOf is b cut to FetchDepth levels per side, in dst (no copy of levels).
func topOf(b *marketdata.Book, dst *marketdata.Book) *marketdata.Book {
	*dst = *b
	dst.Bids = dst.Bids[:min(len(dst.Bids), FetchDepth)]
	dst.Asks = dst.Asks[:min(len(dst.Asks), FetchDepth)]
	return dst
}

// counters are the cumulative counts behind Stats.
type counters struct {
	ticks, misses, tickErrors uint64 // ticks and misses include skipped slots
	skipped                   uint64 // tick slots that never ran (a tick overran them)
	stageErrors               [NumStages]uint64
	venueFetches              uint64
	makerVol, takerVol        float64
	makerFills, takerFills    uint64
	placed, requotes, kept    uint64
	cancels, postOnlyRejects  uint64
	takerBlocks, riskBlocks   uint64
	staleBlocks               uint64
	venueRejects              uint64 // orders in an order-entry call the venue failed
	twoSidedTicks             uint64 // ticks run that ended with a resting bid and ask
}

// New builds an engine on cfg. It validates what the engine needs of cfg and
// opts and reports every problem in one error.
func New(cfg *config.Config, opts Options) (*Engine, error) {
	if cfg == nil {
		return nil, errors.New("new engine: nil config")
	}
	var errs []error
	if opts.Feed == nil {
		errs = append(errs, ErrNoFeed)
	}
	if cfg.Tick.Interval <= 0 {
		errs = append(errs, fmt.Errorf("tick.interval = %v, want > 0", cfg.Tick.Interval))
	}
	if cfg.Tick.Deadline <= 0 {
		errs = append(errs, fmt.Errorf("tick.deadline = %v, want > 0", cfg.Tick.Deadline))
	}
	if cfg.Quoting.OrderSize <= 0 {
		errs = append(errs, fmt.Errorf("quoting.order_size = %v, want > 0", cfg.Quoting.OrderSize))
	}
	if fv := cfg.Quoting.FairValue; fv != "mid" && fv != "microprice" {
		errs = append(errs, fmt.Errorf("quoting.fair_value = %q, want mid or microprice", fv))
	}
	if cfg.TakerCap.Window <= 0 {
		errs = append(errs, fmt.Errorf("taker_cap.window = %v, want > 0", cfg.TakerCap.Window))
	}
	if cfg.AdaptiveSpread.Enabled && cfg.AdaptiveSpread.VolHalfLife <= 0 {
		errs = append(errs, fmt.Errorf("adaptive_spread.vol_half_life = %v, want > 0", cfg.AdaptiveSpread.VolHalfLife))
	}
	if cfg.AdaptiveSpread.VolHorizon < 0 {
		errs = append(errs, fmt.Errorf("adaptive_spread.vol_horizon = %v, want > 0 (or unset: %v)", cfg.AdaptiveSpread.VolHorizon, DefaultVolHorizon))
	}
	prof := opts.Latency
	if prof == nil {
		prof = latency.Default()
	} else if err := prof.Validate(); err != nil {
		errs = append(errs, err)
	}
	if opts.Faults != nil {
		if err := opts.Faults.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("new engine: %w", errors.Join(errs...))
	}

	e := &Engine{feed: opts.Feed, obs: opts.Observer}
	e.p = newParams(cfg, opts)
	e.sym = e.p.symbol
	e.clk = opts.Clock
	if e.clk == nil {
		start := opts.StartNs
		if start == 0 {
			start = DefaultStartNs
		}
		e.clk = clock.NewSim(start)
	}
	e.sim = e.clk.Simulated()
	e.origin = e.clk.Now()
	e.next = e.origin
	e.mdAsOf = e.origin
	e.startNs = opts.StartNs
	if e.startNs == 0 {
		e.startNs = DefaultStartNs
	}
	if e.sim && opts.Clock == nil {
		e.startNs = e.origin
	}
	seed := opts.Seed
	if seed == 0 {
		seed = cfg.Venue.Seed
	}
	e.rng = rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	e.sched = fault.NewSchedule(opts.Faults, e.origin)
	e.cache = mdcache.New(cfg.MDCache.TTL, cfg.MDCache.Capacity)
	for i, name := range BreakerNames {
		bc, ok := cfg.CircuitBreakers[name]
		if !ok {
			bc = config.BreakerConfig{FailureThreshold: 5, Cooldown: 5 * time.Second, Critical: true}
		}
		e.brk[i] = breaker.New(name, bc.FailureThreshold, bc.Cooldown, bc.Critical)
	}
	e.mdLat = prof.Dependencies[latency.VenueMD]
	e.oeLat = prof.Dependencies[latency.OrderEntry]
	e.hitLat = prof.Dependencies[latency.MDCache]
	if e.sim { // compute is modeled on the simulated clock, measured on the real one
		for s := range NumStages {
			e.compute[s] = prof.Compute[StageNames[s]] // an unset stage costs 0
		}
	}
	for i := range e.rec {
		e.rec[i] = hist.New()
	}
	e.tw = newTakerWindow(cfg.TakerCap.Window)
	e.st.spreadBps = e.p.baseSpread
	e.mem.init(e.p.baseResident, e.sim)
	if opts.Registerer != nil {
		if err := opts.Registerer.Register(&collector{e: e}); err != nil {
			return nil, fmt.Errorf("new engine: register metrics: %w", err)
		}
		if !e.sim {
			pc := collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})
			if err := opts.Registerer.Register(pc); err != nil {
				return nil, fmt.Errorf("new engine: register process metrics: %w", err)
			}
		}
	}
	return e, nil
}

func newParams(cfg *config.Config, opts Options) params {
	p := params{
		interval:      int64(cfg.Tick.Interval),
		deadline:      int64(cfg.Tick.Deadline),
		pipeline:      cfg.Pipeline.Enabled,
		cacheOn:       cfg.MDCache.Enabled,
		adaptive:      cfg.AdaptiveSpread.Enabled,
		queueAware:    cfg.QueueAware.Enabled,
		microprice:    cfg.Quoting.FairValue == "microprice",
		baseSpread:    cfg.Quoting.BaseSpreadBps,
		minSpr:        cfg.AdaptiveSpread.MinSpreadBps,
		maxSpr:        cfg.AdaptiveSpread.MaxSpreadBps,
		volMult:       cfg.AdaptiveSpread.VolMultiplier,
		orderSize:     cfg.Quoting.OrderSize,
		targetInv:     cfg.Quoting.TargetInventory,
		skew:          cfg.Quoting.InventorySkewBps,
		maxInv:        cfg.Risk.MaxInventory,
		maxOrder:      cfg.Risk.MaxOrderSize,
		takerCapPct:   cfg.TakerCap.MaxTakerSharePct,
		maxQueueAhead: cfg.QueueAware.MaxQueueAheadLots,
		requoteBps:    cfg.QueueAware.RequoteThresholdBps,
		tick:          opts.TickSize,
		lot:           opts.LotSize,
		baseResident:  opts.BaseResidentBytes,
	}
	if p.tick <= 0 {
		p.tick = 0.1
	}
	if p.lot <= 0 {
		p.lot = 0.001
	}
	if p.baseResident <= 0 {
		p.baseResident = 64 << 20
	}
	if len(cfg.Symbols) > 0 {
		p.symbol = cfg.Symbols[0]
	}
	if cfg.AdaptiveSpread.VolHalfLife > 0 {
		// EWMA weight per tick for the configured half-life.
		p.volHalfLife = float64(cfg.AdaptiveSpread.VolHalfLife)
		p.volAlpha = 1 - math.Exp2(-float64(cfg.Tick.Interval)/p.volHalfLife)
	}
	p.volHorizonS = DefaultVolHorizon.Seconds()
	if h := cfg.AdaptiveSpread.VolHorizon; h > 0 {
		p.volHorizonS = h.Seconds()
	}
	return p
}

// Flags are the feature flags the engine runs with.
type Flags struct {
	Pipeline, MDCache, AdaptiveSpread, QueueAware bool
}

// Enabled returns the flag by name (FlagNames) and whether the name is known.
func (f Flags) Enabled(name string) (on, ok bool) {
	switch name {
	case FlagPipeline:
		return f.Pipeline, true
	case FlagMDCache:
		return f.MDCache, true
	case FlagAdaptiveSpread:
		return f.AdaptiveSpread, true
	case FlagQueueAware:
		return f.QueueAware, true
	}
	return false, false
}

func (e *Engine) flags() Flags {
	return Flags{Pipeline: e.p.pipeline, MDCache: e.p.cacheOn, AdaptiveSpread: e.p.adaptive, QueueAware: e.p.queueAware}
}
