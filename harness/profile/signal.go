package profile

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// The signal kinds.
const (
	KindCounter   = "counter"
	KindGauge     = "gauge"
	KindHistogram = "histogram"
)

// The signal units. Seconds and milliseconds are for latencies (a
// histogram in milliseconds is converted to seconds); ratio (0..1) and
// percent (0..100) for shares; bytes for memory; none for counts.
const (
	UnitNone         = "none"
	UnitSeconds      = "seconds"
	UnitMilliseconds = "milliseconds"
	UnitRatio        = "ratio"
	UnitPercent      = "percent"
	UnitBytes        = "bytes"
)

// The aggregations across matching series.
var aggregations = []string{"sum", "max", "min", "avg", "count"}

// roleKinds are the kinds the engine's named signals accept.
var roleKinds = map[string]map[string]bool{
	"ticks":           {KindCounter: true},
	"deadline_misses": {KindCounter: true},
	"tick_errors":     {KindCounter: true},
	"cache_hits":      {KindCounter: true},
	"cache_misses":    {KindCounter: true},
	"maker_volume":    {KindCounter: true, KindGauge: true},
	"taker_volume":    {KindCounter: true, KindGauge: true},
	"resident_memory": {KindGauge: true},
	"breakers_open":   {KindGauge: true},
	"tick_latency":    {KindHistogram: true},
	"stage_latency":   {KindHistogram: true},
	"feature_flags":   {KindGauge: true},
}

// Roles are the signal names the engine's checks read (see the package doc).
func Roles() []string {
	out := make([]string, 0, len(roleKinds))
	for r := range roleKinds {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

func kindsOf(m map[string]bool) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, " or ")
}

// Signal is one declared signal: a PromQL expression parsed by Prometheus's
// parser, its kind and unit.
type Signal struct {
	Name string
	// Expr is the expression as written.
	Expr string
	Kind string
	Unit string
	Help string
	// Metric is the selected metric name (a histogram's base name).
	Metric string
	// Matchers are the selector's label matchers other than the name.
	Matchers []*labels.Matcher
	// Agg is the aggregation across matching series ("sum" when none is
	// written).
	Agg string
	// By are the labels the aggregation keeps (one value per combination).
	By []string
	// Where is the signal's file:line in the profile.
	Where string
}

var promParser = parser.NewParser(parser.Options{})

// ParseSelector parses a label selector such as {job="mm"} with Prometheus's
// parser and returns its matchers.
func ParseSelector(sel string) ([]*labels.Matcher, error) {
	ms, err := promParser.ParseMetricSelector(sel)
	if err != nil {
		return nil, fmt.Errorf("selector %q: %w", sel, err)
	}
	return ms, nil
}

// compile parses expr and checks its shape, kind and unit.
func (s *Signal) compile(expr, kind, unit string) error {
	s.Expr = expr
	node, err := promParser.ParseExpr(expr)
	if err != nil {
		return fmt.Errorf("expr %q: %w", expr, err)
	}
	s.Agg = "sum"
	if a, ok := node.(*parser.AggregateExpr); ok {
		op := a.Op.String()
		if !slices.Contains(aggregations, op) {
			return fmt.Errorf("expr %q: aggregation %s, want one of %s", expr, op, strings.Join(aggregations, ", "))
		}
		if a.Without {
			return fmt.Errorf("expr %q: want by (...), not without (...)", expr)
		}
		s.Agg, s.By = op, a.Grouping
		node = a.Expr
		if p, ok := node.(*parser.ParenExpr); ok {
			node = p.Expr
		}
	}
	vs, ok := node.(*parser.VectorSelector)
	if !ok {
		return fmt.Errorf("expr %q: want a selector, optionally inside sum/max/min/avg/count [by (labels)], got a %s", expr, describeNode(node))
	}
	if vs.OriginalOffset != 0 || vs.Timestamp != nil || vs.StartOrEnd != 0 {
		return fmt.Errorf("expr %q: offset and @ are not allowed (a signal is read now)", expr)
	}
	for _, m := range vs.LabelMatchers {
		if m.Name == labels.MetricName {
			if m.Type != labels.MatchEqual {
				return fmt.Errorf("expr %q: the metric name must be matched with =, got %s", expr, m)
			}
			continue
		}
		s.Matchers = append(s.Matchers, m)
	}
	s.Metric = vs.Name
	if s.Metric == "" {
		return fmt.Errorf("expr %q: want a metric name", expr)
	}
	switch kind {
	case KindCounter, KindGauge, KindHistogram:
	case "":
		return fmt.Errorf("kind: missing, want counter, gauge or histogram")
	default:
		return fmt.Errorf("kind: got %q, want counter, gauge or histogram", kind)
	}
	s.Kind = kind
	if kind == KindHistogram {
		for _, suf := range []string{"_bucket", "_sum", "_count"} {
			if strings.HasSuffix(s.Metric, suf) {
				return fmt.Errorf("expr %q: name the histogram's base metric %s, not its %s series", expr, strings.TrimSuffix(s.Metric, suf), suf)
			}
		}
		if s.Agg != "sum" {
			return fmt.Errorf("expr %q: a histogram's series are summed bucket by bucket; want sum or no aggregation, got %s", expr, s.Agg)
		}
	}
	switch unit {
	case "":
		unit = UnitNone
		if kind == KindHistogram {
			unit = UnitSeconds
		}
	case UnitNone, UnitSeconds, UnitMilliseconds, UnitRatio, UnitPercent, UnitBytes:
	default:
		return fmt.Errorf("unit: got %q, want seconds, milliseconds, ratio, percent, bytes or none", unit)
	}
	if kind == KindHistogram && unit != UnitSeconds && unit != UnitMilliseconds {
		return fmt.Errorf("unit: got %s for a histogram, want seconds or milliseconds", unit)
	}
	s.Unit = unit
	return nil
}

func describeNode(n parser.Node) string {
	switch n.(type) {
	case *parser.BinaryExpr:
		return "binary expression"
	case *parser.Call:
		return "function call"
	case *parser.MatrixSelector:
		return "range selector"
	case *parser.AggregateExpr:
		return "nested aggregation"
	case *parser.NumberLiteral:
		return "number"
	}
	return fmt.Sprintf("%T", n)
}

// Selector renders the signal's selector with extra matchers added (the
// Prometheus target's instance selector), suffix appended to the metric
// name (_bucket, _sum, _count for a histogram).
func (s *Signal) Selector(suffix string, extra []*labels.Matcher) string {
	var b strings.Builder
	b.WriteString(s.Metric)
	b.WriteString(suffix)
	ms := append(slices.Clone(s.Matchers), extra...)
	if len(ms) > 0 {
		b.WriteByte('{')
		for i, m := range ms {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(m.String())
		}
		b.WriteByte('}')
	}
	return b.String()
}

// Matches reports whether a series' labels (name -> value, the metric name
// not included) pass the signal's matchers.
func (s *Signal) Matches(get func(name string) string) bool {
	for _, m := range s.Matchers {
		if !m.Matches(get(m.Name)) {
			return false
		}
	}
	return true
}

// Scale is what multiplies a latency value to get seconds (1 for seconds,
// 0.001 for milliseconds); 1 for other units.
func (s *Signal) Scale() float64 {
	if s.Unit == UnitMilliseconds {
		return 0.001
	}
	return 1
}

// IsRole reports whether name is one of the engine's named signals (Roles).
func IsRole(name string) bool { _, ok := roleKinds[name]; return ok }

// Declared are the profile's scalar signals beyond the engine's named ones
// (counters and gauges the criteria may name with over:), sorted by name.
func (p *Profile) Declared() []*Signal {
	var out []*Signal
	for _, n := range p.SignalNames() {
		if s := p.Signals[n]; !IsRole(n) && s.Kind != KindHistogram {
			out = append(out, s)
		}
	}
	return out
}

// DeclaredKinds maps each of Declared's signals to its kind.
func (p *Profile) DeclaredKinds() map[string]string {
	out := map[string]string{}
	for _, s := range p.Declared() {
		out[s.Name] = s.Kind
	}
	return out
}

// Combine is the reading's one value across its groups, aggregated as the
// expression's aggregation would without by (sum, max, min, avg of the
// series, count); ok is false without a group.
func (r Reading) Combine() (float64, bool) {
	if len(r.Groups) == 0 {
		return 0, false
	}
	agg := "sum"
	if r.Signal != nil {
		agg = r.Signal.Agg
	}
	v, n := r.Groups[0].Value, r.Groups[0].Series
	if agg == "avg" {
		v *= float64(n)
	}
	for _, g := range r.Groups[1:] {
		switch agg {
		case "max":
			v = max(v, g.Value)
		case "min":
			v = min(v, g.Value)
		case "avg":
			v += g.Value * float64(g.Series)
		default:
			v += g.Value
		}
		n += g.Series
	}
	if agg == "avg" {
		v /= float64(n)
	}
	return v, true
}

// Vocabulary is the reference profile's declared signal names (the desk
// signals): criteria may name them whatever the profile, and a profile
// that does not declare one leaves its criteria out, saying so.
func Vocabulary() map[string]bool {
	out := map[string]bool{}
	for _, s := range Default().Declared() {
		out[s.Name] = true
	}
	return out
}
