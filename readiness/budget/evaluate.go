package budget

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

// ErrNoSamples is the result of evaluating a budget without evidence: no
// latencies for the stage, no ticks, or no cache requests. It is a failure.
var ErrNoSamples = errors.New("no samples")

// Observations is what a run observed, the input of Evaluate.
type Observations struct {
	// Latencies by target (stage name or tick_total). They need not be sorted;
	// Evaluate sorts a copy only when a slice is unsorted.
	Latencies map[string][]time.Duration
	// Ticks and DeadlineMisses give deadline_miss = misses / ticks.
	Ticks, DeadlineMisses float64
	// CacheHits and CacheMisses give md_cache_hit_ratio = hits / (hits + misses).
	CacheHits, CacheMisses float64
}

// Result is one budget evaluated.
type Result struct {
	// Budget that was evaluated.
	Budget Budget
	// Observed is the aggregate: nanoseconds for latencies, percent for ratios.
	Observed float64
	// Samples is how many observations it rests on (latencies, ticks or cache requests).
	Samples int
	// Pass is true only when there were samples and `Observed Op Threshold` holds.
	Pass bool
	// Err is set when the budget could not be evaluated (ErrNoSamples).
	Err error
}

// FormatObserved renders the observed value with its unit ("41.2ms", "1.3%").
func (r Result) FormatObserved() string {
	if r.Err != nil {
		return "n/a"
	}
	if r.Budget.Kind == Latency {
		return FormatDuration(time.Duration(r.Observed))
	}
	return strconv.FormatFloat(r.Observed, 'f', 2, 64) + "%"
}

// String is a message that stands alone: "fetch_md p(95) 41.2ms over budget
// 35ms (p(95) < 35ms, n=2099)".
func (r Result) String() string {
	b := r.Budget
	if r.Err != nil {
		return fmt.Sprintf("%s %s: %v, budget %s fails", b.Target, b.Agg, r.Err, b.Expr)
	}
	verdict := "within"
	if !r.Pass {
		verdict = "over"
		if b.Op == Greater || b.Op == GreaterEqual {
			verdict = "under"
		}
	}
	return fmt.Sprintf("%s %s %s %s budget %s (%s, n=%d)", b.Target, b.Agg, r.FormatObserved(), verdict, b.FormatThreshold(), b.Expr, r.Samples)
}

// Evaluate applies one budget to the observations.
func Evaluate(b Budget, obs Observations) Result {
	r := Result{Budget: b}
	switch b.Kind {
	case Latency:
		xs := obs.Latencies[b.Target]
		r.Samples = len(xs)
		if len(xs) == 0 {
			r.Err = fmt.Errorf("evaluate %s: %w for %s", b, ErrNoSamples, b.Target)
			return r
		}
		r.Observed = aggregate(b.Agg, xs)
	case Ratio:
		num, den := obs.ratio(b.Target)
		r.Samples = int(den)
		if den <= 0 {
			r.Err = fmt.Errorf("evaluate %s: %w for %s", b, ErrNoSamples, b.Target)
			return r
		}
		r.Observed = 100 * num / den
	default:
		r.Err = fmt.Errorf("evaluate %s: %w", b, ErrUnknownTarget)
		return r
	}
	r.Pass = b.Op.Holds(r.Observed, b.Threshold)
	return r
}

// Evaluate applies every budget of the set, in file order.
func (s *Set) Evaluate(obs Observations) []Result {
	out := make([]Result, 0, len(s.Budgets))
	for _, b := range s.Budgets {
		out = append(out, Evaluate(b, obs))
	}
	return out
}

// Failed returns the results that did not pass, in order.
func Failed(results []Result) []Result {
	var out []Result
	for _, r := range results {
		if !r.Pass {
			out = append(out, r)
		}
	}
	return out
}

func (o Observations) ratio(target string) (num, den float64) {
	switch target {
	case DeadlineMiss:
		return o.DeadlineMisses, o.Ticks
	case MDCacheHitRatio:
		return o.CacheHits, o.CacheHits + o.CacheMisses
	}
	return 0, 0
}

func aggregate(a Aggregate, xs []time.Duration) float64 {
	switch a.Func {
	case "avg":
		var sum float64
		for _, x := range xs {
			sum += float64(x)
		}
		return sum / float64(len(xs))
	case "min":
		return float64(slices.Min(xs))
	case "max":
		return float64(slices.Max(xs))
	default:
		if !slices.IsSorted(xs) {
			xs = slices.Clone(xs)
			slices.Sort(xs)
		}
		return float64(Percentile(xs, a.Percentile))
	}
}

// Percentile is the nearest-rank p-th percentile (0..100) of sorted: the
// smallest value with at least p% of the observations at or below it. It is 0
// for an empty slice; callers check for samples first.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	return sorted[Rank(n, p)-1]
}

// Rank is the 1-based nearest rank of the p-th percentile among n observations.
func Rank(n int, p float64) int {
	r := int(math.Ceil(p / 100 * float64(n)))
	// guard against float error pushing an exact rank up by one (e.g. 95/100*100)
	if r > 1 && float64(r-1) >= p/100*float64(n)-1e-9 {
		r--
	}
	return min(max(r, 1), n)
}
