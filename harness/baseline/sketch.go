package baseline

import (
	"math"
	"time"

	"github.com/presoak/presoak/harness/budget"
)

// SketchPoints is the number of quantiles a Sketch keeps: one per 0.1% of
// probability, so a p95 is resolved to within a rank of 0.1% of the sample.
const SketchPoints = 1000

// Sketch is a compact copy of a latency distribution kept in
// stage_budgets.json, so that a later run can be compared with a frozen
// baseline by resampling (bootstrap) without keeping every observation: its
// empirical quantile function at SketchPoints evenly spaced probabilities.
type Sketch struct {
	// N is the number of observations the sketch stands for.
	N int `json:"n"`
	// QuantilesNs[i] is the nearest-rank quantile at probability (i+1)/len, in ns.
	QuantilesNs []int64 `json:"quantiles_ns"`
}

// NewSketch sketches a distribution (empty for an empty one).
func NewSketch(d budget.Distribution) Sketch {
	n := d.Count()
	if n == 0 {
		return Sketch{}
	}
	s := Sketch{N: n, QuantilesNs: make([]int64, SketchPoints)}
	for i := range s.QuantilesNs {
		s.QuantilesNs[i] = int64(budget.Percentile(d, 100*float64(i+1)/SketchPoints))
	}
	return s
}

// Quantile is the sketch's inverse distribution function at u (0..1]: the
// value an observation drawn with cumulative probability u takes.
func (s Sketch) Quantile(u float64) time.Duration {
	m := len(s.QuantilesNs)
	if m == 0 {
		return 0
	}
	i := int(math.Ceil(u*float64(m))) - 1
	return time.Duration(s.QuantilesNs[min(max(i, 0), m-1)])
}
