package engine

import (
	"math/rand/v2"
	"testing"
)

func TestExportBucketsMatchBinarySearch(t *testing.T) {
	t.Parallel()
	want := func(ns int64) int {
		for j, b := range exportBoundsNs {
			if ns <= b {
				return j
			}
		}
		return NumExportBuckets
	}
	r := rand.New(rand.NewPCG(1, 1))
	vals := []int64{0, 1, 250, 251, 999, 1000, 1001, 35e6, 35e6 + 1, 150e6, 5e9, 5e9 + 1, 1 << 41}
	for range 100_000 {
		vals = append(vals, int64(r.ExpFloat64()*float64(int64(1)<<uint(r.IntN(33)))))
	}
	for _, ns := range vals {
		var h exportHist
		h.add(ns)
		if h.counts[want(ns)] != 1 {
			t.Fatalf("value %d landed outside export bucket %d", ns, want(ns))
		}
	}
}
