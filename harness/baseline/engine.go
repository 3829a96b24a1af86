package baseline

import (
	"fmt"
	"time"

	"github.com/presoak/presoak/harness/target"
)

// embedded is the embedded target the options describe, for a run that
// needs span of market time (target.EmbeddedOptions.Span).
func (o Options) embedded(span time.Duration) target.EmbeddedOptions {
	return target.EmbeddedOptions{Config: o.Loaded, Span: span, Faults: o.Faults, Seed: o.Seed, Calibration: o.Calibration}
}

// VenueLatencyPlan is a fault plan that multiplies every venue latency by
// factor for a run of length span (target.VenueLatencyPlan).
func VenueLatencyPlan(factor float64, span time.Duration) *target.FaultPlan {
	return target.VenueLatencyPlan(factor, span)
}

// NewSimEngine builds the embedded target the options describe on the
// simulated clock over the config's market, endless (a recording is looped),
// for benchmarks that tick as long as they like. Warm it up, call
// ResetLatencies, Step, then read Latencies or Observe.
func NewSimEngine(o Options) (*target.SimulatedEmbedded, error) {
	if o.Loaded == nil {
		return nil, fmt.Errorf("new simulated engine: %w", ErrNoConfig)
	}
	sim, err := target.NewSimulated(o.embedded(0))
	if err != nil {
		return nil, fmt.Errorf("new simulated engine: %w", err)
	}
	return sim, nil
}
