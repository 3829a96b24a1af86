package target

import (
	"fmt"
	"math"

	"github.com/presoak/presoak/harness/signal"
)

// QuantileEstimate is a quantile read off a cumulative histogram, with the
// bucket it lies in. Any value in [Lo, Hi] is consistent with the buckets,
// so the estimate (linear interpolation, as Prometheus's histogram_quantile
// does) can be off by at most MaxError: the bucket error a report states
// next to a percentile from a scraped or queried bot.
type QuantileEstimate struct {
	// Q is the quantile asked for (0..1).
	Q float64
	// Value is signal.Histogram.Quantile's estimate, in seconds.
	Value float64
	// Lo and Hi bound the bucket holding rank Q*Count (Hi is +Inf past the
	// last finite bound, where Value is that bound).
	Lo, Hi float64
	// MaxError is max(Value-Lo, Hi-Value): the most the estimate can be off.
	MaxError float64
}

// EstimateQuantile returns the q-quantile of h and its bucket error. ok is
// false for an empty histogram.
func EstimateQuantile(h signal.Histogram, q float64) (QuantileEstimate, bool) {
	v, ok := h.Quantile(q)
	if !ok {
		return QuantileEstimate{Q: q, Value: math.NaN(), Lo: math.NaN(), Hi: math.NaN(), MaxError: math.NaN()}, false
	}
	rank := q * h.Count
	lo, hi := 0.0, math.Inf(1)
	for i, ub := range h.UpperBounds {
		if math.IsInf(ub, 1) {
			break
		}
		if h.Counts[i] >= rank {
			hi = ub
			break
		}
		lo = ub
	}
	return QuantileEstimate{Q: q, Value: v, Lo: lo, Hi: hi, MaxError: max(v-lo, hi-v)}, true
}

// String reads like "p95 12.3ms (bucket 10ms..15ms, error <= 2.7ms)", with
// three significant digits.
func (e QuantileEstimate) String() string {
	if math.IsNaN(e.Value) {
		return fmt.Sprintf("p%g no data", e.Q*100)
	}
	d := func(s float64) string {
		if math.IsInf(s, 1) {
			return "+Inf"
		}
		switch {
		case s < 1e-3:
			return fmt.Sprintf("%.3gµs", s*1e6)
		case s < 1:
			return fmt.Sprintf("%.3gms", s*1e3)
		}
		return fmt.Sprintf("%.3gs", s)
	}
	return fmt.Sprintf("p%g %s (bucket %s..%s, error <= %s)", e.Q*100, d(e.Value), d(e.Lo), d(e.Hi), d(e.MaxError))
}
