package engine

import (
	"math"

	"github.com/presoak/presoak/engine/fault"
	"github.com/presoak/presoak/engine/latency"
	"github.com/presoak/presoak/engine/marketdata"
)

// Step runs one tick. On the simulated clock it first advances virtual time
// to the tick's scheduled start; on the real clock it ticks now (Run paces
// it).
func (e *Engine) Step() {
	e.mu.Lock()
	e.step()
	e.mu.Unlock()
}

func (e *Engine) step() {
	if e.sim {
		e.clk.SleepUntil(e.next)
	}
	start := e.clk.Now()
	e.prevStart, e.tickStart = e.tickStart, start
	e.sched.Update(start)
	e.mem.update(e, start)
	e.advanceVenue(start)

	if e.p.pipeline {
		// Issue the fetch for the next tick; its wait overlaps this tick's
		// compute, which runs on the book prefetched during the previous tick.
		nxt := 1 - e.cur
		io, ok := e.fetch(&e.views[nxt], start)
		e.mdAge = start - e.mdAsOf
		work := e.compute[StageFetchMD].Sample(e.rng)
		e.record(StageFetchMD, io+work)
		if !ok {
			e.stageError(StageFetchMD)
		}
		if v := &e.views[e.cur]; e.havePrefetch && v.ok {
			e.computeStages(v)
		}
		e.clk.SleepUntil(start + io + work)
		e.cur = nxt
		e.havePrefetch = true
	} else {
		v := &e.views[e.cur]
		io, ok := e.fetch(v, start)
		e.mdAge = start - e.mdAsOf
		e.clk.Sleep(io)
		e.clk.Work(e.compute[StageFetchMD].Sample(e.rng))
		e.record(StageFetchMD, e.clk.Now()-start)
		if ok {
			e.computeStages(v)
		} else {
			e.stageError(StageFetchMD)
		}
	}

	end := e.clk.Now()
	total := end - start
	e.record(TickTotal, total)
	e.c.ticks++
	if e.vn.orders[bid].active && e.vn.orders[ask].active {
		e.c.twoSidedTicks++
	}
	e.pnlPeak = max(e.pnlPeak, e.pnl())
	if total > e.p.deadline {
		e.c.misses++
	}
	e.next += e.p.interval
	if e.sim && e.next <= end { // overran: skip to the next slot on the grid
		e.skipSlots(uint64((end-e.next)/e.p.interval + 1))
		e.next += ((end-e.next)/e.p.interval + 1) * e.p.interval
	}
}

// pnl is the mark-to-market PnL in quote units: cash plus inventory at
// the mid of the last book priced on.
func (e *Engine) pnl() float64 { return e.st.cash + e.st.inventory*e.st.lastMid }

// skipSlots counts n tick slots that never ran because a tick overran them:
// each is a tick slot (mm_ticks_total) and a deadline miss, and
// mm_tick_slots_skipped_total says how many of those never ran.
func (e *Engine) skipSlots(n uint64) {
	e.c.skipped += n
	e.c.ticks += n
	e.c.misses += n
}

// fetch reads the book into dst through the MD cache or from the venue. It
// returns the I/O latency to wait (the caller waits or overlaps it) and
// whether dst holds a fresh book.
func (e *Engine) fetch(dst *viewBook, now int64) (int64, bool) {
	if e.p.cacheOn {
		if b, hit := e.cacheGet(now); hit {
			dst.copyFrom(b)
			return e.hitLat.Sample(e.rng), true
		}
	}
	br := e.brk[BreakerVenueMD]
	if !br.Allow(now) {
		dst.ok = false
		return 0, false
	}
	io := e.venueLatency(&e.mdLat)
	fail := false
	if m, on := e.sched.Active(fault.FeedStall); on {
		io, fail = int64(m*1e6), true // the request times out after m ms
	} else if m, on := e.sched.Active(fault.VenueErrorBurst); on && e.rng.Float64() < m {
		fail = true
	}
	br.Record(!fail, now+io)
	e.c.venueFetches++
	if fail || e.live == nil {
		dst.ok = false
		return io, false
	}
	top := e.liveTop(now)
	dst.copyFrom(top)
	e.mdAsOf = max(e.mdAsOf, now)
	if e.p.cacheOn {
		e.cache.Put(top, now)
	}
	return io, true
}

// liveTop is the venue's book cut to FetchDepth, its TimeNs asOf: the
// engine-clock time from which the bot knows it as the venue's book (a
// venue answer: the request's time; a streamed book: the time it changed).
// Inside the engine a book's TimeNs is that time, and its age is measured
// from it: by the MD cache's TTL and by mm_quoted_book_age_seconds.
func (e *Engine) liveTop(asOf int64) *marketdata.Book {
	top := topOf(e.live, &e.fetched)
	top.TimeNs = asOf
	return top
}

// cacheGet is fetch_md's request to the MD cache at now, counted as a hit
// or a miss (mm_md_cache_requests_total). An active cache_degradation fault
// makes it miss with probability magnitude.
func (e *Engine) cacheGet(now int64) (*marketdata.Book, bool) {
	if m, on := e.sched.Active(fault.CacheDegradation); on && e.rng.Float64() < m {
		e.cache.Refuse()
		return nil, false
	}
	return e.cache.Get(e.sym, now)
}

// touch is the book a later stage (quote, risk) re-reads the touch from:
// with the MD cache on, the cached book when the cache serves one (a
// degraded cache refuses with the fault's probability), else v, the tick's
// book, without a venue call; with it off, v itself. The re-reads are not
// cache requests (mdcache.Peek): only fetch_md's requests count, so the hit
// ratio is the venue round trips saved. A cached book that cannot be
// priced on (empty, one-sided, crossed: twoSided) falls back to v too,
// which the tick has already found two-sided.
func (e *Engine) touch(v *marketdata.Book) *marketdata.Book {
	if !e.p.cacheOn {
		return v
	}
	if m, on := e.sched.Active(fault.CacheDegradation); on && e.rng.Float64() < m {
		return v
	}
	if b, hit := e.cache.Peek(e.sym, e.clk.Now()); hit && twoSided(b) {
		return b
	}
	return v
}

// venueLatency samples a venue dependency, scaled by an active latency spike.
func (e *Engine) venueLatency(d *latency.Dist) int64 {
	io := d.Sample(e.rng)
	if m, on := e.sched.Active(fault.VenueLatencySpike); on {
		io = int64(float64(io) * m)
	}
	return io
}

// computeStages runs fair_value, spread, quote, risk and submit on v.
func (e *Engine) computeStages(v *viewBook) {
	b := &v.book
	t := e.clk.Now()

	e.clk.Work(e.compute[StageFairValue].Sample(e.rng))
	fair, mid, ok := e.fairValue(b)
	t = e.lap(StageFairValue, t)
	if !ok {
		e.stageError(StageFairValue)
		return
	}

	e.clk.Work(e.compute[StageSpread].Sample(e.rng))
	e.updateSpread(mid, t)
	t = e.lap(StageSpread, t)

	e.clk.Work(e.compute[StageQuote].Sample(e.rng))
	e.quote(e.touch(b), fair)
	e.recordBookAge(t - b.TimeNs)
	t = e.lap(StageQuote, t)

	e.clk.Work(e.compute[StageRisk].Sample(e.rng))
	e.risk(b, e.touch(b))
	t = e.lap(StageRisk, t)

	e.clk.Work(e.compute[StageSubmit].Sample(e.rng))
	placed := e.c.placed
	e.submit()
	e.lap(StageSubmit, t)
	if e.obs != nil {
		e.observeQuote(mid, fair, e.c.placed-placed)
	}
}

// lap records stage s as ending now and returns now.
func (e *Engine) lap(s int, since int64) int64 {
	now := e.clk.Now()
	e.record(s, now-since)
	return now
}

func (e *Engine) stageError(s int) {
	e.c.stageErrors[s]++
	e.c.tickErrors++
}

// advanceVenue moves the simulated venue to now: the market's book and
// trades, matched against our resting orders.
//
// It also plays the venue's market-data stream into the MD cache: when the
// book has changed since the previous tick (and no feed_stall fault holds
// the stream), the new book is cached as of the engine-clock time it
// changed (its TimeNs on the engine's clock, kept within the time since the
// previous tick: a looped recording's times are not shifted), so fetch_md
// is served it while it is younger than md_cache.ttl.
func (e *Engine) advanceVenue(now int64) {
	book, trades := e.feed.AdvanceTo(e.startNs + (now - e.origin))
	if m, on := e.sched.Active(fault.MarketTrend); on && e.prevStart > 0 {
		e.trendBps = min(e.trendBps+m*float64(now-e.prevStart)/float64(60e9), maxTrendBps)
	}
	if e.trendBps > 0 && book != nil {
		book, trades = e.shift(book, trades)
	}
	e.live = book
	e.liveMid = 0
	if book != nil {
		if twoSided(book) {
			e.liveMid = (book.Bids[0].Price + book.Asks[0].Price) / 2
		}
		if book.Symbol != "" && book.Symbol != e.sym {
			e.sym = book.Symbol
		}
		if book.TimeNs != e.liveSeenNs || e.liveAsOf == 0 {
			e.liveSeenNs = book.TimeNs
			e.liveAsOf = e.clockOf(book.TimeNs)
			if _, stalled := e.sched.Active(fault.FeedStall); e.p.cacheOn && !stalled && len(book.Bids)+len(book.Asks) > 0 {
				e.cache.Put(e.liveTop(e.liveAsOf), e.liveAsOf)
				e.mdAsOf = max(e.mdAsOf, e.liveAsOf)
			}
		}
	}
	e.match(trades, book)
}

// maxTrendBps bounds how far a market_trend fault moves the market (90 %
// down), so prices stay positive however long it runs.
const maxTrendBps = 9000

// shift is the venue's book and trades moved down by e.trendBps (a
// market_trend fault), rounded to the tick size, in the engine's own
// buffers (the feed's are not touched).
func (e *Engine) shift(b *marketdata.Book, trades []marketdata.Trade) (*marketdata.Book, []marketdata.Trade) {
	f := 1 - e.trendBps*1e-4
	v := &e.shifted
	v.copyFrom(b)
	for i := range v.book.Bids {
		v.book.Bids[i].Price = e.roundTick(v.book.Bids[i].Price * f)
	}
	for i := range v.book.Asks {
		v.book.Asks[i].Price = e.roundTick(v.book.Asks[i].Price * f)
	}
	if e.shiftedTrades == nil { // once: more trades than this in one tick grow it
		e.shiftedTrades = make([]marketdata.Trade, 0, 1024)
	}
	e.shiftedTrades = append(e.shiftedTrades[:0], trades...)
	for i := range e.shiftedTrades {
		e.shiftedTrades[i].Price = e.roundTick(e.shiftedTrades[i].Price * f)
	}
	return &v.book, e.shiftedTrades
}

func (e *Engine) roundTick(px float64) float64 {
	return math.Round(px/e.p.tick) * e.p.tick
}
