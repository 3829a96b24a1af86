package marketdata

import (
	"math"
	"math/rand/v2"
)

// The synthetic market's model (prices in ticks, sizes in lots, time in
// seconds; volatility and level spacing in relative terms, so the market
// moves alike at any price and tick size).
//
// A fair price follows a Gaussian random walk whose volatility, in basis
// points of the price per √s, depends on a two-state regime: calm (mean
// stay 90 s, σ = 0.8 bps/√s: ~0.25 bps per 100 ms, ~45 % a year, about
// BTC's) and volatile (mean stay 20 s, σ = 2.4 bps/√s, events 2.5× as
// frequent, spreads up to 5 ticks instead of 2). During calm, quiet spells
// (every ~2 min, ~6 s long) slow events to a tenth and σ to 0.3×. Events
// arrive as a Poisson process. Each event is either a trade at the touch
// (aggressor leaning toward the fair price's side of the mid; a trade
// consumes the queue at the best level and may sweep up to 3 levels; 5% of
// trades start a burst of 3-14 same-side trades a few milliseconds apart,
// each moving the fair price 0.1 bps its way) or book maintenance: levels on
// the wrong side of the fair price are cancelled, the touch is re-joined
// when the spread is wider than the regime allows, one random level is
// resized, cancelled or inserted, and depth is refilled to Depth levels.
// Behind the touch levels are on average levelGapBps apart (at least a
// tick), so the 20 levels span ~1 bps of price per side. Level sizes are
// log-normal (median 300 lots, growing with distance from the touch), trade
// sizes log-normal (median 30 lots).
// Every event is applied to the generator's own book with the replay code,
// so a replay of the output sees exactly the generator's book. Random
// variates come from a PCG source through detmath.go (normals by the polar
// method, exponentials as -ln U), so a seed gives the same market on every
// platform.
const (
	calmSigmaBps, volatileSigmaX = 0.8, 3.0 // bps per √s; volatile: × calm
	burstImpactBps, levelGapBps  = 0.1, 0.05
	calmStay, volatileStay       = 90.0, 20.0
	quietEvery, quietStay        = 120.0, 6.0
	volatileRate, quietRate      = 2.5, 0.1
	calmSpread, volatileSpread   = 2.0, 5.0
	calmTradeP, volatileTradeP   = 0.2, 0.3
	burstP, burstGap             = 0.05, 0.004
	levelMedianLots, tradeMedian = 300.0, 30.0
	maxSweep                     = 3
)

type generator struct {
	o   SyntheticOptions
	sc  scale
	rng *rand.Rand
	src *rand.PCG // rng's source, drawn from directly by uniform

	t       int64
	started bool
	opening bool    // advance has set up the start: events makes the opening snapshot
	fair    float64 // ticks
	gap     int64   // mean ticks between levels behind the touch

	volatile  bool
	regimeEnd int64
	quiet     bool
	quietEnd  int64
	nextQuiet int64
	burstLeft int
	burstSide Side
	nextSnap  int64

	book  bookState
	batch []Event
	// tradesOnly keeps only the trade rows in batch: a feed hands out the
	// generator's book and needs the batch for its trades alone.
	tradesOnly bool

	spare    float64 // the polar method's second normal variate
	hasSpare bool
}

func newGenerator(o SyntheticOptions, sc scale) *generator {
	src := rand.NewPCG(uint64(o.Seed), 0x9e3779b97f4a7c15)
	return &generator{
		o:     o,
		sc:    sc,
		rng:   rand.New(src),
		src:   src,
		gap:   max(1, int64(math.Round(float64(levelGapBps*1e-4*o.StartPrice)/o.TickSize))),
		book:  newBookState(sc),
		batch: make([]Event, 0, 8*MaxDepth),
	}
}

// levelGap is the distance in ticks from one level to the next behind it:
// 1..2·gap-1 ticks, gap on average.
func (g *generator) levelGap() int64 { return 1 + g.rng.Int64N(2*g.gap-1) }

// bpsTicks is x basis points of the fair price, in ticks.
func (g *generator) bpsTicks(x float64) float64 { return float64(g.fair * float64(x*1e-4)) }

func (g *generator) secs(mean float64) int64 { return int64(g.expVariate()*mean*1e9) + 1 }

// step produces the next batch of events, all at one time, and applies them
// to the generator's own book. The batch may be empty.
func (g *generator) step() []Event {
	g.advance()
	return g.events()
}

// advance moves the clock to the next batch's time (drawing the wait, the
// fair price's move and the regime switches); events then makes the batch.
// A feed stops between the two when the batch is not due yet: the book is
// then exactly the book as of the last batch made, and the draws come in
// the same order as step's.
func (g *generator) advance() {
	if !g.started {
		g.started = true
		g.t = g.o.StartNs
		g.fair = math.Round(g.o.StartPrice/g.o.TickSize) + 0.5
		g.regimeEnd = g.t + g.secs(calmStay)
		g.nextQuiet = g.t + g.secs(quietEvery)
		g.nextSnap = g.t + g.o.SnapshotEvery.Nanoseconds()
		g.opening = true
		return
	}
	rate := g.o.EventRate
	sigma := calmSigmaBps
	if g.volatile {
		rate *= volatileRate
		sigma *= volatileSigmaX
	} else if g.quiet {
		rate *= quietRate
		sigma *= 0.3
	}
	dt := g.expVariate() / rate
	if g.burstLeft > 0 {
		dt = g.expVariate() * burstGap
	}
	dtNs := int64(dt*1e9) + 1
	g.t += dtNs
	g.fair += float64(g.normVariate() * g.bpsTicks(sigma) * math.Sqrt(float64(dtNs)/1e9))
	if min := float64(4 * MaxDepth); g.fair < min {
		g.fair = min
	}
	g.switchRegimes()
}

// events makes the batch at the time advance moved to.
func (g *generator) events() []Event {
	g.batch = g.batch[:0]
	if g.opening {
		g.opening = false
		g.maintain(g.o.Depth)
		g.batch = g.batch[:0] // the opening book goes out as the snapshot alone
		g.snapshot()
		return g.batch
	}
	if g.o.SnapshotEvery > 0 && g.t >= g.nextSnap {
		for g.nextSnap <= g.t {
			g.nextSnap += g.o.SnapshotEvery.Nanoseconds()
		}
		g.maintain(2)
		g.snapshot()
		return g.batch
	}
	if g.burstLeft > 0 {
		g.burstLeft--
		g.fair += float64(float64(g.burstSide) * g.bpsTicks(burstImpactBps))
		g.trade(g.burstSide)
		return g.batch
	}
	p := calmTradeP
	if g.volatile {
		p = volatileTradeP
	}
	if g.uniform() < p {
		side := g.tradeSide()
		g.trade(side)
		if g.uniform() < burstP {
			g.burstLeft = 3 + g.rng.IntN(12)
			g.burstSide = side
		}
		return g.batch
	}
	g.maintain(2)
	return g.batch
}

func (g *generator) switchRegimes() {
	for g.t >= g.regimeEnd {
		g.volatile = !g.volatile
		stay := calmStay
		if g.volatile {
			stay = volatileStay
		}
		g.regimeEnd += g.secs(stay)
	}
	if g.quiet && g.t >= g.quietEnd {
		g.quiet = false
		g.nextQuiet = g.t + g.secs(quietEvery)
	}
	if !g.quiet && g.t >= g.nextQuiet {
		if g.volatile {
			g.nextQuiet = g.t + g.secs(quietEvery)
		} else {
			g.quiet = true
			g.quietEnd = g.t + g.secs(quietStay)
		}
	}
}

func (g *generator) emit(kind EventKind, side Side, ticks, lots int64) {
	if kind == KindDiff { // bookState.apply's diff case, without its switch
		if !g.tradesOnly {
			g.batch = append(g.batch, Event{TimeNs: g.t, Kind: kind, Side: side, Ticks: ticks, Lots: lots})
		}
		g.book.side(side).set(ticks, lots)
		g.book.inSnapshot = false
		g.book.timeNs = g.t
		return
	}
	g.batch = append(g.batch, Event{TimeNs: g.t, Kind: kind, Side: side, Ticks: ticks, Lots: lots})
	g.book.apply(&g.batch[len(g.batch)-1])
	if kind != KindTrade && g.tradesOnly {
		g.batch = g.batch[:len(g.batch)-1] // a snapshot row: the feed needs only trades
	}
}

func (g *generator) levelLots(depth int) int64 {
	l := levelMedianLots * (1 + float64(0.15*float64(depth))) * detExp(0.6*g.normVariate())
	return int64(l) + 1
}

// snapshot emits the whole book as snapshot rows.
func (g *generator) snapshot() {
	bids, asks := g.book.bids, g.book.asks // copies: applying rows rewrites the book
	for i := 0; i < bids.n; i++ {
		g.emit(KindSnapshot, Buy, bids.lv[i].ticks, bids.lv[i].lots)
	}
	for i := 0; i < asks.n; i++ {
		g.emit(KindSnapshot, Sell, asks.lv[i].ticks, asks.lv[i].lots)
	}
}

// maintain keeps the book consistent with the fair price (align), makes one
// random change behind the touch and refills up to refill levels per side.
func (g *generator) maintain(refill int) {
	g.align()
	b := &g.book
	side, bs := Buy, &b.bids
	if g.rng.IntN(2) == 1 {
		side, bs = Sell, &b.asks
	}
	switch u := g.uniform(); {
	case u < 0.5 && bs.n > 0: // resize
		i := g.rng.IntN(bs.n)
		l := int64(float64(bs.lv[i].lots)*detExp(0.35*g.normVariate())) + 1
		g.emit(KindDiff, side, bs.lv[i].ticks, l)
	case u < 0.7 && bs.n > 1: // cancel a level behind the touch
		i := 1 + g.rng.IntN(bs.n-1)
		g.emit(KindDiff, side, bs.lv[i].ticks, 0)
	case u < 0.9 && bs.n > 0 && g.o.Depth > 1: // insert behind the touch
		d := 1 + g.rng.Int64N(int64(g.o.Depth-1)*g.gap)
		ticks := bs.lv[0].ticks - int64(side)*d
		if bs.find(ticks) < 0 && ticks > 0 {
			g.emit(KindDiff, side, ticks, g.levelLots(int(d/g.gap)))
		}
	}
	g.fill(Buy, &b.bids, refill)
	g.fill(Sell, &b.asks, refill)
}

// align cancels the levels on the wrong side of the fair price and re-joins
// the touch when the spread is wider than the regime allows.
func (g *generator) align() {
	f := g.fair
	b := &g.book
	for b.bids.n > 0 && float64(b.bids.lv[0].ticks) > f-0.5 {
		g.emit(KindDiff, Buy, b.bids.lv[0].ticks, 0)
	}
	for b.asks.n > 0 && float64(b.asks.lv[0].ticks) < f+0.5 {
		g.emit(KindDiff, Sell, b.asks.lv[0].ticks, 0)
	}
	half := calmSpread / 2
	if g.volatile {
		half = volatileSpread / 2
	}
	if nb := int64(math.Floor(f - 0.5)); b.bids.n == 0 || (f-float64(b.bids.lv[0].ticks) > half && nb > b.bids.lv[0].ticks) {
		g.emit(KindDiff, Buy, nb, g.levelLots(0))
	}
	if na := int64(math.Ceil(f + 0.5)); b.asks.n == 0 || (float64(b.asks.lv[0].ticks)-f > half && na < b.asks.lv[0].ticks) {
		g.emit(KindDiff, Sell, na, g.levelLots(0))
	}
}

// fill trims a side to Depth levels and adds up to refill levels behind the worst.
func (g *generator) fill(side Side, bs *bookSide, refill int) {
	for bs.n > g.o.Depth {
		g.emit(KindDiff, side, bs.lv[bs.n-1].ticks, 0)
	}
	for k := 0; bs.n > 0 && bs.n < g.o.Depth && (k < refill || 2*bs.n <= g.o.Depth); k++ {
		ticks := bs.lv[bs.n-1].ticks - int64(side)*g.levelGap()
		if ticks <= 0 {
			return
		}
		g.emit(KindDiff, side, ticks, g.levelLots(bs.n))
	}
}

// tradeSide picks the aggressor, leaning toward the fair price's side of the mid.
func (g *generator) tradeSide() Side {
	p := 0.5
	if g.book.bids.n > 0 && g.book.asks.n > 0 {
		mid := float64(g.book.bids.lv[0].ticks+g.book.asks.lv[0].ticks) / 2
		p += math.Max(-0.3, math.Min(0.3, float64(0.15*(g.fair-mid))))
	}
	if g.uniform() < p {
		return Buy
	}
	return Sell
}

// trade emits a trade by side's aggressor that consumes the opposite touch:
// a trade row per level reached and the diff that shrinks or removes it;
// then the book re-aligns with the fair price.
func (g *generator) trade(side Side) {
	opp, oppSide := &g.book.asks, Sell
	if side == Sell {
		opp, oppSide = &g.book.bids, Buy
	}
	var avail int64
	for i := 0; i < opp.n && i < maxSweep; i++ {
		avail += opp.lv[i].lots
	}
	want := int64(tradeMedian*detExp(1.1*g.normVariate())) + 1
	if want > avail {
		want = avail
	}
	for want > 0 && opp.n > 0 {
		lv := opp.lv[0]
		take := min(want, lv.lots)
		g.emit(KindTrade, side, lv.ticks, take)
		g.emit(KindDiff, oppSide, lv.ticks, lv.lots-take)
		want -= take
	}
	// Liquidity comes back at once: the touch re-forms around the fair
	// price, a side left thin is refilled.
	g.align()
	g.fill(Buy, &g.book.bids, 0)
	g.fill(Sell, &g.book.asks, 0)
}
