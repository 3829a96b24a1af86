package engine

import (
	"fmt"

	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/engine/latency"
	"github.com/presoak/presoak/engine/marketdata"
)

// Setup fills the Options a loaded config names and opts leaves unset: the
// latency profile (venue.latency_profile) and the market data
// (venue.recording, pre-parsed; the seeded synthetic feed at venue.seed when
// the config names none), with the recording's start, tick and lot size. On
// the real clock a recording is replayed in a loop so a long run never runs
// out of market; on the simulated clock it ends the run when it ends.
func Setup(l *config.Loaded, opts Options) (Options, error) {
	if opts.Latency == nil {
		if path := l.ResolvePath("venue.latency_profile"); path != "" {
			p, err := latency.Load(path)
			if err != nil {
				return opts, fmt.Errorf("set up engine: %w", err)
			}
			opts.Latency = p
		}
	}
	if opts.Feed != nil {
		return opts, nil
	}
	path := l.ResolvePath("venue.recording")
	if path == "" {
		opts.Feed = marketdata.NewSynthetic(marketdata.SyntheticOptions{Seed: l.Config.Venue.Seed, StartNs: opts.StartNs})
		return opts, nil
	}
	rec, err := marketdata.Load(path)
	if err != nil {
		return opts, fmt.Errorf("set up engine: %w", err)
	}
	m := rec.Manifest
	if opts.StartNs == 0 {
		opts.StartNs = m.StartNs
	}
	if opts.TickSize == 0 {
		opts.TickSize = m.TickSize
	}
	if opts.LotSize == 0 {
		opts.LotSize = m.LotSize
	}
	if opts.Clock != nil && !opts.Clock.Simulated() {
		opts.Feed = LoopRecording(rec)
	} else {
		opts.Feed = rec.Replay()
	}
	return opts, nil
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
