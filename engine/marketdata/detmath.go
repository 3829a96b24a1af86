package marketdata

import "math"

// Portable, bit-reproducible float functions for the synthetic generator, so
// that one seed gives one market on every machine (and the committed
// recording regenerates byte for byte). Two things could break that: Go may
// fuse x*y+z into one FMA instruction on some architectures (arm64, ppc64,
// s390x, riscv64), and math.Exp and math.Log use assembly on some. Here every
// product that feeds a sum is wrapped in an explicit float64 conversion,
// which the spec says prevents fusion, and exp and log are the Go (FreeBSD
// msun) algorithms in plain code. Sqrt, Frexp and Ldexp are exact on every
// platform (correctly rounded, or bit manipulation); 2*u-1 is exact.

// detLog is ln(x) for finite x > 0 (else NaN).
func detLog(x float64) float64 {
	const (
		ln2Hi = 6.93147180369123816490e-01
		ln2Lo = 1.90821492927058770002e-10
		l1    = 6.666666666666735130e-01
		l2    = 3.999999999940941908e-01
		l3    = 2.857142874366239149e-01
		l4    = 2.222219843214978396e-01
		l5    = 1.818357216161805012e-01
		l6    = 1.531383769920937332e-01
		l7    = 1.479819860511658591e-01
	)
	if !(x > 0) || math.IsInf(x, 1) {
		return math.NaN()
	}
	f1, ki := frexp(x)
	if f1 < math.Sqrt2/2 {
		f1 *= 2
		ki--
	}
	f := f1 - 1
	k := float64(ki)
	s := f / (2 + f)
	s2 := float64(s * s)
	s4 := float64(s2 * s2)
	t1 := float64(s2 * (l1 + float64(s4*(l3+float64(s4*(l5+float64(s4*l7)))))))
	t2 := float64(s4 * (l2 + float64(s4*(l4+float64(s4*l6)))))
	r := t1 + t2
	hfsq := float64(0.5 * f * f)
	return float64(k*ln2Hi) - ((hfsq - (float64(s*(hfsq+r)) + float64(k*ln2Lo))) - f)
}

// detExp is e**x.
func detExp(x float64) float64 {
	const (
		ln2Hi     = 6.93147180369123816490e-01
		ln2Lo     = 1.90821492927058770002e-10
		log2e     = 1.44269504088896338700e+00
		overflow  = 7.09782712893383973096e+02
		underflow = -7.45133219101941108420e+02
		nearZero  = 1.0 / (1 << 28)
		p1        = 1.66666666666666657415e-01
		p2        = -2.77777777770155933842e-03
		p3        = 6.61375632143793436117e-05
		p4        = -1.65339022054652515390e-06
		p5        = 4.13813679705723846039e-08
	)
	if !(underflow <= x && x <= overflow) { // NaN, ±Inf, out of range: one test for all
		switch {
		case math.IsNaN(x) || math.IsInf(x, 1):
			return x
		case math.IsInf(x, -1):
			return 0
		case x > overflow:
			return math.Inf(1)
		default:
			return 0
		}
	}
	if -nearZero < x && x < nearZero {
		return 1 + x
	}
	var k int
	switch {
	case x < 0:
		k = int(float64(log2e*x) - 0.5)
	case x > 0:
		k = int(float64(log2e*x) + 0.5)
	}
	hi := x - float64(float64(k)*ln2Hi)
	lo := float64(float64(k) * ln2Lo)
	r := hi - lo
	t := float64(r * r)
	c := r - float64(t*(p1+float64(t*(p2+float64(t*(p3+float64(t*(p4+float64(t*p5)))))))))
	y := 1 - ((lo - float64(r*c)/(2-c)) - hi)
	if -1020 <= k && k <= 1020 {
		// y is in [0.7, 1.5]: y·2^k is a normal number, and multiplying by
		// a power of two is then exact, as Ldexp is.
		return y * math.Float64frombits(uint64(k+1023)<<52)
	}
	return math.Ldexp(y, k)
}

// frexp is math.Frexp, read off the bits for a normal x (the only kind the
// generator's variates give; anything else goes to math.Frexp).
func frexp(x float64) (float64, int) {
	const mask, bias = 0x7ff, 1022
	b := math.Float64bits(x)
	e := int(b>>52) & mask
	if e == 0 || e == mask {
		return math.Frexp(x)
	}
	return math.Float64frombits(b&^(mask<<52) | bias<<52), e - bias
}

// uniform is in [0, 1): integer bits scaled by a power of two, exact everywhere.
// It is rand.Rand.Float64's arithmetic on the same source, called directly.
func (g *generator) uniform() float64 { return float64(g.src.Uint64()<<11>>11) / (1 << 53) }

// expVariate is exponentially distributed with mean 1.
func (g *generator) expVariate() float64 { return -detLog(1 - g.uniform()) }

// normVariate is standard normal: Marsaglia's polar method (two variates
// per accepted pair; the second is kept for the next call).
func (g *generator) normVariate() float64 {
	if g.hasSpare {
		g.hasSpare = false
		return g.spare
	}
	for {
		u := 2*g.uniform() - 1
		v := 2*g.uniform() - 1
		s := float64(u*u) + float64(v*v)
		if s >= 1 || s == 0 {
			continue
		}
		m := math.Sqrt(-2 * detLog(s) / s)
		g.spare, g.hasSpare = float64(v*m), true
		return float64(u * m)
	}
}
