package engine

import "time"

const twBuckets = 64

// takerWindow is the rolling maker and taker volume over taker_cap.window,
// kept in twBuckets time buckets so that it never allocates.
type takerWindow struct {
	width        int64
	head         int64 // bucket number (time / width) of the newest bucket
	maker, taker [twBuckets]float64
	sumM, sumT   float64
}

func newTakerWindow(window time.Duration) takerWindow {
	w := int64(window) / twBuckets
	if w < 1 {
		w = 1
	}
	return takerWindow{width: w, head: -1}
}

func (w *takerWindow) advance(now int64) {
	b := now / w.width
	if b <= w.head {
		return
	}
	if w.head < 0 || b-w.head >= twBuckets {
		w.maker, w.taker = [twBuckets]float64{}, [twBuckets]float64{}
	} else {
		for h := w.head + 1; h <= b; h++ {
			i := h % twBuckets
			w.maker[i], w.taker[i] = 0, 0
		}
	}
	w.head = b
	w.sumM, w.sumT = 0, 0
	for i := range w.maker {
		w.sumM += w.maker[i]
		w.sumT += w.taker[i]
	}
}

func (w *takerWindow) add(now int64, size float64, taker bool) {
	w.advance(now)
	i := w.head % twBuckets
	if taker {
		w.taker[i] += size
		w.sumT += size
	} else {
		w.maker[i] += size
		w.sumM += size
	}
}

// sharePctWith is the rolling taker share (%) if extraTaker more taker
// volume filled now.
func (w *takerWindow) sharePctWith(now int64, extraTaker float64) float64 {
	w.advance(now)
	total := w.sumM + w.sumT + extraTaker
	if total <= 0 {
		return 0
	}
	return (w.sumT + extraTaker) / total * 100
}
