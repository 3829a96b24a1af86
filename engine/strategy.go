package engine

import (
	"math"

	"github.com/presoak/presoak/engine/fault"
	"github.com/presoak/presoak/engine/marketdata"
)

// Sides of our quotes.
const (
	bid = 0
	ask = 1
)

// Quote actions per side.
const (
	actNone    uint8 = iota // nothing to do
	actKeep                 // keep the resting order
	actPlace                // place a new order
	actReplace              // cancel the resting order and place a new one
	actCancel               // cancel the resting order
)

type action struct {
	kind        uint8
	price, size float64
	aggressive  bool // from the aggressive_quoting fault: bypasses the taker cap
	postOnly    bool // passive on the bot's book: the venue rejects it if it would cross
}

// strategy is the market maker's state.
type strategy struct {
	inventory, cash float64
	lastMid         float64
	lastMidNs       int64   // clock time lastMid was sampled
	volVar          float64 // EWMA of the mid's squared return per second (variance rate)
	spreadBps       float64
	act             [2]action
}

// fairValue is the mid or the microprice, skewed toward the target
// inventory; ok is false for an empty, one-sided or crossed book.
func (e *Engine) fairValue(b *marketdata.Book) (fair, mid float64, ok bool) {
	if !twoSided(b) {
		return 0, 0, false
	}
	bb, ba := b.Bids[0], b.Asks[0]
	mid = (bb.Price + ba.Price) / 2
	fair = mid
	if e.p.microprice && bb.Size+ba.Size > 0 {
		// Weighted toward the side with less size: it is the one about to move.
		fair = (bb.Price*ba.Size + ba.Price*bb.Size) / (bb.Size + ba.Size)
	}
	fair *= 1 - e.p.skew*1e-4*(e.st.inventory-e.p.targetInv)
	return fair, mid, true
}

// twoSided reports whether b can be priced on: a bid and an ask, a
// positive bid below the ask. An empty, one-sided, locked or crossed book,
// or one with a non-positive or NaN price at the touch, is not. (A zero
// size at the touch is priceable: the microprice then falls back to the
// mid.)
func twoSided(b *marketdata.Book) bool {
	if len(b.Bids) == 0 || len(b.Asks) == 0 {
		return false
	}
	bb, ba := b.Bids[0].Price, b.Asks[0].Price
	return bb > 0 && bb < ba && !math.IsInf(ba, 1)
}

// updateSpread sets the quoted spread: fixed, or adaptive to the realized
// volatility of the mid over adaptive_spread.vol_horizon. The variance rate
// (per second) is an EWMA, half-life vol_half_life, of each squared return
// of the mid over the time since the previous sample; the volatility over
// the horizon is its square root times the horizon's (a random walk's
// scaling), so the spread does not depend on tick.interval.
func (e *Engine) updateSpread(mid float64, now int64) {
	if e.st.lastMid > 0 && now > e.st.lastMidNs {
		r := mid/e.st.lastMid - 1 // = log return to within r^2/2 at bps-sized moves
		dt := now - e.st.lastMidNs
		alpha := e.p.volAlpha
		if dt != e.p.interval && e.p.volHalfLife > 0 { // a skipped slot: weigh the longer step
			alpha = 1 - math.Exp2(-float64(dt)/e.p.volHalfLife)
		}
		e.st.volVar += alpha * (r*r/(float64(dt)/1e9) - e.st.volVar)
	}
	e.st.lastMid, e.st.lastMidNs = mid, now
	if !e.p.adaptive {
		e.st.spreadBps = e.p.baseSpread
		return
	}
	s := e.p.volMult * math.Sqrt(e.st.volVar*e.p.volHorizonS) * 1e4
	e.st.spreadBps = min(max(s, e.p.minSpr), e.p.maxSpr)
}

// quote decides, per side, to keep the resting order, place one, or cancel
// and replace it.
func (e *Engine) quote(b *marketdata.Book, fair float64) {
	half := fair * e.st.spreadBps * 1e-4 / 2
	px := [2]float64{e.floorTick(fair - half), e.ceilTick(fair + half)}
	if px[ask] <= px[bid] {
		px[ask] = px[bid] + e.p.tick
	}
	m, aggressive := e.sched.Active(fault.AggressiveQuoting)
	if aggressive {
		// The bug: both quotes go through the book by m bps.
		px[bid] = e.ceilTick(b.Asks[0].Price * (1 + m*1e-4))
		px[ask] = e.floorTick(b.Bids[0].Price * (1 - m*1e-4))
	}
	_, oneSided := e.sched.Active(fault.OneSidedQuoting)
	for s := range 2 {
		a := &e.st.act[s]
		*a = action{price: px[s], size: e.p.orderSize, aggressive: aggressive}
		o := &e.vn.orders[s]
		switch {
		case oneSided && s == ask: // the bug: the ask is pulled
			a.kind = actNone
			if o.active {
				a.kind = actCancel
			}
		case !o.active:
			a.kind = actPlace
		case e.p.queueAware && !aggressive && e.keep(o, px[s], e.queueAhead(b, s, o)):
			a.kind = actKeep
			e.c.kept++
		default:
			a.kind = actReplace
		}
	}
}

// keep reports whether a resting order is worth keeping: close enough to the
// new price and not too far back in the queue (ahead: the estimated size
// ahead of it).
func (e *Engine) keep(o *order, px, ahead float64) bool {
	return math.Abs(o.price-px) <= px*e.p.requoteBps*1e-4 &&
		ahead <= e.p.maxQueueAhead*e.p.lot
}

// queueAhead estimates the size ahead of resting order o on side s from the
// touch the quote stage re-read (b): the queue model's estimate, capped by
// the size visible at o's price when b reaches that deep (cancels come from
// behind us until the visible size is smaller than our estimate).
func (e *Engine) queueAhead(b *marketdata.Book, s int, o *order) float64 {
	lv := b.Bids
	if s == ask {
		lv = b.Asks
	}
	if n := len(lv); n == 0 || (s == bid && lv[n-1].Price > o.price) || (s == ask && lv[n-1].Price < o.price) {
		return o.ahead // o rests deeper than the book read: nothing to cap with
	}
	return min(o.ahead, sizeAt(lv, o.price, e.p.tick/2, s))
}

// risk applies order-size and inventory limits, the taker cap and the
// crossing check to the orders about to be sent. b is the book the quotes
// were priced on, touch the touch re-read just now (the same book on a
// cache miss). An order that crosses b is meant to take: the taker cap
// applies. A passive order that crosses only the fresher touch is a stale
// quote the venue would reject as post-only: it is not sent (a stale_quote
// block). A blocked order is not sent; a resting order on its side is
// cancelled.
func (e *Engine) risk(b, touch *marketdata.Book) {
	for s := range 2 {
		a := &e.st.act[s]
		if a.kind != actPlace && a.kind != actReplace {
			continue
		}
		blocked := false
		inv := e.st.inventory
		switch {
		case a.size > e.p.maxOrder:
			blocked = true
			e.c.riskBlocks++
		case s == bid && inv+a.size > e.p.maxInv, s == ask && inv-a.size < -e.p.maxInv:
			blocked = true
			e.c.riskBlocks++
		case a.aggressive:
		case e.crosses(b, s, a.price):
			if e.tw.sharePctWith(e.tickStart, a.size) > e.p.takerCapPct {
				blocked = true
				e.c.takerBlocks++
			}
		case touch != b && e.crosses(touch, s, a.price):
			blocked = true
			e.c.staleBlocks++
		default:
			a.postOnly = true
		}
		if blocked {
			if e.vn.orders[s].active {
				a.kind = actCancel
			} else {
				a.kind = actNone
			}
		}
	}
}

// crosses reports whether an order at px on side s would take liquidity in b.
func (e *Engine) crosses(b *marketdata.Book, s int, px float64) bool {
	if s == bid {
		return len(b.Asks) > 0 && px >= b.Asks[0].Price-e.p.tick/2
	}
	return len(b.Bids) > 0 && px <= b.Bids[0].Price+e.p.tick/2
}

// submit sends the tick's orders in one order-entry round trip to the
// simulated venue, guarded by the order_entry breaker.
func (e *Engine) submit() {
	n := 0
	for s := range 2 {
		if k := e.st.act[s].kind; k == actPlace || k == actReplace || k == actCancel {
			n++
		}
	}
	if n == 0 {
		return
	}
	br := e.brk[BreakerOrderEntry]
	if !br.Allow(e.clk.Now()) {
		e.stageError(StageSubmit)
		return
	}
	io := e.venueLatency(&e.oeLat)
	fail := false
	if _, on := e.sched.Active(fault.VenueOutage); on {
		fail = true
	} else if m, on := e.sched.Active(fault.VenueErrorBurst); on && e.rng.Float64() < m {
		fail = true
	}
	e.clk.Sleep(io)
	br.Record(!fail, e.clk.Now())
	if fail {
		e.stageError(StageSubmit)
		for s := range 2 {
			if k := e.st.act[s].kind; k == actPlace || k == actReplace {
				e.c.venueRejects++
			}
		}
		return
	}
	for s := range 2 {
		a := &e.st.act[s]
		switch a.kind {
		case actCancel:
			e.vn.orders[s].active = false
			e.c.cancels++
		case actReplace:
			e.vn.orders[s].active = false
			e.c.cancels++
			e.c.requotes++
			e.place(s, a)
		case actPlace:
			e.place(s, a)
		}
	}
}

func (e *Engine) floorTick(px float64) float64 {
	return math.Floor(px/e.p.tick+1e-9) * e.p.tick
}

func (e *Engine) ceilTick(px float64) float64 {
	return math.Ceil(px/e.p.tick-1e-9) * e.p.tick
}
