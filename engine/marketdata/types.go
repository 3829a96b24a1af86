package marketdata

// MaxDepth is the number of price levels a book keeps per side. A level pushed
// beyond the MaxDepth best levels is forgotten, as on a depth-limited venue feed.
const MaxDepth = 20

// Side is the aggressor side of a trade, or the side of a book level in an
// Event: Buy is the bid side, Sell the ask side.
type Side int8

// The two sides.
const (
	Buy  Side = 1
	Sell Side = -1
)

// String returns "buy" or "sell".
func (s Side) String() string {
	switch s {
	case Buy:
		return "buy"
	case Sell:
		return "sell"
	}
	return "side(?)"
}

// Level is one price level of a book: price and total resting size, in quote
// and base units.
type Level struct{ Price, Size float64 }

// Book is an order book, best level first on each side (bids descending,
// asks ascending), at most MaxDepth levels per side. TimeNs is the time of the
// latest event applied to it (the exchange time of the book), so a feed that
// stalls shows as a book whose TimeNs lags the clock; it is 0 before any event.
type Book struct {
	Symbol     string
	TimeNs     int64
	Bids, Asks []Level
}

// Trade is one trade: time, price, size (base units) and the aggressor side.
type Trade struct {
	TimeNs      int64
	Price, Size float64
	Aggressor   Side
}

// Feed is market data in time order. AdvanceTo applies every event with time
// <= tNs and returns the book as of tNs and the trades in (previous tNs, tNs].
// The returned values are only valid until the next call and must not be
// modified; no allocation in steady state. Calling AdvanceTo with a time
// before the previous one applies nothing and returns no trades. Done reports
// that a finite feed has no events left (a synthetic feed never is).
type Feed interface {
	AdvanceTo(tNs int64) (*Book, []Trade)
	Done() bool
}

// EventKind is the kind of a recorded row: the row's kind column.
type EventKind uint8

// The row kinds of a recording (see the package doc).
const (
	// KindSnapshot is one level of a full book snapshot. A maximal run of
	// consecutive snapshot rows with the same time is one snapshot: it
	// replaces the whole book.
	KindSnapshot EventKind = 'S'
	// KindDiff sets one level's size; size 0 removes the level.
	KindDiff EventKind = 'D'
	// KindTrade is a trade; its Side is the aggressor.
	KindTrade EventKind = 'T'
)

// Event is one parsed row of a recording, in exact integer units: the price
// in ticks (multiples of the manifest's tick_size) and the size in lots
// (multiples of lot_size). For book rows Side is Buy for a bid level and
// Sell for an ask level; for trades it is the aggressor.
type Event struct {
	TimeNs int64
	Kind   EventKind
	Side   Side
	Ticks  int64
	Lots   int64
}
