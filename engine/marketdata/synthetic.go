package marketdata

import (
	"fmt"
	"math"
	"time"
)

// SyntheticOptions configures the seeded synthetic market. The zero value
// works: a BTCUSDT-like market starting 2026-01-01T00:00:00Z at 97000.
type SyntheticOptions struct {
	// Symbol names the instrument; default "BTCUSDT".
	Symbol string
	// Seed seeds the generator: the same seed and options give the same events.
	Seed int64
	// StartNs is the time of the first event (the opening snapshot), Unix
	// nanoseconds; default 2026-01-01T00:00:00Z.
	StartNs int64
	// StartPrice is the opening fair price; default 97000.
	StartPrice float64
	// TickSize is the price increment (at most 9 decimals); default 0.1.
	TickSize float64
	// LotSize is the size increment (at most 9 decimals); default 0.001.
	LotSize float64
	// EventRate is the mean number of market events (a batch of rows with
	// one timestamp: a book update, a trade, a snapshot) per second in the
	// calm regime; default 25. The volatile regime runs 2.5 times faster,
	// quiet spells at a tenth.
	EventRate float64
	// Depth is the number of levels per side the generator keeps, 1..MaxDepth;
	// default MaxDepth.
	Depth int
	// SnapshotEvery is the period of full-book snapshot rows after the
	// opening one; default 60 s; negative means only the opening snapshot.
	SnapshotEvery time.Duration
}

// defaultStartNs is 2026-01-01T00:00:00Z.
const defaultStartNs = 1767225600 * int64(time.Second)

// normalized fills the defaults and validates.
func (o SyntheticOptions) normalized() (SyntheticOptions, scale, error) {
	if o.Symbol == "" {
		o.Symbol = "BTCUSDT"
	}
	if o.StartNs == 0 {
		o.StartNs = defaultStartNs
	}
	if o.StartPrice == 0 {
		o.StartPrice = 97000
	}
	if o.TickSize == 0 {
		o.TickSize = 0.1
	}
	if o.LotSize == 0 {
		o.LotSize = 0.001
	}
	if o.EventRate == 0 {
		o.EventRate = 25
	}
	if o.Depth == 0 {
		o.Depth = MaxDepth
	}
	if o.SnapshotEvery == 0 {
		o.SnapshotEvery = time.Minute
	}
	m := Manifest{TickSize: o.TickSize, LotSize: o.LotSize}
	sc, err := m.scale()
	switch {
	case err != nil:
	case o.Depth < 1 || o.Depth > MaxDepth:
		err = fmt.Errorf("depth = %d, want 1..%d", o.Depth, MaxDepth)
	case !(o.EventRate > 0 && o.EventRate <= 1e5):
		err = fmt.Errorf("event rate = %v, want > 0 and <= 1e5 per second", o.EventRate)
	case !(o.StartPrice >= 1000*o.TickSize && o.StartPrice/o.TickSize < 1e12 && o.StartPrice*pow10[sc.priceDec] < 1<<50):
		err = fmt.Errorf("start price = %v, want between 1000 and 1e12 ticks of %v (and below 2^50 units of 1e-%d)", o.StartPrice, o.TickSize, sc.priceDec)
	case o.StartNs < 0:
		err = fmt.Errorf("start = %d ns, want >= 0", o.StartNs)
	}
	if err != nil {
		return o, sc, fmt.Errorf("synthetic options: %w", err)
	}
	return o, sc, nil
}

// generatorName names the generator and every option that shapes its output
// (seed, symbol, start, tick and lot size are manifest fields of their own).
func (o SyntheticOptions) generatorName() string {
	return fmt.Sprintf("presoak-synthetic/4 start_price=%g event_rate=%g depth=%d snapshot_every=%s",
		o.StartPrice, o.EventRate, o.Depth, o.SnapshotEvery)
}

// NewSynthetic returns the seeded, endless synthetic feed: AdvanceTo never
// allocates once its trade buffer has grown to the busiest interval asked
// for, Done is always false. Its events are exactly those Generate records
// with the same options. It panics on options that Generate rejects (a
// programming error: the zero value and the defaults are valid).
func NewSynthetic(opts SyntheticOptions) Feed {
	o, sc, err := opts.normalized()
	if err != nil {
		panic("marketdata: new synthetic feed: " + err.Error())
	}
	s := &synthetic{g: newGenerator(o, sc), last: math.MinInt64, trades: make([]Trade, 0, 256)}
	s.g.tradesOnly = true
	s.v.book.Symbol = o.Symbol
	return s
}

// synthetic is the Feed over a generator, whose own book is the feed's: the
// generator has made every batch due and drawn the time of the next one
// (pending), whose events it makes only once that time is reached, so its
// book is the book as of the last batch handed out.
type synthetic struct {
	g       *generator
	pending bool // g.advance has run for the next batch, g.events not yet
	last    int64
	trades  []Trade
	v       view
}

func (s *synthetic) AdvanceTo(tNs int64) (*Book, []Trade) {
	if tNs < s.last {
		return s.v.refresh(&s.g.book), nil
	}
	s.last = tNs
	s.trades = s.trades[:0]
	for {
		if !s.pending {
			s.g.advance()
			s.pending = true
		}
		if s.g.t > tNs {
			break
		}
		s.pending = false
		for _, ev := range s.g.events() {
			if ev.Kind == KindTrade {
				s.trades = append(s.trades, s.g.sc.trade(&ev))
			}
		}
	}
	return s.v.refresh(&s.g.book), s.trades
}

func (s *synthetic) Done() bool { return false }

// Generate records span of the synthetic market: every event from the
// opening snapshot at opts.StartNs to StartNs+span inclusive. The returned
// Recording's manifest is complete (rows, sha256 of the CSV Write writes);
// its CSV field is set by Write.
func Generate(opts SyntheticOptions, span time.Duration) (*Recording, error) {
	o, sc, err := opts.normalized()
	if err != nil {
		return nil, fmt.Errorf("generate recording: %w", err)
	}
	if span <= 0 {
		return nil, fmt.Errorf("generate recording: span %s, want > 0", span)
	}
	g := newGenerator(o, sc)
	end := o.StartNs + span.Nanoseconds()
	var evs []Event
	for {
		batch := g.step()
		if len(batch) == 0 {
			continue
		}
		if batch[0].TimeNs > end {
			break
		}
		evs = append(evs, batch...)
	}
	rec := &Recording{
		Manifest: Manifest{
			FormatVersion: FormatVersion,
			Symbol:        o.Symbol,
			TickSize:      o.TickSize,
			LotSize:       o.LotSize,
			StartNs:       o.StartNs,
			EndNs:         end,
			Rows:          len(evs),
			Seed:          o.Seed,
			Generator:     o.generatorName(),
		},
		Events: evs,
	}
	rec.Manifest.SHA256 = rec.csvSHA256()
	return rec, nil
}
