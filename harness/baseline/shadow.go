package baseline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/presoak/presoak/engine"
	"github.com/presoak/presoak/engine/clock"
	"github.com/presoak/presoak/harness/budget"
)

func realClockFor() clock.Clock { return clock.NewReal() }

// ErrNoDuration is returned by Shadow without a positive Options.Duration.
var ErrNoDuration = errors.New("no duration")

// Shadow runs the embedded engine in shadow mode on the real clock (the
// venue is simulated: no order leaves the process) for o.Duration after a
// warm-up, printing a progress line every o.ProgressEvery to o.Progress.
// Stage latencies are measured.
//
// When ctx ends first (Ctrl-C, a deadline) Shadow still returns the run so
// far, marked partial with the reason; it returns an error only when the
// engine could not start. It waits for the engine to stop before returning.
func Shadow(ctx context.Context, o Options) (*Run, error) {
	if o.Duration <= 0 {
		return nil, fmt.Errorf("shadow baseline: %w", ErrNoDuration)
	}
	if o.Warmup <= 0 {
		o.Warmup = min(5*time.Second, o.Duration/10)
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = 30 * time.Second
	}
	e, _, feed, err := o.newEngine(o.Warmup+o.Duration, true)
	if err != nil {
		return nil, fmt.Errorf("shadow baseline: %w", err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = e.Run(runCtx)
	}()
	stopEngine := func() {
		stop()
		wg.Wait()
	}

	m := o.meta(RealClock, feed)
	m.Planned = o.Duration
	partial := func(what string, elapsed time.Duration) {
		m.Partial = true
		m.PartialReason = fmt.Sprintf("%s after %v of %v", what, elapsed.Round(time.Second), o.Duration)
	}

	// warm-up: run, then drop the latencies and remember the counters
	warm := time.NewTimer(o.Warmup)
	select {
	case <-ctx.Done():
		warm.Stop()
		stopEngine()
		partial("interrupted during warm-up ("+cause(ctx)+")", 0)
		now := time.Now()
		m.Start, m.End = now, now
		return Assemble(m, budget.Observations{}, o.Budgets), nil
	case <-warm.C:
	}
	base := e.Stats()
	e.ResetLatencies()
	m.Start = time.Now()

	done := time.NewTimer(o.Duration)
	defer done.Stop()
	progress := time.NewTicker(o.ProgressEvery)
	defer progress.Stop()
loop:
	for {
		select {
		case <-ctx.Done():
			partial("interrupted ("+cause(ctx)+")", time.Since(m.Start))
			break loop
		case <-done.C:
			break loop
		case <-progress.C:
			if o.Progress != nil {
				fmt.Fprintln(o.Progress, ProgressLine(e, base, time.Since(m.Start), o.Duration))
			}
		}
	}
	stopEngine()
	m.End = time.Now()
	return Assemble(m, observe(e, base), o.Budgets), nil
}

func cause(ctx context.Context) string {
	if c := context.Cause(ctx); c != nil {
		return c.Error()
	}
	return "cancelled"
}

// ProgressLine is one progress line of a running engine: elapsed and
// remaining time, ticks, running p95 per stage, hit ratio and deadline misses
// since the counters in base.
func ProgressLine(e *engine.Engine, base engine.Stats, elapsed, total time.Duration) string {
	s := e.Stats()
	ticks := s.Ticks - base.Ticks
	misses := s.DeadlineMisses - base.DeadlineMisses
	var b strings.Builder
	fmt.Fprintf(&b, "shadow %s elapsed, %s remaining: %d ticks, p95",
		clockString(elapsed), clockString(max(total-elapsed, 0)), ticks)
	for _, name := range budget.LatencyTargets {
		fmt.Fprintf(&b, " %s=%s", name, budget.FormatDuration(e.Latencies(name).P95))
	}
	hits, req := s.CacheHits-base.CacheHits, (s.CacheHits-base.CacheHits)+(s.CacheMisses-base.CacheMisses)
	if req > 0 {
		fmt.Fprintf(&b, ", hit ratio %.1f%%", 100*float64(hits)/float64(req))
	} else {
		b.WriteString(", hit ratio n/a")
	}
	missPct := 0.0
	if ticks > 0 {
		missPct = 100 * float64(misses) / float64(ticks)
	}
	fmt.Fprintf(&b, ", deadline misses %d (%.2f%%)", misses, missPct)
	return b.String()
}

func clockString(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%02d:%02d", m, s)
}
