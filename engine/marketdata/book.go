package marketdata

// level is one book level in exact units.
type level struct{ ticks, lots int64 }

// bookSide is one side of a book: at most MaxDepth levels, best first.
// sgn is +1 for asks and -1 for bids, so sgn*ticks ascends from the best
// level. out mirrors lv as the float Levels a Book hands out; it is brought
// up to date when a Book is handed out (levels), from the first level
// changed since (dirty), so applying an event converts nothing.
type bookSide struct {
	sgn   int64
	n     int
	dirty int // out[:dirty] is current; dirty == MaxDepth: all of it
	sc    scale
	lv    [MaxDepth]level
	out   [MaxDepth]Level
}

// set sets the size of the level at ticks; lots 0 removes it. Removing an
// absent level is a no-op; a level worse than the worst of a full side is
// forgotten, and a better one pushes the worst out.
func (s *bookSide) set(ticks, lots int64) {
	i := 0
	switch {
	case s.n > 0 && s.sgn*(ticks-s.lv[s.n-1].ticks) > 0:
		i = s.n // beyond the worst level (refilling depth): no scan
	case s.sgn > 0:
		for i < s.n && s.lv[i].ticks < ticks {
			i++
		}
	default:
		for i < s.n && s.lv[i].ticks > ticks {
			i++
		}
	}
	if i < s.n && s.lv[i].ticks == ticks {
		if lots == 0 {
			copy(s.lv[i:s.n-1], s.lv[i+1:s.n])
			s.n--
		} else {
			s.lv[i].lots = lots
		}
		s.dirty = min(s.dirty, i)
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
	s.dirty = min(s.dirty, i)
}

// levels is the side as float Levels, best first: out brought up to date.
// The conversion is sc.price and sc.size of each level, whenever it is done.
func (s *bookSide) levels() []Level {
	for i := s.dirty; i < s.n; i++ {
		s.out[i] = Level{Price: s.sc.price(s.lv[i].ticks), Size: s.sc.size(s.lv[i].lots)}
	}
	s.dirty = MaxDepth
	return s.out[:s.n]
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

// clear empties both sides.
func (b *bookState) clear() {
	b.bids.n, b.asks.n = 0, 0
	b.bids.dirty, b.asks.dirty = 0, 0
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
			b.clear()
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
// level arrays, so refreshing it never allocates; it converts only the
// levels changed since the last refresh.
type view struct {
	book Book
}

// refresh points the Book at b's current levels.
func (v *view) refresh(b *bookState) *Book {
	v.book.TimeNs = b.timeNs
	v.book.Bids = b.bids.levels()
	v.book.Asks = b.asks.levels()
	return &v.book
}

// trade converts a trade event.
func (sc *scale) trade(ev *Event) Trade {
	return Trade{TimeNs: ev.TimeNs, Price: sc.price(ev.Ticks), Size: sc.size(ev.Lots), Aggressor: ev.Side}
}
