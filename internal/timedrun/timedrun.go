// Package timedrun is the one loop a timed run on the real clock (a shadow
// baseline, a measurement through a target) runs: for a duration, an action
// every interval, a progress line every so often, and an early end when its
// context ends, said in one form: "interrupted (<cause>) after 1m5s of 1h0m0s".
package timedrun

import (
	"context"
	"fmt"
	"time"
)

// Loop is one timed run. Duration is required; the zero value of every other
// field does nothing.
type Loop struct {
	// Duration is how long the run lasts when nothing ends it.
	Duration time.Duration
	// Every is the interval Tick is called on; 0 or a nil Tick: never.
	Every time.Duration
	Tick  func()
	// ProgressEvery is the interval Progress is called on with the time
	// elapsed; 0 or a nil Progress: never.
	ProgressEvery time.Duration
	Progress      func(elapsed time.Duration)
}

// Run runs the loop from now until Duration has passed or ctx ends, on the
// goroutine that calls it. It returns the time elapsed and, when ctx ended
// it first, why ("interrupted (<cause>) after <elapsed> of <Duration>");
// "" when it ran its whole length.
func (l Loop) Run(ctx context.Context) (elapsed time.Duration, interrupted string) {
	start := time.Now()
	done := time.NewTimer(l.Duration)
	defer done.Stop()
	tick := ticker(l.Every, l.Tick != nil)
	defer stop(tick)
	progress := ticker(l.ProgressEvery, l.Progress != nil)
	defer stop(progress)
	for {
		select {
		case <-ctx.Done():
			elapsed = time.Since(start)
			return elapsed, fmt.Sprintf("interrupted (%s) after %v of %v", Cause(ctx), elapsed.Round(time.Second), l.Duration)
		case <-done.C:
			return time.Since(start), ""
		case <-chanOf(tick):
			l.Tick()
		case <-chanOf(progress):
			l.Progress(time.Since(start))
		}
	}
}

// Cause is why ctx ended: its cause, or "cancelled".
func Cause(ctx context.Context) string {
	if c := context.Cause(ctx); c != nil {
		return c.Error()
	}
	return "cancelled"
}

func ticker(d time.Duration, on bool) *time.Ticker {
	if !on || d <= 0 {
		return nil
	}
	return time.NewTicker(d)
}

func stop(t *time.Ticker) {
	if t != nil {
		t.Stop()
	}
}

// chanOf is t's channel; nil (never ready) without a ticker.
func chanOf(t *time.Ticker) <-chan time.Time {
	if t == nil {
		return nil
	}
	return t.C
}
