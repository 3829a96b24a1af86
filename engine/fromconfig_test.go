package engine

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/presoak/presoak/engine/clock"
	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/engine/marketdata"
)

// TestFromConfigChoosesTheMarket: the one constructor's market for each
// kind of run: the recording once on the simulated clock when it covers the
// span, looped when it does not or on the real clock, the seeded synthetic
// feed of venue.seed and the first symbol without a recording, and the
// caller's feed when given.
func TestFromConfigChoosesTheMarket(t *testing.T) {
	t.Parallel()
	root := moduleRoot(t)
	withRec, err := config.Load(filepath.Join(root, "fixtures/config.yaml"), filepath.Join(root, "fixtures/config.soak_overrides.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	noRecLayer := filepath.Join(t.TempDir(), "norec.yaml")
	if err := os.WriteFile(noRecLayer, []byte("symbols: [ETHUSDT]\nvenue:\n  recording: \"\"\n  seed: 9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	noRec, err := config.Load(filepath.Join(root, "fixtures/config.yaml"), noRecLayer)
	if err != nil {
		t.Fatal(err)
	}
	rec := withRec.ResolvePath("venue.recording")
	for _, tc := range []struct {
		name string
		l    *config.Loaded
		opts Options
		span time.Duration
		want Market
	}{
		{"simulated, the recording's length", withRec, Options{}, 0, Market{Recording: rec, Symbol: "BTCUSDT"}},
		{"simulated, a span the recording covers", withRec, Options{}, time.Minute, Market{Recording: rec, Symbol: "BTCUSDT"}},
		{"simulated, longer than the recording", withRec, Options{}, time.Hour, Market{Recording: rec, Symbol: "BTCUSDT", Looped: true}},
		{"simulated, endless", withRec, Options{}, Endless, Market{Recording: rec, Symbol: "BTCUSDT", Looped: true}},
		{"real clock", withRec, Options{Clock: clock.NewReal()}, 0, Market{Recording: rec, Symbol: "BTCUSDT", Looped: true}},
		{"no recording", noRec, Options{}, Endless, Market{Seed: 9, Symbol: "ETHUSDT", StartNs: DefaultStartNs}},
		{"the caller's feed", withRec, Options{Feed: marketdata.NewSynthetic(marketdata.SyntheticOptions{Seed: 1})}, 0, Market{Symbol: "BTCUSDT", Given: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, m, err := FromConfig(tc.l, tc.opts, tc.span)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want.Recording != "" {
				tc.want.StartNs = m.StartNs // the recording's own
				if m.StartNs == 0 {
					t.Error("a recording's market has no start")
				}
			}
			if m != tc.want {
				t.Fatalf("got %+v, want %+v", m, tc.want)
			}
			e.Step()
			if e.Stats().Ticks != 1 {
				t.Fatalf("the built engine did not tick")
			}
		})
	}
}
