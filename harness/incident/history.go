package incident

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/signal"
	"github.com/presoak/presoak/harness/soak"
	"github.com/presoak/presoak/reports/edge"
)

// Point is the firing criterion's signal at one sample.
type Point struct {
	At    time.Time    `json:"at"`
	Value signal.Value `json:"value"`
	// Holds is whether `value op threshold` held (false without data).
	Holds bool `json:"holds"`
}

// History recomputes the criterion's signal at every sample of instance in
// the span before at (and at it), over the criterion's window, as the
// evaluator computes it.
func History(samples []signal.Sample, instance string, c criteria.Criterion, span time.Duration, at time.Time, opts signal.Options) []Point {
	series := signal.NewSeries(span + c.Window)
	from := at.Add(-span)
	var out []Point
	for _, s := range samples {
		if instance != "" && s.Instance != instance && s.Instance != "target" {
			continue
		}
		if s.At.After(at) {
			break
		}
		series.Add(s)
		if s.At.Before(from) {
			continue
		}
		v := series.Compute(c.Signal, c.Window, s.At, opts)
		out = append(out, Point{At: s.At, Value: v, Holds: v.OK && holds(c.Op, v.V, c.Threshold)})
	}
	return out
}

func holds(op criteria.Op, v, th float64) bool {
	switch op {
	case criteria.Greater:
		return v > th
	case criteria.GreaterEqual:
		return v >= th
	case criteria.Less:
		return v < th
	case criteria.LessEqual:
		return v <= th
	}
	return false
}

// historyCSV is signal_history.csv.
func historyCSV(h []Point, c criteria.Criterion) []byte {
	var b strings.Builder
	b.WriteString("time,value,ok,threshold,op,holds,reason\n")
	for _, p := range h {
		v := ""
		if p.Value.OK {
			v = fmt.Sprintf("%g", p.Value.V)
		}
		fmt.Fprintf(&b, "%s,%s,%t,%g,%s,%t,%s\n", p.At.UTC().Format(time.RFC3339Nano), v, p.Value.OK, c.Threshold, c.Op, p.Holds, strings.ReplaceAll(p.Value.Reason, ",", ";"))
	}
	return []byte(b.String())
}

// historyChart is signal_history.svg: the signal against its threshold,
// minutes relative to the firing.
func historyChart(h []Point, c criteria.Criterion, f soak.Firing) []byte {
	s := edge.Series{Name: string(c.Signal)}
	for _, p := range h {
		s.X = append(s.X, p.At.Sub(f.At).Minutes())
		y := math.NaN()
		if p.Value.OK {
			y = p.Value.V
		}
		s.Y = append(s.Y, y)
	}
	ch := edge.Chart{
		Title:  fmt.Sprintf("%s: %s %s %g (window %s, for %s)", c.Name, c.Signal, c.Op, c.Threshold, c.Window, c.For),
		XLabel: "minutes before the criterion fired (0 = fired)", YLabel: string(c.Signal),
		Series: []edge.Series{s}, HLines: []edge.HLine{{Y: c.Threshold, Label: fmt.Sprintf("threshold %g", c.Threshold)}},
		VLines: []edge.VLine{{X: 0, Label: "fired"}},
	}
	if !f.Since.IsZero() && f.Since.Before(f.At) {
		ch.VLines = append(ch.VLines, edge.VLine{X: f.Since.Sub(f.At).Minutes(), Label: "pending"})
	}
	return ch.SVG()
}
