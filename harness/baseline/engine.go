package baseline

import (
	"fmt"
	"math"
	"time"

	"github.com/presoak/presoak/engine"
	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/engine/fault"
	"github.com/presoak/presoak/engine/latency"
	"github.com/presoak/presoak/engine/marketdata"
	"github.com/presoak/presoak/harness/budget"
)

// recorderDist adapts one stage of a stopped engine to budget.Distribution:
// the engine's exact per-stage recorder (within 0.4% of the true values).
// Use it only once the engine no longer ticks, so the distribution is fixed.
type recorderDist struct {
	e     *engine.Engine
	stage string
	n     int
	mean  time.Duration
}

func newRecorderDist(e *engine.Engine, stage string) recorderDist {
	l := e.Latencies(stage)
	return recorderDist{e: e, stage: stage, n: int(l.Count), mean: l.Mean}
}

func (d recorderDist) Count() int          { return d.n }
func (d recorderDist) Mean() time.Duration { return d.mean }

// AtRank asks the recorder for the quantile whose nearest rank is k.
func (d recorderDist) AtRank(k int) time.Duration {
	k = min(max(k, 1), d.n)
	return d.e.Quantile(d.stage, (float64(k)-0.5)/float64(d.n))
}

// observe reads what a stopped engine observed since the counters in base
// (the snapshot taken when the warm-up ended).
func observe(e *engine.Engine, base engine.Stats) budget.Observations {
	s := e.Stats()
	obs := budget.Observations{
		Latencies:      map[string]budget.Distribution{},
		Ticks:          float64(s.Ticks - base.Ticks),
		DeadlineMisses: float64(s.DeadlineMisses - base.DeadlineMisses),
		CacheHits:      float64(s.CacheHits - base.CacheHits),
		CacheMisses:    float64(s.CacheMisses - base.CacheMisses),
	}
	if !s.Flags.MDCache {
		// With the cache off every tick is a venue fetch: no cache request
		// was made, and no request served from a cache is a 0% hit ratio.
		obs.CacheMisses = float64(s.VenueFetches - base.VenueFetches)
	}
	for _, name := range budget.LatencyTargets {
		obs.Latencies[name] = newRecorderDist(e, name)
	}
	return obs
}

// feedFor is the market data the engine replays: the config's recording
// (venue.recording) when it covers span, else the seeded synthetic feed (the
// recording's symbol, seed and increments when there is one). It returns the
// engine options that go with the feed and the feed's display name.
func feedFor(loaded *config.Loaded, span time.Duration, display func(string) string) (engine.Options, string, error) {
	var opts engine.Options
	cfg := &loaded.Config
	seed := cfg.Venue.Seed
	syn := marketdata.SyntheticOptions{Seed: seed}
	if len(cfg.Symbols) > 0 {
		syn.Symbol = cfg.Symbols[0]
	}
	if path := loaded.ResolvePath("venue.recording"); path != "" {
		rec, err := marketdata.Load(path)
		if err != nil {
			return opts, "", fmt.Errorf("load recording: %w", err)
		}
		m := rec.Manifest
		opts.TickSize, opts.LotSize = m.TickSize, m.LotSize
		if span <= 0 || time.Duration(m.EndNs-m.StartNs) >= span {
			opts.Feed, opts.StartNs = rec.Replay(), m.StartNs
			return opts, display(path), nil
		}
		syn.Symbol, syn.Seed, syn.StartNs = m.Symbol, m.Seed, m.StartNs
		syn.TickSize, syn.LotSize = m.TickSize, m.LotSize
	}
	opts.Feed, opts.StartNs = marketdata.NewSynthetic(syn), syn.StartNs
	name := fmt.Sprintf("synthetic feed (seed %d)", syn.Seed)
	return opts, name, nil
}

// profileFor loads the config's latency profile (venue.latency_profile), or
// the engine's default when the config names none.
func profileFor(loaded *config.Loaded) (*latency.Profile, error) {
	path := loaded.ResolvePath("venue.latency_profile")
	if path == "" {
		return latency.Default(), nil
	}
	p, err := latency.Load(path)
	if err != nil {
		return nil, fmt.Errorf("load latency profile: %w", err)
	}
	return p, nil
}

// VenueLatencyPlan is a fault plan that multiplies every venue latency
// (market data and order entry) by factor for the whole of a run of length
// span: factor 1.3 is "+30% venue latency", the regression the frozen
// baseline must catch.
func VenueLatencyPlan(factor float64, span time.Duration) *fault.Plan {
	if factor <= 1 || math.IsNaN(factor) {
		return nil
	}
	return &fault.Plan{Name: fmt.Sprintf("venue latency x%g", factor), Faults: []fault.Fault{
		{Kind: fault.VenueLatencySpike, Start: 0, Duration: span, Magnitude: factor},
	}}
}

// NewSimEngine builds the engine the options describe on the simulated clock
// over the endless seeded synthetic feed (the recording's symbol and seed when
// the config names one), for benchmarks that tick as long as they like.
// Warm it up, call ResetLatencies, tick, then Observe.
func NewSimEngine(o Options) (*engine.Engine, error) {
	e, _, _, err := o.newEngine(endless, false)
	if err != nil {
		return nil, fmt.Errorf("new simulated engine: %w", err)
	}
	return e, nil
}

// endless is a span no recording covers: it selects the synthetic feed.
const endless = time.Duration(math.MaxInt64)

// Observe is what a stopped engine observed since the counters in since
// (its Stats when the warm-up ended).
func Observe(e *engine.Engine, since engine.Stats) budget.Observations { return observe(e, since) }
