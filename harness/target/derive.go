package target

import (
	"errors"
	"fmt"

	dto "github.com/prometheus/client_model/go"

	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/signal"
)

// TickTotal is the Stages key of the whole-tick histogram (the profile's
// tick_latency signal), next to the per-stage histograms.
const TickTotal = "tick_total"

// ErrNoTicks is wrapped when a metrics page or a query result has no ticks
// counter: it is not the bot's page, or the profile's ticks selector is wrong.
var ErrNoTicks = errors.New("no ticks counter")

// Derivation is what one derivation saw besides the sample: the signals
// whose selector matched nothing (each error names the expression and the
// closest metric names on the page), suspicions (units), and for each
// latency histogram with several series the slowest one.
type Derivation struct {
	// Unmatched are the declared signals that matched no series.
	Unmatched []error
	// Warnings are suspicions, e.g. a "seconds" histogram ending at 1000.
	Warnings []string
	// Slowest maps a Stages key to the series with the highest cumulative
	// p95 (e.g. {symbol="ETHUSDT"}) when the histogram has several series.
	Slowest map[string]string
}

// DeriveProfile fills s (Ticks, counters, gauges, histograms, flags) from
// parsed metric families by evaluating the profile's signals: every signal
// aggregates across all the series its selector matches (a histogram's
// buckets are summed, so a slow symbol moves the tick p95), and latencies
// in milliseconds become seconds. Values are the raw cumulative ones:
// counter resets are handled downstream (signal.Series). A ticks selector
// that matches nothing is ErrNoTicks; another signal that matches nothing
// leaves its field zero and is listed in the Derivation (callers that
// judge readiness report it); a family of the wrong type is an error.
func DeriveProfile(fams map[string]*dto.MetricFamily, p *profile.Profile, s *signal.Sample) (Derivation, error) {
	var d Derivation
	tk := p.Signal("ticks")
	if tk == nil {
		return d, fmt.Errorf("derive sample: %w (the profile declares no ticks signal)", ErrNoTicks)
	}
	r, err := tk.Eval(fams)
	if err != nil {
		return d, fmt.Errorf("derive sample: %w: %w", ErrNoTicks, err)
	}
	s.Ticks = r.Total().Value
	// Every summed counter keeps its series apart (Parts), so that one
	// series' reset or absence is handled per series (signal.Series).
	s.Parts = make(map[signal.Part]map[string]float64, 7)
	setParts := func(name string, r profile.Reading, matched bool) {
		sg := p.Signal(name)
		if sg == nil || sg.Agg != "sum" || sg.Kind == profile.KindHistogram {
			return
		}
		parts := map[string]float64{}
		if matched {
			for _, g := range r.Groups {
				for k, v := range g.Parts {
					parts[k] += v
				}
			}
		}
		s.Parts[signal.Part(name)] = parts
	}
	setParts("ticks", r, true)
	var errs []error
	read := func(name string) (profile.Reading, bool) {
		sg := p.Signal(name)
		if sg == nil {
			return profile.Reading{}, false
		}
		r, err := sg.Eval(fams)
		d.Warnings = append(d.Warnings, r.Warnings...)
		if errors.Is(err, profile.ErrNoMatch) {
			d.Unmatched = append(d.Unmatched, err)
			return r, false
		}
		if err != nil {
			errs = append(errs, err)
			return r, false
		}
		return r, true
	}
	for _, f := range []struct {
		name string
		dst  *float64
	}{
		{"deadline_misses", &s.DeadlineMisses},
		{"tick_errors", &s.TickErrors},
		{"cache_hits", &s.CacheHits},
		{"cache_misses", &s.CacheMisses},
		{"maker_volume", &s.MakerVolume},
		{"taker_volume", &s.TakerVolume},
		{"resident_memory", &s.ResidentBytes},
	} {
		*f.dst = 0
		r, ok := read(f.name)
		if ok {
			*f.dst = r.Total().Value
		}
		if f.name != "resident_memory" {
			setParts(f.name, r, ok)
		}
	}
	s.CriticalBreakersOpen = 0
	if r, ok := read("breakers_open"); ok {
		for _, g := range r.Groups {
			s.CriticalBreakersOpen += g.Nonzero
		}
	}
	if r, ok := read("feature_flags"); ok {
		if s.Flags == nil {
			s.Flags = make(map[string]bool, len(r.Groups))
		}
		for _, g := range r.Groups {
			if g.Key != "" {
				s.Flags[g.Key] = g.Value >= 0.5
			}
		}
	}
	setStage := func(stage string, g profile.Group) {
		if s.Stages == nil {
			s.Stages = make(map[string]signal.Histogram, 8)
		}
		s.Stages[stage] = g.Hist
		if g.SeriesHists != nil {
			if s.StageSeries == nil {
				s.StageSeries = make(map[string]map[string]signal.Histogram, 8)
			}
			s.StageSeries[stage] = g.SeriesHists
		}
		if g.Slowest != "" {
			if d.Slowest == nil {
				d.Slowest = map[string]string{}
			}
			d.Slowest[stage] = g.Slowest
		}
	}
	if r, ok := read("tick_latency"); ok {
		setStage(TickTotal, r.Total())
	}
	if r, ok := read("stage_latency"); ok {
		for _, g := range r.Groups {
			if g.Key != "" {
				setStage(g.Key, g)
			}
		}
	}
	// The profile's own histograms, under their signal names (a budget may
	// name them: harness/budget), aggregated over every matching series.
	for _, sg := range p.DeclaredHistograms() {
		if r, ok := read(sg.Name); ok {
			setStage(sg.Name, r.Merged())
		}
	}
	s.Slowest = d.Slowest
	// The profile's own signals (beyond the named ones): each aggregated
	// to one value as its expression says; one that matches nothing is
	// absent (no data downstream) and listed as unmatched.
	s.Declared = nil
	for _, sg := range p.Declared() {
		if r, ok := read(sg.Name); ok {
			if v, ok := r.Combine(); ok {
				if s.Declared == nil {
					s.Declared = make(map[string]float64, 8)
				}
				s.Declared[sg.Name] = v
			}
		}
	}
	if len(errs) > 0 {
		return d, fmt.Errorf("derive sample: %w", errors.Join(errs...))
	}
	return d, nil
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
