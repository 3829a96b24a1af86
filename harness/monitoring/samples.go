package monitoring

import (
	"math"
	"sort"
	"time"

	"github.com/presoak/presoak/harness/signal"
)

// Epoch is the instant promtool's rule tests start at (t = 0).
var Epoch = time.Unix(0, 0).UTC()

// Samples are the scenario's data as presoak samples, one per interval
// from Epoch, for the in-process evaluator.
func (sc Scenario) Samples() []signal.Sample {
	out := make([]signal.Sample, sc.Steps)
	for k := range out {
		out[k] = signal.Sample{At: Epoch.Add(time.Duration(k) * sc.Interval), Instance: sc.Labels["instance"], Up: true}
	}
	hists := map[string][]*Series{}
	for i := range sc.Series {
		s := &sc.Series[i]
		vals := s.Values()
		for k := range out {
			v := vals[k]
			smp := &out[k]
			switch s.role {
			case roleTicks:
				smp.Ticks = v
			case roleMisses:
				smp.DeadlineMisses = v
			case roleErrors:
				smp.TickErrors += v
			case roleHits:
				smp.CacheHits = v
			case roleCacheMisses:
				smp.CacheMisses = v
			case roleMaker:
				smp.MakerVolume = v
			case roleTaker:
				smp.TakerVolume = v
			case roleResident:
				smp.ResidentBytes = v
			case roleBreaker:
				if v == 1 {
					smp.CriticalBreakersOpen++
				}
			case roleUp:
				smp.Up = v == 1
			case roleDeclared:
				if smp.Declared == nil {
					smp.Declared = map[string]float64{}
				}
				smp.Declared[s.stage] += v
			}
		}
		if s.role == roleBucket {
			hists[s.stage] = append(hists[s.stage], s)
		}
	}
	for st, bs := range hists {
		sort.Slice(bs, func(i, j int) bool { return bs[i].le < bs[j].le })
		vals := make([][]float64, len(bs))
		bounds := make([]float64, len(bs))
		for i, b := range bs {
			vals[i], bounds[i] = b.Values(), b.le
		}
		for k := range out {
			h := signal.Histogram{UpperBounds: bounds, Counts: make([]float64, len(bs))}
			for i := range bs {
				h.Counts[i] = vals[i][k]
			}
			if math.IsInf(bounds[len(bounds)-1], 1) {
				h.Count = h.Counts[len(bs)-1]
			}
			if out[k].Stages == nil {
				out[k].Stages = map[string]signal.Histogram{}
			}
			out[k].Stages[st] = h
		}
	}
	return out
}

// EvalTimes are the evaluations from t = 0 to FireAt plus one interval.
func (sc Scenario) EvalTimes() []time.Time {
	var out []time.Time
	for t := time.Duration(0); t <= sc.FireAt+sc.Interval; t += sc.Interval {
		out = append(out, Epoch.Add(t))
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
