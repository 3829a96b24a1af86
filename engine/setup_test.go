package engine

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/engine/marketdata"
)

func TestSetupFromTheFixtureConfig(t *testing.T) {
	t.Parallel()
	root := moduleRoot(t)
	l, err := config.Load(filepath.Join(root, "fixtures/config.yaml"), filepath.Join(root, "fixtures/config.soak_overrides.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	opts, err := Setup(l, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if opts.Latency == nil || opts.Feed == nil || opts.StartNs == 0 || opts.TickSize == 0 {
		t.Fatalf("Setup left options unset: %+v", opts)
	}
	e, err := New(&l.Config, opts)
	if err != nil {
		t.Fatal(err)
	}
	e.RunFor(time.Hour) // the 5-minute recording ends the run
	s := e.Stats()
	if s.Ticks < 2900 || s.Ticks > 3001 {
		t.Fatalf("%d ticks over a 5-minute recording, want about 3000", s.Ticks)
	}
}

func TestLoopRecordingNeverEnds(t *testing.T) {
	t.Parallel()
	rec, err := marketdata.Generate(marketdata.SyntheticOptions{Seed: 1}, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	f := LoopRecording(rec)
	start := rec.Manifest.StartNs
	var first float64
	for i := range 100 { // 100 s: ten loops
		b, _ := f.AdvanceTo(start + int64(i)*int64(time.Second))
		if len(b.Bids) == 0 {
			t.Fatalf("empty book at %ds", i)
		}
		if i == 0 {
			first = b.Bids[0].Price
		}
	}
	if f.Done() {
		t.Fatal("a looped recording is done")
	}
	if b, _ := f.AdvanceTo(start + 100*int64(time.Second) + 1); len(b.Bids) == 0 || first == 0 {
		t.Fatal("no book after ten loops")
	}
}
