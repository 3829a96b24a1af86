package profile

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"
)

// CheckLine is what one signal sees on one metrics page.
type CheckLine struct {
	Signal *Signal
	// Seen says what it read ("2 series, sum 1234", "histogram 2 series,
	// 1200 obs, p95 48ms, slowest {symbol="ETHUSDT"} 193ms").
	Seen     string
	Warnings []string
	// Err is why it read nothing (ErrNoMatch names the closest metrics).
	Err error
}

// Check evaluates every declared signal once on fams, in name order.
func (p *Profile) Check(fams map[string]*dto.MetricFamily) []CheckLine {
	out := make([]CheckLine, 0, len(p.Signals))
	for _, n := range p.SignalNames() {
		s := p.Signals[n]
		r, err := s.Eval(fams)
		cl := CheckLine{Signal: s, Warnings: r.Warnings, Err: err}
		if err == nil {
			cl.Seen = describe(r)
		}
		out = append(out, cl)
	}
	return out
}

func describe(r Reading) string {
	s := r.Signal
	parts := make([]string, 0, len(r.Groups))
	for _, g := range r.Groups {
		key := ""
		if g.Key != "" {
			key = strings.Join(s.By, ",") + "=" + g.Key + ": "
		}
		if s.Kind == KindHistogram {
			q, ok := g.Hist.Quantile(0.95)
			p95 := "no observations"
			if ok {
				p95 = "p95 " + time.Duration(q*float64(time.Second)).Round(10*time.Microsecond).String()
			}
			txt := fmt.Sprintf("%s%d series, %.0f observations, %s", key, g.Series, g.Hist.Count, p95)
			if g.Slowest != "" {
				txt += fmt.Sprintf(", slowest %s (p95 %s)", g.Slowest, time.Duration(g.SlowestP95*float64(time.Second)).Round(10*time.Microsecond))
			}
			parts = append(parts, txt)
			continue
		}
		parts = append(parts, fmt.Sprintf("%s%s %g over %d series", key, s.Agg, g.Value, g.Series))
	}
	return strings.Join(parts, "; ")
}

// WriteCheck prints check lines; it returns how many signals read nothing.
func WriteCheck(w io.Writer, lines []CheckLine) int {
	bad := 0
	for _, l := range lines {
		status := "ok  "
		switch {
		case l.Err != nil:
			status = "FAIL"
			bad++
		case len(l.Warnings) > 0:
			status = "warn"
		}
		fmt.Fprintf(w, "%s %-16s %s\n", status, l.Signal.Name, l.Signal.Expr)
		if l.Err != nil {
			msg := l.Err.Error()
			if errors.Is(l.Err, ErrNoMatch) {
				msg = strings.TrimPrefix(msg, "signal "+l.Signal.Name+": ")
			}
			fmt.Fprintf(w, "     %s\n", msg)
			continue
		}
		fmt.Fprintf(w, "     %s\n", l.Seen)
		for _, wn := range l.Warnings {
			fmt.Fprintf(w, "     warning: %s\n", wn)
		}
	}
	return bad
}
