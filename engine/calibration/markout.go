package calibration

import (
	"strconv"

	"github.com/presoak/presoak/engine"
)

// pendingFill is a fill waiting for the mids at its horizons.
type pendingFill struct {
	id   int64
	f    engine.FillEvent
	mids [len(Horizons)]float64
	got  [len(Horizons)]bool
}

// MarkoutBps is the markout of a fill at mid: side * (mid - price) / price,
// in bps; side is +1 for a buy, -1 for a sell. Positive is money made.
func MarkoutBps(side int8, price, mid float64) float64 {
	return float64(side) * (mid - price) / price * 1e4
}

// resolve gives every pending fill whose horizon has come the mid at t, and
// writes the markouts of the fills with every horizon resolved (in order).
func (r *Recorder) resolve(t int64, mid float64) {
	for i := range r.pending {
		p := &r.pending[i]
		for h, d := range Horizons {
			if !p.got[h] && t >= p.f.TimeNs+int64(d) {
				p.mids[h], p.got[h] = mid, true
			}
		}
	}
	for len(r.pending) > 0 && r.pending[0].got[len(Horizons)-1] {
		r.writeOldestMarkout()
	}
}

// writeOldestMarkout writes the oldest pending fill's markouts (blank where
// a horizon is unresolved) and drops it.
func (r *Recorder) writeOldestMarkout() {
	p := r.pending[0]
	r.pending = r.pending[1:]
	b := r.buf[:0]
	b = strconv.AppendInt(b, p.id, 10)
	b = p.appendFill(b)
	b = appendFloat(b, p.f.Mid)
	for h := range Horizons {
		b = append(b, ',')
		if p.got[h] {
			b = strconv.AppendFloat(b, p.mids[h], 'g', -1, 64)
		}
	}
	b = appendFloat(b, MarkoutBps(p.f.Side, p.f.Price, p.f.Mid))
	for h := range Horizons {
		b = append(b, ',')
		if p.got[h] {
			b = strconv.AppendFloat(b, MarkoutBps(p.f.Side, p.f.Price, p.mids[h]), 'g', -1, 64)
		}
	}
	b = append(b, '\n')
	r.buf = b
	r.setErr(r.marks.write(b))
}

// appendFill appends ",time_ns,side,price,size,liquidity".
func (p *pendingFill) appendFill(b []byte) []byte {
	b = append(b, ',')
	b = strconv.AppendInt(b, p.f.TimeNs, 10)
	if p.f.Side > 0 {
		b = append(b, ",buy"...)
	} else {
		b = append(b, ",sell"...)
	}
	b = appendFloat(b, p.f.Price)
	b = appendFloat(b, p.f.Size)
	if p.f.Taker {
		b = append(b, ",taker"...)
	} else {
		b = append(b, ",maker"...)
	}
	return b
}
