package marketdata

// level is one book level in exact units.
type level struct{ ticks, lots int64 }

// bookSide is one side of a book: at most MaxDepth levels, best first.
// sgn is +1 for asks and -1 for bids, so sgn*ticks ascends from the best level.
type bookSide struct {
	sgn int64
	n   int
	lv  [MaxDepth]level
}

// set sets the size of the level at ticks; lots 0 removes it. Removing an
// absent level is a no-op; a level worse than the worst of a full side is
// forgotten, and a better one pushes the worst out.
func (s *bookSide) set(ticks, lots int64) {
	key := s.sgn * ticks
	i := 0
	for i < s.n && s.sgn*s.lv[i].ticks < key {
		i++
	}
	if i < s.n && s.lv[i].ticks == ticks {
		if lots == 0 {
			copy(s.lv[i:s.n-1], s.lv[i+1:s.n])
			s.n--
			return
		}
		s.lv[i].lots = lots
		return
	}
	if lots == 0 || i == MaxDepth {
		return
	}
	if s.n == MaxDepth {
		s.n--
	}
	copy(s.lv[i+1:s.n+1], s.lv[i:s.n])
	s.lv[i] = level{ticks, lots}
	s.n++
}

// find returns the index of the level at ticks, or -1.
func (s *bookSide) find(ticks int64) int {
	for i := 0; i < s.n; i++ {
		if s.lv[i].ticks == ticks {
			return i
		}
	}
	return -1
}

// bookState is a book in exact units plus the state needed to apply events:
// whether the previous event was a snapshot row, and its time.
type bookState struct {
	bids, asks bookSide
	timeNs     int64
	inSnapshot bool // the previous event was a snapshot row at timeNs
	trades     int  // trades applied (counted, not stored)
	version    uint64
}

func newBookState() bookState {
	return bookState{bids: bookSide{sgn: -1}, asks: bookSide{sgn: 1}}
}

func (b *bookState) side(s Side) *bookSide {
	if s == Buy {
		return &b.bids
	}
	return &b.asks
}

// apply applies one event. A snapshot row that does not continue a snapshot
// (previous row a snapshot row at the same time) clears the book first.
func (b *bookState) apply(ev *Event) {
	switch ev.Kind {
	case KindSnapshot:
		if !b.inSnapshot || ev.TimeNs != b.timeNs {
			b.bids.n, b.asks.n = 0, 0
		}
		b.side(ev.Side).set(ev.Ticks, ev.Lots)
		b.inSnapshot = true
		b.version++
	case KindDiff:
		b.side(ev.Side).set(ev.Ticks, ev.Lots)
		b.inSnapshot = false
		b.version++
	case KindTrade:
		b.inSnapshot = false
		b.trades++
	}
	b.timeNs = ev.TimeNs
}

// crossed reports a crossed or locked book (best bid >= best ask).
func (b *bookState) crossed() bool {
	return b.bids.n > 0 && b.asks.n > 0 && b.bids.lv[0].ticks >= b.asks.lv[0].ticks
}

// view is the Book a feed hands out, backed by fixed arrays: refreshing it
// never allocates. It must not be copied after first use.
type view struct {
	book       Book
	bids, asks [MaxDepth]Level
	version    uint64
	fresh      bool
}

// refresh rebuilds the Book from b when b changed since the last refresh.
func (v *view) refresh(b *bookState, sc *scale) *Book {
	v.book.TimeNs = b.timeNs
	if v.fresh && v.version == b.version {
		return &v.book
	}
	for i := 0; i < b.bids.n; i++ {
		v.bids[i] = Level{Price: sc.price(b.bids.lv[i].ticks), Size: sc.size(b.bids.lv[i].lots)}
	}
	for i := 0; i < b.asks.n; i++ {
		v.asks[i] = Level{Price: sc.price(b.asks.lv[i].ticks), Size: sc.size(b.asks.lv[i].lots)}
	}
	v.book.Bids = v.bids[:b.bids.n]
	v.book.Asks = v.asks[:b.asks.n]
	v.version, v.fresh = b.version, true
	return &v.book
}

// trade converts a trade event.
func (sc *scale) trade(ev *Event) Trade {
	return Trade{TimeNs: ev.TimeNs, Price: sc.price(ev.Ticks), Size: sc.size(ev.Lots), Aggressor: ev.Side}
}
