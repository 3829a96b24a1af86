package baseline

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/presoak/presoak/harness/budget"
	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/signal"
	"github.com/presoak/presoak/harness/target"

	"github.com/presoak/presoak/internal/timedrun"
)

// ErrNoSamples is returned by ShadowTarget when no bot could be read at
// least twice: without two samples there is no delta to measure, and a run
// that measured nothing is never a pass.
var ErrNoSamples = errors.New("no samples")

// TargetSpec is a bot (or a fleet) read through a target (scrape or
// prometheus) instead of the embedded engine.
type TargetSpec struct {
	// Target is read every Every; the caller closes it.
	Target target.Target
	// Describe names the target in reports (Harness.Describe: no passwords).
	Describe string
	// Every is the sampling interval (Harness.Interval); must be positive.
	Every time.Duration
}

// instanceWindow is what one bot's samples give: the first and last up
// samples, the increases counted series by series between them, and how
// the reads went.
type instanceWindow struct {
	first, last *signal.Sample
	up, down    int
	lastFault   string
	restartedAt time.Time
	counters    signal.Counters // the reset rule, per series
	inc         signal.Increases
	hists       map[string]*seriesHists // by latency target (Stages key)
}

// seriesHists follows one latency target's histogram series by series:
// each series' last cumulative histogram and its increase since the first
// sample, with the counters' rule (a series that went down was reset and
// counts its new value; one missing from a read keeps its last histogram
// and is no reset; one created since the start counts from zero). A
// target that cannot tell series apart gives the sum as one series.
type seriesHists struct {
	last, inc map[string]signal.Histogram
}

// addHists takes one up sample's histograms; it reports a series reset.
// A histogram the target gave only as a sum whose count went down is a
// reset when the counters say the bot restarted (counterReset), else a
// series that left the sum: nothing is counted for that read, and the sum
// is followed from its new value.
func (w *instanceWindow) addHists(s *signal.Sample, first, counterReset bool) (reset bool) {
	if w.hists == nil {
		w.hists = map[string]*seriesHists{}
	}
	for key, sum := range s.Stages {
		series := s.StageSeries[key]
		if series == nil {
			series = map[string]signal.Histogram{"": sum}
		}
		t := w.hists[key]
		if t == nil {
			t = &seriesHists{last: map[string]signal.Histogram{}, inc: map[string]signal.Histogram{}}
			w.hists[key] = t
		}
		for k, h := range series {
			prev, seen := t.last[k]
			t.last[k] = h
			var d signal.Histogram
			switch {
			case first:
				continue // the starting point
			case !seen:
				d = h // created since the start: counts from zero
			case k == "" && h.Count < prev.Count && !counterReset:
				continue // a series left the sum: rebase on the new value
			default:
				if h.Count < prev.Count && k != "" {
					reset = true
				}
				d = h.Sub(prev) // h itself after a reset
			}
			t.inc[k] = profile.SumHistograms(t.inc[k], d)
		}
	}
	return reset
}

// total is the target's increase summed over its series, and the series
// with the highest p95 of its own increase when there are several.
func (t *seriesHists) total() (signal.Histogram, string) {
	keys := make([]string, 0, len(t.inc))
	for k := range t.inc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sum signal.Histogram
	slowest, worst := "", math.Inf(-1)
	for _, k := range keys {
		h := t.inc[k]
		sum = profile.SumHistograms(sum, h)
		if q, ok := h.Quantile(0.95); ok && h.Count > 0 && q > worst {
			slowest, worst = k, q
		}
	}
	if len(keys) < 2 {
		slowest = ""
	}
	return sum, slowest
}

// ShadowTarget measures a shadow baseline of every bot the target covers:
// it samples the target now and every ts.Every for o.Duration (the bots are
// already running, so there is no warm-up: the first sample is the
// reference), then computes, per bot, the percentiles of each stage, of
// tick_total and of every histogram signal of the profile that o.Budgets
// names, from the histogram bucket increases over the run (with their
// bucket error), and the deadline-miss rate and hit ratio from the counter
// increases. Increases are counted read by read and series by series
// (signal.Counters' rule, the soak's): a series present in the first read
// and missing from the last (a symbol that stopped) keeps what it counted,
// a series that went down was reset and counts its new value, a series
// created since counts from zero; a failing latency budget names the
// series whose own increase has the highest p95. One Run per instance,
// sorted by instance.
//
// A bot one of whose counter or histogram series went down restarted (a
// series missing from one read is no restart): it is counted across the
// restart and its run is marked partial; so is the run of a bot that could not be read some of the time
// (target down). A bot read fewer than twice has a
// run with no observations, marked partial (its budgets fail). When no bot
// was read twice the error wraps ErrNoSamples. ctx ending early marks the
// runs partial.
func ShadowTarget(ctx context.Context, ts TargetSpec, o Options) ([]*Run, error) {
	if o.Duration <= 0 {
		return nil, fmt.Errorf("shadow baseline: %w", ErrNoDuration)
	}
	if ts.Target == nil || ts.Every <= 0 {
		return nil, fmt.Errorf("shadow baseline: no target or no sampling interval (%v)", ts.Every)
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = 30 * time.Second
	}
	wins := map[string]*instanceWindow{}
	reads, failed := 0, 0
	var lastErr error
	read := func() {
		reads++
		ss, err := ts.Target.Sample(ctx)
		if err != nil {
			failed++
			lastErr = err
			return
		}
		for _, smp := range ss {
			observeSample(wins, &smp)
		}
	}

	start := time.Now()
	read()
	loop := timedrun.Loop{Duration: o.Duration, Every: ts.Every, Tick: read, ProgressEvery: o.ProgressEvery}
	if o.Progress != nil {
		loop.Progress = func(elapsed time.Duration) {
			fmt.Fprintln(o.Progress, targetProgressLine(wins, reads, elapsed, o.Duration))
		}
	}
	_, partialReason := loop.Run(ctx)
	if partialReason == "" {
		read() // the end of the window
	}

	if !anyMeasured(wins) {
		why := fmt.Sprintf("%d reads over %v", reads, time.Since(start).Round(time.Second))
		switch {
		case len(wins) == 0 && lastErr != nil:
			why += fmt.Sprintf(", %d failed, last: %v", failed, lastErr)
		case len(wins) == 0:
			why += ", no bot in the answer"
		default:
			why += ", no bot up in two of them: " + downSummary(wins)
		}
		if partialReason != "" {
			why += "; " + partialReason
		}
		return nil, fmt.Errorf("shadow baseline: %w from %s: %s", ErrNoSamples, ts.Describe, why)
	}

	names := make([]string, 0, len(wins))
	for name := range wins {
		names = append(names, name)
	}
	sort.Strings(names)
	runs := make([]*Run, 0, len(names))
	for _, name := range names {
		runs = append(runs, windowRun(o, ts.Describe, name, wins[name], reads, partialReason, start))
	}
	return runs, nil
}

// observeSample adds one bot's sample to its window.
func observeSample(wins map[string]*instanceWindow, s *signal.Sample) {
	w := wins[s.Instance]
	if w == nil {
		w = &instanceWindow{}
		wins[s.Instance] = w
	}
	if !s.Up {
		w.down++
		w.lastFault = s.Fault
		return
	}
	w.up++
	first := w.first == nil
	inc, restarted := w.counters.Advance(s)
	if w.addHists(s, first, restarted) {
		restarted = true
	}
	w.inc.Ticks += inc.Ticks
	w.inc.DeadlineMisses += inc.DeadlineMisses
	w.inc.CacheHits += inc.CacheHits
	w.inc.CacheMisses += inc.CacheMisses
	if first {
		w.first = s
	} else if restarted {
		w.restartedAt = s.At
	}
	w.last = s
}

func anyMeasured(wins map[string]*instanceWindow) bool {
	for _, w := range wins {
		if w.up >= 2 {
			return true
		}
	}
	return false
}

func downSummary(wins map[string]*instanceWindow) string {
	var parts []string
	for name, w := range wins {
		parts = append(parts, fmt.Sprintf("%s %d up, %d down (%s)", name, w.up, w.down, w.lastFault))
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}

// windowRun assembles one bot's run from its window.
func windowRun(o Options, describe, instance string, w *instanceWindow, reads int, partialReason string, start time.Time) *Run {
	m := o.meta(RealClock, "the bot's own market data (read through the target)")
	m.Seed = 0
	m.Planned = o.Duration
	m.Source, m.Target, m.Instance = SourceBuckets, describe, instance
	m.Samples, m.SamplesDown = reads, w.down
	m.Start, m.End = start, start
	if partialReason != "" {
		m.Partial, m.PartialReason = true, partialReason
	}
	if w.up < 2 {
		m.Partial = true
		m.PartialReason = joinReasons(fmt.Sprintf("%v: read up %d time(s) of %d, want 2 (last fault: %s)", ErrNoSamples, w.up, reads, w.lastFault), m.PartialReason)
		if w.last != nil {
			m.Start, m.End = w.last.At, w.last.At
		}
		return Assemble(m, budget.Observations{}, o.Budgets)
	}
	if w.down > 0 {
		m.Partial = true
		m.PartialReason = joinReasons(fmt.Sprintf("the bot could not be read %d of %d times (last fault: %s): the baseline covers only the time it was up", w.down, reads, w.lastFault), m.PartialReason)
	}
	if !w.restartedAt.IsZero() {
		m.Partial = true
		m.PartialReason = joinReasons(fmt.Sprintf("the bot restarted (a counter or histogram series went down) before %s: counted across the restart series by series (a reset series counts its new value)", w.restartedAt.UTC().Format(time.RFC3339)), m.PartialReason)
	}
	m.Start, m.End = w.first.At, w.last.At
	obs := budget.Observations{
		Latencies:      map[string]budget.Distribution{},
		Ticks:          w.inc.Ticks,
		DeadlineMisses: w.inc.DeadlineMisses,
		CacheHits:      w.inc.CacheHits,
		CacheMisses:    w.inc.CacheMisses,
	}
	targets := budget.LatencyTargets
	if o.Budgets != nil {
		targets = append(slices.Clone(targets), o.Budgets.Signals()...)
	}
	hists := map[string]signal.Histogram{}
	slowest := map[string]string{}
	for _, name := range targets {
		t := w.hists[name]
		if t == nil {
			obs.Latencies[name] = budget.Samples{}
			continue
		}
		h, s := t.total()
		hists[name] = h
		obs.Latencies[name] = histDist{h: h}
		if s != "" {
			slowest[name] = s
		}
	}
	run := Assemble(m, obs, o.Budgets)
	addBucketErrors(run.Baseline, hists)
	if len(slowest) > 0 {
		run.Baseline.SlowestSeries = slowest
	}
	return run
}

func joinReasons(a, b string) string {
	if b == "" {
		return a
	}
	return a + "; " + b
}

// targetProgressLine is one progress line of a target run: elapsed and
// remaining time, reads, and per bot the ticks since its first sample.
func targetProgressLine(wins map[string]*instanceWindow, reads int, elapsed, total time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "shadow %s elapsed, %s remaining: %d reads", clockString(elapsed), clockString(max(total-elapsed, 0)), reads)
	names := make([]string, 0, len(wins))
	for name := range wins {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		w := wins[name]
		if w.first == nil || w.last == nil {
			fmt.Fprintf(&b, "; %s down (%s)", name, w.lastFault)
			continue
		}
		fmt.Fprintf(&b, "; %s %.0f ticks, %d down", name, w.inc.Ticks, w.down)
		if t := w.hists[budget.TickTotal]; t != nil {
			h, _ := t.total()
			if e, ok := target.EstimateQuantile(h, 0.95); ok {
				fmt.Fprintf(&b, ", tick_total %s", e)
			}
		}
	}
	return b.String()
}
