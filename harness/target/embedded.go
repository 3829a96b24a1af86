package target

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/presoak/presoak/engine"
	"github.com/presoak/presoak/engine/clock"
	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/engine/fault"
	"github.com/presoak/presoak/engine/latency"
	"github.com/presoak/presoak/engine/marketdata"
	"github.com/presoak/presoak/harness/signal"
)

// EmbeddedOptions configure the embedded target. Config is required; the
// zero value of every other field works.
type EmbeddedOptions struct {
	// Config is the loaded bot config (engine/config.Load of CONFIG's layers).
	Config *config.Loaded
	// Feed is the market; nil means the seeded synthetic feed (venue.seed):
	// endless, so a 72-hour soak needs no recording.
	Feed marketdata.Feed
	// Latency is the latency profile; nil means the config's
	// venue.latency_profile, resolved against the file that set it (or the
	// engine's default profile when the config names none).
	Latency *latency.Profile
	// Faults is a fault plan to inject (fixtures/faults/*.yaml); nil: none.
	Faults *fault.Plan
	// Observer receives the engine's quotes and fills, e.g. a calibration
	// recorder (engine/calibration); nil: none. Close it after the target.
	Observer engine.Observer
	// Registerer receives the engine's metrics (for a /metrics page); nil
	// registers nothing. Never the global registry in tests.
	Registerer prometheus.Registerer
	// Instance names the bot in samples; default "embedded".
	Instance string
	// StartNs is the simulated clock's start (Unix ns); 0: the engine's default.
	StartNs int64
}

// Embedded is the reference engine in-process on the real clock: it ticks in
// its own goroutine from NewEmbedded until Close.
type Embedded struct {
	eng      *engine.Engine
	instance string
	bounds   []float64

	mu     sync.Mutex
	closed bool
	cancel context.CancelFunc
	done   chan error
}

// SimulatedEmbedded is the reference engine in-process on the simulated
// clock: nothing happens between calls; Advance runs ticks covering d of
// market time as fast as the machine allows.
type SimulatedEmbedded struct {
	*Embedded
	mu2 sync.Mutex
	at  time.Time // simulated time: the start plus every Advance
}

var (
	_ Target    = (*Embedded)(nil)
	_ Simulated = (*SimulatedEmbedded)(nil)
)

// NewEmbedded starts the engine on the real clock.
func NewEmbedded(opts EmbeddedOptions) (*Embedded, error) {
	e, err := newEmbedded(opts, clock.NewReal())
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel, e.done = cancel, make(chan error, 1)
	go func() { e.done <- e.eng.Run(ctx) }()
	return e, nil
}

// NewSimulated builds the engine on the simulated clock.
func NewSimulated(opts EmbeddedOptions) (*SimulatedEmbedded, error) {
	start := opts.StartNs
	if start == 0 {
		start = engine.DefaultStartNs
	}
	e, err := newEmbedded(opts, clock.NewSim(start))
	if err != nil {
		return nil, err
	}
	return &SimulatedEmbedded{Embedded: e, at: time.Unix(0, start).UTC()}, nil
}

func newEmbedded(opts EmbeddedOptions, clk clock.Clock) (*Embedded, error) {
	if opts.Config == nil {
		return nil, errors.New("new embedded target: no config")
	}
	cfg := &opts.Config.Config
	prof := opts.Latency
	if prof == nil && cfg.Venue.LatencyProfile != "" {
		path := cfg.Venue.LatencyProfile
		if src, ok := opts.Config.Source("venue.latency_profile"); ok && !filepath.IsAbs(path) {
			path = filepath.Join(filepath.Dir(src.File), path)
		}
		p, err := latency.Load(path)
		if err != nil {
			return nil, fmt.Errorf("new embedded target: %w", err)
		}
		prof = p
	}
	feed := opts.Feed
	if feed == nil {
		sym := ""
		if len(cfg.Symbols) > 0 {
			sym = cfg.Symbols[0]
		}
		feed = marketdata.NewSynthetic(marketdata.SyntheticOptions{Symbol: sym, Seed: cfg.Venue.Seed, StartNs: clk.Now()})
	}
	eng, err := engine.New(cfg, engine.Options{Clock: clk, Feed: feed, Latency: prof, Faults: opts.Faults, Observer: opts.Observer, Registerer: opts.Registerer, StartNs: clk.Now()})
	if err != nil {
		return nil, fmt.Errorf("new embedded target: %w", err)
	}
	inst := opts.Instance
	if inst == "" {
		inst = "embedded"
	}
	return &Embedded{eng: eng, instance: inst, bounds: engine.ExportBounds()}, nil
}

// Engine is the engine under test (for its latencies, or a /metrics page).
func (e *Embedded) Engine() *engine.Engine { return e.eng }

// Sample reads the engine's counters now. It never allocates more than the
// sample itself.
func (e *Embedded) Sample(ctx context.Context) ([]signal.Sample, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sample embedded: %w", err)
	}
	e.mu.Lock()
	closed := e.closed
	e.mu.Unlock()
	if closed {
		return nil, fmt.Errorf("sample embedded: %w", ErrClosed)
	}
	st := e.eng.Stats()
	return []signal.Sample{FromStats(&st, e.instance, e.bounds)}, nil
}

// FromStats converts an engine snapshot to a sample. bounds are
// engine.ExportBounds() (shared by every histogram of the sample).
func FromStats(st *engine.Stats, instance string, bounds []float64) signal.Sample {
	s := signal.Sample{
		At:                   time.Unix(0, st.NowNs).UTC(),
		Instance:             instance,
		Up:                   true,
		Ticks:                float64(st.Ticks),
		DeadlineMisses:       float64(st.DeadlineMisses),
		TickErrors:           float64(st.TickErrors),
		CacheHits:            float64(st.CacheHits),
		CacheMisses:          float64(st.CacheMisses),
		MakerVolume:          st.MakerVolume,
		TakerVolume:          st.TakerVolume,
		ResidentBytes:        st.ResidentBytes,
		CriticalBreakersOpen: st.CriticalBreakersOpen,
		Stages:               make(map[string]signal.Histogram, len(st.Stages)),
		Flags:                make(map[string]bool, len(engine.FlagNames)),
	}
	counts := make([]float64, len(st.Stages)*len(bounds)) // one allocation for every stage
	for i, h := range st.Stages {
		c := counts[i*len(bounds) : (i+1)*len(bounds) : (i+1)*len(bounds)]
		for j := range c {
			c[j] = float64(h.Cumulative[j])
		}
		s.Stages[engine.StageNames[i]] = signal.Histogram{UpperBounds: bounds, Counts: c, Count: float64(h.Count), Sum: h.SumSeconds}
	}
	for _, f := range engine.FlagNames {
		on, _ := st.Flags.Enabled(f)
		s.Flags[f] = on
	}
	return s
}

// Close stops the engine (the real clock's loop) and waits for it.
func (e *Embedded) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	if e.cancel != nil {
		e.cancel()
		if err := <-e.done; err != nil {
			return fmt.Errorf("close embedded: %w", err)
		}
	}
	return nil
}

// Advance runs the engine for d of simulated time: every tick that starts
// before Now()+d.
func (s *SimulatedEmbedded) Advance(d time.Duration) {
	s.mu2.Lock()
	defer s.mu2.Unlock()
	s.eng.RunFor(s.at.Add(d).Sub(time.Unix(0, s.eng.Stats().NowNs)))
	s.at = s.at.Add(d)
}

// Now is the simulated time: the start plus every Advance. (The engine's own
// clock may be a little past it, inside the last tick.)
func (s *SimulatedEmbedded) Now() time.Time {
	s.mu2.Lock()
	defer s.mu2.Unlock()
	return s.at
}

// Sample reads the engine's counters as of Now().
func (s *SimulatedEmbedded) Sample(ctx context.Context) ([]signal.Sample, error) {
	ss, err := s.Embedded.Sample(ctx)
	if err == nil {
		ss[0].At = s.Now()
	}
	return ss, err
}
