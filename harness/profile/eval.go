package profile

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	dto "github.com/prometheus/client_model/go"

	"github.com/presoak/presoak/harness/signal"
	"github.com/presoak/presoak/internal/editdist"
)

// ErrNoMatch is wrapped when a signal's selector matches no series.
var ErrNoMatch = errors.New("selector matches nothing")

// Group is one aggregated value of a signal: one per "by" label
// combination (one group without "by").
type Group struct {
	// Key is the "by" labels' values joined with "," ("" without by).
	Key string
	// Value is a counter's or gauge's aggregate, in the signal's unit.
	Value float64
	// Nonzero counts the matching series whose value is >= 0.5 (engaged
	// switches, enabled flags).
	Nonzero int
	// Hist is a histogram's buckets summed across every matching series,
	// bounds in seconds.
	Hist signal.Histogram
	// Series is how many series were aggregated.
	Series int
	// Parts are a summed counter's or gauge's series values by label set
	// ({a="x",b="y"}, sorted), so that one series' reset is handled alone
	// downstream; nil for histograms and other aggregations.
	Parts map[string]float64
	// Slowest names the matching series with the highest p95 (a histogram
	// with more than one series), e.g. {symbol="ETHUSDT"}, and SlowestP95
	// is that p95 in seconds.
	Slowest    string
	SlowestP95 float64
	// SeriesHists are a histogram's matching series, each cumulative, by
	// label set ({symbol="ETHUSDT"}, as Slowest names them): what a
	// reader that takes deltas series by series needs. Nil for counters
	// and gauges.
	SeriesHists map[string]signal.Histogram
}

// Reading is one signal evaluated on one metrics page.
type Reading struct {
	Signal *Signal
	Groups []Group
	// Warnings are suspicions (a "seconds" histogram whose buckets end at
	// 1000: probably milliseconds).
	Warnings []string
}

// Total is the reading's single value: the one group's (0 with none).
func (r Reading) Total() Group {
	if len(r.Groups) == 0 {
		return Group{}
	}
	return r.Groups[0]
}

// Merged is the reading as one group: every group's histogram summed (its
// series kept apart in SeriesHists, the slowest of them named), or its
// scalar values combined as Combine does. A reading with one group is that
// group.
func (r Reading) Merged() Group {
	if len(r.Groups) <= 1 {
		return r.Total()
	}
	out := Group{SlowestP95: math.Inf(-1)}
	for _, g := range r.Groups {
		out.Series += g.Series
		out.Nonzero += g.Nonzero
		out.Hist = SumHistograms(out.Hist, g.Hist)
		for k, h := range g.SeriesHists {
			if out.SeriesHists == nil {
				out.SeriesHists = make(map[string]signal.Histogram, len(g.SeriesHists))
			}
			out.SeriesHists[k] = h
		}
		slowest, p95 := g.Slowest, g.SlowestP95
		if slowest == "" && len(g.SeriesHists) == 1 {
			for k, h := range g.SeriesHists {
				slowest = k
				p95, _ = h.Quantile(0.95)
			}
		}
		if slowest != "" && p95 > out.SlowestP95 {
			out.Slowest, out.SlowestP95 = slowest, p95
		}
	}
	out.Value, _ = r.Combine()
	return out
}

// Eval evaluates the signal on parsed metric families (expfmt's output,
// keyed by family name; histograms under their base name). A selector that
// matches nothing is an error wrapping ErrNoMatch that names the expression
// and the closest metric names on the page.
func (s *Signal) Eval(fams map[string]*dto.MetricFamily) (Reading, error) {
	r := Reading{Signal: s}
	f := fams[s.Metric]
	if f == nil {
		return r, s.noMatch(fams, "no metric "+s.Metric)
	}
	if s.Kind == KindHistogram && f.GetType() != dto.MetricType_HISTOGRAM {
		return r, fmt.Errorf("signal %s: %s is a %s, want a histogram", s.Name, s.Metric, strings.ToLower(f.GetType().String()))
	}
	if s.Kind != KindHistogram && f.GetType() == dto.MetricType_HISTOGRAM {
		return r, fmt.Errorf("signal %s: %s is a histogram, want a %s", s.Name, s.Metric, s.Kind)
	}
	idx := map[string]int{}
	scale := s.Scale()
	for _, m := range f.GetMetric() {
		if !s.Matches(func(n string) string { return label(m, n) }) {
			continue
		}
		key := ""
		if len(s.By) > 0 {
			parts := make([]string, len(s.By))
			for i, b := range s.By {
				parts[i] = label(m, b)
			}
			key = strings.Join(parts, ",")
		}
		gi, ok := idx[key]
		if !ok {
			gi = len(r.Groups)
			idx[key] = gi
			g := Group{Key: key}
			switch s.Agg {
			case "max":
				g.Value = math.Inf(-1)
			case "min":
				g.Value = math.Inf(1)
			}
			r.Groups = append(r.Groups, g)
		}
		g := &r.Groups[gi]
		g.Series++
		if s.Kind == KindHistogram {
			h := histogram(m.GetHistogram(), scale)
			if g.SeriesHists == nil {
				g.SeriesHists = make(map[string]signal.Histogram, 4)
			}
			g.SeriesHists[seriesLabels(m)] = h
			if g.Series == 1 {
				g.Hist = h
			} else {
				if g.Series == 2 {
					g.Slowest, g.SlowestP95 = "", math.Inf(-1)
					s.slowest(g, g.Hist, r.firstLabels(f, key))
				}
				s.slowest(g, h, seriesLabels(m))
				g.Hist = addHist(g.Hist, h)
			}
			continue
		}
		v, ok := scalar(m)
		if !ok {
			continue
		}
		if v >= 0.5 {
			g.Nonzero++
		}
		switch s.Agg {
		case "sum":
			g.Value += v
			if g.Parts == nil {
				g.Parts = make(map[string]float64, 4)
			}
			g.Parts[LabelSet(m)] += v
		case "avg":
			g.Value += v
		case "max":
			g.Value = max(g.Value, v)
		case "min":
			g.Value = min(g.Value, v)
		case "count":
			g.Value++
		}
	}
	if len(r.Groups) == 0 {
		return r, s.noMatch(fams, fmt.Sprintf("%s has %d series, none with %s", s.Metric, len(f.GetMetric()), matchersText(s)))
	}
	for i := range r.Groups {
		g := &r.Groups[i]
		if s.Agg == "avg" {
			g.Value /= float64(g.Series)
		}
		if s.Kind == KindHistogram && s.Unit == UnitSeconds {
			if ub := g.Hist.UpperBounds; len(ub) > 0 && ub[len(ub)-1] >= 1000 {
				r.Warnings = append(r.Warnings, fmt.Sprintf("signal %s: %s is declared in seconds but its buckets end at %g: are they milliseconds? (unit: milliseconds)", s.Name, s.Metric, ub[len(ub)-1]))
			}
		}
	}
	sort.Slice(r.Groups, func(i, j int) bool { return r.Groups[i].Key < r.Groups[j].Key })
	return r, nil
}

// firstLabels finds the labels of the first matching series of group key
// (the one the group was started with).
func (r Reading) firstLabels(f *dto.MetricFamily, key string) string {
	s := r.Signal
	for _, m := range f.GetMetric() {
		if !s.Matches(func(n string) string { return label(m, n) }) {
			continue
		}
		if len(s.By) > 0 {
			parts := make([]string, len(s.By))
			for i, b := range s.By {
				parts[i] = label(m, b)
			}
			if strings.Join(parts, ",") != key {
				continue
			}
		}
		return seriesLabels(m)
	}
	return ""
}

func (s *Signal) slowest(g *Group, h signal.Histogram, labels string) {
	if q, ok := h.Quantile(0.95); ok && q > g.SlowestP95 {
		g.Slowest, g.SlowestP95 = labels, q
	}
}

func matchersText(s *Signal) string {
	parts := make([]string, len(s.Matchers))
	for i, m := range s.Matchers {
		parts[i] = m.String()
	}
	return strings.Join(parts, ", ")
}

// noMatch is the error of a selector that matches nothing.
func (s *Signal) noMatch(fams map[string]*dto.MetricFamily, why string) error {
	names := make([]string, 0, len(fams))
	for n := range fams {
		names = append(names, n)
	}
	near := Closest(s.Metric, names, 3)
	hint := "the page has no metrics"
	if len(near) > 0 {
		hint = "closest metrics the bot exports: " + strings.Join(near, ", ")
	}
	return fmt.Errorf("signal %s: %s: %w (%s); %s", s.Name, s.Expr, ErrNoMatch, why, hint)
}

// Closest returns up to n of names nearest to want (edit distance over
// the name's words), nearest first.
func Closest(want string, names []string, n int) []string {
	type cand struct {
		name string
		d    int
	}
	cs := make([]cand, 0, len(names))
	for _, nm := range names {
		if nm == want {
			continue
		}
		cs = append(cs, cand{nm, editdist.Distance(want, nm)})
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].d != cs[j].d {
			return cs[i].d < cs[j].d
		}
		return cs[i].name < cs[j].name
	})
	out := []string{}
	for i := 0; i < len(cs) && i < n; i++ {
		out = append(out, cs[i].name)
	}
	return out
}

// LabelSet identifies a series within its family: its labels, sorted,
// values quoted ({a="x",b="y"}).
func LabelSet(m *dto.Metric) string {
	ls := make([]string, 0, len(m.GetLabel()))
	for _, l := range m.GetLabel() {
		ls = append(ls, l.GetName()+"="+strconv.Quote(l.GetValue()))
	}
	sort.Strings(ls)
	return "{" + strings.Join(ls, ",") + "}"
}

func seriesLabels(m *dto.Metric) string {
	ls := m.GetLabel()
	parts := make([]string, 0, len(ls))
	for _, l := range ls {
		parts = append(parts, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// scalar is a counter's, gauge's or untyped metric's value.
func scalar(m *dto.Metric) (float64, bool) {
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue(), true
	case m.Gauge != nil:
		return m.Gauge.GetValue(), true
	case m.Untyped != nil:
		return m.Untyped.GetValue(), true
	}
	return 0, false
}

// histogram converts a cumulative Prometheus histogram to seconds (bounds
// and sum times scale), dropping the +Inf bucket (Count carries it), with
// bounds ascending.
func histogram(h *dto.Histogram, scale float64) signal.Histogram {
	if h == nil {
		return signal.Histogram{}
	}
	bs := h.GetBucket()
	out := signal.Histogram{Count: float64(h.GetSampleCount()), Sum: h.GetSampleSum() * scale}
	if h.SampleCountFloat != nil {
		out.Count = h.GetSampleCountFloat()
	}
	out.UpperBounds = make([]float64, 0, len(bs))
	out.Counts = make([]float64, 0, len(bs))
	for _, b := range bs {
		ub := b.GetUpperBound()
		if math.IsInf(ub, 1) {
			continue
		}
		c := float64(b.GetCumulativeCount())
		if b.CumulativeCountFloat != nil {
			c = b.GetCumulativeCountFloat()
		}
		out.UpperBounds = append(out.UpperBounds, ub*scale)
		out.Counts = append(out.Counts, c)
	}
	if !sort.Float64sAreSorted(out.UpperBounds) {
		idx := make([]int, len(out.UpperBounds))
		for i := range idx {
			idx[i] = i
		}
		sort.Slice(idx, func(a, b int) bool { return out.UpperBounds[idx[a]] < out.UpperBounds[idx[b]] })
		ub, c := make([]float64, len(idx)), make([]float64, len(idx))
		for i, j := range idx {
			ub[i], c[i] = out.UpperBounds[j], out.Counts[j]
		}
		out.UpperBounds, out.Counts = ub, c
	}
	return out
}

// SumHistograms is a + b, bucket by bucket (see addHist): one histogram of
// two series' observations.
func SumHistograms(a, b signal.Histogram) signal.Histogram {
	if len(a.UpperBounds) == 0 && a.Count == 0 {
		return b
	}
	if len(b.UpperBounds) == 0 && b.Count == 0 {
		return a
	}
	return addHist(a, b)
}

// addHist sums two cumulative histograms. Equal bounds (the usual case)
// add bucket by bucket; otherwise the union of bounds is used, each
// histogram contributing its cumulative count at the largest bound <= the
// union's (a lower estimate, never an invented observation).
func addHist(a, b signal.Histogram) signal.Histogram {
	out := signal.Histogram{Count: a.Count + b.Count, Sum: a.Sum + b.Sum}
	if equalBounds(a.UpperBounds, b.UpperBounds) {
		out.UpperBounds = a.UpperBounds
		out.Counts = make([]float64, len(a.Counts))
		for i := range a.Counts {
			out.Counts[i] = a.Counts[i] + b.Counts[i]
		}
		return out
	}
	ub := append(append([]float64(nil), a.UpperBounds...), b.UpperBounds...)
	sort.Float64s(ub)
	k := 0
	for i, v := range ub {
		if i == 0 || v != ub[k-1] {
			ub[k] = v
			k++
		}
	}
	ub = ub[:k]
	out.UpperBounds = ub
	out.Counts = make([]float64, len(ub))
	for i, bound := range ub {
		out.Counts[i] = cumAt(a, bound) + cumAt(b, bound)
	}
	return out
}

func cumAt(h signal.Histogram, bound float64) float64 {
	c := 0.0
	for i, ub := range h.UpperBounds {
		if ub > bound {
			break
		}
		c = h.Counts[i]
	}
	return c
}

func equalBounds(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
