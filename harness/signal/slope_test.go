package signal

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestTheilSenSelectsAsASort: the Theil-Sen slope and Sen's interval,
// read off four ranks put in place by selectRanks, are bit for bit what a
// full sort of the pair slopes gives: random points, repeated values
// (equal slopes), flat stretches (zero slopes), NaN and sizes from 2 to 70.
func TestTheilSenSelectsAsASort(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	sorted := func(xs, ys []float64) (float64, float64, float64) {
		n := len(xs)
		var sl []float64
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				if dx := xs[j] - xs[i]; dx != 0 {
					sl = append(sl, (ys[j]-ys[i])/dx)
				}
			}
		}
		slices.Sort(sl)
		m := len(sl)
		s := sl[m/2]
		if m%2 == 0 {
			s = (sl[m/2-1] + sl[m/2]) / 2
		}
		nf := float64(n)
		c := 1.96 * math.Sqrt(nf*(nf-1)*(2*nf+5)/18)
		l := int(math.Floor((float64(m)-c)/2)) - 1
		u := int(math.Ceil((float64(m) + c) / 2))
		return s, sl[min(max(l, 0), m-1)], sl[min(max(u, 0), m-1)]
	}
	same := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) || (a != a && b != b) }
	var buf []float64
	for k := 0; k < 3000; k++ {
		n := 2 + rng.IntN(69)
		xs, ys := make([]float64, n), make([]float64, n)
		for i := range xs {
			xs[i] = float64(i)*15e9 + float64(rng.IntN(1000))
			switch k % 4 {
			case 0:
				ys[i] = 5e7 + float64(rng.IntN(1e6))
			case 1: // few distinct values: many equal slopes
				ys[i] = float64(rng.IntN(3)) * 1e6
			case 2: // flat stretches: zero slopes
				ys[i] = float64(i/5) * 1e6
			default:
				ys[i] = 5e7 + float64(rng.IntN(1e6))
				if rng.IntN(10) == 0 {
					ys[i] = math.NaN()
				}
			}
		}
		ws, wl, wh := sorted(xs, ys)
		var gs, gl, gh float64
		gs, gl, gh, buf = theilSen(xs, ys, buf)
		if !same(gs, ws) || !same(gl, wl) || !same(gh, wh) {
			t.Fatalf("case %d, %d points: got (%v, %v, %v), want the sort's (%v, %v, %v)", k%4, n, gs, gl, gh, ws, wl, wh)
		}
	}
}
