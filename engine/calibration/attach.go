package calibration

import (
	"fmt"
	"os"
	"time"

	"github.com/presoak/presoak/engine"
	"github.com/presoak/presoak/engine/config"
)

// Attach starts a recorder for a run of kind ("shadow", "soak") in
// artifacts/edge/datasets/<kind>-<now> under root and sets it as
// opts.Observer; the manifest takes l's config hash, first symbol and venue
// seed (opts.Seed when set), and the clock of opts. Close the recorder when
// the engine has stopped. The one call a run needs:
//
//	rec, err := calibration.Attach(root, "soak", loaded, &engineOptions)
//	defer rec.Close()
func Attach(root, kind string, l *config.Loaded, opts *engine.Options) (*Recorder, error) {
	if opts == nil {
		return nil, fmt.Errorf("attach calibration recorder: nil engine options")
	}
	r, err := NewForRun(root, kind, l, opts.Clock != nil && !opts.Clock.Simulated(), opts.Seed)
	if err != nil {
		return nil, err
	}
	opts.Observer = r
	return r, nil
}

// NewForRun starts a recorder in artifacts/edge/datasets/<kind>-<now> under
// root for an engine built elsewhere (pass it as the engine's Observer):
// the manifest takes l's hash, first symbol and seed (venue.seed when seed
// is 0) and the clock.
func NewForRun(root, kind string, l *config.Loaded, realClock bool, seed int64) (*Recorder, error) {
	if l == nil {
		return nil, fmt.Errorf("attach calibration recorder: nil config")
	}
	dir := RunDir(root, kind, time.Now())
	for i := 2; exists(dir); i++ { // two runs in one second
		dir = fmt.Sprintf("%s-%d", RunDir(root, kind, time.Now()), i)
	}
	// A horizon is resolved by the market mid a tick observes: allow two
	// tick intervals (a skipped slot) at the least.
	o := Options{Dir: dir, ConfigHash: l.Hash(), Seed: seed, Clock: "simulated",
		HorizonTolerance: max(DefaultHorizonTolerance, 2*l.Config.Tick.Interval)}
	if o.Seed == 0 {
		o.Seed = l.Config.Venue.Seed
	}
	if len(l.Config.Symbols) > 0 {
		o.Symbol = l.Config.Symbols[0]
	}
	if realClock {
		o.Clock = "real"
	} else {
		o.Block = true // a replay outruns the writer: keep every event
	}
	r, err := New(o)
	if err != nil {
		return nil, fmt.Errorf("attach calibration recorder: %w", err)
	}
	return r, nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
