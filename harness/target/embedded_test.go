package target

import (
	"context"
	"errors"
	"github.com/presoak/presoak/internal/modroot"
	"path/filepath"
	"testing"
	"time"

	"github.com/presoak/presoak/engine"
	"github.com/presoak/presoak/engine/config"
)

func moduleRoot(t testing.TB) string {
	t.Helper()
	root, err := modroot.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func soakConfig(t testing.TB) *config.Loaded {
	t.Helper()
	root := moduleRoot(t)
	l, err := config.Load(filepath.Join(root, "fixtures", "config.yaml"), filepath.Join(root, "fixtures", "config.soak_overrides.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestSimulatedAdvancesAndSamples(t *testing.T) {
	t.Parallel()
	sim, err := NewSimulated(EmbeddedOptions{Config: soakConfig(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	start := sim.Now()
	sim.Advance(time.Minute)
	ss, err := sim.Sample(context.Background())
	if err != nil || len(ss) != 1 {
		t.Fatalf("sample: %v, %d samples", err, len(ss))
	}
	s := ss[0]
	if got := s.At.Sub(start); got < time.Minute || got > time.Minute+time.Second {
		t.Fatalf("a minute of simulated time: got %v", got)
	}
	if s.Instance != "embedded" || !s.Up || s.Ticks < 590 || s.Ticks > 610 {
		t.Fatalf("got %+v, want ~600 ticks of a 100ms-tick bot", s)
	}
	h := s.Stages["tick_total"]
	if h.Count != s.Ticks || len(h.Counts) != len(h.UpperBounds) || h.Counts[len(h.Counts)-1] > h.Count {
		t.Fatalf("tick_total histogram inconsistent with ticks: %+v", h)
	}
	if !s.Flags["pipeline.enabled"] || !s.Flags["md_cache.enabled"] {
		t.Fatalf("flags: %v", s.Flags)
	}
	if s.ResidentBytes <= 0 {
		t.Fatal("no resident memory")
	}
	if err := sim.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.Sample(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("sample after close: got %v, want ErrClosed", err)
	}
}

func TestEmbeddedRealClockTicksUntilClose(t *testing.T) {
	t.Parallel()
	emb, err := NewEmbedded(EmbeddedOptions{Config: soakConfig(t)})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(350 * time.Millisecond)
	ss, err := emb.Sample(context.Background())
	if err != nil || ss[0].Ticks < 2 {
		t.Fatalf("real clock: %v, %+v", err, ss)
	}
	if err := emb.Close(); err != nil {
		t.Fatal(err)
	}
	if err := emb.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
}

func TestEmbeddedNeedsConfig(t *testing.T) {
	t.Parallel()
	if _, err := NewSimulated(EmbeddedOptions{}); err == nil {
		t.Fatal("no config: got nil error")
	}
}

// quoteCounter is an engine.Observer counting quotes.
type quoteCounter struct{ quotes int }

func (q *quoteCounter) OnQuote(engine.QuoteEvent) { q.quotes++ }
func (q *quoteCounter) OnFill(engine.FillEvent)   {}

func TestEmbeddedObserverSeesQuotes(t *testing.T) {
	t.Parallel()
	obs := &quoteCounter{}
	sim, err := NewSimulated(EmbeddedOptions{Config: soakConfig(t), Observer: obs})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	sim.Advance(10 * time.Second)
	if obs.quotes < 50 {
		t.Fatalf("observer saw %d quotes in 10 s of a 100ms-tick bot, want ~100", obs.quotes)
	}
}
