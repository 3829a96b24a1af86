package marketdata

// level is one book level in exact units.
type level struct{ ticks, lots int64 }

// bookSide is one side of a book: at most MaxDepth levels, best first.
// sgn is +1 for asks and -1 for bids, so sgn*ticks ascends from the best
// level. out mirrors lv as the float Levels a Book hands out, kept up to
// date level by level so handing out a book converts nothing.
type bookSide struct {
	sgn int64
	n   int
	sc  scale
	lv  [MaxDepth]level
	out [MaxDepth]Level
}

// set sets the size of the level at ticks; lots 0 removes it. Removing an
// absent level is a no-op; a level worse than the worst of a full side is
// forgotten, and a better one pushes the worst out.
func (s *bookSide) set(ticks, lots int64) {
	i := 0
	if s.sgn > 0 {
		for i < s.n && s.lv[i].ticks < ticks {
			i++
		}
	} else {
		for i < s.n && s.lv[i].ticks > ticks {
			i++
		}
	}
	if i < s.n && s.lv[i].ticks == ticks {
		if lots == 0 {
			copy(s.lv[i:s.n-1], s.lv[i+1:s.n])
			copy(s.out[i:s.n-1], s.out[i+1:s.n])
			s.n--
			return
		}
		s.lv[i].lots = lots
		s.out[i].Size = s.sc.size(lots)
		return
	}
	if lots == 0 || i == MaxDepth {
		return
	}
	if s.n == MaxDepth {
		s.n--
	}
	copy(s.lv[i+1:s.n+1], s.lv[i:s.n])
	copy(s.out[i+1:s.n+1], s.out[i:s.n])
	s.lv[i] = level{ticks, lots}
	s.out[i] = Level{Price: s.sc.price(ticks), Size: s.sc.size(lots)}
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
}

func newBookState(sc scale) bookState {
	return bookState{bids: bookSide{sgn: -1, sc: sc}, asks: bookSide{sgn: 1, sc: sc}}
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
	case KindDiff:
		b.side(ev.Side).set(ev.Ticks, ev.Lots)
		b.inSnapshot = false
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

// view is the Book a feed hands out: its slices point into a bookState's
// level arrays, so refreshing it never allocates or converts.
type view struct {
	book Book
}

// refresh points the Book at b's current levels.
func (v *view) refresh(b *bookState) *Book {
	v.book.TimeNs = b.timeNs
	v.book.Bids = b.bids.out[:b.bids.n]
	v.book.Asks = b.asks.out[:b.asks.n]
	return &v.book
}

// trade converts a trade event.
func (sc *scale) trade(ev *Event) Trade {
	return Trade{TimeNs: ev.TimeNs, Price: sc.price(ev.Ticks), Size: sc.size(ev.Lots), Aggressor: ev.Side}
}
