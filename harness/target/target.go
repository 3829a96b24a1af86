// Package target is where samples come from: something that can be read for
// the cumulative counters, gauges and histograms of one or more bots
// (signal.Sample), whatever the bot is and however it is reached.
//
// A Target is small on purpose. The embedded target (NewEmbedded) runs the
// reference engine in-process, on the simulated clock (Advance moves market
// time; hours in seconds) or the real clock. Scrape and Prometheus targets
// implement the same interface for any bot that serves /metrics.
//
// Do not compute signals in a target: return cumulative values and let
// package signal derive rates over windows, so every target is judged the
// same way.
package target

import (
	"context"
	"errors"
	"time"

	"github.com/presoak/presoak/harness/signal"
)

// Target is a source of samples.
//
// Sample reads every bot the target covers once, now, and returns one
// signal.Sample per bot (per Instance). A bot that cannot be read is a sample
// with Up false and Fault saying why, not an error; an error means the
// target itself failed (the soak records it as target down). Sample must be
// safe to call from one goroutine at a time and must honour ctx.
//
// Close releases what the target holds (stops an embedded engine, closes
// connections). Sample after Close returns ErrClosed.
type Target interface {
	Sample(ctx context.Context) ([]signal.Sample, error)
	Close() error
}

// Simulated is a target on a simulated clock. Advance runs the bot for d of
// simulated time, as fast as the machine allows; Now is the simulated time.
// Runners that get a Simulated target drive time with it instead of waiting
// on the real clock.
type Simulated interface {
	Target
	Advance(d time.Duration)
	Now() time.Time
}

// ErrClosed is returned by Sample after Close.
var ErrClosed = errors.New("target closed")
