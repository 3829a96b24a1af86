package target

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/presoak/presoak/engine"
	"github.com/presoak/presoak/engine/calibration"
	"github.com/presoak/presoak/engine/clock"
	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/engine/fault"
	"github.com/presoak/presoak/engine/latency"
	"github.com/presoak/presoak/engine/marketdata"
	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/signal"
)

// EmbeddedOptions configure the embedded target. Config is required; the
// zero value of every other field works.
type EmbeddedOptions struct {
	// Config is the loaded bot config (engine/config.Load of CONFIG's layers).
	// The market and the latency profile are the config's, built the one way
	// the bot builds them (engine.FromConfig): venue.recording (looped when
	// the run needs more market than it holds), else the seeded synthetic
	// feed (venue.seed); venue.latency_profile, else the engine's default.
	Config *config.Loaded
	// Span is how much market time the run needs: 0 means as long as it
	// ticks (a recording is looped); a span the recording covers replays it
	// once; RecordingOnce replays the recording once whatever its length
	// (the simulated clock then stops ticking when it ends).
	Span time.Duration
	// Feed overrides the config's market; nil: the config's.
	Feed marketdata.Feed
	// Latency overrides the config's latency profile; nil: the config's.
	Latency *latency.Profile
	// Faults is a fault plan to inject (fixtures/faults/*.yaml); nil: none.
	Faults *FaultPlan
	// Seed seeds the simulated venue's draws; 0 means the config's venue.seed.
	Seed int64
	// Observer receives the engine's quotes and fills; nil: none.
	Observer engine.Observer
	// Calibration, when set, records the engine's quotes and fills as a
	// calibration dataset (engine/calibration); Close closes it and
	// Dataset names its directory.
	Calibration *Calibration
	// Registerer receives the engine's metrics (for a /metrics page); nil
	// registers nothing. Never the global registry in tests.
	Registerer prometheus.Registerer
	// Instance names the bot in samples; default "embedded".
	Instance string
	// StartNs is the market time of the first tick (Unix ns); 0: the
	// market's own start (the recording's, or the synthetic feed's).
	StartNs int64
	// Profile's own signals (profile.Profile.Declared) are read from the
	// engine's exported series into Sample.Declared; nil: the reference
	// profile's (profile.Default: the desk signals).
	Profile *profile.Profile
}

// Calibration names where an embedded run records its calibration dataset:
// artifacts/edge/datasets/<Kind>-<time>/ under Root.
type Calibration struct {
	// Root is the module root the dataset directory is made under.
	Root string
	// Kind is the run's kind: "shadow" or "soak".
	Kind string
}

// FaultPlan is a fault plan the embedded engine injects (engine/fault): the
// harness names it through the target so nothing else imports the engine.
type FaultPlan = fault.Plan

// LoadFaultPlan reads a fault plan file (fixtures/faults/*.yaml).
func LoadFaultPlan(path string) (*FaultPlan, error) { return fault.Load(path) }

// RecordingOnce is the Span that replays the config's recording once and
// no more.
const RecordingOnce time.Duration = -1

// Embedded is the reference engine in-process on the real clock: it ticks in
// its own goroutine from NewEmbedded until Close.
type Embedded struct {
	eng      *engine.Engine
	market   engine.Market
	instance string
	bounds   []float64
	rec      *calibration.Recorder
	decl     []*profile.Signal

	// smu guards Sample's scratch: the engine snapshot (a few KB, which
	// would escape to the heap once per sample) and the declared signals'
	// series buffer.
	smu     sync.Mutex
	st      engine.Stats
	declBuf []engineSeries

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

// NewSimulated builds the engine on the simulated clock, at the market's start.
func NewSimulated(opts EmbeddedOptions) (*SimulatedEmbedded, error) {
	e, err := newEmbedded(opts, nil)
	if err != nil {
		return nil, err
	}
	return &SimulatedEmbedded{Embedded: e, at: time.Unix(0, e.eng.Stats().NowNs).UTC()}, nil
}

func newEmbedded(opts EmbeddedOptions, clk clock.Clock) (*Embedded, error) {
	if opts.Config == nil {
		return nil, errors.New("new embedded target: no config")
	}
	span := opts.Span
	switch {
	case span == 0:
		span = engine.Endless
	case span < 0:
		span = 0
	}
	eo := engine.Options{Clock: clk, Feed: opts.Feed, Latency: opts.Latency, Faults: opts.Faults,
		Seed: opts.Seed, Observer: opts.Observer, Registerer: opts.Registerer, StartNs: opts.StartNs}
	var rec *calibration.Recorder
	if c := opts.Calibration; c != nil {
		if opts.Observer != nil {
			return nil, errors.New("new embedded target: both an Observer and a Calibration")
		}
		r, err := calibration.Attach(c.Root, c.Kind, opts.Config, &eo)
		if err != nil {
			return nil, fmt.Errorf("new embedded target: %w", err)
		}
		rec = r
	}
	eng, market, err := engine.FromConfig(opts.Config, eo, span)
	if err != nil {
		if rec != nil {
			_ = rec.Close()
		}
		return nil, fmt.Errorf("new embedded target: %w", err)
	}
	inst := opts.Instance
	if inst == "" {
		inst = "embedded"
	}
	e := &Embedded{eng: eng, market: market, instance: inst, bounds: engine.ExportBounds(), rec: rec}
	prof := opts.Profile
	if prof == nil {
		prof = profile.Default()
	}
	e.decl = prof.Declared()
	return e, nil
}

// Market is the market data the engine replays (for reports and progress lines).
func (e *Embedded) Market() engine.Market { return e.market }

// Dataset is the calibration dataset's directory; empty without
// EmbeddedOptions.Calibration.
func (e *Embedded) Dataset() string {
	if e.rec == nil {
		return ""
	}
	return e.rec.Dir()
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
	e.smu.Lock()
	defer e.smu.Unlock()
	e.st = e.eng.Stats()
	smp := FromStats(&e.st, e.instance, e.bounds)
	if len(e.decl) > 0 {
		smp.Declared = declaredFromStats(&e.st, e.decl, &e.declBuf)
	}
	return []signal.Sample{smp}, nil
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

// Stop stops the real clock's loop and waits for it; the engine's counters
// and latencies stay readable (Observe) and fixed. Close still has to be
// called. Stop on a simulated target, or a second time, does nothing.
func (e *Embedded) Stop() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stopLocked()
}

func (e *Embedded) stopLocked() error {
	if e.cancel == nil {
		return nil
	}
	e.cancel()
	e.cancel = nil
	if err := <-e.done; err != nil {
		return fmt.Errorf("stop embedded: %w", err)
	}
	return nil
}

// Close stops the engine (the real clock's loop) and waits for it, then
// closes the calibration dataset, if any.
func (e *Embedded) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	var errs []error
	if err := e.stopLocked(); err != nil {
		errs = append(errs, fmt.Errorf("close embedded: %w", err))
	}
	if e.rec != nil {
		if err := e.rec.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close embedded: calibration dataset %s: %w", e.rec.Dir(), err))
		}
	}
	return errors.Join(errs...)
}

// Advance runs the engine for d of simulated time: every tick that starts
// before Now()+d.
func (s *SimulatedEmbedded) Advance(d time.Duration) {
	s.mu2.Lock()
	defer s.mu2.Unlock()
	s.eng.RunFor(s.at.Add(d).Sub(time.Unix(0, s.eng.NowNs())))
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
