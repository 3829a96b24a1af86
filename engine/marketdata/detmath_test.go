package marketdata

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestDetMathMatchesMath(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 100000; i++ {
		x := (rng.Float64() - 0.5) * 60
		if got, want := detExp(x), math.Exp(x); math.Abs(got-want) > 1e-15*want {
			t.Fatalf("detExp(%v): got %v, want %v", x, got, want)
		}
		y := rng.Float64()*1e6 + 1e-300
		if got, want := detLog(y), math.Log(y); math.Abs(got-want) > 1e-15*math.Max(1, math.Abs(want)) {
			t.Fatalf("detLog(%v): got %v, want %v", y, got, want)
		}
	}
	if detExp(0) != 1 || detLog(1) != 0 || !math.IsNaN(detLog(-1)) || detExp(-1000) != 0 || !math.IsInf(detExp(1000), 1) {
		t.Error("special cases: exp(0)=1, log(1)=0, log(-1)=NaN, exp(-1000)=0, exp(1000)=+Inf")
	}
}

// TestDetMathShortcutsAreExact: the shortcuts detExp and detLog take (a
// power of two built from bits instead of math.Ldexp, frexp instead of
// math.Frexp) give the library's results bit for bit, so the market a seed
// gives did not move.
func TestDetMathShortcutsAreExact(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 200000; i++ {
		y := 0.7 + 0.8*rng.Float64()
		k := rng.IntN(2041) - 1020
		if got, want := y*math.Float64frombits(uint64(k+1023)<<52), math.Ldexp(y, k); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("%v·2^%d: got %v, want Ldexp's %v", y, k, got, want)
		}
		x := math.Float64frombits(rng.Uint64() &^ (1 << 63)) // any non-negative bits: normal, subnormal, 0, Inf, NaN
		f1, e1 := frexp(x)
		f2, e2 := math.Frexp(x)
		if (math.Float64bits(f1) != math.Float64bits(f2) && !(math.IsNaN(f1) && math.IsNaN(f2))) || e1 != e2 {
			t.Fatalf("frexp(%v): got (%v, %d), want Frexp's (%v, %d)", x, f1, e1, f2, e2)
		}
	}
	for x, want := range map[float64]float64{math.Inf(1): math.Inf(1), math.Inf(-1): 0, 709.79: math.Inf(1), -745.14: 0, 1e-9: 1 + 1e-9} {
		if got := detExp(x); got != want {
			t.Errorf("detExp(%v): got %v, want %v", x, got, want)
		}
	}
	if got := detExp(math.NaN()); !math.IsNaN(got) {
		t.Errorf("detExp(NaN): got %v, want NaN", got)
	}
	for _, x := range []float64{1, 0.5, math.SmallestNonzeroFloat64, 2.2250738585072014e-308, math.MaxFloat64, 1 - 1.0/(1<<53)} {
		f1, e1 := frexp(x)
		f2, e2 := math.Frexp(x)
		if f1 != f2 || e1 != e2 {
			t.Errorf("frexp(%v): got (%v, %d), want Frexp's (%v, %d)", x, f1, e1, f2, e2)
		}
	}
}
