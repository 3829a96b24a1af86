package signal

import (
	"math"
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

// partOf names each counter in Sample.Parts.
var partOf = [nCounters]Part{PartTicks, PartDeadlineMisses, PartTickErrors, PartCacheHits, PartCacheMisses, PartMakerVolume, PartTakerVolume}

// counterState is one counter's series as last seen: the sum itself when the
// samples carry no Parts for it, else every series ever seen, by label set
// (a series that goes missing keeps its last value, so that it adds only
// what it counted meanwhile when it comes back).
type counterState struct {
	last   float64
	series map[string]float64
}

// add takes the counter's new raw value (the sum, v) or its series (parts)
// and returns the increase since the previous up sample, with Prometheus's
// rule per series: a series that went down was reset, and its increase is
// its new value. A series seen for the first time after the start counts
// from zero (it was created since). reset reports a series that went down.
func (c *counterState) add(v float64, parts map[string]float64, started bool) (inc float64, reset bool) {
	if parts == nil {
		if started {
			inc, reset = increase(c.last, v)
		}
		c.last = v
		return inc, reset
	}
	if c.series == nil {
		c.series = make(map[string]float64, len(parts))
	}
	for k, x := range parts {
		if prev, seen := c.series[k]; seen {
			d, r := increase(prev, x)
			inc += d
			reset = reset || r
		} else {
			inc += x
		}
		c.series[k] = x
	}
	return inc, reset
}

// Counters follows one bot's counters from up sample to up sample with
// Prometheus's rule per series (counterState): a series that went down was
// reset; a series missing from a sample keeps its last value and is not a
// reset. It is the one reset rule of the harness: the Series counts its
// increases with it, and whatever else asks whether a bot restarted
// (harness/baseline) asks it. The zero value is ready; it is not safe for
// concurrent use.
type Counters struct {
	started bool
	state   [nCounters]counterState
}

// Add takes the next up sample of one bot (in time order) and reports
// whether one of its counters' series went down since that series was last
// seen: the bot, or one of its workers, restarted. The first sample is the
// starting point and never a reset. A non-finite counter is skipped (its
// series keep their last values).
func (c *Counters) Add(smp *Sample) (reset bool) {
	_, reset = c.advance(smp)
	return reset
}

// Increases are a bot's summed counters' increases between two up samples.
type Increases struct {
	Ticks, DeadlineMisses, TickErrors, CacheHits, CacheMisses, MakerVolume, TakerVolume float64
}

// Advance is Add that also returns each counter's increase since the
// previous up sample, series by series with the reset rule (a series that
// went down counts its new value; one missing from a read keeps its last
// value and counts only what it did meanwhile when it is back). The first
// sample is the starting point: zero increases. A non-finite counter
// increases by zero.
func (c *Counters) Advance(smp *Sample) (Increases, bool) {
	first := !c.started
	inc, reset := c.advance(smp)
	if first {
		return Increases{}, reset
	}
	for i, v := range inc {
		if math.IsNaN(v) {
			inc[i] = 0
		}
	}
	return Increases{Ticks: inc[cTicks], DeadlineMisses: inc[cMisses], TickErrors: inc[cErrors], CacheHits: inc[cHits],
		CacheMisses: inc[cCacheMisses], MakerVolume: inc[cMaker], TakerVolume: inc[cTaker]}, reset
}

// advance is Add that also returns each counter's increase since the
// previous up sample (the first sample: its value); NaN for a non-finite
// counter.
func (c *Counters) advance(smp *Sample) (inc [nCounters]float64, reset bool) {
	raw := [nCounters]float64{smp.Ticks, smp.DeadlineMisses, smp.TickErrors, smp.CacheHits, smp.CacheMisses, smp.MakerVolume, smp.TakerVolume}
	for i, v := range raw {
		parts := smp.Parts[partOf[i]]
		if !finiteCounter(v, parts) {
			inc[i] = math.NaN()
			continue
		}
		d, r := c.state[i].add(v, parts, c.started)
		if !c.started {
			d = v // the first sample is the starting point
		}
		inc[i] = d
		reset = reset || r
	}
	c.started = true
	return inc, reset
}

// finiteCounter reports whether a counter's raw value and every one of its
// series are finite numbers.
func finiteCounter(v float64, parts map[string]float64) bool {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return false
	}
	for _, x := range parts {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// increase is a counter's increase from prev to v: v itself when it went down.
func increase(prev, v float64) (float64, bool) {
	if v < prev {
		return v, true
	}
	return v - prev, false
}

// point is one sample as the Series keeps it: counters adjusted for resets so
// that the increase over any window is last minus first.
type point struct {
	atNs     int64
	up       bool
	counters [nCounters]float64 // reset-adjusted (monotone) values
	resident float64
	breakers int
	stages   map[string]Histogram
	decl     map[string]float64 // Sample.Declared as read (NaN kept)
	declAdj  []declVal          // the same, reset-adjusted as counters, by slot (declSlot)
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

	ctr        Counters
	total      [nCounters]float64 // reset-adjusted value of each counter now
	resets     int
	firstTicks float64 // reset-adjusted ticks of the first up sample

	mem map[time.Duration]memCache

	declIdx  map[string]int // declared name -> slot in declCtr and the points' declAdj
	declCtr  []declCounter  // declared counters' last raw and reset-adjusted values
	freeAdj  [][]declVal    // declAdj arrays of dropped points, for reuse
	declWins map[declKey]*declWin

	added     int64 // points ever appended: the absolute index of the next one
	evictedNs int64 // At of the newest point dropped from the ring (noEviction: none)
	brk       map[time.Duration]*breakerWin
	brkScans  int // evaluations breakersFast left to breakersScan

	fitXs, fitYs, slopes []float64 // fitMemory's scratch
}

// NewSeries returns a Series keeping samples for keep (the longest window
// that will be asked for) plus a margin.
func NewSeries(keep time.Duration) *Series {
	return &Series{keep: keep, buf: make([]point, 64), mem: map[time.Duration]memCache{}, evictedNs: noEviction}
}

// Len is how many samples the Series holds now.
func (s *Series) Len() int { return s.n }

// Ticks is the newest reset-adjusted tick count less the first sample's:
// the ticks seen since the Series started, across bot restarts.
func (s *Series) Ticks() float64 { return s.total[cTicks] - s.firstTicks }

// Resets is how many up samples had a counter series go down (a bot or a
// worker restarted) since the Series started.
func (s *Series) Resets() int { return s.resets }

func (s *Series) at(i int) *point {
	k := s.head + i // < 2*len(s.buf): a subtraction, not a division
	if k >= len(s.buf) {
		k -= len(s.buf)
	}
	return &s.buf[k]
}

// Add appends a sample. Samples must come in time order; a sample older than
// the newest one held is ignored (and reported false).
func (s *Series) Add(smp Sample) bool {
	ns := smp.At.UnixNano()
	if s.n > 0 && ns < s.at(s.n-1).atNs {
		return false
	}
	p := point{atNs: ns, up: smp.Up}
	if smp.Up {
		first := !s.ctr.started
		inc, reset := s.ctr.advance(&smp)
		for i, d := range inc {
			if math.IsNaN(d) {
				// A NaN or infinite counter (valid Prometheus text) is no
				// data at this point only: the running total and the
				// counter's last value stay as they were, so the next
				// finite sample counts from the last finite one and a
				// window that ends here has no value.
				p.counters[i] = math.NaN()
				continue
			}
			s.total[i] += d
			p.counters[i] = s.total[i]
		}
		if reset {
			s.resets++
		}
		if first {
			s.firstTicks = s.total[cTicks]
		}
		p.resident = smp.ResidentBytes
		p.breakers = smp.CriticalBreakersOpen
		p.stages = smp.Stages
		if len(smp.Declared) > 0 {
			var reuse []declVal
			if n := len(s.freeAdj); n > 0 {
				reuse, s.freeAdj = s.freeAdj[n-1], s.freeAdj[:n-1]
			}
			p.decl, p.declAdj = smp.Declared, s.addDeclared(smp.Declared, reuse)
		}
	} else if s.ctr.started {
		// Down samples carry the last known counters so that windows across
		// an outage still subtract cleanly.
		p.counters = s.total
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
	s.added++
	cut := ns - int64(s.keep) - int64(time.Minute)
	for s.n > 1 && s.at(0).atNs < cut {
		s.evictedNs = s.at(0).atNs
		if a := s.buf[s.head].declAdj; a != nil {
			s.freeAdj = append(s.freeAdj, a)
		}
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
	i = s.searchAfter(loNs)
	j = s.searchAfter(hiNs) - 1
	for i <= j && !s.at(i).up {
		i++
	}
	for j >= i && !s.at(j).up {
		j--
	}
	return i, j, i <= j
}
