package profile

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"
)

// The old metric-name mapping (the harness file's metric_names: section and
// make monitoring's METRIC_NAMES file) is still accepted and becomes a
// profile here, once, with FromNames and ParseNames: nothing else in presoak
// reads metric names other than from a profile.

// MetricNames is the old metric-name mapping, the input of FromNames only:
// one Prometheus metric name per field, read with the reference engine's
// labels and units. An empty field keeps the reference engine's name.
type MetricNames struct {
	TickDuration   string `yaml:"tick_duration"`   // histogram with the reference engine's labels, seconds
	StageDuration  string `yaml:"stage_duration"`  // histogram with label "stage", seconds
	Ticks          string `yaml:"ticks"`           // counter
	DeadlineMisses string `yaml:"deadline_misses"` // counter
	CacheRequests  string `yaml:"cache_requests"`  // counter with label result=hit|miss
	FillVolume     string `yaml:"fill_volume"`     // counter with label liquidity=maker|taker
	BreakerOpen    string `yaml:"breaker_open"`    // gauge 0/1 with labels breaker, critical
	TickErrors     string `yaml:"tick_errors"`     // counter with label stage
	ResidentMemory string `yaml:"resident_memory"` // gauge, bytes
	FeatureFlag    string `yaml:"feature_flag"`    // gauge 0/1 with label flag
}

// legacyField is the MetricNames field (its yaml key) each engine signal's
// metric comes from; two signals of one metric (hits and misses, maker and
// taker volume) share a field.
var legacyField = map[string]string{
	"tick_latency":    "tick_duration",
	"stage_latency":   "stage_duration",
	"ticks":           "ticks",
	"deadline_misses": "deadline_misses",
	"cache_hits":      "cache_requests",
	"cache_misses":    "cache_requests",
	"maker_volume":    "fill_volume",
	"taker_volume":    "fill_volume",
	"breakers_open":   "breaker_open",
	"tick_errors":     "tick_errors",
	"resident_memory": "resident_memory",
	"feature_flags":   "feature_flag",
}

// fields maps each yaml key of the mapping to its field.
func (n *MetricNames) fields() map[string]*string {
	return map[string]*string{
		"tick_duration":   &n.TickDuration,
		"stage_duration":  &n.StageDuration,
		"ticks":           &n.Ticks,
		"deadline_misses": &n.DeadlineMisses,
		"cache_requests":  &n.CacheRequests,
		"fill_volume":     &n.FillVolume,
		"breaker_open":    &n.BreakerOpen,
		"tick_errors":     &n.TickErrors,
		"resident_memory": &n.ResidentMemory,
		"feature_flag":    &n.FeatureFlag,
	}
}

// MetricNameKeys are the mapping's keys (MetricNames' yaml tags), sorted.
func MetricNameKeys() []string {
	keys := make([]string, 0, len(legacyField))
	for k := range new(MetricNames).fields() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// FromNames is the reference profile with its engine signals' metric names
// replaced by the mapping's non-empty fields: labels, units and
// aggregations stay the reference engine's. A mapping that names another
// metric than the reference engine's is another bot: the reference
// engine's own declared signals (the desk signals, mm_*) are not its, and
// are left out (criteria on them are left out, named).
func FromNames(names MetricNames) *Profile {
	p := Default()
	ref := p.Clone()
	fields := names.fields()
	other := false
	for role, key := range legacyField {
		if v := *fields[key]; v != "" && v != ref.Signal(role).Metric {
			other = true
		}
	}
	if !other {
		return p
	}
	for _, s := range p.Declared() {
		delete(p.Signals, s.Name)
	}
	for role, key := range legacyField {
		v := *fields[key]
		if s := p.Signals[role]; s != nil && v != "" {
			c := *s
			c.Metric = v
			c.Expr = c.render()
			p.Signals[role] = &c
		}
	}
	return p
}

// ParseNames reads a metric-name mapping file (METRIC_NAMES: keys as
// MetricNames' yaml tags, each a Prometheus metric name; a key left out
// keeps the reference engine's name) and returns the profile it stands for
// (FromNames). Every problem (an unknown key, a value that is not a metric
// name) is in the one error.
func ParseNames(data []byte) (*Profile, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		return nil, fmt.Errorf("parse metric names: %w", err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("parse metric names: line %d: got %s, want a mapping of key: metric name", root.Line, kindName(root))
	}
	var names MetricNames
	fields := names.fields()
	var errs []error
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		f, ok := fields[k.Value]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("line %d: %s: unknown key; known here: %s", k.Line, k.Value, strings.Join(MetricNameKeys(), ", ")))
		case seen[k.Value]:
			errs = append(errs, fmt.Errorf("line %d: %s: duplicate key", k.Line, k.Value))
		case v.Kind != yaml.ScalarNode || v.Tag != "!!str" || !model.IsValidLegacyMetricName(v.Value):
			errs = append(errs, fmt.Errorf("line %d: %s: got %s, want a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)", v.Line, k.Value, kindName(v)))
		default:
			*f = v.Value
		}
		seen[k.Value] = true
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("parse metric names: %w", errors.Join(errs...))
	}
	return FromNames(names), nil
}

// render is the signal's expression rebuilt from its parts.
func (s *Signal) render() string {
	sel := s.Selector("", nil)
	if s.Agg == "sum" && len(s.By) == 0 {
		return sel
	}
	if len(s.By) == 0 {
		return s.Agg + "(" + sel + ")"
	}
	by := ""
	for i, b := range s.By {
		if i > 0 {
			by += ", "
		}
		by += b
	}
	return s.Agg + " by (" + by + ") (" + sel + ")"
}
