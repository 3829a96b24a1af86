// Package hist is an HDR-style latency recorder: a log-linear histogram with
// fixed buckets, preallocated once, so that recording a value is a few integer
// operations and never allocates.
//
// Precision: values below 512 ns are recorded exactly; above that each power of
// two is split into 256 equal buckets, so a reported percentile is within
// 1/256 (< 0.4 %) of the true value (it reports the bucket's upper bound,
// clamped to the largest value seen). Values from 0 to 2^40 ns (about 18
// minutes) are kept; larger values are clamped to the top bucket.
//
// A Recorder is not safe for concurrent use: the engine records from its loop
// and readers take the engine's lock. Do not use it to merge distributions
// of different units; it counts nanoseconds.
package hist

import (
	"math"
	"math/bits"
	"time"
)

const (
	subBits    = 9            // 2^9 exact values, then 2^8 buckets per octave
	subCount   = 1 << subBits // 512
	halfCount  = subCount / 2 // 256
	maxBits    = 40           // values up to 2^40 ns
	numBuckets = subCount + (maxBits-subBits)*halfCount
	maxValue   = int64(1)<<maxBits - 1
)

// NumBuckets is the number of fine buckets in a Recorder.
const NumBuckets = numBuckets

// Recorder counts nanosecond values in fixed log-linear buckets.
type Recorder struct {
	counts [numBuckets]uint64
	count  uint64
	sum    int64
	min    int64
	max    int64
}

// New returns an empty Recorder.
func New() *Recorder { return &Recorder{min: math.MaxInt64} }

// BucketIndex is the fine bucket a value (ns) falls in.
func BucketIndex(v int64) int {
	if v < 0 {
		v = 0
	}
	if v > maxValue {
		v = maxValue
	}
	if v < subCount {
		return int(v)
	}
	shift := bits.Len64(uint64(v)) - subBits // >= 1
	sub := v >> uint(shift)                  // in [256, 512)
	return subCount + (shift-1)*halfCount + int(sub-halfCount)
}

// BucketUpper is the largest value (ns) that falls in bucket i.
func BucketUpper(i int) int64 {
	if i < subCount {
		return int64(i)
	}
	j := i - subCount
	shift := j/halfCount + 1
	sub := int64(j%halfCount + halfCount)
	return (sub+1)<<uint(shift) - 1
}

// Record adds one value in nanoseconds.
func (r *Recorder) Record(ns int64) {
	if ns < 0 {
		ns = 0
	}
	r.counts[BucketIndex(ns)]++
	r.count++
	r.sum += ns
	if ns < r.min {
		r.min = ns
	}
	if ns > r.max {
		r.max = ns
	}
}

// RecordDuration adds one duration.
func (r *Recorder) RecordDuration(d time.Duration) { r.Record(int64(d)) }

// Count is the number of recorded values.
func (r *Recorder) Count() uint64 { return r.count }

// Sum is the sum of recorded values in nanoseconds.
func (r *Recorder) Sum() int64 { return r.sum }

// Min is the smallest recorded value, 0 when empty.
func (r *Recorder) Min() int64 {
	if r.count == 0 {
		return 0
	}
	return r.min
}

// Max is the largest recorded value, 0 when empty.
func (r *Recorder) Max() int64 { return r.max }

// Mean is the mean recorded value in nanoseconds, 0 when empty.
func (r *Recorder) Mean() float64 {
	if r.count == 0 {
		return 0
	}
	return float64(r.sum) / float64(r.count)
}

// Quantile returns the value at quantile q (0..1): the upper bound of the
// bucket holding the ceil(q*count)-th smallest value, clamped to [Min, Max].
// It returns 0 when the recorder is empty.
func (r *Recorder) Quantile(q float64) int64 {
	if r.count == 0 {
		return 0
	}
	if q <= 0 {
		return r.Min()
	}
	if q >= 1 {
		return r.max
	}
	rank := uint64(math.Ceil(q * float64(r.count)))
	if rank == 0 {
		rank = 1
	}
	var seen uint64
	for i := range r.counts {
		seen += r.counts[i]
		if seen >= rank {
			v := BucketUpper(i)
			if v > r.max {
				v = r.max
			}
			if v < r.min {
				v = r.min
			}
			return v
		}
	}
	return r.max
}

// CountAtOrBelow is the number of recorded values whose bucket lies entirely
// at or below ns (the cumulative count Prometheus exposes for bucket le=ns).
func (r *Recorder) CountAtOrBelow(ns int64) uint64 {
	idx := BucketIndex(ns)
	if BucketUpper(idx) > ns {
		idx--
	}
	var c uint64
	for i := 0; i <= idx; i++ {
		c += r.counts[i]
	}
	return c
}

// Reset forgets every recorded value.
func (r *Recorder) Reset() {
	clear(r.counts[:])
	r.count, r.sum, r.min, r.max = 0, 0, math.MaxInt64, 0
}

// CopyFrom makes r an exact copy of src.
func (r *Recorder) CopyFrom(src *Recorder) { *r = *src }

// Merge adds every value of src into r.
func (r *Recorder) Merge(src *Recorder) {
	for i, c := range src.counts {
		r.counts[i] += c
	}
	r.count += src.count
	r.sum += src.sum
	if src.count > 0 {
		r.min = min(r.min, src.min)
		r.max = max(r.max, src.max)
	}
}
