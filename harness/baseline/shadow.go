package baseline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/presoak/presoak/harness/budget"
	"github.com/presoak/presoak/harness/target"

	"github.com/presoak/presoak/internal/durfmt"

	"github.com/presoak/presoak/internal/timedrun"
)

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
//
// With o.Calibration set, the dataset's directory is returned too, and an
// error closing it is returned with the run.
func Shadow(ctx context.Context, o Options) (*Run, error) {
	run, _, err := shadow(ctx, o)
	return run, err
}

func shadow(ctx context.Context, o Options) (*Run, string, error) {
	if o.Loaded == nil {
		return nil, "", fmt.Errorf("shadow baseline: %w", ErrNoConfig)
	}
	if o.Duration <= 0 {
		return nil, "", fmt.Errorf("shadow baseline: %w", ErrNoDuration)
	}
	if o.Warmup <= 0 {
		o.Warmup = min(5*time.Second, o.Duration/10)
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = 30 * time.Second
	}
	e, err := target.NewEmbedded(o.embedded(o.Warmup + o.Duration))
	if err != nil {
		return nil, "", fmt.Errorf("shadow baseline: %w", err)
	}
	run := shadowOn(ctx, e, o)
	if err := e.Close(); err != nil {
		return run, e.Dataset(), fmt.Errorf("shadow baseline: %w", err)
	}
	return run, e.Dataset(), nil
}

// shadowOn measures the running embedded target e and stops it.
func shadowOn(ctx context.Context, e *target.Embedded, o Options) *Run {
	stopEngine := func() { _ = e.Stop() }
	m := o.meta(RealClock, e.Market().Name(o.display))
	m.Planned = o.Duration
	// warm-up: run, then drop the latencies and remember the counters
	if _, why := (timedrun.Loop{Duration: o.Warmup}).Run(ctx); why != "" {
		stopEngine()
		m.Partial = true
		m.PartialReason = fmt.Sprintf("interrupted during warm-up (%s) after 0s of %v", timedrun.Cause(ctx), o.Duration)
		now := time.Now()
		m.Start, m.End = now, now
		return Assemble(m, budget.Observations{}, o.Budgets)
	}
	base := e.Mark()
	e.ResetLatencies()
	m.Start = time.Now()
	loop := timedrun.Loop{Duration: o.Duration, ProgressEvery: o.ProgressEvery}
	if o.Progress != nil {
		loop.Progress = func(elapsed time.Duration) {
			fmt.Fprintln(o.Progress, ProgressLine(e, base, elapsed, o.Duration))
		}
	}
	if _, why := loop.Run(ctx); why != "" {
		m.Partial, m.PartialReason = true, why
	}
	stopEngine()
	m.End = time.Now()
	return Assemble(m, e.Observe(base), o.Budgets)
}

// ProgressLine is one progress line of a running engine: elapsed and
// remaining time, ticks, running p95 per stage, hit ratio and deadline misses
// since the counters in base.
func ProgressLine(e *target.Embedded, base target.Mark, elapsed, total time.Duration) string {
	s := e.Observe(base)
	ticks, misses := uint64(s.Ticks), uint64(s.DeadlineMisses)
	var b strings.Builder
	fmt.Fprintf(&b, "shadow %s elapsed, %s remaining: %d ticks, p95",
		clockString(elapsed), clockString(max(total-elapsed, 0)), ticks)
	for _, name := range budget.LatencyTargets {
		fmt.Fprintf(&b, " %s=%s", name, durfmt.Latency(e.Latencies(name).P95))
	}
	hits, req := s.CacheHits, s.CacheHits+s.CacheMisses
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
