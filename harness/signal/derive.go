package signal

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// Value is a signal's value at one evaluation.
type Value struct {
	// V is the value in the signal's unit (percent, MB/h, count).
	V float64 `json:"v"`
	// OK is false when the signal could not be computed (no data); V is then
	// meaningless and Reason says why. No data is never healthy.
	OK     bool   `json:"ok"`
	Reason string `json:"reason,omitempty"`
	// Lo and Hi bound V: the 95% confidence interval of a slope; equal to V
	// for other signals.
	Lo float64 `json:"lo"`
	Hi float64 `json:"hi"`
}

func value(v float64) Value { return Value{V: v, OK: true, Lo: v, Hi: v} }

// noData is a value that could not be computed. Reasons are constants (the
// window is the criterion's): no formatting on the evaluation path.
func noData(reason string) Value {
	return Value{Reason: reason, V: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
}

// valueJSON is Value on the wire: no-data values carry null numbers (JSON
// has no NaN).
type valueJSON struct {
	V      *float64 `json:"v"`
	OK     bool     `json:"ok"`
	Reason string   `json:"reason,omitempty"`
	Lo     *float64 `json:"lo"`
	Hi     *float64 `json:"hi"`
}

// MarshalJSON writes null for the numbers of a no-data value.
func (v Value) MarshalJSON() ([]byte, error) {
	w := valueJSON{OK: v.OK, Reason: v.Reason}
	if v.OK {
		w.V, w.Lo, w.Hi = finite(v.V), finite(v.Lo), finite(v.Hi)
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (v *Value) UnmarshalJSON(b []byte) error {
	var w valueJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*v = Value{OK: w.OK, Reason: w.Reason, V: orNaN(w.V), Lo: orNaN(w.Lo), Hi: orNaN(w.Hi)}
	return nil
}

func finite(f float64) *float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return &f
}

func orNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// String renders the value for progress lines and reports.
func (v Value) String() string {
	if !v.OK {
		return "no data"
	}
	if v.Lo != v.V || v.Hi != v.V {
		return fmt.Sprintf("%.4g [%.4g, %.4g]", v.V, v.Lo, v.Hi)
	}
	return fmt.Sprintf("%.4g", v.V)
}

// Options are what some signals need besides samples. The zero value works:
// without a baseline, p95_regression_pct has no data.
type Options struct {
	// BaselineP95 is the frozen baseline's p95 per stage (and "tick_total"),
	// in seconds, for p95_regression_pct.
	BaselineP95 map[string]float64
}

// Compute returns signal name over the window ending at at. It never
// panics on missing data: it returns a Value with OK false instead.
func (s *Series) Compute(name Name, window time.Duration, at time.Time, opts Options) Value {
	v := s.compute(name, window, at, opts)
	if v.OK && (math.IsNaN(v.V) || math.IsInf(v.V, 0)) {
		// A bot exposed NaN or Inf (valid Prometheus text): no data, never a
		// value that compares false against every threshold.
		return noData("a NaN or infinite value in the window")
	}
	return v
}

func (s *Series) compute(name Name, window time.Duration, at time.Time, opts Options) Value {
	switch name {
	case DeadlineMissPct:
		return s.ratio(at, window, cMisses, cTicks, -1, "no ticks in the window")
	case ErrorPct:
		return s.ratio(at, window, cErrors, cTicks, -1, "no ticks in the window")
	case MDCacheHitPct:
		return s.ratio(at, window, cHits, cHits, cCacheMisses, "no cache requests in the window")
	case TakerSharePct:
		return s.ratio(at, window, cTaker, cMaker, cTaker, "no fills in the window")
	case MemoryGrowthMBPerH:
		return s.memoryGrowth(at, window)
	case ResidentMemoryMB:
		return s.residentMB(at, window)
	case CriticalBreakersOpen:
		return s.breakers(at, window)
	case P95RegressionPct:
		return s.p95Regression(at, window, opts.BaselineP95)
	case TargetDown:
		return s.targetDown(at, window)
	case ScrapeFailurePct:
		return s.scrapeFailures(at, window)
	}
	return noData("unknown signal " + string(name))
}

// ratio is 100 * increase(num) / (increase(den) + increase(den2)) over the
// window (den2 < 0: none).
func (s *Series) ratio(at time.Time, window time.Duration, num, den, den2 int, empty string) Value {
	i, j, ok := s.span(at, window)
	if !ok || i == j {
		return noData("fewer than 2 samples in the window")
	}
	a, b := s.at(i), s.at(j)
	d := b.counters[den] - a.counters[den]
	if den2 >= 0 {
		d += b.counters[den2] - a.counters[den2]
	}
	if d <= 0 {
		return noData(empty)
	}
	return value(100 * (b.counters[num] - a.counters[num]) / d)
}

// BreakerStep is the resolution at which critical_breakers_open looks for
// a long enough open stretch (the PromQL subquery's step).
const BreakerStep = time.Second

// LookBack is how far back from an evaluation a signal over window reads
// samples: critical_breakers_open looks for a window-long stretch ending
// within the last window, with a sample before it, so three windows; every
// other signal the window.
func LookBack(name Name, window time.Duration) time.Duration {
	if name == CriticalBreakersOpen {
		return 3 * window
	}
	return window
}

// breakers is how many critical breakers have been open for a whole window:
// the most that were open at every sample of some window-long stretch
// (τ-window, τ] ending within the last window, τ on a BreakerStep grid, with
// a sample in the window before the stretch (so the first samples of a run
// are not a whole window by themselves). In PromQL:
//
//	max_over_time((min_over_time(open[w]) and present_over_time(open[w] offset w))[w:1s])
//
// "Open for more than 5 minutes" is then judged by how long it was open (to
// a scrape interval), not by when evaluations happened to see it, and a
// stretch that ended since the previous evaluation still counts. Window 0:
// the newest up sample's count.
func (s *Series) breakers(at time.Time, window time.Duration) Value {
	if window <= 0 {
		_, j, ok := s.span(at, 0)
		if !ok {
			return noData("no sample in the window")
		}
		return value(float64(s.at(j).breakers))
	}
	if _, _, ok := s.span(at, 3*window); !ok {
		return noData("no sample in the window")
	}
	return s.breakersFast(at, window)
}

// breakersScan is breakers over window > 0 by a scan of the three windows
// before at: the definition, which breakersFast must match at every
// evaluation, and its answer when the carried state cannot serve one.
func (s *Series) breakersScan(at time.Time, window time.Duration) Value {
	i, j, ok := s.span(at, 3*window)
	if !ok {
		return noData("no sample in the window")
	}
	step, w, atNs := int64(BreakerStep), int64(window), at.UnixNano()
	// τ from the oldest grid point after at-window up to at, ascending; the
	// samples in (τ-w, τ] slide forward: a monotone deque keeps their min;
	// before is the newest up sample at or before τ-w.
	tau := floorDiv(atNs-w, step)*step + step
	var dq []int // sample indexes, counts increasing
	next, before := i, -1
	best, found := 0, false
	for ; tau <= atNs; tau += step {
		for next <= j && s.at(next).atNs <= tau {
			if p := s.at(next); p.up {
				for len(dq) > 0 && s.at(dq[len(dq)-1]).breakers >= p.breakers {
					dq = dq[:len(dq)-1]
				}
				dq = append(dq, next)
			}
			next++
		}
		for len(dq) > 0 && s.at(dq[0]).atNs <= tau-w {
			dq = dq[1:]
		}
		for k := max(i, before+1); k < next && s.at(k).atNs <= tau-w; k++ {
			if s.at(k).up {
				before = k
			}
		}
		if len(dq) > 0 && before >= 0 && s.at(before).atNs > tau-2*w {
			best, found = max(best, s.at(dq[0]).breakers), true
		}
	}
	if !found {
		return noData("no window-long stretch of samples in the window")
	}
	return value(float64(best))
}

// residentMB is the most resident memory of an up sample in the window, in
// MB (1e6 bytes); the newest up sample at or before at when window is 0.
// A level, not a rate: one up sample is enough.
func (s *Series) residentMB(at time.Time, window time.Duration) Value {
	i, j, ok := s.span(at, window)
	if !ok {
		return noData("no sample in the window")
	}
	if window == 0 {
		return value(s.at(j).resident / bytesPerMB)
	}
	m := math.Inf(-1)
	for k := i; k <= j; k++ {
		if p := s.at(k); p.up {
			m = max(m, p.resident)
		}
	}
	if math.IsInf(m, -1) {
		return noData("no up sample in the window")
	}
	return value(m / bytesPerMB)
}

// targetDown is 1 when no up sample is in (at-window, at] (window 0: the
// newest sample at or before at is down or absent), else 0. It always has a
// value: being unable to read the bot is what it measures.
func (s *Series) targetDown(at time.Time, window time.Duration) Value {
	if window == 0 {
		j := s.newestAtOrBefore(at)
		if j < 0 || !s.at(j).up {
			return value(1)
		}
		return value(0)
	}
	if _, _, ok := s.span(at, window); ok {
		return value(0)
	}
	return value(1)
}

func (s *Series) newestAtOrBefore(at time.Time) int {
	ns := at.UnixNano()
	j := -1
	for k := s.n - 1; k >= 0; k-- {
		if s.at(k).atNs <= ns {
			j = k
			break
		}
	}
	return j
}
