package monitoring

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/signal"
)

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
	hNum, fNum := hp/100, bp*faultScale/100
	hRest, fRest := 1-hNum, faultScale-fNum
	n := fault + 1
	switch c.Signal {
	case signal.DeadlineMissPct:
		sc.addSig(o, "ticks", "", roleTicks, nil, linear(counterBase, 1, faultScale, fault, n))
		sc.addSig(o, "deadline_misses", "", roleMisses, nil, linear(counterBase, hNum, fNum, fault, n))
	case signal.ErrorPct:
		sc.addSig(o, "ticks", "", roleTicks, nil, linear(counterBase, 1, faultScale, fault, n))
		sc.addSig(o, "tick_errors", "", roleErrors, map[string]string{"stage": "risk"}, linear(counterBase, hNum, fNum, fault, n))
	case signal.MDCacheHitPct:
		sc.addSig(o, "cache_hits", "", roleHits, map[string]string{"result": "hit"}, linear(counterBase, hNum, fNum, fault, n))
		sc.addSig(o, "cache_misses", "", roleCacheMisses, map[string]string{"result": "miss"}, linear(counterBase, hRest, fRest, fault, n))
	case signal.TakerSharePct:
		sc.addSig(o, "taker_volume", "", roleTaker, map[string]string{"liquidity": "taker"}, linear(counterBase, hNum, fNum, fault, n))
		sc.addSig(o, "maker_volume", "", roleMaker, map[string]string{"liquidity": "maker"}, linear(counterBase, hRest, fRest, fault, n))
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
	// From 100 MB: under any ceiling a resident_memory_mb criterion sets.
	sc.addSig(o, "resident_memory", "", roleResident, nil, []Phase{{Start: 1e8, Step: step, Count: 1}})
	warm := MemoryWarmup(c.Window)
	sc.HoldAt = (warm + sc.Interval - 1) / sc.Interval * sc.Interval
	sc.Value = float64(rate)
	return nil
}

// resident: resident memory at a healthy level, then on the breach's side
// of the ceiling from the fault on (whole MB, so both sides agree exactly).
func (sc *Scenario) resident(c criteria.Criterion, fault int, o Options) error {
	breach, healthy, err := breachValue(c, 0, 2*math.Ceil(c.Threshold)+2)
	if err != nil {
		return err
	}
	s := sc.addSig(o, "resident_memory", "", roleResident, nil, linear(healthy*1e6, 0, 0, fault, fault+1))
	s.Phases[len(s.Phases)-1].Start = breach * 1e6
	// The bot is otherwise healthy and ticking.
	sc.addSig(o, "ticks", "", roleTicks, nil, []Phase{{Start: counterBase, Step: 1, Count: 1}})
	sc.HoldAt = time.Duration(fault) * sc.Interval
	sc.Value = breach
	return nil
}

// breakers: enough critical breakers open from the fault on; over a window,
// the condition holds once they have been open for the whole window.
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
		s := sc.addSig(o, "breakers_open", "", roleBreaker, map[string]string{"breaker": name, "critical": "true"}, linear(0, 0, 0, fault, fault+1))
		s.Phases[len(s.Phases)-1].Start = 1
		s.stage = name
	}
	// The bot is otherwise healthy and ticking.
	sc.addSig(o, "ticks", "", roleTicks, nil, []Phase{{Start: counterBase, Step: 1, Count: 1}})
	sc.HoldAt = time.Duration(fault) * sc.Interval
	if c.Window > 0 {
		// Held once the breaker has been open for a whole window: the last
		// closed sample is the window's left edge.
		sc.HoldAt = (time.Duration(fault-1)*sc.Interval + c.Window + sc.Interval - 1) / sc.Interval * sc.Interval
	}
	sc.Value = open
	return nil
}

// targetDown: up 1, then 0 from the fault on; the signal is 1 once no good
// scrape is left in the window (t-window, t]: from the evaluation at or
// after lastUp + window (Prometheus 3 leaves the window's left edge out).
func (sc *Scenario) targetDown(c criteria.Criterion, fault int) error {
	if !c.Holds(1) || c.Holds(0) {
		return fmt.Errorf("target_down is 0 or 1: %s %s does not tell them apart", c.Op, num(c.Threshold))
	}
	s := sc.add("up", roleUp, nil, linear(1, 0, 0, fault, fault+1))
	s.Phases[len(s.Phases)-1].Start = 0
	lastUp := time.Duration(fault-1) * sc.Interval
	hold := lastUp + c.Window
	sc.HoldAt = (hold + sc.Interval - 1) / sc.Interval * sc.Interval
	if c.Window == 0 {
		sc.HoldAt = time.Duration(fault) * sc.Interval
	}
	sc.Value = 1
	return nil
}

// scrapeFailures: up 1, then, from the fault on, a bot whose scrape fails
// every other time (0, 1, 0, ...): each window keeps a good read, so
// target_down never fires, and the share of failures over a window of n
// samples ((t-window, t], Prometheus 3) climbs to about half. A threshold that
// alternation cannot cross gets a bot down from the fault on. The up
// series itself is written once the scenario's length is known (upSeries).
func (sc *Scenario) scrapeFailures(c criteria.Criterion, fault int) error {
	if c.Window%sc.Interval != 0 {
		return fmt.Errorf("scrape_failure_pct scenarios need a window that is a multiple of the interval, got %v", c.Window)
	}
	if c.Holds(0) {
		return fmt.Errorf("scrape_failure_pct %s %s holds with no failure", c.Op, num(c.Threshold))
	}
	n := failureWindow(c, sc.Interval)
	sc.failFault, sc.failEvery = fault, 2
	for _, every := range []int{2, 1} {
		sc.failEvery = every
		for e := fault; e < fault+2*n+2; e++ {
			if v := sc.failureShare(e, n); c.Holds(v) {
				sc.HoldAt = time.Duration(e) * sc.Interval
				sc.add("up", roleUp, nil, []Phase{{Start: 1, Count: 1}})
				return nil
			}
		}
	}
	return fmt.Errorf("scrape_failure_pct %s %s: no share of failures crosses it", c.Op, num(c.Threshold))
}

// upAt is the scrape-failure scenario's up at sample i.
func (sc *Scenario) upAt(i int) float64 {
	if i < sc.failFault || (i-sc.failFault)%sc.failEvery != 0 {
		return 1
	}
	return 0
}

// failureShare is scrape_failure_pct at evaluation e over n samples.
func (sc *Scenario) failureShare(e, n int) float64 {
	down, total := 0, 0
	for i := max(0, e-n+1); i <= e; i++ {
		total++
		if sc.upAt(i) == 0 {
			down++
		}
	}
	return 100 * float64(down) / float64(total)
}

// upSeries writes the scrape-failure scenario's up series for its length
// and its value at FireAt.
func (sc *Scenario) upSeries(c criteria.Criterion) {
	vals := make([]float64, sc.Steps)
	for i := range vals {
		vals[i] = sc.upAt(i)
	}
	for i := range sc.Series {
		if sc.Series[i].role == roleUp {
			sc.Series[i].Phases = phasesOf(vals)
		}
	}
	sc.Value = sc.failureShare(int(sc.FireAt/sc.Interval), failureWindow(c, sc.Interval))
}

// failureWindow is how many samples a scrape-failure window holds: those in
// (t-window, t], at least the one at t.
func failureWindow(c criteria.Criterion, interval time.Duration) int {
	return max(1, int(c.Window/interval))
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
		sig, extra := "stage_latency", map[string]string{o.stageLabel(): st}
		if st == TickTotal {
			sig, extra = "tick_latency", map[string]string{}
		}
		for i, ub := range buckets {
			// le in the histogram's own unit (milliseconds: 1000 times the seconds)
			lbl := map[string]string{"le": leLabel(inUnit(ub, o.signal(sig).Scale()))}
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
			s := sc.addSig(o, sig, "_bucket", roleBucket, lbl, linear(counterBase, hStep, fStep, fault, fault+1))
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

// inUnit is a bound in seconds in a histogram's unit (scale: the unit in
// seconds), rounded to 12 significant digits so that 0.0025 s is 2.5 ms.
func inUnit(seconds, scale float64) float64 {
	if scale == 1 || math.IsInf(seconds, 0) {
		return seconds
	}
	v, _ := strconv.ParseFloat(strconv.FormatFloat(seconds/scale, 'g', 12, 64), 64)
	return v
}
