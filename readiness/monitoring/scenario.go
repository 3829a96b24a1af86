package monitoring

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/presoak/presoak/readiness/criteria"
	"github.com/presoak/presoak/readiness/signal"
	rmon "github.com/presoak/presoak/reports/monitoring"
)

// Scenario is synthetic data for one criterion: series that are healthy,
// then make the criterion's condition hold from HoldAt on, so that its alert
// fires at FireAt = HoldAt + for. The same data is promtool input series
// (Series) and presoak samples (Samples).
//
// The series are built so that PromQL and presoak compute the same value:
// counters start at 1e12 (increase() never extrapolates to zero), every
// series is sampled at the same instants (extrapolation cancels in a ratio),
// the fault is 10^9 times the healthy rate (the condition holds at the first
// faulty sample, whatever the window), and memory grows on a clean ramp
// (least squares and Theil-Sen agree on it).
type Scenario struct {
	// Criterion and Alert are what is tested.
	Criterion criteria.Criterion
	Alert     rmon.Alert
	// Interval is the sampling and evaluation interval.
	Interval time.Duration
	// Labels (job, instance) are on every series and on the alert.
	Labels map[string]string
	// Series are the input series, Steps samples each (t = 0, Interval, ...).
	Series []Series
	Steps  int
	// HoldAt is the first evaluation at which the condition holds (for good:
	// after a flap, the second time); FireAt the one at which the alert fires.
	HoldAt, FireAt time.Duration
	// FirstHoldAt is when the condition first held before a flap reset it
	// (WithFlap); zero without a flap.
	FirstHoldAt time.Duration
	// Value is the signal's value at FireAt.
	Value float64
	// Baseline is the p95 baseline the scenario assumes (p95 regression).
	Baseline map[string]float64
}

// Series is one synthetic input series made of linear phases.
type Series struct {
	Metric string
	Labels map[string]string
	Phases []Phase

	role  role
	stage string // histogram buckets: the stage; breakers: the breaker
	le    float64
}

// Phase is Count samples starting at Start, each Step above the one before
// (promtool's "Start+StepxN" notation, N = Count-1).
type Phase struct {
	Start, Step float64
	Count       int
}

type role int

const (
	roleTicks role = iota
	roleMisses
	roleErrors
	roleHits
	roleCacheMisses
	roleMaker
	roleTaker
	roleResident
	roleBreaker
	roleUp
	roleBucket
	roleBaseline
)

// counterBase is where every synthetic counter starts.
const counterBase = 1e12

// faultScale is how many times larger a fault's increments are than the
// healthy ones.
const faultScale = 1e9

// buckets are the synthetic histograms' upper bounds (seconds).
var buckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, math.Inf(1)}

// TestBaseline is the baseline a p95-regression scenario assumes when the
// model has none.
var TestBaseline = map[string]float64{"fetch_md": 0.02, "tick_total": 0.1}

// Values are the series' samples, computed as promtool expands its notation
// (repeated addition).
func (s Series) Values() []float64 {
	var out []float64
	for _, p := range s.Phases {
		v := p.Start
		for i := 0; i < p.Count; i++ {
			if i > 0 {
				v += p.Step
			}
			out = append(out, v)
		}
	}
	return out
}

// Notation is the series' values in promtool's expanding notation.
func (s Series) Notation() string {
	parts := make([]string, 0, len(s.Phases))
	for _, p := range s.Phases {
		if p.Count == 1 {
			parts = append(parts, num(p.Start))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s%sx%d", num(p.Start), signed(p.Step), p.Count-1))
	}
	return strings.Join(parts, " ")
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func signed(v float64) string {
	if v < 0 {
		return num(v)
	}
	return "+" + num(v)
}

// Selector is the series in PromQL selector syntax.
func (s Series) Selector() string {
	keys := sortedKeys(s.Labels)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%q", k, s.Labels[k]))
	}
	return s.Metric + "{" + strings.Join(parts, ", ") + "}"
}

// linear is a series healthy for `healthy` samples (step h) then faulty
// (step f) until n samples, starting at start.
func linear(start, h, f float64, healthy, n int) []Phase {
	if healthy >= n {
		return []Phase{{Start: start, Step: h, Count: n}}
	}
	ps := []Phase{}
	v := start
	if healthy > 0 {
		ps = append(ps, Phase{Start: start, Step: h, Count: healthy})
		v = start + h*float64(healthy-1)
	}
	ps = append(ps, Phase{Start: v + f, Step: f, Count: n - healthy})
	if healthy == 0 {
		ps[0].Start = start
	}
	return ps
}

// ScenarioOption changes how scenarios are built.
type ScenarioOption func(*scenarioConfig)

type scenarioConfig struct{ restart, flap bool }

// WithRestart makes the bot restart halfway between HoldAt and FireAt in
// every counter-based scenario: all its counters drop back towards zero and
// go on, as after a process restart. Both sides must see through the reset
// and fire at the same evaluation as without it.
func WithRestart() ScenarioOption { return func(c *scenarioConfig) { c.restart = true } }

// WithFlap interrupts the fault once while the alert is pending: the
// signal is healthy for at least one evaluation, which must reset the
// pending alert on both sides, and the alert fires a full for-duration
// after the fault comes back. Criteria whose for-duration is not longer than
// their window plus two intervals, memory growth (a ramp) and target_down
// (one failed scrape in a window is not down) keep their plain scenario.
func WithFlap() ScenarioOption { return func(c *scenarioConfig) { c.flap = true } }

// NewScenario builds the scenario of criterion c evaluated every interval,
// reading metrics as o says. It fails for a condition it cannot provoke (a
// threshold no value can cross, a falling memory criterion).
func NewScenario(c criteria.Criterion, interval time.Duration, o Options, opts ...ScenarioOption) (Scenario, error) {
	var cfg scenarioConfig
	for _, opt := range opts {
		opt(&cfg)
	}
	if interval <= 0 || interval%time.Second != 0 {
		return Scenario{}, fmt.Errorf("scenario %s: interval %v is not a whole number of seconds", c.Name, interval)
	}
	sc := Scenario{
		Criterion: c, Alert: Alert(c), Interval: interval,
		Labels: map[string]string{"job": "presoak-rule-test", "instance": c.Name},
	}
	windowSteps := int((c.Window + interval - 1) / interval)
	fault := windowSteps + 2 // index of the first faulty sample: a full healthy window before it
	var err error
	switch c.Signal {
	case signal.DeadlineMissPct, signal.ErrorPct, signal.MDCacheHitPct, signal.TakerSharePct:
		err = sc.ratio(c, fault, o)
	case signal.MemoryGrowthMBPerH:
		err = sc.memory(c, o)
	case signal.CriticalBreakersOpen:
		err = sc.breakers(c, fault, o)
	case signal.TargetDown:
		err = sc.targetDown(c, fault)
	case signal.P95RegressionPct:
		err = sc.p95(c, fault, o)
	default:
		err = fmt.Errorf("unknown signal %q", c.Signal)
	}
	if err != nil {
		return Scenario{}, fmt.Errorf("scenario %s: %w", c.Name, err)
	}
	flapGap, flapAt := 0, 0
	if cfg.flap && c.Signal != signal.MemoryGrowthMBPerH && c.Signal != signal.TargetDown && int(c.For/interval) > windowSteps+2 {
		// The fault lasts one sample, stops for a window and two intervals
		// (the signal is healthy for at least one evaluation, well before
		// the for-duration ends), and comes back at flapAt.
		flapGap = windowSteps + 2
		flapAt = fault + 1 + flapGap
		sc.FirstHoldAt = sc.HoldAt
		sc.HoldAt += time.Duration(flapAt-fault) * interval
	}
	sc.FireAt = sc.HoldAt + c.For
	if sc.FireAt%interval != 0 {
		// for: that is not a multiple of the interval fires at the next evaluation.
		sc.FireAt += interval - sc.FireAt%interval
	}
	sc.Steps = int(sc.FireAt/interval) + 3
	sc.extend()
	if flapGap > 0 {
		sc.flap(fault, flapAt-flapGap, flapAt)
	}
	if cfg.restart {
		sc.restartAt(int((sc.HoldAt + (sc.FireAt-sc.HoldAt)/2) / interval))
	}
	return sc, nil
}

// flap rewrites every series so that samples [from, to) are healthy again:
// counters grow at their healthy step, levels (breakers, up) return to their
// healthy value; the fault (which started at sample fault) resumes at to.
func (sc *Scenario) flap(fault, from, to int) {
	for i := range sc.Series {
		s := &sc.Series[i]
		if len(s.Phases) < 2 {
			continue // constant or ramp: no fault phase
		}
		healthy, faulty := s.Phases[0], s.Phases[1]
		vals := s.Values()
		switch s.role {
		case roleBreaker, roleUp:
			for k := from; k < to && k < len(vals); k++ {
				vals[k] = healthy.Start
			}
		default:
			for k := 1; k < len(vals); k++ {
				step := faulty.Step
				if k < fault || (k >= from && k < to) {
					step = healthy.Step
				}
				vals[k] = vals[k-1] + step
			}
		}
		s.Phases = phasesOf(vals)
	}
}

// phasesOf encodes values as runs of a constant step.
func phasesOf(vals []float64) []Phase {
	var out []Phase
	for i := 0; i < len(vals); {
		if i == len(vals)-1 {
			out = append(out, Phase{Start: vals[i], Count: 1})
			break
		}
		step := vals[i+1] - vals[i]
		j := i + 1
		for j+1 < len(vals) && vals[j+1]-vals[j] == step {
			j++
		}
		out = append(out, Phase{Start: vals[i], Step: step, Count: j - i + 1})
		i = j + 1
	}
	return out
}

// restartAt drops every counter by counterBase from sample k on (a reset:
// the counters continue from their increase since the start).
func (sc *Scenario) restartAt(k int) {
	for i := range sc.Series {
		s := &sc.Series[i]
		switch s.role {
		case roleTicks, roleMisses, roleErrors, roleHits, roleCacheMisses, roleMaker, roleTaker, roleBucket:
		default:
			continue
		}
		var out []Phase
		idx := 0
		for _, p := range s.Phases {
			switch {
			case idx+p.Count <= k: // before the restart
				out = append(out, p)
			case idx >= k: // after
				p.Start -= counterBase
				out = append(out, p)
			default: // the restart falls inside this phase
				before := k - idx
				out = append(out, Phase{Start: p.Start, Step: p.Step, Count: before})
				out = append(out, Phase{Start: p.Start + p.Step*float64(before) - counterBase, Step: p.Step, Count: p.Count - before})
			}
			idx += p.Count
		}
		s.Phases = out
	}
}

// extend makes every series Steps samples long by stretching its last phase.
func (sc *Scenario) extend() {
	for i := range sc.Series {
		s := &sc.Series[i]
		total := 0
		for _, p := range s.Phases {
			total += p.Count
		}
		s.Phases[len(s.Phases)-1].Count += sc.Steps - total
	}
}

func (sc *Scenario) add(metric string, r role, extra map[string]string, phases []Phase) *Series {
	labels := map[string]string{}
	for k, v := range sc.Labels {
		labels[k] = v
	}
	for k, v := range extra {
		labels[k] = v
	}
	sc.Series = append(sc.Series, Series{Metric: metric, Labels: labels, Phases: phases, role: r})
	return &sc.Series[len(sc.Series)-1]
}

// breachValue picks a value of the signal on the condition's side of the
// threshold, far from it, within [lo, hi]; healthy is one on the other side.
func breachValue(c criteria.Criterion, lo, hi float64) (breach, healthy float64, err error) {
	switch c.Op {
	case criteria.Greater, criteria.GreaterEqual:
		breach, healthy = math.Ceil(c.Threshold+(hi-c.Threshold)/2), lo
	case criteria.Less, criteria.LessEqual:
		breach, healthy = math.Floor(c.Threshold/2+lo/2), hi
	default:
		return 0, 0, fmt.Errorf("unknown op %q", c.Op)
	}
	if breach < lo || breach > hi || !c.Holds(breach) || c.Holds(healthy) {
		return 0, 0, fmt.Errorf("no value in [%s, %s] crosses %s %s from a healthy one", num(lo), num(hi), c.Op, num(c.Threshold))
	}
	return breach, healthy, nil
}

// ratio: healthy increments of 1 (numerator 0 or 1), then 10^9 per sample
// with the breach percentage in the numerator.
func (sc *Scenario) ratio(c criteria.Criterion, fault int, o Options) error {
	bp, hp, err := breachValue(c, 0, 100)
	if err != nil {
		return err
	}
	m := o.names()
	hNum, fNum := hp/100, bp*faultScale/100
	hRest, fRest := 1-hNum, faultScale-fNum
	n := fault + 1
	switch c.Signal {
	case signal.DeadlineMissPct:
		sc.add(m.Ticks, roleTicks, nil, linear(counterBase, 1, faultScale, fault, n))
		sc.add(m.DeadlineMisses, roleMisses, nil, linear(counterBase, hNum, fNum, fault, n))
	case signal.ErrorPct:
		sc.add(m.Ticks, roleTicks, nil, linear(counterBase, 1, faultScale, fault, n))
		sc.add(m.TickErrors, roleErrors, map[string]string{"stage": "risk"}, linear(counterBase, hNum, fNum, fault, n))
	case signal.MDCacheHitPct:
		sc.add(m.CacheRequests, roleHits, map[string]string{"result": "hit"}, linear(counterBase, hNum, fNum, fault, n))
		sc.add(m.CacheRequests, roleCacheMisses, map[string]string{"result": "miss"}, linear(counterBase, hRest, fRest, fault, n))
	case signal.TakerSharePct:
		sc.add(m.FillVolume, roleTaker, map[string]string{"liquidity": "taker"}, linear(counterBase, hNum, fNum, fault, n))
		sc.add(m.FillVolume, roleMaker, map[string]string{"liquidity": "maker"}, linear(counterBase, hRest, fRest, fault, n))
	}
	sc.HoldAt = time.Duration(fault) * sc.Interval
	sc.Value = bp
	return nil
}

// memory: resident memory on a clean ramp from t=0 at an integral rate in
// MB/h; the signal has a value once the series is MemoryWarmup old.
func (sc *Scenario) memory(c criteria.Criterion, o Options) error {
	if c.Op != criteria.Greater && c.Op != criteria.GreaterEqual {
		return fmt.Errorf("memory growth scenarios need > or >=, got %q", c.Op)
	}
	secs := int64(sc.Interval / time.Second)
	rate := int64(math.Max(math.Ceil(2*c.Threshold), math.Floor(c.Threshold)+1))
	if rate <= 0 {
		rate = 1
	}
	// bytes per sample = rate * 1e6 * secs / 3600 must be whole: 9 | rate*secs.
	for (rate*secs*1e6)%3600 != 0 {
		rate++
	}
	step := float64(rate * secs * 1e6 / 3600)
	sc.add(o.names().ResidentMemory, roleResident, nil, []Phase{{Start: 1e9, Step: step, Count: 1}})
	warm := MemoryWarmup(c.Window)
	sc.HoldAt = (warm + sc.Interval - 1) / sc.Interval * sc.Interval
	sc.Value = float64(rate)
	return nil
}

// breakers: enough critical breakers open from the fault on.
func (sc *Scenario) breakers(c criteria.Criterion, fault int, o Options) error {
	open, _, err := breachValue(c, 0, math.Max(1, math.Ceil(c.Threshold)+1))
	if err != nil {
		return err
	}
	if open < 1 {
		open = 1
	}
	for i := 0; i < int(open); i++ {
		name := fmt.Sprintf("critical_%d", i+1)
		s := sc.add(o.names().BreakerOpen, roleBreaker, map[string]string{"breaker": name, "critical": "true"}, linear(0, 0, 0, fault, fault+1))
		s.Phases[len(s.Phases)-1].Start = 1
		s.stage = name
	}
	// The bot is otherwise healthy and ticking.
	sc.add(o.names().Ticks, roleTicks, nil, []Phase{{Start: counterBase, Step: 1, Count: 1}})
	sc.HoldAt = time.Duration(fault) * sc.Interval
	sc.Value = open
	return nil
}

// targetDown: up 1, then 0 from the fault on; the signal is 1 once no good
// scrape is left in the window.
func (sc *Scenario) targetDown(c criteria.Criterion, fault int) error {
	if !c.Holds(1) || c.Holds(0) {
		return fmt.Errorf("target_down is 0 or 1: %s %s does not tell them apart", c.Op, num(c.Threshold))
	}
	s := sc.add("up", roleUp, nil, linear(1, 0, 0, fault, fault+1))
	s.Phases[len(s.Phases)-1].Start = 0
	lastUp := time.Duration(fault-1) * sc.Interval
	hold := lastUp + c.Window
	sc.HoldAt = (hold/sc.Interval + 1) * sc.Interval
	if c.Window == 0 {
		sc.HoldAt = time.Duration(fault) * sc.Interval
	}
	sc.Value = 1
	return nil
}

// p95: every baseline stage sees one observation per sample just under its
// baseline p95; from the fault on the first stage sees 10^9 per sample in a
// bucket above baseline * (1 + threshold%).
func (sc *Scenario) p95(c criteria.Criterion, fault int, o Options) error {
	if c.Op != criteria.Greater && c.Op != criteria.GreaterEqual {
		return fmt.Errorf("p95 regression scenarios need > or >=, got %q", c.Op)
	}
	base := o.Baseline
	if len(base) == 0 {
		base = TestBaseline
		for _, st := range Stages {
			if v, ok := base[st]; ok {
				s := sc.add(BaselineRecord, roleBaseline, nil, []Phase{{Start: v, Step: 0, Count: 1}})
				s.Labels = map[string]string{"stage": st} // a constant, like the recording rule's
			}
		}
	}
	sc.Baseline = base
	faulty := "" // the first stage whose baseline is at least the smallest bucket
	for _, st := range Stages {
		if v, ok := base[st]; ok && v >= buckets[0] {
			faulty = st
			break
		}
	}
	if faulty == "" {
		return fmt.Errorf("baseline names no known stage with a p95 of at least %gs", buckets[0])
	}
	m := o.names()
	for _, st := range Stages {
		b, ok := base[st]
		if !ok {
			continue
		}
		h := -1 // healthy bucket: the highest whose upper bound is <= the baseline
		for i, ub := range buckets {
			if ub <= b {
				h = i
			}
		}
		if h < 0 {
			if st == faulty {
				return fmt.Errorf("baseline p95 of %s (%gs) is below the smallest bucket", st, b)
			}
			continue // no observations for this stage: both sides skip it
		}
		f := -1
		if st == faulty {
			limit := b * (1 + c.Threshold/100)
			for i := 1; i < len(buckets)-1; i++ {
				if buckets[i-1] > limit {
					f = i
					break
				}
			}
			if f < 0 {
				return fmt.Errorf("no bucket above %s's p95 limit %gs", st, limit)
			}
			lo, hi := buckets[f-1], buckets[f]
			sc.Value = 100 * ((lo+(hi-lo)*0.95)/b - 1)
		}
		if hLo := lowerBound(h); c.Holds(100 * ((hLo+(buckets[h]-hLo)*0.95)/b - 1)) {
			return fmt.Errorf("healthy p95 of %s would already hold", st)
		}
		metric, extra := m.StageDuration+"_bucket", map[string]string{"stage": st}
		if st == TickTotal {
			metric, extra = m.TickDuration+"_bucket", map[string]string{}
		}
		for i, ub := range buckets {
			lbl := map[string]string{"le": leLabel(ub)}
			for k, v := range extra {
				lbl[k] = v
			}
			hStep, fStep := 0.0, 0.0
			if i >= h {
				hStep = 1
			}
			if f >= 0 && i >= f {
				fStep = faultScale
			}
			if st == faulty {
				fStep += hStep // the healthy observations go on during the fault
			} else {
				fStep = hStep
			}
			s := sc.add(metric, roleBucket, lbl, linear(counterBase, hStep, fStep, fault, fault+1))
			s.stage, s.le = st, ub
		}
	}
	sc.HoldAt = time.Duration(fault) * sc.Interval
	return nil
}

func lowerBound(i int) float64 {
	if i == 0 {
		return 0
	}
	return buckets[i-1]
}

func leLabel(ub float64) string {
	if math.IsInf(ub, 1) {
		return "+Inf"
	}
	return num(ub)
}
