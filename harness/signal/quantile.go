package signal

import (
	"math"
	"time"
)

// Quantile returns the q-quantile (0..1) of a histogram the way Prometheus's
// histogram_quantile does: find the bucket holding rank q*count and
// interpolate linearly inside it (the lowest bucket starts at 0; a rank past
// the last finite bound returns that bound). ok is false for an empty one.
func (h Histogram) Quantile(q float64) (float64, bool) { return quantileSince(h, nil, q) }

// quantileSince is h.Sub(*earlier).Quantile(q) (earlier nil: h.Quantile(q))
// without building the difference: the same subtractions, done as the
// buckets are read.
func quantileSince(h Histogram, earlier *Histogram, q float64) (float64, bool) {
	count := h.Count
	if earlier != nil && !subtractable(h, *earlier) {
		earlier = nil // Sub returns h itself
	}
	if earlier != nil {
		count = h.Count - earlier.Count
	}
	if count <= 0 || len(h.UpperBounds) == 0 {
		return math.NaN(), false
	}
	rank := q * count
	prevBound, prevCount := 0.0, 0.0
	for i, ub := range h.UpperBounds {
		if math.IsInf(ub, 1) {
			break
		}
		c := h.Counts[i]
		if earlier != nil {
			c = h.Counts[i] - earlier.Counts[i]
		}
		if c >= rank {
			if c == prevCount {
				return ub, true
			}
			if i == 0 && ub <= 0 {
				return ub, true
			}
			return prevBound + (ub-prevBound)*(rank-prevCount)/(c-prevCount), true
		}
		prevBound, prevCount = ub, c
	}
	return prevBound, true
}

// subtractable reports whether Sub subtracts (else it returns h itself).
func subtractable(h, earlier Histogram) bool {
	if len(h.UpperBounds) != len(earlier.UpperBounds) || h.Count < earlier.Count {
		return false
	}
	for i := range h.Counts {
		if h.UpperBounds[i] != earlier.UpperBounds[i] || h.Counts[i] < earlier.Counts[i] {
			return false
		}
	}
	return true
}

// Sub returns h minus an earlier snapshot of the same cumulative histogram:
// the observations between them. When any count went down (the bot
// restarted), the newer histogram alone is the best estimate.
func (h Histogram) Sub(earlier Histogram) Histogram {
	if len(h.UpperBounds) != len(earlier.UpperBounds) || h.Count < earlier.Count {
		return h
	}
	d := Histogram{UpperBounds: h.UpperBounds, Counts: make([]float64, len(h.Counts)), Count: h.Count - earlier.Count, Sum: h.Sum - earlier.Sum}
	for i := range h.Counts {
		if h.UpperBounds[i] != earlier.UpperBounds[i] || h.Counts[i] < earlier.Counts[i] {
			return h
		}
		d.Counts[i] = h.Counts[i] - earlier.Counts[i]
	}
	return d
}

// p95Regression is the worst stage's window p95 relative to the baseline's,
// in percent above it: 100*(p95/baseline - 1), maximised over the stages
// that have both a baseline and observations in the window.
func (s *Series) p95Regression(at time.Time, window time.Duration, baseline map[string]float64) Value {
	if len(baseline) == 0 {
		return noData("no frozen baseline")
	}
	i, j, ok := s.span(at, window)
	if !ok || i == j {
		return noData("fewer than 2 samples in the window")
	}
	a, b := s.at(i), s.at(j)
	// The stages in map order: max does not depend on it (a NaN makes it
	// NaN whatever the order, and max(-0, 0) is 0 either way).
	worst, found := math.Inf(-1), false
	for st, base := range baseline {
		hb, okb := b.stages[st]
		if base <= 0 || !okb {
			continue
		}
		var earlier *Histogram
		if ha, oka := a.stages[st]; oka {
			earlier = &ha
		}
		p95, ok := quantileSince(hb, earlier, 0.95)
		if !ok {
			continue
		}
		found = true
		worst = max(worst, 100*(p95/base-1))
	}
	if !found {
		return noData("no stage with both a baseline and observations in the window")
	}
	return value(worst)
}
