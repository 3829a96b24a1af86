package signal

import (
	"sort"
	"time"
)

// The counters a Series tracks, as indexes into point.counters.
const (
	cTicks = iota
	cMisses
	cErrors
	cHits
	cCacheMisses
	cMaker
	cTaker
	nCounters
)

// point is one sample as the Series keeps it: counters adjusted for resets so
// that the increase over any window is last minus first.
type point struct {
	atNs     int64
	up       bool
	counters [nCounters]float64 // reset-adjusted (monotone) values
	resident float64
	breakers int
	stages   map[string]Histogram
}

// Series is a bounded, time-ordered ring of samples from one bot, from which
// signals are computed over windows ending at an evaluation time. It keeps
// only the samples the longest window needs (Keep), however long the run.
// A Series is not safe for concurrent use.
type Series struct {
	keep time.Duration
	buf  []point
	head int
	n    int

	started    bool
	lastRaw    [nCounters]float64 // last raw counter values of an up sample
	offset     [nCounters]float64 // added to raw values to undo resets
	resets     int
	firstTicks float64 // raw ticks of the first up sample

	mem map[time.Duration]memCache
}

// NewSeries returns a Series keeping samples for keep (the longest window
// that will be asked for) plus a margin.
func NewSeries(keep time.Duration) *Series {
	return &Series{keep: keep, buf: make([]point, 64), mem: map[time.Duration]memCache{}}
}

// Len is how many samples the Series holds now.
func (s *Series) Len() int { return s.n }

// Ticks is the newest reset-adjusted tick count less the first sample's:
// the ticks seen since the Series started, across bot restarts.
func (s *Series) Ticks() float64 { return s.lastRaw[cTicks] + s.offset[cTicks] - s.firstTicks }

// Resets is how many counter resets (bot restarts) the Series has seen.
func (s *Series) Resets() int { return s.resets }

func (s *Series) at(i int) *point { return &s.buf[(s.head+i)%len(s.buf)] }

// Add appends a sample. Samples must come in time order; a sample older than
// the newest one held is ignored (and reported false).
func (s *Series) Add(smp Sample) bool {
	ns := smp.At.UnixNano()
	if s.n > 0 && ns < s.at(s.n-1).atNs {
		return false
	}
	p := point{atNs: ns, up: smp.Up}
	if smp.Up {
		raw := [nCounters]float64{smp.Ticks, smp.DeadlineMisses, smp.TickErrors, smp.CacheHits, smp.CacheMisses, smp.MakerVolume, smp.TakerVolume}
		reset := false
		for i, v := range raw {
			if s.started && v < s.lastRaw[i] {
				reset = true
			}
		}
		if reset {
			// A counter went down: the bot restarted. Prometheus's rule: the
			// increase across a reset is the new value, so every counter
			// continues from where it was.
			s.resets++
			for i := range raw {
				s.offset[i] += s.lastRaw[i]
			}
		}
		for i, v := range raw {
			p.counters[i] = v + s.offset[i]
		}
		if !s.started {
			s.firstTicks = raw[cTicks]
		}
		s.lastRaw = raw
		s.started = true
		p.resident = smp.ResidentBytes
		p.breakers = smp.CriticalBreakersOpen
		p.stages = smp.Stages
	} else if s.n > 0 {
		// Down samples carry the last known counters so that windows across
		// an outage still subtract cleanly.
		p.counters = s.at(s.n - 1).counters
	}
	if s.n == len(s.buf) {
		grown := make([]point, 2*len(s.buf))
		for i := 0; i < s.n; i++ {
			grown[i] = *s.at(i)
		}
		s.buf, s.head = grown, 0
	}
	s.buf[(s.head+s.n)%len(s.buf)] = p
	s.n++
	cut := ns - int64(s.keep) - int64(time.Minute)
	for s.n > 1 && s.at(0).atNs < cut {
		s.buf[s.head] = point{}
		s.head = (s.head + 1) % len(s.buf)
		s.n--
	}
	return true
}

// span returns the indexes [i, j] of the up samples with At in
// (at-window, at]: Prometheus 3's range selection, which excludes the
// window's left edge (a sample exactly `window` old is out; window 0 is the
// instant at alone). ok is false when there is none.
func (s *Series) span(at time.Time, window time.Duration) (i, j int, ok bool) {
	hiNs := at.UnixNano()
	loNs := hiNs - int64(window)
	if window <= 0 {
		loNs = hiNs - 1
	}
	i = sort.Search(s.n, func(k int) bool { return s.at(k).atNs > loNs })
	j = sort.Search(s.n, func(k int) bool { return s.at(k).atNs > hiNs }) - 1
	for i <= j && !s.at(i).up {
		i++
	}
	for j >= i && !s.at(j).up {
		j--
	}
	return i, j, i <= j
}
