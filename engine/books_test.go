package engine

import (
	"math"
	"testing"
	"time"

	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/engine/fault"
	"github.com/presoak/presoak/engine/marketdata"
)

// aggressivePlan turns the aggressive_quoting fault on from the first tick.
func aggressivePlan() *fault.Plan {
	return &fault.Plan{Faults: []fault.Fault{{Kind: fault.AggressiveQuoting, Duration: time.Hour, Magnitude: 5}}}
}

// TestOneSidedTouchUnderAggressiveQuoting: with the pipeline and the cache
// on, a tick prices on the book prefetched during the previous tick (two
// sided) while the touch it re-reads through the cache is the fresher book;
// when that book has lost its ask side, aggressive_quoting used to index
// its empty ask side and panic the tick loop (index out of range in
// strategy.go). The tick must go on and never quote through an empty side.
func TestOneSidedTouchUnderAggressiveQuoting(t *testing.T) {
	t.Parallel()
	f := newScriptFeed(100, 1, 100.2, 1)
	e := newSimEngine(t, testConfig(), Options{Feed: f, Faults: aggressivePlan()})
	e.Step()
	e.Step()
	f.book.Asks = nil // the ask side empties
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("tick panicked on a one-sided touch: %v", r)
		}
	}()
	for range 10 {
		e.Step()
	}
	checkOrdersSane(t, e)
	if s := e.Stats(); s.Ticks != 12 {
		t.Errorf("got %d ticks, want 12", s.Ticks)
	}
}

// checkOrdersSane fails on a resting order or an inventory that is not a
// finite, positive-priced thing.
func checkOrdersSane(t *testing.T, e *Engine) {
	t.Helper()
	for s, o := range e.vn.orders {
		if o.active && (!(o.price > 0) || math.IsInf(o.price, 0) || !(o.size > 0) || math.IsInf(o.size, 0) || math.IsNaN(o.ahead)) {
			t.Fatalf("side %d resting order %+v: want a finite positive price and size", s, o)
		}
	}
	s := e.Stats()
	if math.IsNaN(s.Inventory) || math.IsInf(s.Inventory, 0) || math.IsNaN(s.Cash) || math.IsInf(s.Cash, 0) || math.IsNaN(s.SpreadBps) {
		t.Fatalf("inventory %v cash %v spread %v: want finite", s.Inventory, s.Cash, s.SpreadBps)
	}
}

// shapeFeed serves a book whose shape the fuzzer chooses tick by tick.
type shapeFeed struct {
	book   marketdata.Book
	bids   [marketdata.MaxDepth]marketdata.Level
	asks   [marketdata.MaxDepth]marketdata.Level
	trades []marketdata.Trade
	data   []byte
}

func (f *shapeFeed) next() byte {
	if len(f.data) == 0 {
		return 0
	}
	b := f.data[0]
	f.data = f.data[1:]
	return b
}

// AdvanceTo reads four bytes per call: bid levels (0-3), ask levels (0-3),
// the shape (crossed, locked, zero-size top, zero price, a trade) and the
// price move.
func (f *shapeFeed) AdvanceTo(tNs int64) (*marketdata.Book, []marketdata.Trade) {
	nb, na, shape, move := int(f.next()%4), int(f.next()%4), f.next(), f.next()
	mid := 100 + float64(int8(move))*0.1
	bidTop, askTop := mid-0.1, mid+0.1
	switch shape % 8 {
	case 1: // crossed
		bidTop, askTop = mid+0.3, mid-0.3
	case 2: // locked
		bidTop, askTop = mid, mid
	case 3: // a zero price on the bid
		bidTop = 0
	}
	f.book.Symbol, f.book.TimeNs = "BTCUSDT", tNs
	f.book.Bids, f.book.Asks = f.bids[:nb], f.asks[:na]
	for i := range nb {
		f.bids[i] = marketdata.Level{Price: bidTop - float64(i)*0.1, Size: 1}
	}
	for i := range na {
		f.asks[i] = marketdata.Level{Price: askTop + float64(i)*0.1, Size: 1}
	}
	if shape&8 != 0 && nb > 0 {
		f.bids[0].Size = 0
	}
	if shape&16 != 0 && na > 0 {
		f.asks[0].Size = 0
	}
	f.trades = f.trades[:0]
	if shape&32 != 0 {
		side := marketdata.Buy
		if shape&64 != 0 {
			side = marketdata.Sell
		}
		f.trades = append(f.trades, marketdata.Trade{TimeNs: tNs, Price: mid, Size: 0.5, Aggressor: side})
	}
	return &f.book, f.trades
}

func (f *shapeFeed) Done() bool { return len(f.data) == 0 }

// FuzzTickBookShapes runs whole ticks on books of every shape the fuzzer
// makes (empty, one-sided, crossed, locked, zero-size and zero-price tops,
// trades through them), every flag combination and with or without the
// aggressive_quoting fault: no tick may panic, and orders, inventory and
// cash stay finite. Seeds in testdata/fuzz/FuzzTickBookShapes.
func FuzzTickBookShapes(f *testing.F) {
	f.Add(byte(0xff), []byte{3, 3, 0, 0, 3, 3, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0})
	f.Add(byte(0x1f), []byte{3, 3, 0, 0, 0, 3, 0, 1, 3, 3, 1, 2, 3, 3, 2, 3, 3, 3, 3, 4, 3, 3, 8, 5, 3, 3, 16, 6})
	f.Fuzz(func(t *testing.T, flags byte, data []byte) {
		if len(data) > 4*200 {
			data = data[:4*200]
		}
		cfg := testConfig()
		cfg.Pipeline.Enabled = flags&1 != 0
		cfg.MDCache.Enabled = flags&2 != 0
		cfg.AdaptiveSpread.Enabled = flags&4 != 0
		cfg.QueueAware.Enabled = flags&8 != 0
		if flags&32 != 0 {
			cfg.Quoting.FairValue = "mid"
		}
		runShapes(t, cfg, flags&16 != 0, data)
	})
}

func runShapes(t *testing.T, cfg *config.Config, aggressive bool, data []byte) {
	t.Helper()
	feed := &shapeFeed{data: data}
	opts := Options{Feed: feed}
	if aggressive {
		opts.Faults = aggressivePlan()
	}
	e, err := New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	for !feed.Done() {
		e.Step()
		checkOrdersSane(t, e)
	}
}
