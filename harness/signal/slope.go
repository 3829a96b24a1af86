package signal

import (
	"math"
	"slices"
	"sort"
	"time"
)

// MemoryBuckets is how many time buckets a memory-growth window is cut into.
// The slope is fitted through one point per completed bucket (mean time, mean
// resident bytes), so GC sawtooth within a bucket averages out and the cost of
// a fit does not depend on the sampling rate.
const MemoryBuckets = 60

// bytesPerMB: MB is 10^6 bytes (as `deriv(...) * 3600 / 1e6` in PromQL).
const bytesPerMB = 1e6

type memCache struct {
	lastBucket int64
	val        Value
}

// memoryGrowth is sustained growth of resident memory over the window, in
// MB/hour: the smaller of the Theil-Sen slopes of the window's two halves,
// with that half's 95% confidence interval (Sen 1968). Theil-Sen (the median
// of the slopes between every pair of points) ignores a GC sawtooth; taking
// the smaller half ignores a one-off step, which lies in at most one half
// (or between them) while the other half is flat. Steady growth shows in both
// halves. Only buckets complete at `at` and starting within the window are
// used; each half needs at least half its buckets to have samples.
func (s *Series) memoryGrowth(at time.Time, window time.Duration) Value {
	if window <= 0 {
		return noData("memory growth needs a window")
	}
	width := int64(window) / MemoryBuckets
	if width <= 0 {
		width = 1
	}
	atNs := at.UnixNano()
	last := floorDiv(atNs, width) - 1 // newest complete bucket
	if c, ok := s.mem[window]; ok && c.lastBucket == last {
		return c.val
	}
	first := floorDiv(atNs-int64(window)+width-1, width) // oldest bucket starting in the window
	v := s.fitMemory(first, last, width)
	s.mem[window] = memCache{lastBucket: last, val: v}
	return v
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func (s *Series) fitMemory(first, last, width int64) Value {
	loNs, hiNs := first*width, (last+1)*width
	xs, ys := s.fitXs[:0], s.fitYs[:0] // reused: a fit runs every bucket
	cur := int64(math.MinInt64)
	curLo, curHi := int64(math.MaxInt64), int64(math.MinInt64) // no bucket yet
	var sx, sy, cnt float64
	flush := func() {
		if cnt > 0 {
			xs = append(xs, sx/cnt)
			ys = append(ys, sy/cnt)
		}
		sx, sy, cnt = 0, 0, 0
	}
	// Only the window's samples: a short window over a long Series must not
	// scan the whole Series (samples are in time order).
	for k := sort.Search(s.n, func(k int) bool { return s.at(k).atNs >= loNs }); k < s.n; k++ {
		p := s.at(k)
		if p.atNs >= hiNs {
			break
		}
		if !p.up {
			continue
		}
		if p.atNs < curLo || p.atNs >= curHi { // a new bucket: one division per bucket, not per sample
			flush()
			cur = floorDiv(p.atNs, width)
			curLo, curHi = cur*width, cur*width+width
		}
		sx += float64(p.atNs - loNs)
		sy += p.resident
		cnt++
	}
	flush()
	s.fitXs, s.fitYs = xs, ys
	nb := int(last - first + 1)
	mid := float64(int64(nb/2) * width) // x of the boundary between halves
	split := 0
	for split < len(xs) && xs[split] < mid {
		split++
	}
	need := max(3, nb/4)
	if split < need || len(xs)-split < need {
		return noData("too few memory samples: each half of the window needs a quarter of its buckets")
	}
	var e1, l1, h1, e2, l2, h2 float64
	e1, l1, h1, s.slopes = theilSen(xs[:split], ys[:split], s.slopes)
	e2, l2, h2, s.slopes = theilSen(xs[split:], ys[split:], s.slopes)
	if e2 < e1 {
		e1, l1, h1 = e2, l2, h2
	}
	k := 3600e9 / bytesPerMB // bytes/ns -> MB/h
	return Value{V: e1 * k, Lo: l1 * k, Hi: h1 * k, OK: true}
}

// TheilSen returns the Theil-Sen slope of y over x (the median of all pair
// slopes) and Sen's 95% confidence interval for it. xs must be distinct and
// there must be at least two points. The interval assumes independent
// samples; with autocorrelated noise it is too narrow (coverage 0.56 at
// lag-1 correlation 0.8 on 30 points; see go doc ./harness/criteria).
func TheilSen(xs, ys []float64) (slope, lo, hi float64) {
	slope, lo, hi, _ = theilSen(xs, ys, nil)
	return slope, lo, hi
}

// theilSen is TheilSen with the pair slopes in buf's array (grown as
// needed, returned for the next fit).
func theilSen(xs, ys, buf []float64) (slope, lo, hi float64, _ []float64) {
	n := len(xs)
	slopes := buf[:0]
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if dx := xs[j] - xs[i]; dx != 0 {
				slopes = append(slopes, (ys[j]-ys[i])/dx)
			}
		}
	}
	if len(slopes) == 0 {
		return math.NaN(), math.NaN(), math.NaN(), slopes
	}
	m := len(slopes)
	// Sen (1968): the interval's ranks come from the variance of Kendall's S.
	nf := float64(n)
	c := 1.96 * math.Sqrt(nf*(nf-1)*(2*nf+5)/18)
	l := min(max(int(math.Floor((float64(m)-c)/2))-1, 0), m-1)
	u := min(max(int(math.Ceil((float64(m)+c)/2)), 0), m-1)
	ranks := [4]int{l, (m - 1) / 2, m / 2, u} // ascending: l <= the middle ones <= u
	if ordered(slopes) {
		// Only four ranks are read: put those in place (the values a sort
		// would put there, as equal slopes are then the same number).
		selectRanks(slopes, 0, ranks[:])
	} else {
		slices.Sort(slopes)
	}
	if m%2 == 1 {
		slope = slopes[m/2]
	} else {
		slope = (slopes[m/2-1] + slopes[m/2]) / 2
	}
	return slope, slopes[l], slopes[u], slopes
}

// ordered reports whether < orders xs totally with equal meaning the same
// float: no NaN (which sorts before everything) and no zero (-0 and +0 are
// equal, and a sort may leave either at a rank).
func ordered(xs []float64) bool {
	for _, x := range xs {
		if x != x || x == 0 {
			return false
		}
	}
	return true
}

// selectRanks rearranges a (a[0] is rank off of the whole) so that a[r-off]
// holds the r-th smallest for each r in ranks (ascending), as a sort would:
// a quickselect that partitions three ways and follows only the sides that
// hold a wanted rank.
func selectRanks(a []float64, off int, ranks []int) {
	for len(ranks) > 0 && len(a) > 12 {
		// Median of three as the pivot.
		x, y, z := a[0], a[len(a)/2], a[len(a)-1]
		p := max(min(x, y), min(max(x, y), z))
		lt, i, gt := 0, 0, len(a)
		for i < gt {
			switch v := a[i]; {
			case v < p:
				a[lt], a[i] = a[i], a[lt]
				lt++
				i++
			case v > p:
				gt--
				a[gt], a[i] = a[i], a[gt]
			default:
				i++
			}
		}
		// Ranks below off+lt are left, [off+lt, off+gt) are p, the rest right.
		k := 0
		for k < len(ranks) && ranks[k] < off+lt {
			k++
		}
		e := k
		for e < len(ranks) && ranks[e] < off+gt {
			e++
		}
		if k > 0 {
			selectRanks(a[:lt], off, ranks[:k])
		}
		a, off, ranks = a[gt:], off+gt, ranks[e:]
	}
	if len(ranks) > 0 {
		slices.Sort(a)
	}
}
