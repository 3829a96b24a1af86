package target

import (
	"fmt"
	"time"

	"github.com/presoak/presoak/engine"
	"github.com/presoak/presoak/engine/fault"
	"github.com/presoak/presoak/harness/budget"
)

// This file is how the harness measures the embedded engine (the Baseline
// area, bench/): every read of the engine's exact per-stage recorders goes
// through here, so nothing else in the harness imports the engine.

// Mark is the embedded engine's counters at one moment (Embedded.Mark): a
// measurement counts from it.
type Mark struct{ st engine.Stats }

// At is the engine clock's time of the mark.
func (m Mark) At() time.Time { return time.Unix(0, m.st.NowNs) }

// Mark snapshots the engine's counters now.
func (e *Embedded) Mark() Mark { return Mark{e.eng.Stats()} }

// EngineNow is the engine clock's time.
func (e *Embedded) EngineNow() time.Time { return time.Unix(0, e.eng.Stats().NowNs) }

// ResetLatencies drops every latency recorded so far (the warm-up's).
func (e *Embedded) ResetLatencies() { e.eng.ResetLatencies() }

// Latencies is what the engine's recorder holds for stage (a budget's
// target: a stage name or "tick_total"): count, mean and percentiles.
func (e *Embedded) Latencies(stage string) engine.Latency { return e.eng.Latencies(stage) }

// Step runs one tick on the simulated clock and reports whether it ran:
// false once a recording replayed once has ended.
func (s *SimulatedEmbedded) Step() bool {
	if s.eng.FeedDone() {
		return false
	}
	s.eng.Step()
	s.mu2.Lock()
	s.at = time.Unix(0, s.eng.NowNs()).UTC()
	s.mu2.Unlock()
	return true
}

// Observe is what the engine observed since the counters in since (the
// mark taken when the warm-up ended): ticks, deadline misses, cache hits and
// misses, and every budget latency target's distribution from the engine's
// exact per-stage recorder (within 0.4% of the true values). Call it once
// the engine no longer ticks (a stopped real-clock target, or a simulated
// one between steps), so the distributions are fixed.
func (e *Embedded) Observe(since Mark) budget.Observations {
	base := since.st
	s := e.eng.Stats()
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
		obs.Latencies[name] = newRecorderDist(e.eng, name)
	}
	return obs
}

// recorderDist adapts one stage of the engine to budget.Distribution: the
// engine's exact per-stage recorder.
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

// VenueLatencyPlan is a fault plan that multiplies every venue latency
// (market data and order entry) by factor for the whole of a run of length
// span: factor 1.3 is "+30% venue latency", the regression a frozen
// baseline must catch. A factor of 1 or less (or NaN) is no plan: nil.
func VenueLatencyPlan(factor float64, span time.Duration) *FaultPlan {
	if !(factor > 1) {
		return nil
	}
	return &FaultPlan{Name: fmt.Sprintf("venue latency x%g", factor), Faults: []fault.Fault{
		{Kind: fault.VenueLatencySpike, Start: 0, Duration: span, Magnitude: factor},
	}}
}

// ExportBounds are the embedded engine's exported histogram bucket upper
// bounds, in seconds: the buckets its samples (and its /metrics page) carry.
func ExportBounds() []float64 { return engine.ExportBounds() }
