package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/presoak/presoak/engine"
	"github.com/presoak/presoak/engine/clock"
	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/engine/marketdata"
	"github.com/presoak/presoak/harness/target"
)

// midRecorder is an engine.Observer keeping every quoted tick's mid.
type midRecorder struct{ mids []float64 }

func (m *midRecorder) OnQuote(q engine.QuoteEvent) { m.mids = append(m.mids, q.Mid) }
func (m *midRecorder) OnFill(engine.FillEvent)     {}

// TestBotAndEmbeddedTargetReplayTheSameMarket: the bot (make bot) and the
// harness's embedded target (the in-process soak, the Baseline area), built
// from one CONFIG, replay the same market: the same first 300 books (the
// mid every tick quoted on). The CONFIG names a recording whose generator
// seed and symbol differ from venue.seed's synthetic feed, so a target that
// ignored venue.recording would quote on another market.
func TestBotAndEmbeddedTargetReplayTheSameMarket(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rec, err := marketdata.Generate(marketdata.SyntheticOptions{Seed: 7, Symbol: "ETHUSDT", StartPrice: 3400, TickSize: 0.01, LotSize: 0.0001}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := rec.Write(dir, "eth-1m"); err != nil {
		t.Fatal(err)
	}
	layer := filepath.Join(dir, "recording.yaml")
	if err := os.WriteFile(layer, []byte("venue:\n  recording: eth-1m.manifest.json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := fixtureConfig(t) + "," + layer

	botMids := &midRecorder{}
	b, err := start(options{addr: "127.0.0.1:0", config: cfg, clock: clock.NewSim(rec.Manifest.StartNs), observer: botMids})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.ln.Close() })

	loaded, err := config.Load(config.ParseLayers(cfg)...)
	if err != nil {
		t.Fatal(err)
	}
	tgtMids := &midRecorder{}
	sim, err := target.NewSimulated(target.EmbeddedOptions{Config: loaded, Observer: tgtMids})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })

	if got, want := sim.Market().Name(nil), b.feedName; got != want {
		t.Errorf("embedded target's market: got %q, want the bot's %q", got, want)
	}
	const n = 300
	for range n {
		b.eng.Step()
		sim.Step()
	}
	if len(botMids.mids) < n/2 || len(tgtMids.mids) < n/2 {
		t.Fatalf("quoted ticks: bot %d, target %d of %d, want most", len(botMids.mids), len(tgtMids.mids), n)
	}
	if got, want := fmt.Sprint(tgtMids.mids), fmt.Sprint(botMids.mids); got != want {
		for i := range min(len(botMids.mids), len(tgtMids.mids)) {
			if botMids.mids[i] != tgtMids.mids[i] {
				t.Fatalf("quoted tick %d: embedded target's mid %v, want the bot's %v (a different market)", i, tgtMids.mids[i], botMids.mids[i])
			}
		}
		t.Fatalf("embedded target quoted %d ticks, the bot %d", len(tgtMids.mids), len(botMids.mids))
	}
	if lo := 3000.0; botMids.mids[0] < lo || botMids.mids[0] > 3800 {
		t.Fatalf("bot's first mid %v, want the recording's ~3400 (not the synthetic BTC feed's)", botMids.mids[0])
	}
}

// TestBotAndRealClockTargetNameOneMarket: on the default CONFIG and the real
// clock, the bot and the embedded target (as the soak builds it) replay the
// recording the config names, looped.
func TestBotAndRealClockTargetNameOneMarket(t *testing.T) {
	t.Parallel()
	b, err := start(options{addr: "127.0.0.1:0", config: fixtureConfig(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.ln.Close() })
	loaded, err := config.Load(config.ParseLayers(fixtureConfig(t))...)
	if err != nil {
		t.Fatal(err)
	}
	emb, err := target.NewEmbedded(target.EmbeddedOptions{Config: loaded})
	if err != nil {
		t.Fatal(err)
	}
	if err := emb.Close(); err != nil {
		t.Fatal(err)
	}
	want := loaded.ResolvePath("venue.recording") + " (looped)"
	if got := emb.Market().Name(nil); got != want || b.feedName != want {
		t.Fatalf("markets: embedded target %q, bot %q, want both %q", got, b.feedName, want)
	}
}
