package profile

import "github.com/presoak/presoak/harness/signal"

// legacyNames maps each engine signal onto the old metric_names field
// (the harness file's metric_names and make monitoring's METRIC_NAMES fold
// into a profile through it).
var legacyNames = map[string]func(*signal.MetricNames) *string{
	"ticks":           func(n *signal.MetricNames) *string { return &n.Ticks },
	"deadline_misses": func(n *signal.MetricNames) *string { return &n.DeadlineMisses },
	"tick_errors":     func(n *signal.MetricNames) *string { return &n.TickErrors },
	"cache_hits":      func(n *signal.MetricNames) *string { return &n.CacheRequests },
	"cache_misses":    func(n *signal.MetricNames) *string { return &n.CacheRequests },
	"maker_volume":    func(n *signal.MetricNames) *string { return &n.FillVolume },
	"taker_volume":    func(n *signal.MetricNames) *string { return &n.FillVolume },
	"resident_memory": func(n *signal.MetricNames) *string { return &n.ResidentMemory },
	"breakers_open":   func(n *signal.MetricNames) *string { return &n.BreakerOpen },
	"tick_latency":    func(n *signal.MetricNames) *string { return &n.TickDuration },
	"stage_latency":   func(n *signal.MetricNames) *string { return &n.StageDuration },
	"feature_flags":   func(n *signal.MetricNames) *string { return &n.FeatureFlag },
}

// FromNames is the reference profile with its metric names replaced by
// names (the old metric_names mapping): labels, units and aggregations stay
// the reference engine's.
func FromNames(names signal.MetricNames) *Profile {
	p := Default()
	if names != signal.DefaultMetricNames() {
		// Another bot's names: the reference engine's own signals (the desk
		// signals, mm_*) are not its; criteria on them are left out, named.
		for _, s := range p.Declared() {
			delete(p.Signals, s.Name)
		}
	}
	for role, field := range legacyNames {
		if s := p.Signals[role]; s != nil {
			c := *s
			c.Metric = *field(&names)
			c.Expr = c.render()
			p.Signals[role] = &c
		}
	}
	return p
}

// Names returns the profile's engine signals as the old metric-name
// mapping (a role the profile does not declare keeps the reference name).
// Labels and units are not in it: use the signals themselves where they
// matter.
func (p *Profile) Names() signal.MetricNames {
	n := signal.DefaultMetricNames()
	// in a fixed order, the first role of a shared field winning (cache
	// hits before misses, maker before taker volume)
	for _, role := range Roles() {
		if s := p.Signal(role); s != nil && legacyNames[role] != nil && !setBy(role) {
			*legacyNames[role](&n) = s.Metric
		}
	}
	return n
}

// setBy says a role whose field an earlier role of the pair sets.
func setBy(role string) bool { return role == "cache_misses" || role == "taker_volume" }

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
