package engine

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/presoak/presoak/engine/hist"
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

func TestCopyLatencies(t *testing.T) {
	t.Parallel()
	e := newSimEngine(t, testConfig(), Options{Feed: newScriptFeed(10000, 1, 10000.2, 1)})
	for range 50 {
		e.Step()
	}
	dst := hist.New()
	if !e.CopyLatencies("tick_total", dst) || dst.Count() != 50 {
		t.Fatalf("copied %d tick_total samples, want 50", dst.Count())
	}
	if e.CopyLatencies("nope", dst) {
		t.Fatal("copied an unknown stage")
	}
	if got, want := time.Duration(dst.Quantile(0.95)), e.Latencies("tick_total").P95; got != want {
		t.Fatalf("copy p95 %v, engine p95 %v", got, want)
	}
	e.ResetLatencies()
	if l := e.Latencies("fetch_md"); l.Count != 0 {
		t.Fatalf("%d samples after ResetLatencies", l.Count)
	}
	if e.Stats().Ticks != 50 {
		t.Fatal("ResetLatencies reset the counters")
	}
}
