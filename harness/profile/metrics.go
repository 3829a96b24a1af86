package profile

// engineOrder are the engine's named signals in the order their metrics
// are listed (the metrics-collection item, the series checks).
var engineOrder = []string{
	"tick_latency", "stage_latency", "ticks", "deadline_misses", "cache_hits", "cache_misses",
	"maker_volume", "taker_volume", "breakers_open", "tick_errors", "resident_memory", "feature_flags",
}

// MetricOf is the metric name the named signal selects, for messages and
// sources: the profile's, or the reference engine's when the profile (or
// p itself) is nil or does not declare it.
func (p *Profile) MetricOf(name string) string {
	if s := p.Signal(name); s != nil {
		return s.Metric
	}
	if s := Default().Signal(name); s != nil {
		return s.Metric
	}
	return ""
}

// GroupLabel is the first label the signal name groups by ("by (phase)"),
// def when the signal is not declared or does not group: how messages
// write one series of it (hb_phase_ms{phase="quote"}).
func (p *Profile) GroupLabel(name, def string) string {
	if s := p.Signal(name); s != nil && len(s.By) > 0 {
		return s.By[0]
	}
	return def
}

// EngineMetrics are the metrics the profile's engine signals (Roles)
// select, each once, in a fixed order; hist says which are histograms (a
// histogram's base name: its series are name_bucket, _count, _sum).
func (p *Profile) EngineMetrics() (names []string, hist map[string]bool) {
	hist = map[string]bool{}
	seen := map[string]bool{}
	for _, role := range engineOrder {
		s := p.Signal(role)
		if s == nil || seen[s.Metric] {
			continue
		}
		seen[s.Metric] = true
		names = append(names, s.Metric)
		if s.Kind == KindHistogram {
			hist[s.Metric] = true
		}
	}
	return names, hist
}
