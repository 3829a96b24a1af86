package monitoring

import (
	"strconv"
	"strings"
	"time"
)

// FormatDuration writes d the way Prometheus reads durations: "90s", "10m",
// "1h30m", "250ms". Zero is "0s".
func FormatDuration(d time.Duration) string {
	if d <= 0 {
		return "0s"
	}
	var b strings.Builder
	units := []struct {
		d    time.Duration
		name string
	}{{time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}, {time.Millisecond, "ms"}}
	for _, u := range units {
		if n := d / u.d; n > 0 {
			b.WriteString(strconv.FormatInt(int64(n), 10))
			b.WriteString(u.name)
			d -= n * u.d
		}
	}
	if b.Len() == 0 {
		return "0s" // below a millisecond: Prometheus cannot say it
	}
	return b.String()
}

// FormatNumber writes a threshold without trailing zeros ("5", "0.5", "100").
func FormatNumber(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}
