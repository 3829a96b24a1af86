package monitoring

import (
	"fmt"
	"math"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/signal"
)

// A criterion on a signal the bot profile declares (criteria.Criterion's
// Over) is written from the profile's expression: the signal's selector
// aggregated per bot as its expression says, judged over the window with
// the PromQL function that matches Over (max_over_time, min_over_time,
// avg_over_time, last_over_time over a subquery at the evaluation
// interval; rate and increase of a counter; a ratio of increases).

// declaredSignal is the profile's signal a declared criterion names.
func (o Options) declaredSignal(name string) (*profile.Signal, error) {
	sg := o.prof().Signal(name)
	if sg == nil || profile.IsRole(name) || sg.Kind == profile.KindHistogram {
		return nil, fmt.Errorf("the profile declares no counter or gauge signal %q", name)
	}
	return sg, nil
}

// declSel is a declared signal's selector with the Options' matchers.
func (o Options) declSel(sg *profile.Signal) string {
	ms := make([]string, 0, len(sg.Matchers))
	for _, m := range sg.Matchers {
		ms = append(ms, m.String())
	}
	return o.sel(sg.Metric, ms...)
}

// DeclaredRecordName is the recorded series of a declared criterion:
// presoak:<signal>_<over>[_per_<of>]:<window>.
func DeclaredRecordName(c criteria.Criterion) string {
	n := string(c.Signal) + "_" + string(c.Over)
	if c.Over == signal.OverRatio {
		n = string(c.Signal) + "_per_" + c.Of + "_pct"
	}
	return RecordName(signal.Name(n), c.Window)
}

// recordOf is a criterion's recorded series.
func recordOf(c criteria.Criterion) string {
	if c.Declared() {
		return DeclaredRecordName(c)
	}
	return RecordName(c.Signal, c.Window)
}

// unitOf is a criterion's unit, as its threshold is written (a declared
// gauge's: "value", in the unit its profile declares).
func unitOf(c criteria.Criterion) string {
	if !c.Declared() {
		return Unit(c.Signal)
	}
	switch c.Over {
	case signal.OverRatio:
		return "percent"
	case signal.OverRate:
		return "per second"
	case signal.OverIncrease:
		return "count"
	}
	return "value"
}

// DeclaredExpr is the PromQL of a declared criterion's signal over its
// window, one series per bot (job, instance), evaluated every interval.
func DeclaredExpr(c criteria.Criterion, interval time.Duration, o Options) (string, error) {
	sg, err := o.declaredSignal(string(c.Signal))
	if err != nil {
		return "", fmt.Errorf("signal expression %s: %w", c.Name, err)
	}
	sel := o.declSel(sg)
	w := Range(c.Window)
	inner := fmt.Sprintf("%s by (%s) (%s)", sg.Agg, by, sel)
	switch c.Over {
	case signal.OverMax, signal.OverMin, signal.OverAvg, signal.OverLast:
		if c.Window <= 0 {
			return inner, nil
		}
		return fmt.Sprintf("%s_over_time((%s)[%s:%s])", c.Over, inner, w, Range(interval)), nil
	case signal.OverDrop:
		if c.Window <= 0 {
			return "", fmt.Errorf("signal expression %s: over drop needs a window", c.Name)
		}
		return fmt.Sprintf("max_over_time((%[1]s)[%[2]s:%[3]s]) - %[1]s", inner, w, Range(interval)), nil
	case signal.OverRate, signal.OverIncrease:
		return fmt.Sprintf("%s by (%s) (%s(%s[%s]))", sg.Agg, by, c.Over, sel, w), nil
	case signal.OverRatio:
		den, err := o.declaredSignal(c.Of)
		if err != nil {
			return "", fmt.Errorf("signal expression %s: of: %w", c.Name, err)
		}
		num := fmt.Sprintf("%s by (%s) (increase(%s[%s]))", sg.Agg, by, sel, w)
		d := fmt.Sprintf("%s by (%s) (increase(%s[%s]))", den.Agg, by, o.declSel(den), w)
		return percentOf(num, d), nil
	}
	return "", fmt.Errorf("signal expression %s: over %q", c.Name, c.Over)
}

// seriesLabels are labels a synthetic series of sg needs to pass its
// matchers (matchLabels).
func seriesLabels(sg *profile.Signal) (map[string]string, error) {
	out := map[string]string{}
	if err := matchLabels(out, sg); err != nil {
		return nil, err
	}
	return out, nil
}

// matchLabels sets in ls the labels a synthetic series of sg needs to pass
// every one of its matchers (parsed by Prometheus's parser): an equality
// matcher's value; for a regex or not-equal matcher a value it accepts (a
// label ls already has that passes is kept; one the empty value passes is
// left out). A matcher no candidate value passes is an error.
func matchLabels(ls map[string]string, sg *profile.Signal) error {
	if err := satisfy(ls, sg.Matchers); err != nil {
		return fmt.Errorf("signal %s: %w", sg.Name, err)
	}
	return nil
}

// satisfy is matchLabels for any matchers.
func satisfy(ls map[string]string, ms []*labels.Matcher) error {
	for _, m := range ms {
		if m.Matches(ls[m.Name]) {
			continue
		}
		v, ok := matchingValue(m)
		if !ok {
			return fmt.Errorf("no synthetic series for matcher %s", m)
		}
		if v == "" {
			delete(ls, m.Name)
			continue
		}
		ls[m.Name] = v
	}
	return nil
}

// matchingValue is a label value m accepts: its own value (=), one of its
// regex's alternatives or a string with its literal prefix (=~), the empty
// value or a placeholder (!=, !~).
func matchingValue(m *labels.Matcher) (string, bool) {
	for _, v := range candidates(m) {
		if m.Matches(v) {
			return v, true
		}
	}
	return "", false
}

// candidates are the label values matchingValue tries for m, in order.
func candidates(m *labels.Matcher) []string {
	var cands []string
	switch m.Type {
	case labels.MatchEqual:
		cands = []string{m.Value}
	case labels.MatchRegexp:
		cands = append(cands, m.SetMatches()...)
		if p := m.Prefix(); p != "" {
			cands = append(cands, p, p+"presoak")
		}
	}
	return append(cands, "", "presoak", "presoak_rule_test", "1", "x")
}

// declared: a gauge at a healthy level then at the breach level from the
// fault on (max with >, >=; min with <, <=; last with any); a counter
// growing by 0 then by the breach rate (rate, increase), or a numerator
// and a denominator growing at the breach percentage (ratio), with
// increments 10^9 times the healthy ones.
func (sc *Scenario) declared(c criteria.Criterion, fault int, o Options) error {
	sg, err := o.declaredSignal(string(c.Signal))
	if err != nil {
		return err
	}
	sc.use(sg)
	ls, err := seriesLabels(sg)
	if err != nil {
		return err
	}
	n := fault + 1
	iv := sc.Interval.Seconds()
	switch c.Over {
	case signal.OverMax, signal.OverMin, signal.OverLast:
		up := c.Op == criteria.Greater || c.Op == criteria.GreaterEqual
		if (c.Over == signal.OverMax && !up) || (c.Over == signal.OverMin && up) {
			return fmt.Errorf("over %s %s: a level the window keeps would hold before the fault; no scenario", c.Over, c.Op)
		}
		lo, hi := c.Threshold-1e3-abs(c.Threshold), c.Threshold+1e3+abs(c.Threshold)
		breach, healthy, err := breachValue(c, lo, hi)
		if err != nil {
			return err
		}
		s := sc.add(sg.Metric, roleDeclared, ls, linear(healthy, 0, 0, fault, n))
		s.Phases[len(s.Phases)-1].Start = breach
		s.stage = sg.Name
		sc.Value = breach
	case signal.OverDrop:
		// A level that falls by the breach at the fault: the window's peak
		// is the healthy level until it leaves the window.
		if c.Op != criteria.Greater && c.Op != criteria.GreaterEqual {
			return fmt.Errorf("over drop %s: a fall that must stay small has no fault scenario", c.Op)
		}
		if c.For+2*sc.Interval >= c.Window {
			return fmt.Errorf("over drop: for %v must be shorter than the window %v less two intervals (the peak leaves the window)", c.For, c.Window)
		}
		fall := math.Ceil(c.Threshold*2 + 1)
		s := sc.add(sg.Metric, roleDeclared, ls, linear(1e6, 0, 0, fault, n))
		s.Phases[len(s.Phases)-1].Start = 1e6 - fall
		s.stage = sg.Name
		sc.Value = fall
	case signal.OverRate, signal.OverIncrease:
		if c.Op != criteria.Greater && c.Op != criteria.GreaterEqual {
			return fmt.Errorf("over %s %s: a counter that must fall below a threshold has no fault scenario", c.Over, c.Op)
		}
		// The breach rate per second: so far above the threshold that the
		// first faulty increment in the window crosses it.
		per := float64(faultScale)
		if c.Threshold >= per/1e3 {
			return fmt.Errorf("over %s: threshold %s is beyond the scenario's fault rate", c.Over, num(c.Threshold))
		}
		s := sc.add(sg.Metric, roleDeclared, ls, linear(counterBase, 0, per*iv, fault, n))
		s.stage = sg.Name
		if c.For < c.Window+sc.Interval {
			return fmt.Errorf("over %s: for %v is shorter than the window and an interval: the value at firing depends on extrapolation", c.Over, c.For)
		}
		sc.Value = per
		if c.Over == signal.OverIncrease {
			sc.Value = per * c.Window.Seconds()
		}
	case signal.OverRatio:
		den, err := o.declaredSignal(c.Of)
		if err != nil {
			return err
		}
		sc.use(den)
		dls, err := seriesLabels(den)
		if err != nil {
			return err
		}
		bp, hp, err := breachValue(c, 0, 100)
		if err != nil {
			return err
		}
		s := sc.add(sg.Metric, roleDeclared, ls, linear(counterBase, hp/100, bp*faultScale/100, fault, n))
		s.stage = sg.Name
		d := sc.add(den.Metric, roleDeclared, dls, linear(counterBase, 1, faultScale, fault, n))
		d.stage = den.Name
		sc.Value = bp
	default:
		return fmt.Errorf("over %s has no fault scenario", c.Over)
	}
	sc.HoldAt = time.Duration(fault) * sc.Interval
	return nil
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
