package signal

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestQuantileSinceMatchesSub: the p95 of a window, read off two
// cumulative snapshots without building their difference (quantileSince),
// is bit for bit Sub then Quantile, for growing histograms, resets (a count
// went down), other bounds and empty windows.
func TestQuantileSinceMatchesSub(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(9, 9))
	bounds := []float64{0.001, 0.005, 0.01, 0.05, 0.1, math.Inf(1)}
	other := []float64{0.001, 0.005, 0.02, 0.05, 0.1, math.Inf(1)}
	grow := func(h Histogram, scale float64) Histogram {
		n := Histogram{UpperBounds: h.UpperBounds, Counts: make([]float64, len(h.Counts)), Count: h.Count, Sum: h.Sum}
		add := 0.0
		for i := range h.Counts {
			add += math.Floor(rng.Float64() * scale)
			n.Counts[i] = h.Counts[i] + add
		}
		n.Count = n.Counts[len(n.Counts)-1]
		return n
	}
	zero := func(b []float64) Histogram {
		return Histogram{UpperBounds: b, Counts: make([]float64, len(b))}
	}
	for k := 0; k < 20000; k++ {
		a := grow(zero(bounds), 1000)
		var b Histogram
		switch k % 5 {
		case 0: // a reset: the newer one is smaller
			b = grow(zero(bounds), 10)
		case 1: // other bounds
			b = grow(zero(other), 2000)
		case 2: // nothing new
			b = a
		default:
			b = grow(a, float64(1+rng.IntN(500)))
		}
		q := rng.Float64()
		want, wok := b.Sub(a).Quantile(q)
		got, gok := quantileSince(b, &a, q)
		if gok != wok || math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("case %d q %v: got (%v, %v), want Sub+Quantile's (%v, %v)", k%5, q, got, gok, want, wok)
		}
		want, wok = b.Quantile(q)
		if got, gok := quantileSince(b, nil, q); gok != wok || math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("no earlier: got (%v, %v), want Quantile's (%v, %v)", got, gok, want, wok)
		}
	}
}
