package signal

import (
	"math"
	"sort"
	"time"
)

// declKey names one running window aggregate of a declared gauge.
type declKey struct {
	name   string
	over   Over
	window time.Duration
}

type declEntry struct {
	ns int64
	v  float64
}

// declWin is a running aggregate of a declared signal over a sliding
// window, fed as evaluations move forward: a monotonic deque for max and
// min (drop uses max), a queue and its sum for avg, and the times of NaN
// or infinite values in the window. Each sample is pushed and popped once,
// so a long window costs no more per evaluation than a short one.
type declWin struct {
	lastNs int64 // newest sample pushed
	atNs   int64 // the evaluation it was last advanced to
	q      []declEntry
	head   int
	sum    float64
	n      int // values in the window (avg), or pushed since reset
	bad    []int64
	badH   int
}

func (w *declWin) reset() { *w = declWin{lastNs: math.MinInt64, q: w.q[:0], bad: w.bad[:0]} }

func (w *declWin) push(over Over, e declEntry) {
	if math.IsNaN(e.v) || math.IsInf(e.v, 0) {
		w.bad = append(w.bad, e.ns)
		return
	}
	switch over {
	case OverMax, OverDrop:
		for len(w.q) > w.head && w.q[len(w.q)-1].v <= e.v {
			w.q = w.q[:len(w.q)-1]
		}
	case OverMin:
		for len(w.q) > w.head && w.q[len(w.q)-1].v >= e.v {
			w.q = w.q[:len(w.q)-1]
		}
	case OverAvg:
		w.sum += e.v
		w.n++
	}
	w.q = append(w.q, e)
}

func (w *declWin) expire(over Over, loNs int64) {
	for w.head < len(w.q) && w.q[w.head].ns <= loNs {
		if over == OverAvg {
			w.sum -= w.q[w.head].v
			w.n--
		}
		w.head++
	}
	for w.badH < len(w.bad) && w.bad[w.badH] <= loNs {
		w.badH++
	}
	if w.head > 64 && w.head > len(w.q)/2 {
		w.q = append(w.q[:0], w.q[w.head:]...)
		w.head = 0
		if over == OverAvg { // re-add: no drift
			w.sum = 0
			for _, e := range w.q {
				w.sum += e.v
			}
		}
	}
	if w.badH > 64 && w.badH > len(w.bad)/2 {
		w.bad = append(w.bad[:0], w.bad[w.badH:]...)
		w.badH = 0
	}
}

// windowed computes max, min, avg or drop of a declared gauge over
// (at-window, at] incrementally; ok false when it cannot (the caller scans).
func (s *Series) windowed(name string, over Over, window time.Duration, at time.Time) (Value, bool) {
	if window <= 0 {
		return Value{}, false
	}
	if s.declWins == nil {
		s.declWins = map[declKey]*declWin{}
	}
	k := declKey{name, over, window}
	w := s.declWins[k]
	if w == nil {
		w = &declWin{}
		w.reset()
		s.declWins[k] = w
	}
	hiNs := at.UnixNano()
	loNs := hiNs - int64(window)
	if hiNs < w.atNs || (s.n > 0 && s.at(0).atNs > w.lastNs && w.lastNs != math.MinInt64) {
		w.reset() // evaluated backwards, or samples it had not seen were dropped
	}
	w.atNs = hiNs
	from := max(w.lastNs, loNs)
	i := sort.Search(s.n, func(k int) bool { return s.at(k).atNs > from })
	for ; i < s.n; i++ {
		p := s.at(i)
		if p.atNs > hiNs {
			break
		}
		w.lastNs = p.atNs
		if v, has := p.decl[name]; p.up && has {
			w.push(over, declEntry{p.atNs, v})
		}
	}
	w.expire(over, loNs)
	if w.badH < len(w.bad) {
		return noData("a NaN or infinite value in the window"), true
	}
	if w.head == len(w.q) {
		return noData("the signal has no value in the window"), true
	}
	switch over {
	case OverAvg:
		return value(w.sum / float64(w.n)), true
	case OverDrop:
		// the newest value in the window is the queue's last entry: a
		// monotonic deque always keeps the newest
		return value(w.q[w.head].v - w.q[len(w.q)-1].v), true
	}
	return value(w.q[w.head].v), true
}
