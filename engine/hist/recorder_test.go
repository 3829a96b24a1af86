package hist

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestBucketIndexRoundTrip(t *testing.T) {
	t.Parallel()
	for _, v := range []int64{0, 1, 511, 512, 513, 1023, 1024, 1_000_000, 18_000_000, 1 << 39, maxValue} {
		i := BucketIndex(v)
		if up := BucketUpper(i); up < v {
			t.Errorf("BucketUpper(BucketIndex(%d)) = %d, want >= %d", v, up, v)
		}
		if i > 0 && BucketUpper(i-1) >= v {
			t.Errorf("value %d also fits bucket %d", v, i-1)
		}
	}
	if BucketIndex(maxValue) != numBuckets-1 {
		t.Errorf("top bucket = %d, want %d", BucketIndex(maxValue), numBuckets-1)
	}
}

func TestQuantileWithinPrecision(t *testing.T) {
	t.Parallel()
	r := New()
	rng := rand.New(rand.NewPCG(1, 2))
	vals := make([]int64, 100_000)
	for i := range vals {
		vals[i] = int64(rng.ExpFloat64() * 20e6)
		r.Record(vals[i])
	}
	slices.Sort(vals)
	for _, q := range []float64{0.5, 0.95, 0.99, 0.999} {
		exact := vals[int(q*float64(len(vals)))-1]
		got := r.Quantile(q)
		if rel := float64(got-exact) / float64(exact); rel < 0 || rel > 1.0/256 {
			t.Errorf("q%.3f = %d, exact %d, relative error %.5f, want within [0, 1/256]", q, got, exact, rel)
		}
	}
	if r.Count() != uint64(len(vals)) {
		t.Errorf("count = %d, want %d", r.Count(), len(vals))
	}
}

func TestEmptyAndReset(t *testing.T) {
	t.Parallel()
	r := New()
	if r.Quantile(0.5) != 0 || r.Min() != 0 || r.Mean() != 0 {
		t.Fatal("empty recorder reports non-zero values")
	}
	r.Record(5)
	r.Record(-3)
	if r.Min() != 0 || r.Max() != 5 || r.Count() != 2 {
		t.Fatalf("got min %d max %d count %d, want 0 5 2", r.Min(), r.Max(), r.Count())
	}
	if c := r.CountAtOrBelow(4); c != 1 {
		t.Errorf("CountAtOrBelow(4) = %d, want 1", c)
	}
	o := New()
	o.Merge(r)
	if o.Count() != 2 || o.Max() != 5 {
		t.Errorf("merge: count %d max %d, want 2 5", o.Count(), o.Max())
	}
	r.Reset()
	if r.Count() != 0 || r.Quantile(0.99) != 0 {
		t.Fatal("reset recorder not empty")
	}
}

func TestRecordDoesNotAllocate(t *testing.T) {
	r := New()
	if n := testing.AllocsPerRun(1000, func() { r.Record(12345) }); n != 0 {
		t.Fatalf("Record allocates %.0f times, want 0", n)
	}
}
