package monitoring

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/signal"
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
	// Labels (job, instance, and what the Options' Selector matches) are
	// on every series and on the alert.
	Labels map[string]string
	// Series are the input series, Steps samples each (t = 0, Interval, ...).
	Series []Series
	Steps  int
	// HoldAt is the first evaluation at which the condition holds (for good:
	// after a flap, the second time); FireAt the one at which the alert fires.
	HoldAt, FireAt time.Duration
	// FirstHoldAt is when the condition first held before a flap or a
	// no-data gap reset it (WithFlap, WithNoDataGap); zero without.
	FirstHoldAt time.Duration
	// QuietAt are more evaluations at which the alert must not be firing
	// (after a no-data gap: where an evaluator that kept the pending state
	// through the gap would fire).
	QuietAt []time.Duration
	// Value is the signal's value at FireAt.
	Value float64
	// Baseline is the p95 baseline the scenario assumes (p95 regression).
	Baseline map[string]float64

	// failFault and failEvery shape a scrape-failure scenario's up series:
	// from sample failFault on, every failEvery-th scrape fails.
	failFault, failEvery int
	// labelErr is the first signal whose matchers no synthetic series passes.
	labelErr error
	// used are the profile's signals the series are written for.
	used []*profile.Signal
}

// ScenarioOption changes how scenarios are built.
type ScenarioOption func(*scenarioConfig)

type scenarioConfig struct {
	restart, flap bool
	gap           time.Duration
}

// WithNoDataGap gives every ratio criterion's scenario (deadline miss,
// errors, hit ratio, taker share) one minute of breach, then gap without
// any increase of its counters (no ticks, no cache requests, no fills: the
// signal has no data once the breach leaves the window), then the breach
// again until the alert fires. Prometheus drops a pending alert whose
// expression returns nothing, so the alert fires a full for-duration after
// the breach comes back, and presoak must too. Criteria whose window is not
// shorter than gap minus two intervals keep their plain scenario.
func WithNoDataGap(gap time.Duration) ScenarioOption {
	return func(c *scenarioConfig) { c.gap = gap }
}

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
	if sel := strings.TrimSpace(o.Selector); sel != "" {
		// Every series passes the Selector's matchers too (job="mm-bot").
		ms, err := profile.ParseSelector("{" + sel + "}")
		if err == nil {
			err = satisfy(sc.Labels, ms)
		}
		if err != nil {
			return Scenario{}, fmt.Errorf("scenario %s: selector: %w", c.Name, err)
		}
	}
	windowSteps := int((c.Window + interval - 1) / interval)
	fault := windowSteps + 2 // index of the first faulty sample: a full healthy window before it
	var err error
	switch {
	case c.Declared():
		err = sc.declared(c, fault, o)
	default:
		err = sc.fixed(c, fault, o)
	}
	if err == nil {
		err = sc.labelErr
	}
	if err == nil {
		err = sc.joinLabels(o)
	}
	if err != nil {
		return Scenario{}, fmt.Errorf("scenario %s: %w", c.Name, err)
	}
	flapGap, flapAt := 0, 0
	if cfg.flap && !c.Declared() && c.Signal != signal.MemoryGrowthMBPerH && c.Signal != signal.TargetDown && c.Signal != signal.ScrapeFailurePct && int(c.For/interval) > windowSteps+2 {
		// The fault lasts one sample, stops for a window and two intervals
		// (the signal is healthy for at least one evaluation, well before
		// the for-duration ends), and comes back at flapAt.
		flapGap = windowSteps + 2
		flapAt = fault + 1 + flapGap
		sc.FirstHoldAt = sc.HoldAt
		sc.HoldAt += time.Duration(flapAt-fault) * interval
	}
	gapFrom, gapTo := 0, 0
	if cfg.gap > 0 && flapGap == 0 && !c.Declared() && isRatio(c.Signal) && c.Window+2*interval <= cfg.gap {
		// Breach for a minute from the fault, no increase for the gap, breach again.
		breach := max(1, int((time.Minute+interval-1)/interval))
		gapFrom = fault + breach
		gapTo = gapFrom + int(cfg.gap/interval)
		sc.FirstHoldAt = sc.HoldAt
		sc.HoldAt += time.Duration(gapTo-fault) * interval
		sc.QuietAt = []time.Duration{sc.HoldAt + time.Duration(breach)*interval}
	}
	return sc.finish(c, fault, flapGap, flapAt, gapFrom, gapTo, cfg)
}

// fixed builds the series of a fixed signal's criterion.
func (sc *Scenario) fixed(c criteria.Criterion, fault int, o Options) error {
	var err error
	switch c.Signal {
	case signal.DeadlineMissPct, signal.ErrorPct, signal.MDCacheHitPct, signal.TakerSharePct:
		err = sc.ratio(c, fault, o)
	case signal.MemoryGrowthMBPerH:
		err = sc.memory(c, o)
	case signal.ResidentMemoryMB:
		err = sc.resident(c, fault, o)
	case signal.CriticalBreakersOpen:
		err = sc.breakers(c, fault, o)
	case signal.TargetDown:
		err = sc.targetDown(c, fault)
	case signal.ScrapeFailurePct:
		err = sc.scrapeFailures(c, fault)
	case signal.P95RegressionPct:
		err = sc.p95(c, fault, o)
	default:
		err = fmt.Errorf("unknown signal %q", c.Signal)
	}
	return err
}

// finish places FireAt, sizes the series and applies the flap, the no-data
// gap and the restart.
func (sc *Scenario) finish(c criteria.Criterion, fault, flapGap, flapAt, gapFrom, gapTo int, cfg scenarioConfig) (Scenario, error) {
	interval := sc.Interval
	sc.FireAt = sc.HoldAt + c.For
	if sc.FireAt%interval != 0 {
		// for: that is not a multiple of the interval fires at the next evaluation.
		sc.FireAt += interval - sc.FireAt%interval
	}
	sc.Steps = int(sc.FireAt/interval) + 3
	if c.Signal == signal.ScrapeFailurePct {
		sc.upSeries(c)
	}
	sc.extend()
	if flapGap > 0 {
		sc.flap(fault, flapAt-flapGap, flapAt)
	}
	if gapTo > 0 {
		sc.noData(fault, gapFrom, gapTo)
	}
	if cfg.restart {
		sc.restartAt(int((sc.HoldAt + (sc.FireAt-sc.HoldAt)/2) / interval))
	}
	return *sc, nil
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
		case roleBreaker, roleUp, roleResident: // levels, not counters
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

func isRatio(n signal.Name) bool {
	switch n {
	case signal.DeadlineMissPct, signal.ErrorPct, signal.MDCacheHitPct, signal.TakerSharePct:
		return true
	}
	return false
}

// noData rewrites every counter so that it does not increase over samples
// [from, to); the fault (from sample fault) resumes at to.
func (sc *Scenario) noData(fault, from, to int) {
	for i := range sc.Series {
		s := &sc.Series[i]
		if len(s.Phases) < 2 {
			continue
		}
		healthy, faulty := s.Phases[0], s.Phases[1]
		vals := s.Values()
		for k := 1; k < len(vals); k++ {
			step := faulty.Step
			switch {
			case k < fault:
				step = healthy.Step
			case k >= from && k < to:
				step = 0
			}
			vals[k] = vals[k-1] + step
		}
		s.Phases = phasesOf(vals)
	}
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

// addSig adds a series of the profile's signal sig (metric+suffix): its
// labels are the scenario's, extra, and what the signal's matchers need
// (matchLabels), so that the generated expressions select it.
func (sc *Scenario) addSig(o Options, sig, suffix string, r role, extra map[string]string, phases []Phase) *Series {
	sg := o.signal(sig)
	sc.use(sg)
	s := sc.add(sg.Metric+suffix, r, extra, phases)
	if err := matchLabels(s.Labels, sg); err != nil && sc.labelErr == nil {
		sc.labelErr = err
	}
	return s
}

// use records that the scenario writes series of sg.
func (sc *Scenario) use(sg *profile.Signal) {
	if !slices.Contains(sc.used, sg) {
		sc.used = append(sc.used, sg)
	}
}

// byLabels are the labels every generated expression keeps per bot (by).
var byLabels = []string{"job", "instance"}

// joinLabels gives every series, and the alert, the job and instance the
// used signals' selectors (and the Selector) ask for: the rules sum each
// signal by (job, instance) and join the sums on them, so the series of
// one scenario must agree on both, as one bot's series do. A label the
// selectors give no value that every one of them passes is an error naming
// the signals: no bot's series could make the rule fire.
func (sc *Scenario) joinLabels(o Options) error {
	var sel []*labels.Matcher
	if s := strings.TrimSpace(o.Selector); s != "" {
		ms, err := profile.ParseSelector("{" + s + "}")
		if err != nil {
			return fmt.Errorf("selector: %w", err)
		}
		sel = ms
	}
	for _, name := range byLabels {
		var ms []*labels.Matcher
		var who []string
		for _, sg := range sc.used {
			for _, m := range sg.Matchers {
				if m.Name == name {
					ms = append(ms, m)
					who = append(who, sg.Name+" "+m.String())
				}
			}
		}
		if len(ms) == 0 {
			continue
		}
		for _, m := range sel {
			if m.Name == name {
				ms = append(ms, m)
				who = append(who, "SELECTOR "+m.String())
			}
		}
		v, ok := jointValue(sc.Labels[name], ms)
		if !ok {
			return fmt.Errorf("no %s value passes every selector of the scenario (%s): the rules group by (%s) and could never join these signals",
				name, strings.Join(who, ", "), by)
		}
		set := func(ls map[string]string) {
			if v == "" {
				delete(ls, name)
			} else {
				ls[name] = v
			}
		}
		set(sc.Labels)
		for i := range sc.Series {
			if sc.Series[i].role != roleBaseline {
				set(sc.Series[i].Labels)
			}
		}
	}
	return nil
}

// jointValue is a label value every matcher passes: cur when it does, else
// the first of the matchers' candidate values that does.
func jointValue(cur string, ms []*labels.Matcher) (string, bool) {
	cands := []string{cur}
	for _, m := range ms {
		cands = append(cands, candidates(m)...)
	}
	for _, v := range cands {
		if allMatch(ms, v) {
			return v, true
		}
	}
	return "", false
}

func allMatch(ms []*labels.Matcher, v string) bool {
	for _, m := range ms {
		if !m.Matches(v) {
			return false
		}
	}
	return true
}
