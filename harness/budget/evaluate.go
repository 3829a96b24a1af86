package budget

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/presoak/presoak/internal/durfmt"
)

// ErrNoSamples is the result of evaluating a budget without evidence: no
// latencies for the stage, no ticks, or no cache requests. It is a failure.
var ErrNoSamples = errors.New("no samples")

// Observations is what a run observed, the input of Evaluate.
type Observations struct {
	// Latencies by target (stage name or tick_total): Samples or any Distribution.
	Latencies map[string]Distribution
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
		return durfmt.Latency(time.Duration(r.Observed))
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
		if xs != nil {
			r.Samples = xs.Count()
		}
		if r.Samples == 0 {
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

func aggregate(a Aggregate, d Distribution) float64 {
	switch a.Func {
	case "avg":
		return float64(d.Mean())
	case "min":
		return float64(d.AtRank(1))
	case "max":
		return float64(d.AtRank(d.Count()))
	default:
		return float64(Percentile(d, a.Percentile))
	}
}
