package marketdata

import "math"

// Recording is a pre-parsed recording: its manifest and every row as an Event.
type Recording struct {
	Manifest Manifest
	Events   []Event
}

// Replay returns a fresh replay of the recording: a Feed whose AdvanceTo
// never allocates. Replays of one Recording are independent and may run
// concurrently; the Recording must not be modified while they run.
func (r *Recording) Replay() Feed { return r.newReplay() }

func (r *Recording) newReplay() *replay {
	sc, err := r.Manifest.scale()
	if err != nil {
		sc = scale{tickUnits: 1, lotUnits: 1}
	}
	p := &replay{events: r.Events, sc: sc, book: newBookState(sc), last: math.MinInt64}
	p.v.book.Symbol = r.Manifest.Symbol
	n := 0
	for i := range r.Events {
		if r.Events[i].Kind == KindTrade {
			n++
		}
	}
	p.trades = make([]Trade, 0, n)
	for i := range r.Events {
		if r.Events[i].Kind == KindTrade {
			p.trades = append(p.trades, sc.trade(&r.Events[i]))
		}
	}
	return p
}

// replay is the Feed of a pre-parsed recording. Its trades are converted
// once, so AdvanceTo returns a sub-slice of them.
type replay struct {
	events []Event
	trades []Trade
	sc     scale
	i, ti  int
	last   int64
	book   bookState
	v      view
}

func (p *replay) AdvanceTo(tNs int64) (*Book, []Trade) {
	if tNs < p.last {
		return p.v.refresh(&p.book), nil
	}
	p.last = tNs
	t0 := p.ti
	for p.i < len(p.events) && p.events[p.i].TimeNs <= tNs {
		ev := &p.events[p.i]
		p.book.apply(ev)
		if ev.Kind == KindTrade {
			p.ti++
		}
		p.i++
	}
	return p.v.refresh(&p.book), p.trades[t0:p.ti:p.ti]
}

func (p *replay) Done() bool { return p.i >= len(p.events) }
