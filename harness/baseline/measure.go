package baseline

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/harness/budget"
	"github.com/presoak/presoak/harness/target"
)

// DefaultWarmupTicks are dropped from a simulated-clock measurement before
// anything is recorded: the first ticks fill the cache and the pipeline.
const DefaultWarmupTicks = 100

// Options configure a measurement. Loaded is required; the zero value of
// every other field works.
type Options struct {
	// Loaded is the effective config (engine/config.Load of the CONFIG layers).
	Loaded *config.Loaded
	// Layers are the config layers' display names, for provenance.
	Layers []string
	// ConfigHash is the config hash when Loaded is nil: a bot read through
	// its profile (ProfileProvenance); "" records NoConfigHash.
	ConfigHash string
	// Display turns a path into what reports show (relative to the module
	// root); nil shows paths as they are.
	Display func(path string) string
	// Budgets are evaluated on the run; nil evaluates none.
	Budgets *budget.Set
	// WarmupTicks (simulated clock) are run and dropped first [DefaultWarmupTicks].
	WarmupTicks int
	// Warmup (real clock) is run and dropped first [min(5s, Duration/10)].
	Warmup time.Duration
	// Ticks (simulated clock) is how many ticks to measure after the warm-up;
	// 0 measures until the recording ends.
	Ticks int
	// Duration (real clock) is how long to measure after the warm-up.
	Duration time.Duration
	// Faults is a fault plan (offsets from the engine's start); nil: none.
	Faults *target.FaultPlan
	// Seed seeds the simulated venue; 0 means the config's venue.seed.
	Seed int64
	// GitCommit is recorded in the baseline ("unknown" when empty).
	GitCommit string
	// Progress receives a progress line every ProgressEvery (real clock); nil: none.
	Progress io.Writer
	// ProgressEvery is the progress interval [30s].
	ProgressEvery time.Duration
	// Calibration, when set, records the embedded engine's quotes and fills
	// as a calibration dataset (target.EmbeddedOptions.Calibration); nil: none.
	Calibration *target.Calibration
}

// ErrNoConfig is returned when Options.Loaded is nil.
var ErrNoConfig = errors.New("no config")

func (o Options) display(p string) string {
	if o.Display == nil {
		return p
	}
	return o.Display(p)
}

func (o Options) meta(clock string, feed string) Meta {
	m := Meta{
		Clock: clock, ConfigHash: NoConfigHash, ConfigLayers: o.Layers,
		GitCommit: o.GitCommit, Feed: feed, Seed: o.Seed,
	}
	if m.GitCommit == "" {
		m.GitCommit = "unknown"
	}
	if o.Loaded == nil && o.ConfigHash != "" {
		m.ConfigHash = o.ConfigHash
	}
	if o.Loaded != nil {
		m.ConfigHash = o.Loaded.Hash()
		if m.Seed == 0 {
			m.Seed = o.Loaded.Config.Venue.Seed
		}
	}
	return m
}

// NoConfigHash is the config hash of a running bot measured without its
// config files (CONFIG empty).
const NoConfigHash = "none (CONFIG empty: the bot's config files were not given)"

// MeasureSim runs the embedded engine in shadow mode on the simulated clock
// over the config's recording: WarmupTicks dropped, then Ticks (or the rest of
// the recording) measured. Stage latencies are the engine's modeled ones. It
// takes seconds of wall time and is deterministic for a config and seed.
func MeasureSim(o Options) (*Run, error) {
	if o.WarmupTicks <= 0 {
		o.WarmupTicks = DefaultWarmupTicks
	}
	if o.Loaded == nil {
		return nil, fmt.Errorf("measure baseline: %w", ErrNoConfig)
	}
	span := target.RecordingOnce // measure until the recording ends
	if o.Ticks > 0 {
		span = time.Duration(o.WarmupTicks+o.Ticks+1) * o.Loaded.Config.Tick.Interval
	}
	sim, err := target.NewSimulated(o.embedded(span))
	if err != nil {
		return nil, fmt.Errorf("measure baseline: %w", err)
	}
	defer sim.Close()
	for i := 0; i < o.WarmupTicks && sim.Step(); i++ {
	}
	base := sim.Mark()
	sim.ResetLatencies()
	for i := 0; (o.Ticks <= 0 || i < o.Ticks) && sim.Step(); i++ {
	}
	obs := sim.Observe(base)
	m := o.meta(SimulatedClock, sim.Market().Name(o.display))
	m.Start, m.End = base.At(), sim.EngineNow()
	m.Planned = time.Duration(o.Ticks) * o.Loaded.Config.Tick.Interval
	if o.Ticks <= 0 {
		m.Planned = m.End.Sub(m.Start)
	}
	return Assemble(m, obs, o.Budgets), nil
}
