package target

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	dto "github.com/prometheus/client_model/go"

	"github.com/presoak/presoak/harness/signal"
)

// TickTotal is the Stages key of the whole-tick histogram (the metric
// MetricNames.TickDuration), next to the per-stage histograms.
const TickTotal = "tick_total"

// ErrNoTicks is wrapped when a metrics page or a query result has no ticks
// counter: it is not the bot's page, or the metric-name mapping is wrong.
var ErrNoTicks = errors.New("no ticks counter")

// Derive fills s (Ticks, counters, gauges, histograms, flags) from parsed
// metric families named as in names. Values are the raw cumulative ones:
// counter resets are handled downstream (signal.Series). Missing optional
// metrics leave zero values; a missing ticks counter is ErrNoTicks, and a
// family of the wrong type is an error naming it.
func Derive(fams map[string]*dto.MetricFamily, names signal.MetricNames, s *signal.Sample) error {
	ticks, ok := fams[names.Ticks]
	if !ok || len(ticks.GetMetric()) == 0 {
		return fmt.Errorf("derive sample: %w (%s)", ErrNoTicks, names.Ticks)
	}
	// Every counter is a sum of series; Parts keeps them apart so that one
	// series' reset or absence is handled per series (signal.Series).
	s.Parts = make(map[signal.Part]map[string]float64, 7)
	s.Ticks = sumParts(s, signal.PartTicks, ticks, "", "")
	s.DeadlineMisses = sumParts(s, signal.PartDeadlineMisses, fams[names.DeadlineMisses], "", "")
	s.TickErrors = sumParts(s, signal.PartTickErrors, fams[names.TickErrors], "", "")
	s.CacheHits = sumParts(s, signal.PartCacheHits, fams[names.CacheRequests], "result", "hit")
	s.CacheMisses = sumParts(s, signal.PartCacheMisses, fams[names.CacheRequests], "result", "miss")
	s.MakerVolume = sumParts(s, signal.PartMakerVolume, fams[names.FillVolume], "liquidity", "maker")
	s.TakerVolume = sumParts(s, signal.PartTakerVolume, fams[names.FillVolume], "liquidity", "taker")
	s.ResidentBytes = sum(fams[names.ResidentMemory], "", "")
	s.CriticalBreakersOpen = 0
	if f := fams[names.BreakerOpen]; f != nil {
		for _, m := range f.GetMetric() {
			if v, ok := scalar(m); ok && v >= 0.5 && label(m, "critical") == "true" {
				s.CriticalBreakersOpen++
			}
		}
	}
	if f := fams[names.FeatureFlag]; f != nil {
		if s.Flags == nil {
			s.Flags = make(map[string]bool, len(f.GetMetric()))
		}
		for _, m := range f.GetMetric() {
			if v, ok := scalar(m); ok {
				if name := label(m, "flag"); name != "" {
					s.Flags[name] = v >= 0.5
				}
			}
		}
	}
	var errs []error
	if f := fams[names.TickDuration]; f != nil {
		if f.GetType() != dto.MetricType_HISTOGRAM {
			errs = append(errs, fmt.Errorf("%s is a %s, want a histogram", names.TickDuration, f.GetType()))
		} else if len(f.GetMetric()) > 0 {
			setStage(s, TickTotal, f.GetMetric()[0].GetHistogram())
		}
	}
	if f := fams[names.StageDuration]; f != nil {
		if f.GetType() != dto.MetricType_HISTOGRAM {
			errs = append(errs, fmt.Errorf("%s is a %s, want a histogram", names.StageDuration, f.GetType()))
		} else {
			for _, m := range f.GetMetric() {
				if st := label(m, "stage"); st != "" {
					setStage(s, st, m.GetHistogram())
				}
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("derive sample: %w", errors.Join(errs...))
	}
	return nil
}

// setStage records one stage's histogram in s.Stages.
func setStage(s *signal.Sample, stage string, h *dto.Histogram) {
	if h == nil {
		return
	}
	if s.Stages == nil {
		s.Stages = make(map[string]signal.Histogram, 8)
	}
	s.Stages[stage] = histogram(h)
}

// sum adds the family's values whose label key equals want (key "": all).
func sum(f *dto.MetricFamily, key, want string) float64 {
	if f == nil {
		return 0
	}
	t := 0.0
	for _, m := range f.GetMetric() {
		if key != "" && label(m, key) != want {
			continue
		}
		if v, ok := scalar(m); ok {
			t += v
		}
	}
	return t
}

// sumParts is sum, recording each series' value in s.Parts[part] by its
// label set.
func sumParts(s *signal.Sample, part signal.Part, f *dto.MetricFamily, key, want string) float64 {
	parts := map[string]float64{}
	s.Parts[part] = parts
	if f == nil {
		return 0
	}
	t := 0.0
	for _, m := range f.GetMetric() {
		if key != "" && label(m, key) != want {
			continue
		}
		if v, ok := scalar(m); ok {
			t += v
			parts[labelSet(m)] += v
		}
	}
	return t
}

// labelSet identifies a series within its family: its labels, sorted.
func labelSet(m *dto.Metric) string {
	ls := make([]string, 0, len(m.GetLabel()))
	for _, l := range m.GetLabel() {
		ls = append(ls, l.GetName()+"="+strconv.Quote(l.GetValue()))
	}
	sort.Strings(ls)
	return "{" + strings.Join(ls, ",") + "}"
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

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// histogram converts a cumulative Prometheus histogram, dropping the +Inf
// bucket (Count carries it), with bounds ascending.
func histogram(h *dto.Histogram) signal.Histogram {
	bs := h.GetBucket()
	out := signal.Histogram{Count: float64(h.GetSampleCount()), Sum: h.GetSampleSum()}
	if h.SampleCountFloat != nil {
		out.Count = h.GetSampleCountFloat()
	}
	n := 0
	for _, b := range bs {
		if !math.IsInf(b.GetUpperBound(), 1) {
			n++
		}
	}
	out.UpperBounds = make([]float64, 0, n)
	out.Counts = make([]float64, 0, n)
	for _, b := range bs {
		ub := b.GetUpperBound()
		if math.IsInf(ub, 1) {
			continue
		}
		c := float64(b.GetCumulativeCount())
		if b.CumulativeCountFloat != nil {
			c = b.GetCumulativeCountFloat()
		}
		out.UpperBounds = append(out.UpperBounds, ub)
		out.Counts = append(out.Counts, c)
	}
	if !sort.Float64sAreSorted(out.UpperBounds) {
		sortBuckets(&out)
	}
	return out
}

func sortBuckets(h *signal.Histogram) {
	idx := make([]int, len(h.UpperBounds))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return h.UpperBounds[idx[a]] < h.UpperBounds[idx[b]] })
	ub, c := make([]float64, len(idx)), make([]float64, len(idx))
	for i, j := range idx {
		ub[i], c[i] = h.UpperBounds[j], h.Counts[j]
	}
	h.UpperBounds, h.Counts = ub, c
}
