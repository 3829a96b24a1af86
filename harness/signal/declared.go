package signal

import (
	"math"
	"time"
)

// Over is how a declared signal (Sample.Declared) is judged over a window.
type Over string

// The ways to judge a declared signal over a window.
const (
	OverMax      Over = "max"      // largest value in the window (a gauge)
	OverMin      Over = "min"      // smallest value in the window (a gauge)
	OverAvg      Over = "avg"      // mean of the window's values (a gauge)
	OverLast     Over = "last"     // newest value in the window (a gauge or counter)
	OverDrop     Over = "drop"     // largest value in the window minus the newest: a fall from the window's peak (a gauge)
	OverRate     Over = "rate"     // increase per second over the window (a counter)
	OverIncrease Over = "increase" // increase over the window, extrapolated to it as Prometheus's (a counter)
	OverRatio    Over = "ratio"    // 100 * increase / increase of another counter, percent
)

// Overs lists every Over, in documentation order.
var Overs = []Over{OverMax, OverMin, OverAvg, OverLast, OverDrop, OverRate, OverIncrease, OverRatio}

// addDeclared folds a sample's declared values into the running
// reset-adjusted totals (Prometheus's rule: a value that went down was
// reset, its increase is its new value) and returns them for the point,
// indexed by the name's slot (declSlot). A NaN or infinite value is kept
// out of the totals and recorded as NaN. The returned slice reuses adj's
// array (a dropped point's), so a long soak allocates none.
func (s *Series) addDeclared(d map[string]float64, adj []declVal) []declVal {
	adj = adj[:0]
	for k, v := range d {
		x := s.declSlot(k)
		for len(adj) <= x {
			adj = append(adj, declVal{})
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			adj[x] = declVal{math.NaN(), true}
			continue
		}
		c := &s.declCtr[x]
		if c.seen {
			inc, _ := increase(c.last, v)
			c.total += inc
		} else {
			c.total, c.seen = v, true
		}
		c.last = v
		adj[x] = declVal{c.total, true}
	}
	return adj
}

// declVal is a declared counter's reset-adjusted value at a point; has is
// false when the sample did not carry it.
type declVal struct {
	v   float64
	has bool
}

// declCounter is a declared counter's last raw and reset-adjusted values.
type declCounter struct {
	last, total float64
	seen        bool
}

// declSlot is the slot of a declared name in the points' declAdj, given on
// first sight.
func (s *Series) declSlot(name string) int {
	x, ok := s.declIdx[name]
	if !ok {
		if s.declIdx == nil {
			s.declIdx = map[string]int{}
		}
		x = len(s.declCtr)
		s.declIdx[name] = x
		s.declCtr = append(s.declCtr, declCounter{})
	}
	return x
}

// adjAt is point p's reset-adjusted value of the declared name in slot x.
func (p *point) adjAt(x int) (float64, bool) {
	if x < 0 || x >= len(p.declAdj) || !p.declAdj[x].has {
		return 0, false
	}
	return p.declAdj[x].v, true
}

// ComputeDeclared returns the declared signal name judged by over across
// the window ending at at; of is the denominator signal of OverRatio. A
// window with no value of the signal, fewer than two for a counter, a zero
// denominator, or a NaN or infinite value is no data (OK false), never a
// value.
func (s *Series) ComputeDeclared(name string, over Over, of string, window time.Duration, at time.Time) Value {
	i, j, ok := s.span(at, window)
	if !ok {
		return noData("no sample in the window")
	}
	switch over {
	case OverMax, OverMin, OverAvg, OverDrop:
		if v, ok := s.windowed(name, over, window, at); ok {
			return v
		}
	case OverLast:
		for k := j; k >= i; k-- {
			if v, has := s.at(k).decl[name]; has && s.at(k).up {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return noData("a NaN or infinite value in the window")
				}
				return value(v)
			}
		}
		return noData("the signal has no value in the window")
	}
	switch over {
	case OverMax, OverMin, OverAvg, OverLast, OverDrop:
		n, acc, last := 0, 0.0, 0.0
		for k := i; k <= j; k++ {
			p := s.at(k)
			v, has := p.decl[name]
			if !p.up || !has {
				continue
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return noData("a NaN or infinite value in the window")
			}
			last = v
			switch {
			case over == OverLast || n == 0:
				acc = v
			case over == OverMax || over == OverDrop:
				acc = max(acc, v)
			case over == OverMin:
				acc = min(acc, v)
			default:
				acc += v
			}
			n++
		}
		if n == 0 {
			return noData("the signal has no value in the window")
		}
		switch over {
		case OverAvg:
			acc /= float64(n)
		case OverDrop:
			acc -= last
		}
		return value(acc)
	case OverRate, OverIncrease, OverRatio:
		a, b, at0, at1, ok := s.declSpan(name, i, j)
		if !ok {
			return noData("fewer than 2 values of the signal in the window")
		}
		inc := b - a
		switch over {
		case OverIncrease:
			// As Prometheus's increase(): the rate between the window's
			// first and last value, over the whole window.
			return value(inc / float64(at1-at0) * float64(window))
		case OverRate:
			return value(inc / (float64(at1-at0) / 1e9))
		}
		c, d, _, _, ok := s.declSpan(of, i, j)
		if !ok {
			return noData("fewer than 2 values of the denominator in the window")
		}
		if d-c <= 0 {
			return noData("the denominator did not increase in the window")
		}
		return value(100 * inc / (d - c))
	}
	return noData("unknown judgement " + string(over))
}

// declSpan is a declared counter's reset-adjusted value at the first and
// the last up sample of [i, j] that has it, and their times; ok is false
// with fewer than two, or when either is NaN (as the fixed counters: a
// non-finite value is no data for the windows it bounds).
func (s *Series) declSpan(name string, i, j int) (a, b float64, at0, at1 int64, ok bool) {
	first, last := -1, -1
	x, known := s.declIdx[name]
	if !known {
		x = -1
	}
	for k := i; k <= j; k++ {
		if v, has := s.at(k).adjAt(x); has && s.at(k).up {
			first, a, at0 = k, v, s.at(k).atNs
			break
		}
	}
	for k := j; k > first && first >= 0; k-- {
		if v, has := s.at(k).adjAt(x); has && s.at(k).up {
			last, b, at1 = k, v, s.at(k).atNs
			break
		}
	}
	if first < 0 || last < 0 || math.IsNaN(a) || math.IsNaN(b) {
		return 0, 0, 0, 0, false
	}
	return a, b, at0, at1, at1 > at0
}
