package engine

// Observer receives the engine's quotes and fills as they happen: the hook a
// calibration recorder (package engine/calibration) uses. Options.Observer
// nil costs one pointer comparison per tick and per fill.
//
// The methods are called on the ticking goroutine with the engine's lock
// held, so they must return at once: copy the event (it is passed by value)
// into a buffer and do any I/O elsewhere. Never call back into the engine
// from them, and never block.
type Observer interface {
	// OnQuote is called once per tick whose quote stage ran, after submit.
	OnQuote(q QuoteEvent)
	// OnFill is called for every fill, maker or taker.
	OnFill(f FillEvent)
}

// QuoteAction is what a tick did with the quote on one side.
type QuoteAction uint8

// The quote actions.
const (
	QuoteNone    QuoteAction = iota // nothing sent (blocked, no resting order)
	QuoteKeep                       // kept the resting order (queue-aware)
	QuotePlace                      // placed a new order
	QuoteReplace                    // cancelled the resting order and placed a new one
	QuoteCancel                     // cancelled the resting order (blocked by risk)
)

var quoteActionNames = [...]string{"none", "keep", "place", "replace", "cancel"}

// String is the action's name as datasets write it.
func (a QuoteAction) String() string {
	if int(a) < len(quoteActionNames) {
		return quoteActionNames[a]
	}
	return "unknown"
}

// QuoteEvent is one tick's quotes.
type QuoteEvent struct {
	// TimeNs is the engine clock's time (Unix ns) after submit.
	TimeNs int64
	// Mid is the mid of the book the tick computed on; Fair the fair value
	// (microprice and inventory skew applied); SpreadBps the quoted spread.
	Mid, Fair, SpreadBps float64
	// MarketMid is the market's mid (the venue's book) at MarketTimeNs, the
	// tick's start; 0 when the venue's book had no bid or no ask. Markout
	// horizons are resolved against it, not against Mid (with the pipeline
	// and the cache, the mid of a book up to two intervals old).
	MarketTimeNs int64
	MarketMid    float64
	// Bid and ask price and size as decided (after risk).
	BidPrice, BidSize, AskPrice, AskSize float64
	// BidAction and AskAction are what the tick did per side.
	BidAction, AskAction QuoteAction
	// Placed counts the orders the venue accepted this tick (0 when submit
	// failed or nothing was sent).
	Placed int
	// Inventory is the position (base units) after the tick.
	Inventory float64
}

// FillEvent is one fill of one of our orders.
type FillEvent struct {
	// TimeNs is the engine clock's time (Unix ns) of the fill: the trade's
	// time for a resting order filled by a trade, the time the book came
	// through it for one the market crossed, the order's entry for a taker
	// fill. (The simulated venue matches at the next tick's start; the
	// fill is stamped with when it happened.)
	TimeNs int64
	// Side is +1 when our bid was filled (we bought), -1 when our ask was.
	Side int8
	// Price and Size of the fill.
	Price, Size float64
	// Taker is true when the order took liquidity.
	Taker bool
	// QueueAhead is the visible size ahead of the order at its price when it
	// was placed (base units); 0 for taker fills.
	QueueAhead float64
	// Mid is the market's mid (the venue's book) when the venue matched the
	// fill, at MidTimeNs: the start of the tick that matched it, within one
	// tick interval after TimeNs (a taker fill: the tick's start, a fetch
	// and a compute before its entry). 0 when the venue's book had no bid
	// or no ask.
	Mid       float64
	MidTimeNs int64
	// EngineMid is the mid of the book the engine last priced on: what the
	// bot believed the mid was (with the pipeline and the cache, up to two
	// intervals old).
	EngineMid float64
	// Inventory is the position (base units) after the fill.
	Inventory float64
}

// observeQuote reports the tick's quotes; placed is the orders accepted.
func (e *Engine) observeQuote(mid, fair float64, placed uint64) {
	a := &e.st.act
	e.obs.OnQuote(QuoteEvent{
		TimeNs: e.clk.Now(), Mid: mid, Fair: fair, SpreadBps: e.st.spreadBps,
		BidPrice: a[bid].price, BidSize: a[bid].size, AskPrice: a[ask].price, AskSize: a[ask].size,
		BidAction: quoteAction(a[bid].kind), AskAction: quoteAction(a[ask].kind),
		Placed: int(placed), Inventory: e.st.inventory,
		MarketTimeNs: e.tickStart, MarketMid: e.liveMid,
	})
}

func quoteAction(kind uint8) QuoteAction {
	switch kind {
	case actKeep:
		return QuoteKeep
	case actPlace:
		return QuotePlace
	case actReplace:
		return QuoteReplace
	case actCancel:
		return QuoteCancel
	}
	return QuoteNone
}

// observeFill reports a fill on side s (inventory already updated).
func (e *Engine) observeFill(s int, px, size float64, taker bool) {
	f := FillEvent{TimeNs: e.fillAt, Side: 1, Price: px, Size: size, Taker: taker,
		Mid: e.liveMid, MidTimeNs: e.tickStart, EngineMid: e.st.lastMid, Inventory: e.st.inventory}
	if s == ask {
		f.Side = -1
	}
	if !taker {
		f.QueueAhead = e.vn.orders[s].aheadAtPlace
	}
	e.obs.OnFill(f)
}
