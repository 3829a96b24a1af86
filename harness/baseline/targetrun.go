package baseline

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/presoak/presoak/harness/budget"
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

// instanceWindow is what one bot's samples give: the reference sample the
// deltas are taken from, the last one, and how the reads went.
type instanceWindow struct {
	first, prev, last *signal.Sample
	up, down          int
	lastFault         string
	restartedAt       time.Time
	counters          signal.Counters // the reset rule, per series
}

// ShadowTarget measures a shadow baseline of every bot the target covers:
// it samples the target now and every ts.Every for o.Duration (the bots are
// already running, so there is no warm-up: the first sample is the
// reference), then computes, per bot, the percentiles of each stage and of
// tick_total from the histogram bucket deltas between its first and last
// sample (with their bucket error), and the deadline-miss rate and hit
// ratio from the counter deltas. One Run per instance, sorted by instance.
//
// A bot one of whose counter series went down restarted (signal.Counters:
// the per-series rule of the soak's signals; a series missing from one read
// is no restart): it is measured from the restart and its run is marked
// partial; so is the run of a bot that could not be read some of the time
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
	restarted := w.counters.Add(s)
	if w.first == nil {
		w.first = s
	} else if restarted {
		// counters since the restart: measure from a zero sample
		w.restartedAt = s.At
		w.first = &signal.Sample{At: w.prev.At, Instance: s.Instance, Up: true}
	}
	w.prev, w.last = s, s
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
		m.PartialReason = joinReasons(fmt.Sprintf("the bot restarted (counters went down) before %s: measured from the restart", w.restartedAt.UTC().Format(time.RFC3339)), m.PartialReason)
	}
	m.Start, m.End = w.first.At, w.last.At
	a, b := w.first, w.last
	obs := budget.Observations{
		Latencies:      map[string]budget.Distribution{},
		Ticks:          b.Ticks - a.Ticks,
		DeadlineMisses: b.DeadlineMisses - a.DeadlineMisses,
		CacheHits:      b.CacheHits - a.CacheHits,
		CacheMisses:    b.CacheMisses - a.CacheMisses,
	}
	hists := map[string]signal.Histogram{}
	for _, name := range budget.LatencyTargets {
		h, ok := b.Stages[name]
		if !ok {
			obs.Latencies[name] = budget.Samples{}
			continue
		}
		if ha, ok := a.Stages[name]; ok {
			h = h.Sub(ha)
		}
		hists[name] = h
		obs.Latencies[name] = histDist{h: h}
	}
	run := Assemble(m, obs, o.Budgets)
	addBucketErrors(run.Baseline, hists)
	run.Baseline.SlowestSeries = b.Slowest
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
		fmt.Fprintf(&b, "; %s %.0f ticks, %d down", name, w.last.Ticks-w.first.Ticks, w.down)
		if h, ok := w.last.Stages[budget.TickTotal]; ok {
			if ha, ok := w.first.Stages[budget.TickTotal]; ok {
				h = h.Sub(ha)
			}
			if e, ok := target.EstimateQuantile(h, 0.95); ok {
				fmt.Fprintf(&b, ", tick_total %s", e)
			}
		}
	}
	return b.String()
}
