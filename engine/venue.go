package engine

import "github.com/presoak/presoak/engine/marketdata"

// order is one of our resting orders at the simulated venue.
type order struct {
	active bool
	price  float64
	size   float64 // remaining
	ahead  float64 // estimated size ahead of us in the queue at price

	aheadAtPlace float64 // ahead when placed (the calibration datasets' queue position)
}

// venue is the simulated exchange's view of our orders.
type venue struct {
	orders [2]order
}

// place sends a new order to the simulated venue. A post-only order that
// would cross the live book (the bot's book was stale) is rejected. Otherwise
// the part that crosses fills as a taker at the book's prices and the rest
// rests at the back of the visible queue at its price.
func (e *Engine) place(s int, a *action) {
	e.c.placed++
	e.fillAt = e.clk.Now() // a taker fill happens at the order's entry
	b := e.live
	px, rem := a.price, a.size
	eps := e.p.tick / 2
	if a.postOnly && b != nil && e.crosses(b, s, px) {
		e.c.postOnlyRejects++
		e.vn.orders[s].active = false
		return
	}
	if b != nil {
		if s == bid {
			for _, lv := range b.Asks {
				if lv.Price > px+eps || rem <= 0 {
					break
				}
				f := min(rem, lv.Size)
				e.fill(s, lv.Price, f, true)
				rem -= f
			}
		} else {
			for _, lv := range b.Bids {
				if lv.Price < px-eps || rem <= 0 {
					break
				}
				f := min(rem, lv.Size)
				e.fill(s, lv.Price, f, true)
				rem -= f
			}
		}
	}
	o := &e.vn.orders[s]
	if rem <= e.p.lot/2 {
		o.active = false
		return
	}
	*o = order{active: true, price: px, size: rem}
	if b != nil {
		if s == bid {
			o.ahead = sizeAt(b.Bids, px, eps, bid)
		} else {
			o.ahead = sizeAt(b.Asks, px, eps, ask)
		}
	}
	o.aheadAtPlace = o.ahead
}

// match fills resting orders from the trades since the last tick and the
// live book (see the queue model in the package doc).
func (e *Engine) match(trades []marketdata.Trade, b *marketdata.Book) {
	eps := e.p.tick / 2
	for s := range 2 {
		o := &e.vn.orders[s]
		if !o.active {
			continue
		}
		for i := range trades {
			tr := &trades[i]
			e.fillAt = e.clockOf(tr.TimeNs)
			if s == bid {
				if tr.Aggressor != marketdata.Sell || tr.Price > o.price+eps {
					continue
				}
				if tr.Price < o.price-eps { // sold through our price
					e.fillResting(s, o.size)
					break
				}
			} else {
				if tr.Aggressor != marketdata.Buy || tr.Price < o.price-eps {
					continue
				}
				if tr.Price > o.price+eps {
					e.fillResting(s, o.size)
					break
				}
			}
			o.ahead -= tr.Size
			if o.ahead < 0 {
				f := min(-o.ahead, o.size)
				o.ahead = 0
				e.fillResting(s, f)
				if !o.active {
					break
				}
			}
		}
		if !o.active || b == nil {
			continue
		}
		e.fillAt = e.liveAsOf // the book came through the order when it last changed
		if s == bid {
			if len(b.Asks) > 0 && b.Asks[0].Price <= o.price+eps { // the market came through us
				e.fillResting(s, o.size)
				continue
			}
			o.ahead = min(o.ahead, sizeAt(b.Bids, o.price, eps, bid))
		} else {
			if len(b.Bids) > 0 && b.Bids[0].Price >= o.price-eps {
				e.fillResting(s, o.size)
				continue
			}
			o.ahead = min(o.ahead, sizeAt(b.Asks, o.price, eps, ask))
		}
	}
}

// clockOf is the engine-clock time of a feed time tNs, kept within the
// time since the previous tick (a looped recording's times are not
// shifted).
func (e *Engine) clockOf(tNs int64) int64 {
	return min(max(e.origin+(tNs-e.startNs), e.prevStart), e.tickStart)
}

// fillResting fills size of our resting order on side s as a maker.
func (e *Engine) fillResting(s int, size float64) {
	o := &e.vn.orders[s]
	e.fill(s, o.price, size, false)
	o.size -= size
	if o.size <= e.p.lot/2 {
		o.active = false
	}
}

// fill books a fill into inventory, cash, volumes and the taker window.
func (e *Engine) fill(s int, px, size float64, taker bool) {
	if size <= 0 {
		return
	}
	if s == bid {
		e.st.inventory += size
		e.st.cash -= px * size
	} else {
		e.st.inventory -= size
		e.st.cash += px * size
	}
	if taker {
		e.c.takerVol += size
		e.c.takerFills++
	} else {
		e.c.makerVol += size
		e.c.makerFills++
	}
	e.tw.add(e.tickStart, size, taker)
	if e.obs != nil {
		e.observeFill(s, px, size, taker)
	}
}

// sizeAt is the visible size at px on side s of a book (bids descending,
// asks ascending: the scan stops once it has passed px).
func sizeAt(levels []marketdata.Level, px, eps float64, s int) float64 {
	for _, lv := range levels {
		if lv.Price >= px-eps && lv.Price <= px+eps {
			return lv.Size
		}
		if (s == bid && lv.Price < px) || (s == ask && lv.Price > px) {
			return 0
		}
	}
	return 0
}
