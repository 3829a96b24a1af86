package baseline

import (
	"time"

	"github.com/presoak/presoak/harness/budget"
)

// Meta is a run's provenance, copied into its Baseline.
type Meta struct {
	// Clock is SimulatedClock or RealClock.
	Clock string
	// Start and End of the run on its clock; Planned is the duration asked for.
	Start, End time.Time
	Planned    time.Duration
	// Partial marks a run that ended early; PartialReason says why.
	Partial       bool
	PartialReason string
	// ConfigHash and ConfigLayers (display paths) of the effective config.
	ConfigHash   string
	ConfigLayers []string
	// GitCommit of the harness.
	GitCommit string
	// Feed replayed (a recording's display path, or the synthetic feed) and the venue seed.
	Feed string
	Seed int64
	// Source is SourceExact (the default when empty) or SourceBuckets;
	// Target, Instance, Samples and SamplesDown describe a bot read through
	// a target (see Baseline).
	Source               string
	Target, Instance     string
	Samples, SamplesDown int
}

// Run is one measured run: what budgets evaluate on, the verdicts, and the
// Baseline written as stage_budgets.json.
type Run struct {
	Observations budget.Observations
	Results      []budget.Result
	Baseline     *Baseline
}

// LatencySource says what a clock's latencies are, for every report.
func LatencySource(clock string) string {
	if clock == SimulatedClock {
		return "modeled by the engine from its latency profile (simulated clock)"
	}
	return "measured on the real clock"
}

// Assemble evaluates the budgets of set (nil: none) on obs and builds the run's Baseline.
func Assemble(meta Meta, obs budget.Observations, set *budget.Set) *Run {
	b := &Baseline{
		SchemaVersion:   SchemaVersion,
		Partial:         meta.Partial,
		PartialReason:   meta.PartialReason,
		Clock:           meta.Clock,
		LatencySource:   LatencySource(meta.Clock),
		Source:          meta.Source,
		Target:          meta.Target,
		Instance:        meta.Instance,
		Samples:         meta.Samples,
		SamplesDown:     meta.SamplesDown,
		Start:           meta.Start.UTC(),
		End:             meta.End.UTC(),
		DurationSeconds: meta.End.Sub(meta.Start).Seconds(),
		PlannedSeconds:  meta.Planned.Seconds(),
		Ticks:           int64(obs.Ticks),
		DeadlineMisses:  int64(obs.DeadlineMisses),
		CacheHits:       int64(obs.CacheHits),
		CacheMisses:     int64(obs.CacheMisses),
		ConfigHash:      meta.ConfigHash,
		ConfigLayers:    meta.ConfigLayers,
		GitCommit:       meta.GitCommit,
		Feed:            meta.Feed,
		Seed:            meta.Seed,
		Stages:          map[string]StageStats{},
	}
	if b.Source == "" {
		b.Source = SourceExact
	}
	if b.Source == SourceBuckets {
		b.LatencySource = "measured by the bot, read from its latency histograms (percentiles interpolated inside buckets; bucket error stated per percentile)"
	}
	if obs.Ticks > 0 {
		b.DeadlineMissPct = 100 * obs.DeadlineMisses / obs.Ticks
	}
	if req := obs.CacheHits + obs.CacheMisses; req > 0 {
		b.HitRatioPct = 100 * obs.CacheHits / req
	}
	for _, name := range budget.LatencyTargets {
		d := obs.Latencies[name]
		if d == nil {
			d = budget.Samples{}
		}
		st := NewStageStats(name, d, set)
		if name == budget.TickTotal {
			b.TickTotal = st
		} else {
			b.Stages[name] = st
		}
	}
	if set != nil {
		for _, name := range set.Signals() {
			d := obs.Latencies[name]
			if d == nil {
				d = budget.Samples{}
			}
			if b.Signals == nil {
				b.Signals = map[string]StageStats{}
			}
			b.Signals[name] = NewStageStats(name, d, set)
		}
	}
	r := &Run{Observations: obs, Baseline: b}
	if set != nil {
		r.Results = set.Evaluate(obs)
		for _, res := range r.Results {
			v := BudgetVerdict{Budget: res.Budget.String(), Observed: res.FormatObserved(), Samples: res.Samples, Pass: res.Pass, Value: res.Observed}
			if res.Err != nil {
				v.Error = res.Err.Error()
			}
			b.Budgets = append(b.Budgets, v)
		}
	}
	return r
}
