package budget

import (
	"math"
	"slices"
	"time"
)

// Distribution is a latency distribution a budget is evaluated on: raw
// samples (Samples) or a recorder's histogram adapted by the caller.
type Distribution interface {
	// Count is the number of observations.
	Count() int
	// AtRank is the k-th smallest observation, 1 <= k <= Count().
	AtRank(k int) time.Duration
	// Mean is the arithmetic mean.
	Mean() time.Duration
}

// Samples is a sorted sample of latencies; build it with NewSamples.
type Samples []time.Duration

// NewSamples sorts a copy of xs.
func NewSamples(xs []time.Duration) Samples {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s
}

// Count is the number of observations.
func (s Samples) Count() int { return len(s) }

// AtRank is the k-th smallest observation (1-based, clamped to 1..n).
func (s Samples) AtRank(k int) time.Duration { return s[min(max(k, 1), len(s))-1] }

// Mean is the arithmetic mean (0 when empty).
func (s Samples) Mean() time.Duration {
	if len(s) == 0 {
		return 0
	}
	var sum float64
	for _, x := range s {
		sum += float64(x)
	}
	return time.Duration(sum / float64(len(s)))
}

// Percentile is the nearest-rank p-th percentile (0..100) of d: the smallest
// observation with at least p% of the observations at or below it. It is 0
// when d is empty; callers check Count first.
func Percentile(d Distribution, p float64) time.Duration {
	n := d.Count()
	if n == 0 {
		return 0
	}
	return d.AtRank(Rank(n, p))
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
