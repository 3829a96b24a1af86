package baseline

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/presoak/presoak/harness/budget"
	"github.com/presoak/presoak/harness/signal"
	"github.com/presoak/presoak/harness/target"

	"github.com/presoak/presoak/internal/durfmt"
)

// histDist adapts a histogram of the observations between two samples to
// budget.Distribution, so a bot read through a target is summarized, judged
// and sketched by the same code as the embedded engine. The k-th smallest
// observation is estimated by linear interpolation inside its bucket (as
// Prometheus's histogram_quantile does): any value of that bucket is
// consistent with the counts, which is the bucket error BucketError states.
type histDist struct{ h signal.Histogram }

func (d histDist) Count() int { return int(math.Round(d.h.Count)) }

func (d histDist) Mean() time.Duration {
	if d.h.Count <= 0 {
		return 0
	}
	return seconds(d.h.Sum / d.h.Count)
}

func (d histDist) AtRank(k int) time.Duration {
	n := d.Count()
	if n == 0 {
		return 0
	}
	k = min(max(k, 1), n)
	v, ok := d.h.Quantile(float64(k) / float64(n))
	if !ok {
		return 0
	}
	return seconds(v)
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// BucketError is where a stage's percentiles lie in its histogram buckets.
type BucketError struct {
	P50 QuantileBucket `json:"p50"`
	P95 QuantileBucket `json:"p95"`
	P99 QuantileBucket `json:"p99"`
}

// QuantileBucket is the bucket holding one percentile's rank, in ms: every
// value in [LoMs, HiMs] is consistent with the counts, so the reported
// percentile is off by at most MaxErrorMs. Unbounded is true when the rank
// lies past the last finite bucket bound (LoMs): the percentile is reported
// as that bound and could be any larger value (HiMs and MaxErrorMs are 0).
type QuantileBucket struct {
	LoMs       float64 `json:"lo_ms"`
	HiMs       float64 `json:"hi_ms"`
	MaxErrorMs float64 `json:"max_error_ms"`
	Unbounded  bool    `json:"unbounded,omitempty"`
}

// String reads like "bucket 10ms..25ms, error <= 8.2ms".
func (q QuantileBucket) String() string {
	if q.Unbounded {
		return "past the last bucket bound " + durfmt.Latency(fromMs(q.LoMs)) + ", error unbounded"
	}
	return fmt.Sprintf("bucket %s..%s, error <= %s", durfmt.Latency(fromMs(q.LoMs)), durfmt.Latency(fromMs(q.HiMs)), durfmt.Latency(fromMs(q.MaxErrorMs)))
}

// contains reports whether a limit lies inside the bucket (the verdict
// against it cannot be settled from the buckets).
func (q QuantileBucket) contains(limitMs float64) bool {
	if q.Unbounded {
		return limitMs >= q.LoMs
	}
	return limitMs >= q.LoMs && limitMs <= q.HiMs
}

// quantileBucket is the bucket of h holding rank q*count, with the error of
// valueMs (the percentile as reported) inside it.
func quantileBucket(h signal.Histogram, q, valueMs float64) QuantileBucket {
	e, ok := target.EstimateQuantile(h, q)
	if !ok {
		return QuantileBucket{}
	}
	lo := e.Lo * 1e3
	if math.IsInf(e.Hi, 1) {
		return QuantileBucket{LoMs: lo, Unbounded: true}
	}
	hi := e.Hi * 1e3
	return QuantileBucket{LoMs: lo, HiMs: hi, MaxErrorMs: max(valueMs-lo, hi-valueMs, 0)}
}

// addBucketErrors states the bucket error of every percentile of a
// baseline computed from histograms (hists by latency target), and lowers a
// p95 verdict's confidence to Low when its bucket contains the budget.
func addBucketErrors(b *Baseline, hists map[string]signal.Histogram) {
	names := slices.Clone(budget.LatencyTargets)
	for name := range b.Signals {
		names = append(names, name)
	}
	for _, name := range names {
		st, _ := b.Stage(name)
		h, ok := hists[name]
		if !ok || st.Count == 0 {
			continue
		}
		st.BucketError = &BucketError{
			P50: quantileBucket(h, 0.50, st.P50Ms),
			P95: quantileBucket(h, 0.95, st.P95Ms),
			P99: quantileBucket(h, 0.99, st.P99Ms),
		}
		if st.BudgetMs > 0 && st.BucketError.P95.contains(st.BudgetMs) {
			st.Confidence = Low
			st.ConfidenceReason = fmt.Sprintf("p95 %s: the budget %s lies inside it, the buckets cannot settle the verdict; %s",
				st.BucketError.P95, durfmt.Latency(fromMs(st.BudgetMs)), st.ConfidenceReason)
		}
		switch _, isSignal := b.Signals[name]; {
		case name == budget.TickTotal:
			b.TickTotal = st
		case isSignal:
			b.Signals[name] = st
		default:
			b.Stages[name] = st
		}
	}
}
