package signal

import (
	"sort"
	"time"
)

// scrapeFailures is the share of the samples in (at-window, at] (as span:
// Prometheus 3's range selection; window 0 is the instant at) that are down — refused, timed out, garbage, oversized —
// in percent. target_down only sees a window with no good read at all; a
// bot that serves garbage every other scrape shows here as 50%.
func (s *Series) scrapeFailures(at time.Time, window time.Duration) Value {
	hiNs := at.UnixNano()
	loNs := hiNs - int64(window)
	if window <= 0 {
		loNs = hiNs - 1
	}
	i := sort.Search(s.n, func(k int) bool { return s.at(k).atNs > loNs })
	j := sort.Search(s.n, func(k int) bool { return s.at(k).atNs > hiNs })
	if i >= j {
		return noData("no sample in the window")
	}
	down := 0
	for k := i; k < j; k++ {
		if !s.at(k).up {
			down++
		}
	}
	return value(100 * float64(down) / float64(j-i))
}
