package baseline

import (
	"fmt"
	"time"

	"github.com/presoak/presoak/internal/durfmt"
)

// Confidence is how far a percentile's verdict can be trusted, derived from
// its confidence interval against the budget and from the sample size.
type Confidence string

// The labels.
const (
	// High: the whole interval is on one side of the budget and the sample
	// has at least HighConfidenceSamples observations.
	High Confidence = "high"
	// Medium: the whole interval is on one side of the budget, but the sample is smaller.
	Medium Confidence = "medium"
	// Low: the interval contains the budget: another sample could flip the verdict.
	Low Confidence = "low"
	// Insufficient: too few samples to bound the percentile at all.
	Insufficient Confidence = "insufficient"
)

// HighConfidenceSamples is the sample size from which a settled verdict is
// labelled high. At n = 1,000 the 95% interval of a p95 spans the ranks
// 936..964, i.e. the 93.6th..96.4th percentiles.
const HighConfidenceSamples = 1000

// Assess labels a percentile's interval against a latency budget's limit.
// Without an interval (ok false) the label is Insufficient. With a zero limit
// (no budget) only the sample size counts.
func Assess(ci Interval, ok bool, n int, limit time.Duration) (Confidence, string) {
	if !ok {
		return Insufficient, fmt.Sprintf("n=%d is too few samples to bound the percentile", n)
	}
	span := fmt.Sprintf("95%% CI %s..%s, n=%d", durfmt.Latency(ci.Low), durfmt.Latency(ci.High), n)
	if limit > 0 && ci.Low < limit && ci.High >= limit {
		return Low, span + ", contains the budget " + durfmt.Latency(limit)
	}
	if n < HighConfidenceSamples {
		return Medium, span + fmt.Sprintf(", fewer than %d samples", HighConfidenceSamples)
	}
	if limit > 0 {
		return High, span + ", clear of the budget " + durfmt.Latency(limit)
	}
	return High, span
}
