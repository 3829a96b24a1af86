package engine

import (
	"github.com/presoak/presoak/internal/modroot"
	"testing"
	"time"

	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/engine/marketdata"
)

// testConfig is fixtures/config.yaml with the soak overrides, as a literal so
// the engine's tests do not depend on the loader.
func testConfig() *config.Config {
	return &config.Config{
		Symbols:        []string{"BTCUSDT"},
		Tick:           config.TickConfig{Interval: 100 * time.Millisecond, Deadline: 150 * time.Millisecond},
		Pipeline:       config.PipelineConfig{Enabled: true},
		MDCache:        config.MDCacheConfig{Enabled: true, TTL: 100 * time.Millisecond, Capacity: 64},
		TakerCap:       config.TakerCapConfig{MaxTakerSharePct: 9, Window: 5 * time.Minute},
		AdaptiveSpread: config.AdaptiveSpreadConfig{Enabled: true, MinSpreadBps: 2, MaxSpreadBps: 25, VolHalfLife: 30 * time.Second, VolMultiplier: 1.5},
		QueueAware:     config.QueueAwareConfig{Enabled: true, MaxQueueAheadLots: 50, RequoteThresholdBps: 0.5},
		Quoting:        config.QuotingConfig{FairValue: "microprice", BaseSpreadBps: 6, OrderSize: 0.01, InventorySkewBps: 1.5},
		Risk:           config.RiskConfig{MaxInventory: 0.5, MaxOrderSize: 0.05},
		CircuitBreakers: map[string]config.BreakerConfig{
			"venue_md":    {FailureThreshold: 5, Cooldown: 2 * time.Second, Critical: true},
			"order_entry": {FailureThreshold: 3, Cooldown: 5 * time.Second, Critical: true},
		},
		Venue: config.VenueConfig{Name: "sim", Seed: 42},
	}
}

// newSimEngine returns an engine on the simulated clock over the seeded
// synthetic feed.
func newSimEngine(t testing.TB, cfg *config.Config, opts Options) *Engine {
	t.Helper()
	if opts.Feed == nil {
		opts.Feed = marketdata.NewSynthetic(marketdata.SyntheticOptions{Seed: 7, StartPrice: 10000})
	}
	e, err := New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func moduleRoot(t testing.TB) string {
	t.Helper()
	root, err := modroot.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// scriptFeed is a hand-driven Feed: the test sets the book and queues trades.
type scriptFeed struct {
	book   marketdata.Book
	trades []marketdata.Trade
	out    []marketdata.Trade
}

func newScriptFeed(bidPx, bidSz, askPx, askSz float64) *scriptFeed {
	f := &scriptFeed{}
	f.book.Symbol = "BTCUSDT"
	f.setTop(bidPx, bidSz, askPx, askSz)
	return f
}

func (f *scriptFeed) setTop(bidPx, bidSz, askPx, askSz float64) {
	f.book.Bids = []marketdata.Level{{Price: bidPx, Size: bidSz}, {Price: bidPx - 0.1, Size: 5}}
	f.book.Asks = []marketdata.Level{{Price: askPx, Size: askSz}, {Price: askPx + 0.1, Size: 5}}
}

func (f *scriptFeed) trade(px, size float64, aggressor marketdata.Side) {
	f.trades = append(f.trades, marketdata.Trade{Price: px, Size: size, Aggressor: aggressor})
}

func (f *scriptFeed) AdvanceTo(tNs int64) (*marketdata.Book, []marketdata.Trade) {
	f.book.TimeNs = tNs
	f.out = append(f.out[:0], f.trades...)
	f.trades = f.trades[:0]
	return &f.book, f.out
}

func (f *scriptFeed) Done() bool { return false }
