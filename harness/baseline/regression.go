package baseline

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/presoak/presoak/harness/budget"
	"github.com/presoak/presoak/harness/signal"
	"github.com/presoak/presoak/harness/target"
	"github.com/presoak/presoak/internal/durfmt"
)

// RegressionStatus is the verdict of comparing one stage's p95 with the frozen baseline.
type RegressionStatus string

// The verdicts.
const (
	// NoRegression: the p95 is not significantly more than Threshold above the baseline.
	NoRegression RegressionStatus = "OK"
	// Regressed: the whole bootstrap interval of the p95 ratio is above Threshold
	// (over +10% and statistically significant): a warning.
	Regressed RegressionStatus = "REGRESSED"
	// Inconclusive: too little data on either side, or the point estimate is
	// over Threshold but its interval is not.
	Inconclusive RegressionStatus = "INCONCLUSIVE"
)

// CompareOptions tunes Compare. The zero value uses the defaults in brackets.
type CompareOptions struct {
	// Threshold is the p95 ratio (current/baseline) that counts as a regression [1.10].
	Threshold float64
	// Level is the bootstrap interval's coverage [0.95].
	Level float64
	// Resamples is the number of bootstrap replicates [2000].
	Resamples int
	// MinSamples is the fewest observations per side for a verdict [200].
	MinSamples int
	// Seed seeds the bootstrap; the same inputs and seed give the same interval [1].
	Seed uint64
}

func (o CompareOptions) withDefaults() CompareOptions {
	if o.Threshold <= 0 {
		o.Threshold = 1.10
	}
	if o.Level <= 0 || o.Level >= 1 {
		o.Level = 0.95
	}
	if o.Resamples <= 0 {
		o.Resamples = 2000
	}
	if o.MinSamples <= 0 {
		o.MinSamples = 200
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	return o
}

// StageRegression is one stage compared with the frozen baseline.
type StageRegression struct {
	Stage                   string
	BaselineP95, CurrentP95 time.Duration
	BaselineN, CurrentN     int
	// Ratio is CurrentP95 / BaselineP95 on the sketches (the point estimate).
	Ratio float64
	// Low and High bound Ratio (percentile bootstrap at Level).
	Low, High float64
	Status    RegressionStatus
	// Reason says why, with the numbers.
	Reason string
}

// PctChange is the p95 change in percent, (Ratio - 1) * 100.
func (s StageRegression) PctChange() float64 { return (s.Ratio - 1) * 100 }

// Compare compares every latency target present in both baselines. The
// bootstrap resamples each side from its Sketch: the k-th order statistic
// of n draws from a distribution F is F^-1(U) with U ~ Beta(k, n-k+1), so
// each replicate draws one Beta variate per side instead of n observations.
func Compare(frozen, current *Baseline, opts CompareOptions) []StageRegression {
	o := opts.withDefaults()
	rng := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	var out []StageRegression
	for _, name := range budget.LatencyTargets {
		b, okb := frozen.Stage(name)
		c, okc := current.Stage(name)
		if !okb || !okc {
			continue
		}
		out = append(out, compareStage(name, b.Sketch, c.Sketch, o, rng))
	}
	return out
}

// Worst is the comparison with the highest ratio (false when there is none).
func Worst(rs []StageRegression) (StageRegression, bool) {
	if len(rs) == 0 {
		return StageRegression{}, false
	}
	return slices.MaxFunc(rs, func(a, b StageRegression) int {
		switch {
		case a.Ratio < b.Ratio:
			return -1
		case a.Ratio > b.Ratio:
			return 1
		}
		return 0
	}), true
}

func compareStage(name string, base, cur Sketch, o CompareOptions, rng *rand.Rand) StageRegression {
	r := StageRegression{Stage: name, BaselineN: base.N, CurrentN: cur.N}
	if r.BaselineN > 0 {
		r.BaselineP95 = base.Quantile(float64(budget.Rank(r.BaselineN, 95)) / float64(r.BaselineN))
	}
	if r.CurrentN > 0 {
		r.CurrentP95 = cur.Quantile(float64(budget.Rank(r.CurrentN, 95)) / float64(r.CurrentN))
	}
	if r.BaselineN < o.MinSamples || r.CurrentN < o.MinSamples || r.BaselineP95 <= 0 {
		r.Status = Inconclusive
		r.Reason = fmt.Sprintf("%s: too little data (baseline n=%d, current n=%d, want >= %d each)", name, r.BaselineN, r.CurrentN, o.MinSamples)
		return r
	}
	r.Ratio = float64(r.CurrentP95) / float64(r.BaselineP95)

	kb, kc := budget.Rank(r.BaselineN, 95), budget.Rank(r.CurrentN, 95)
	ratios := make([]float64, o.Resamples)
	for i := range ratios {
		vb := base.Quantile(betaVariate(rng, float64(kb), float64(r.BaselineN-kb+1)))
		vc := cur.Quantile(betaVariate(rng, float64(kc), float64(r.CurrentN-kc+1)))
		ratios[i] = float64(vc) / math.Max(float64(vb), 1)
	}
	slices.Sort(ratios)
	alpha := (1 - o.Level) / 2
	r.Low = ratios[int(math.Floor(alpha*float64(len(ratios)-1)))]
	r.High = ratios[int(math.Ceil((1-alpha)*float64(len(ratios)-1)))]

	change := fmt.Sprintf("%s p95 %s -> %s (%+.1f%%, %.0f%% CI of the ratio %.3f..%.3f, n=%d vs %d)",
		name, durfmt.Latency(r.BaselineP95), durfmt.Latency(r.CurrentP95), r.PctChange(),
		100*o.Level, r.Low, r.High, r.BaselineN, r.CurrentN)
	switch {
	case r.Low > o.Threshold:
		r.Status = Regressed
		r.Reason = change + fmt.Sprintf(": regression over +%.0f%% and significant", 100*(o.Threshold-1))
	case r.Ratio > o.Threshold:
		r.Status = Inconclusive
		r.Reason = change + fmt.Sprintf(": over +%.0f%% but not significant; run longer", 100*(o.Threshold-1))
	default:
		r.Status = NoRegression
		r.Reason = change
	}
	return r
}

// betaVariate draws from Beta(a, b) as X/(X+Y), X ~ Gamma(a), Y ~ Gamma(b).
func betaVariate(rng *rand.Rand, a, b float64) float64 {
	x := gammaVariate(rng, a)
	y := gammaVariate(rng, b)
	return x / (x + y)
}

// gammaVariate draws from Gamma(shape, 1) (Marsaglia and Tsang, 2000).
func gammaVariate(rng *rand.Rand, shape float64) float64 {
	if shape < 1 {
		return gammaVariate(rng, shape+1) * math.Pow(rng.Float64(), 1/shape)
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := rng.Float64()
		if u < 1-0.0331*x*x*x*x || math.Log(u) < 0.5*x*x+d*(1-v+math.Log(v)) {
			return d * v
		}
	}
}

// P95RegressionPct is the p95_regression_pct signal: how far the worst
// latency target's current p95 is above the frozen baseline's, in percent
// (negative when every target is faster). current maps a stage name (or
// tick_total) to its p95 now, computed the way frozen's were (Source): for
// p95s interpolated inside histogram buckets, compare with SoakP95Seconds
// instead, or the bucket error reads as a regression. Targets missing on
// either side are skipped; err is set when no target can be compared.
func P95RegressionPct(frozen *Baseline, current map[string]time.Duration) (pct float64, stage string, err error) {
	found := false
	for _, name := range budget.LatencyTargets {
		b, ok := frozen.Stage(name)
		c, okc := current[name]
		if !ok || !okc || b.P95Ms <= 0 || c <= 0 {
			continue
		}
		p := (float64(c)/1e6/b.P95Ms - 1) * 100
		if !found || p > pct {
			pct, stage, found = p, name, true
		}
	}
	if !found {
		return 0, "", fmt.Errorf("p95 regression: %w: no latency target with a p95 on both sides", budget.ErrNoSamples)
	}
	return pct, stage, nil
}

// ErrClockMismatch is returned when two baselines were measured on different clocks.
var ErrClockMismatch = errors.New("baselines measured on different clocks")

// CompareBaselines is Compare after checking both baselines measured the same
// thing: the same clock (modeled and measured latencies do not compare).
func CompareBaselines(frozen, current *Baseline, opts CompareOptions) ([]StageRegression, error) {
	if frozen.Clock != current.Clock {
		return nil, fmt.Errorf("compare baselines: %w: frozen %s, current %s", ErrClockMismatch, frozen.Clock, current.Clock)
	}
	if SourceOf(frozen) != SourceOf(current) {
		return nil, fmt.Errorf("compare baselines: %w: frozen from the %s, current from %s: the bucket error alone can look like a regression; freeze a baseline read the same way",
			ErrSourceMismatch, SourceOf(frozen), SourceOf(current))
	}
	return Compare(frozen, current, opts), nil
}

// ErrSourceMismatch is returned by CompareBaselines for baselines whose
// percentiles were computed differently (exact recorder vs histogram buckets).
var ErrSourceMismatch = errors.New("baselines computed from different sources")

// SoakP95Seconds is the frozen baseline's p95 per latency target, in
// seconds, computed as the soak computes its own: interpolated inside the
// bot's histogram buckets (histogram_quantile's rule). It is what
// signal.Options.BaselineP95 and the generated rules take. Comparing an
// exact p95 with a bucket-interpolated one measures the buckets, not the
// bot: against its own exact baseline the unchanged engine read +137% on
// spread, whose p95 lies in a wide bucket.
//
// A baseline read from a bot's histograms (SourceBuckets) already is such a
// p95. The embedded engine's exact baseline is binned into the buckets the
// engine exports (target.ExportBounds) through its Sketch, then
// interpolated like the soak's window.
func (b *Baseline) SoakP95Seconds() map[string]float64 {
	if SourceOf(b) == SourceBuckets {
		return b.P95Seconds()
	}
	bounds := target.ExportBounds()
	out := map[string]float64{}
	for _, name := range budget.LatencyTargets {
		st, ok := b.Stage(name)
		if !ok || len(st.Sketch.QuantilesNs) == 0 {
			continue
		}
		if p, ok := st.Sketch.bucketed(bounds).Quantile(0.95); ok && p > 0 {
			out[name] = p
		}
	}
	return out
}

// bucketed is the sketch as a cumulative histogram over bounds (seconds):
// the count at each bound is N times the share of the sketch's quantiles at
// or below it (to within 1/SketchPoints).
func (s Sketch) bucketed(bounds []float64) signal.Histogram {
	n := float64(len(s.QuantilesNs))
	h := signal.Histogram{UpperBounds: bounds, Counts: make([]float64, len(bounds)), Count: float64(s.N)}
	for i, ub := range bounds {
		limit := int64(math.Round(ub * 1e9))
		k, _ := slices.BinarySearchFunc(s.QuantilesNs, limit, func(q, l int64) int {
			if q <= l {
				return -1
			}
			return 1
		})
		h.Counts[i] = float64(s.N) * float64(k) / n
	}
	return h
}
