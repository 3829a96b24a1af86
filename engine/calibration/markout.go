package calibration

import (
	"strconv"

	"github.com/presoak/presoak/engine"
)

// pendingFill is a fill waiting for the mids at its horizons.
type pendingFill struct {
	id   int64
	f    engine.FillEvent
	mid0 bool // mid_0 resolved (else late: no market mid within the tolerance)
	mids [len(Horizons)]float64
	got  [len(Horizons)]bool
	late [len(Horizons)]bool // no market mid observed within the tolerance
}

// done reports whether every horizon is resolved or late.
func (p *pendingFill) done() bool {
	for h := range Horizons {
		if !p.got[h] && !p.late[h] {
			return false
		}
	}
	return true
}

// MarkoutBps is the markout of a fill at mid: side * (mid - price) / price,
// in bps; side is +1 for a buy, -1 for a sell. Positive is money made.
func MarkoutBps(side int8, price, mid float64) float64 {
	return float64(side) * (mid - price) / price * 1e4
}

// resolve takes the market mid observed at t: every pending fill whose
// horizon has come gets it when t is within the tolerance of fill time +
// horizon (and the market had a mid); otherwise the horizon is late, never
// resolved by a later observation. The markouts of the oldest fills with
// every horizon resolved or late are written, in order.
func (r *Recorder) resolve(t int64, mid float64) {
	tol := int64(r.opts.HorizonTolerance)
	for i := range r.pending {
		p := &r.pending[i]
		for h, d := range Horizons {
			target := p.f.TimeNs + int64(d)
			if p.got[h] || p.late[h] || t < target {
				continue
			}
			if t-target <= tol && mid > 0 {
				p.mids[h], p.got[h] = mid, true
			} else {
				p.late[h] = true
			}
		}
	}
	for len(r.pending) > 0 && r.pending[0].done() {
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
	b = append(b, ',')
	if p.mid0 {
		b = strconv.AppendFloat(b, p.f.Mid, 'g', -1, 64)
	}
	for h := range Horizons {
		b = append(b, ',')
		if p.got[h] {
			b = strconv.AppendFloat(b, p.mids[h], 'g', -1, 64)
		}
	}
	b = append(b, ',')
	if p.mid0 {
		b = strconv.AppendFloat(b, MarkoutBps(p.f.Side, p.f.Price, p.f.Mid), 'g', -1, 64)
	}
	for h := range Horizons {
		b = append(b, ',')
		if p.got[h] {
			b = strconv.AppendFloat(b, MarkoutBps(p.f.Side, p.f.Price, p.mids[h]), 'g', -1, 64)
		}
	}
	b = append(b, ',')
	sep := false
	if !p.mid0 {
		b, sep = append(b, HorizonNames[0]...), true
	}
	for h := range Horizons {
		if p.late[h] {
			if sep {
				b = append(b, ';')
			}
			b, sep = append(b, HorizonNames[h+1]...), true
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
