package baseline

import (
	"math"
	"time"

	"github.com/presoak/presoak/harness/budget"
)

// Interval is a confidence interval for a percentile, as two observed values
// (order statistics) and the ranks they sit at.
type Interval struct {
	// Low and High bound the percentile.
	Low, High time.Duration
	// LowRank and HighRank are the 1-based ranks of Low and High in the sorted sample.
	LowRank, HighRank int
	// Level is the coverage the ranks were chosen for, e.g. 0.95.
	Level float64
	// Coverage is the exact binomial coverage of [LowRank, HighRank] (>= Level).
	Coverage float64
}

// PercentileCI is the distribution-free confidence interval for the p-th
// percentile (0 < p < 100) of a sorted sample at the given level (e.g. 0.95).
//
// It rests only on order statistics: the number B of observations below the
// true percentile is Binomial(n, p/100), so [x(l), x(u)] covers it with
// probability P(l <= B <= u-1). The ranks are equal-tailed: l is the largest
// rank with P(B <= l-1) <= (1-level)/2 and u the smallest with
// P(B <= u-1) >= 1-(1-level)/2. ok is false when the sample is too small for
// such ranks to exist within 1..n (for p95 at 95%, fewer than 72 samples):
// then there is no interval and the percentile cannot be bounded.
func PercentileCI(d budget.Distribution, p, level float64) (Interval, bool) {
	l, u, cov, ok := PercentileCIRanks(d.Count(), p, level)
	if !ok {
		return Interval{}, false
	}
	return Interval{Low: d.AtRank(l), High: d.AtRank(u), LowRank: l, HighRank: u, Level: level, Coverage: cov}, true
}

// PercentileCIRanks returns the 1-based ranks of PercentileCI for n samples.
func PercentileCIRanks(n int, p, level float64) (lo, hi int, coverage float64, ok bool) {
	q := p / 100
	if n <= 0 || q <= 0 || q >= 1 || level <= 0 || level >= 1 {
		return 0, 0, 0, false
	}
	alpha := (1 - level) / 2
	cdf := binomialCDF(n, q)
	// lo: largest l >= 1 with cdf(l-1) <= alpha.
	lo = 0
	for l := 1; l <= n; l++ {
		if cdf(l-1) <= alpha {
			lo = l
		} else {
			break
		}
	}
	// hi: smallest u <= n with cdf(u-1) >= 1-alpha.
	hi = 0
	for u := max(lo, 1); u <= n; u++ {
		if cdf(u-1) >= 1-alpha {
			hi = u
			break
		}
	}
	if lo == 0 || hi == 0 {
		return 0, 0, 0, false
	}
	return lo, hi, cdf(hi-1) - cdf(lo-1), true
}

// binomialCDF returns k -> P(B <= k) for B ~ Binomial(n, q), computed exactly
// (log-space pmf) over the window where the mass is not negligible.
func binomialCDF(n int, q float64) func(k int) float64 {
	mean := float64(n) * q
	sd := math.Sqrt(float64(n) * q * (1 - q))
	from := max(0, int(mean-14*sd-2))
	to := min(n, int(mean+14*sd+2))
	cum := make([]float64, to-from+1)
	lgn, _ := math.Lgamma(float64(n + 1))
	lq, lr := math.Log(q), math.Log1p(-q)
	var acc float64
	for k := from; k <= to; k++ {
		a, _ := math.Lgamma(float64(k + 1))
		b, _ := math.Lgamma(float64(n - k + 1))
		acc += math.Exp(lgn - a - b + float64(k)*lq + float64(n-k)*lr)
		cum[k-from] = acc
	}
	return func(k int) float64 {
		switch {
		case k < from:
			return 0
		case k > to:
			return 1
		}
		return min(cum[k-from], 1)
	}
}

// Summary is the distribution of one stage's latencies.
type Summary struct {
	Count                   int
	P50, P95, P99, Max, Min time.Duration
	Mean                    time.Duration
	// P95CI is the 95% distribution-free interval of P95; ok false when too few samples.
	P95CI   Interval
	P95CIOK bool
}

// Summarize describes a distribution.
func Summarize(d budget.Distribution) Summary {
	n := d.Count()
	if n == 0 {
		return Summary{}
	}
	out := Summary{
		Count: n,
		P50:   budget.Percentile(d, 50),
		P95:   budget.Percentile(d, 95),
		P99:   budget.Percentile(d, 99),
		Max:   d.AtRank(n),
		Min:   d.AtRank(1),
		Mean:  d.Mean(),
	}
	out.P95CI, out.P95CIOK = PercentileCI(d, 95, 0.95)
	return out
}
