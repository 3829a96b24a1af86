package engine

import (
	"fmt"
	"math"
	"time"

	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/engine/latency"
	"github.com/presoak/presoak/engine/marketdata"
)

// Endless is the span of a run that needs market data for as long as it
// ticks: a recording shorter than it is looped. Pass it to FromConfig.
const Endless = time.Duration(math.MaxInt64)

// Market says which market data an engine built from a config replays: what
// a report or a progress line names as the feed.
type Market struct {
	// Recording is the recording's manifest path as the config resolves it
	// (venue.recording); empty means the seeded synthetic feed.
	Recording string
	// Looped is true when the recording is replayed again from its start
	// each time it ends (the run needs more market than it holds).
	Looped bool
	// Seed is the synthetic feed's seed (venue.seed); 0 for a recording.
	Seed int64
	// Symbol is the instrument.
	Symbol string
	// StartNs is the market time (Unix ns) of the first event.
	StartNs int64
	// Given is true when the caller passed its own Options.Feed.
	Given bool
}

// Name names the market: "<recording>", "<recording> (looped)",
// "synthetic feed (seed N)", or "the caller's feed" (Options.Feed).
// display turns the recording's path into what the reader sees (nil: as
// it is).
func (m Market) Name(display func(string) string) string {
	if m.Given {
		return "the caller's feed"
	}
	if m.Recording == "" {
		return fmt.Sprintf("synthetic feed (seed %d)", m.Seed)
	}
	p := m.Recording
	if display != nil {
		p = display(p)
	}
	if m.Looped {
		return p + " (looped)"
	}
	return p
}

// FromConfig is the one way to turn a loaded config into an engine: the bot
// (cmd/mmbot), the harness's embedded target and everything measured
// through it build theirs here, so one CONFIG replays one market whoever
// runs it. It fills opts with Setup's rules for a run that needs span of
// market time (Endless: as long as it ticks; 0: what the recording holds on
// the simulated clock, endless on the real one) and builds the engine.
// opts.Clock nil is a simulated clock at the market's start.
func FromConfig(l *config.Loaded, opts Options, span time.Duration) (*Engine, Market, error) {
	opts, m, err := setup(l, opts, span)
	if err != nil {
		return nil, m, err
	}
	e, err := New(&l.Config, opts)
	if err != nil {
		return nil, m, err
	}
	return e, m, nil
}

// Setup fills the Options a loaded config names and opts leaves unset, as
// FromConfig does for a span of 0: the latency profile
// (venue.latency_profile, resolved against the file that set it; the
// engine's default when the config names none) and the market data
// (venue.recording, pre-parsed, with the recording's start, tick and lot
// size; the seeded synthetic feed of venue.seed and the config's first
// symbol when the config names none). On the real clock a recording is
// replayed in a loop so a long run never runs out of market; on the
// simulated clock it ends the run when it ends.
func Setup(l *config.Loaded, opts Options) (Options, error) {
	opts, _, err := setup(l, opts, 0)
	return opts, err
}

func setup(l *config.Loaded, opts Options, span time.Duration) (Options, Market, error) {
	var m Market
	if l == nil {
		return opts, m, fmt.Errorf("set up engine: no config")
	}
	if opts.Latency == nil {
		if path := l.ResolvePath("venue.latency_profile"); path != "" {
			p, err := latency.Load(path)
			if err != nil {
				return opts, m, fmt.Errorf("set up engine: %w", err)
			}
			opts.Latency = p
		}
	}
	if opts.Feed != nil {
		return opts, Market{Symbol: firstSymbol(l), StartNs: opts.StartNs, Given: true}, nil
	}
	path := l.ResolvePath("venue.recording")
	if path == "" {
		syn := marketdata.SyntheticOptions{Symbol: firstSymbol(l), Seed: l.Config.Venue.Seed, StartNs: opts.StartNs}
		if syn.StartNs == 0 {
			syn.StartNs = DefaultStartNs
		}
		opts.Feed, opts.StartNs = marketdata.NewSynthetic(syn), syn.StartNs
		return opts, Market{Seed: syn.Seed, Symbol: syn.Symbol, StartNs: syn.StartNs}, nil
	}
	rec, err := marketdata.Load(path)
	if err != nil {
		return opts, m, fmt.Errorf("set up engine: %w", err)
	}
	man := rec.Manifest
	if opts.StartNs == 0 {
		opts.StartNs = man.StartNs
	}
	if opts.TickSize == 0 {
		opts.TickSize = man.TickSize
	}
	if opts.LotSize == 0 {
		opts.LotSize = man.LotSize
	}
	m = Market{Recording: path, Symbol: man.Symbol, StartNs: man.StartNs}
	realClock := opts.Clock != nil && !opts.Clock.Simulated()
	if realClock || span > time.Duration(man.EndNs-man.StartNs) {
		opts.Feed, m.Looped = LoopRecording(rec), true
	} else {
		opts.Feed = rec.Replay()
	}
	return opts, m, nil
}

// firstSymbol is the config's first symbol ("" when it names none).
func firstSymbol(l *config.Loaded) string {
	if len(l.Config.Symbols) > 0 {
		return l.Config.Symbols[0]
	}
	return ""
}

// LoopRecording replays rec endlessly: when it ends, it starts again, its
// times shifted by the recording's span. Book and trades are as the
// recording has them (their times are not shifted).
func LoopRecording(rec *marketdata.Recording) marketdata.Feed {
	span := rec.Manifest.EndNs - rec.Manifest.StartNs + 1
	return &loopFeed{rec: rec, cur: rec.Replay(), span: span}
}

type loopFeed struct {
	rec          *marketdata.Recording
	cur          marketdata.Feed
	offset, span int64
}

func (f *loopFeed) AdvanceTo(tNs int64) (*marketdata.Book, []marketdata.Trade) {
	for tNs-f.offset > f.rec.Manifest.EndNs && f.cur.Done() {
		f.offset += ((tNs - f.offset - f.rec.Manifest.StartNs) / f.span) * f.span
		f.cur = f.rec.Replay()
	}
	return f.cur.AdvanceTo(tNs - f.offset)
}

func (f *loopFeed) Done() bool { return false }

// FeedDone reports whether a finite feed (a recording replayed once) has no
// events left: the simulated clock stops ticking then.
func (e *Engine) FeedDone() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.feed.Done()
}
