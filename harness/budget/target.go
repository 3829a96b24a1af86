package budget

// Kind is what a target measures, which decides the aggregates and units its
// expressions may use.
type Kind int

// The kinds of target.
const (
	// Latency targets hold a distribution of durations.
	Latency Kind = iota + 1
	// Ratio targets hold a share in percent (0..100).
	Ratio
)

// The pipeline stages, in pipeline order, and the whole tick.
const (
	StageFetchMD   = "fetch_md"
	StageFairValue = "fair_value"
	StageSpread    = "spread"
	StageQuote     = "quote"
	StageRisk      = "risk"
	StageSubmit    = "submit"
	TickTotal      = "tick_total"
)

// The ratio targets.
const (
	DeadlineMiss    = "deadline_miss"      // deadline misses / ticks, %
	MDCacheHitRatio = "md_cache_hit_ratio" // cache hits / cache requests, %
)

// Stages are the pipeline stages in pipeline order (without tick_total).
var Stages = []string{StageFetchMD, StageFairValue, StageSpread, StageQuote, StageRisk, StageSubmit}

// LatencyTargets are the stages followed by tick_total: the order reports use.
var LatencyTargets = append(append([]string(nil), Stages...), TickTotal)

// Targets lists every target a budget may name, in report order.
var Targets = append(append([]string(nil), LatencyTargets...), DeadlineMiss, MDCacheHitRatio)

// KindOf returns the kind of a target, or false when it is unknown.
func KindOf(target string) (Kind, bool) {
	switch target {
	case DeadlineMiss, MDCacheHitRatio:
		return Ratio, true
	}
	for _, s := range LatencyTargets {
		if s == target {
			return Latency, true
		}
	}
	return 0, false
}
