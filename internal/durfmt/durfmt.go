// Package durfmt renders a latency the one way every report, check message
// and progress line shows it, so a p95 reads the same in the budget's
// verdict, the baseline's charts and the shadow's progress line.
package durfmt

import (
	"strconv"
	"time"
)

// Latency renders d with a unit that suits its size and three significant
// digits: nanoseconds below 1µs ("150ns"), microseconds below 1ms
// ("412µs"), milliseconds below 10s ("33.1ms", "2.50ms", "1500ms" is
// "1500ms"), and seconds with two decimals from 10s ("12.00s").
func Latency(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + "s"
	case d >= time.Millisecond:
		return sig3(float64(d)/1e6) + "ms"
	case d >= time.Microsecond:
		return sig3(float64(d)/1e3) + "µs"
	}
	return strconv.FormatInt(int64(d), 10) + "ns"
}

// sig3 renders v (>= 1) with three significant digits.
func sig3(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}
