package baseline

import (
	"math"
	"sort"
	"time"
)

// HistogramGrowth is the ratio between consecutive bucket bounds of a
// Histogram: 1%, ten times finer than the +10% regression it has to resolve.
const HistogramGrowth = 1.01

// Histogram is a compact, lossy copy of a latency sample kept in
// stage_budgets.json so that a later run can be compared with a frozen
// baseline by resampling (bootstrap) without keeping every observation.
// Bucket i holds the observations in (Growth^(i-1), Growth^i] nanoseconds;
// only non-empty buckets are stored, in increasing order.
type Histogram struct {
	// Growth is the bound ratio between buckets (HistogramGrowth).
	Growth float64 `json:"growth"`
	// Index are the bucket indexes, increasing.
	Index []int `json:"index"`
	// Count is the number of observations in each bucket.
	Count []int `json:"count"`
}

// NewHistogram buckets a sample (any order).
func NewHistogram(xs []time.Duration) Histogram {
	counts := map[int]int{}
	for _, x := range xs {
		counts[bucketOf(x)]++
	}
	h := Histogram{Growth: HistogramGrowth}
	for i := range counts {
		h.Index = append(h.Index, i)
	}
	sort.Ints(h.Index)
	for _, i := range h.Index {
		h.Count = append(h.Count, counts[i])
	}
	return h
}

func bucketOf(x time.Duration) int {
	if x <= 1 {
		return 0
	}
	return int(math.Ceil(math.Log(float64(x))/math.Log(HistogramGrowth) - 1e-9))
}

// Total is the number of observations.
func (h Histogram) Total() int {
	n := 0
	for _, c := range h.Count {
		n += c
	}
	return n
}

// Bound is the upper bound of bucket i, the value a resample draws for it.
func (h Histogram) Bound(i int) time.Duration {
	g := h.Growth
	if g <= 1 {
		g = HistogramGrowth
	}
	return time.Duration(math.Pow(g, float64(i)))
}

// cumulative returns the bucket bounds and cumulative fractions, for Quantile.
func (h Histogram) cumulative() ([]time.Duration, []float64) {
	n := float64(h.Total())
	bounds := make([]time.Duration, len(h.Index))
	cum := make([]float64, len(h.Index))
	acc := 0
	for k, i := range h.Index {
		acc += h.Count[k]
		bounds[k] = h.Bound(i)
		cum[k] = float64(acc) / n
	}
	return bounds, cum
}

// Quantile is the bucket bound at cumulative fraction u (0..1], the inverse
// of the histogram's empirical distribution function.
func (h Histogram) Quantile(u float64) time.Duration {
	bounds, cum := h.cumulative()
	return quantileOf(bounds, cum, u)
}

func quantileOf(bounds []time.Duration, cum []float64, u float64) time.Duration {
	if len(bounds) == 0 {
		return 0
	}
	k := sort.SearchFloat64s(cum, u)
	if k >= len(bounds) {
		k = len(bounds) - 1
	}
	return bounds[k]
}
