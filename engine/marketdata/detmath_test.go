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
