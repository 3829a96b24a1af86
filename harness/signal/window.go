package signal

import (
	"math"
	"time"
)

// breakerWin carries critical_breakers_open over one window from one
// evaluation to the next, so an evaluation costs the samples and grid
// points that are new since the previous one instead of a rescan of three
// windows (breakersScan, the definition, still answers every query this
// state cannot).
//
// For each grid point τ (a multiple of BreakerStep), in order, it keeps the
// up samples in (τ-w, τ] as a monotone deque (their counts increasing, so
// the front is the minimum), the newest up sample at or before τ-w, and,
// when τ qualifies (a sample in the stretch, one in the window before it),
// the stretch's minimum in a second deque over τ whose front is the
// largest. A grid point is settled once a sample later than it is held (a
// new sample cannot fall at or before it); the unsettled ones up to the
// evaluation are worked out on a copy.
type breakerWin struct {
	ok     bool
	lastAt int64 // the newest evaluation served (evaluations must not go back)
	st     brkCursor
	mx     []brkTau // settled qualifying τ, ascending τ, decreasing min
	mxHead int
	tmp    []brkPt // scratch deque for the unsettled grid points
}

// brkCursor is the sliding state at one grid point tau.
type brkCursor struct {
	tau       int64
	next      int64 // absolute index of the first sample not yet in the stretch (atNs > tau)
	bnext     int64 // absolute index of the first sample after tau-w
	before    int64 // atNs of the newest up sample at or before tau-w
	hasBefore bool
	dq        []brkPt // up samples in (tau-w, tau], counts increasing
	dqHead    int
}

type brkPt struct {
	atNs int64
	n    int
}

type brkTau struct {
	tau int64
	min int
}

// abs is the point with absolute index a (0 = the first ever added).
func (s *Series) abs(a int64) *point { return s.at(int(a - (s.added - int64(s.n)))) }

// step moves c to grid point tau (> c.tau) and reports the stretch's
// minimum and whether tau qualifies, exactly as breakersScan does at tau.
func (s *Series) step(c *brkCursor, tau, w int64) (int, bool) {
	c.tau = tau
	for c.next < s.added {
		p := s.abs(c.next)
		if p.atNs > tau {
			break
		}
		if p.up {
			for len(c.dq) > c.dqHead && c.dq[len(c.dq)-1].n >= p.breakers {
				c.dq = c.dq[:len(c.dq)-1]
			}
			c.dq = append(c.dq, brkPt{p.atNs, p.breakers})
		}
		c.next++
	}
	for c.dqHead < len(c.dq) && c.dq[c.dqHead].atNs <= tau-w {
		c.dqHead++
	}
	for c.bnext < c.next {
		p := s.abs(c.bnext)
		if p.atNs > tau-w {
			break
		}
		if p.up {
			c.before, c.hasBefore = p.atNs, true
		}
		c.bnext++
	}
	if c.dqHead < len(c.dq) && c.hasBefore && c.before > tau-2*w {
		return c.dq[c.dqHead].n, true
	}
	return 0, false
}

// compact drops a deque's popped front once it is half the slice.
func compact[T any](q []T, head int) ([]T, int) {
	if head > 32 && 2*head > len(q) {
		n := copy(q, q[head:])
		return q[:n], 0
	}
	return q, head
}

// breakersFast is critical_breakers_open over window > 0 at at (see
// breakersScan for the definition): from the carried state when it can
// serve at, else by the scan.
func (s *Series) breakersFast(at time.Time, window time.Duration) Value {
	step, w, atNs := int64(BreakerStep), int64(window), at.UnixNano()
	if s.n == 0 || s.evictedNs > atNs-3*w {
		// The scan would see fewer samples than were added: it is the answer.
		s.brkScans++
		return s.breakersScan(at, window)
	}
	if s.brk == nil {
		s.brk = map[time.Duration]*breakerWin{}
	}
	b := s.brk[window]
	if b == nil {
		b = &breakerWin{}
		s.brk[window] = b
	}
	first := floorDiv(atNs-w, step)*step + step // the oldest grid point in the window
	first0 := s.added - int64(s.n)
	if !b.ok || atNs < b.lastAt || b.st.next < first0 || b.st.bnext < first0 || b.st.tau < first-step-2*w {
		// Start (again) one grid point before the window, from the samples
		// after two windows before that: nothing older can qualify a τ.
		c := &b.st
		c.tau = first - 2*step
		c.next = first0 + int64(s.searchAfter(first-step-2*w))
		c.bnext, c.hasBefore = c.next, false
		c.dq, c.dqHead = c.dq[:0], 0
		s.step(c, first-step, w)
		b.mx, b.mxHead = b.mx[:0], 0
		b.ok = true
	}
	b.lastAt = atNs
	// Settle the grid points before the newest sample (and at most at).
	settle := floorDiv(min(atNs, s.at(s.n-1).atNs-1), step) * step
	for tau := b.st.tau + step; tau <= settle; tau += step {
		m, ok := s.step(&b.st, tau, w)
		if !ok {
			continue
		}
		for len(b.mx) > b.mxHead && b.mx[len(b.mx)-1].min <= m {
			b.mx = b.mx[:len(b.mx)-1]
		}
		b.mx = append(b.mx, brkTau{tau, m})
	}
	for b.mxHead < len(b.mx) && b.mx[b.mxHead].tau <= atNs-w {
		b.mxHead++
	}
	b.mx, b.mxHead = compact(b.mx, b.mxHead)
	b.st.dq, b.st.dqHead = compact(b.st.dq, b.st.dqHead)
	best, found := 0, false
	if b.mxHead < len(b.mx) {
		best, found = b.mx[b.mxHead].min, true
	}
	// The grid points after the settled ones, up to at, on a copy.
	if last := floorDiv(atNs, step) * step; last > b.st.tau {
		if (last-b.st.tau)/step > 2*(w/step)+2 {
			s.brkScans++
			return s.breakersScan(at, window) // far past the newest sample: not worth carrying
		}
		c := b.st
		b.tmp = append(b.tmp[:0], c.dq[c.dqHead:]...)
		c.dq, c.dqHead = b.tmp, 0
		for tau := c.tau + step; tau <= last; tau += step {
			if m, ok := s.step(&c, tau, w); ok && tau > atNs-w {
				best, found = max(best, m), true
			}
		}
		b.tmp = c.dq
	}
	if !found {
		return noData("no window-long stretch of samples in the window")
	}
	return value(float64(best))
}

// searchAfter is the index of the first held sample with atNs > ns.
func (s *Series) searchAfter(ns int64) int {
	if s.n == 0 || s.at(s.n-1).atNs <= ns {
		return s.n // the usual end of a window: at or after the newest sample
	}
	lo, hi := 0, s.n-1
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s.at(m).atNs > ns {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// noEviction is evictedNs before any sample was dropped.
const noEviction = math.MinInt64
