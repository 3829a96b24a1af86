package target

import (
	"math"

	"github.com/presoak/presoak/engine"
	"github.com/presoak/presoak/harness/profile"
)

// engineSeries is one scalar series the engine's /metrics page exports:
// its labels (name, value pairs) and value.
type engineSeries struct {
	labels [2]string // one label at most: name, value ("" when none)
	value  float64
}

// engineScalars are the engine's scalar metrics as its collector exports
// them (engine/metrics.go), read from a Stats snapshot without building a
// page: what the embedded target evaluates the profile's own signals on.
// TestEngineScalarsMatchCollector keeps it in step with the collector.
var engineScalars = map[string]func(st *engine.Stats, out []engineSeries) []engineSeries{
	engine.MetricTicksRun: func(st *engine.Stats, out []engineSeries) []engineSeries {
		return append(out, engineSeries{value: float64(st.TicksRun)})
	},
	engine.MetricOrderRejects: func(st *engine.Stats, out []engineSeries) []engineSeries {
		return append(out,
			engineSeries{[2]string{"reason", "post_only"}, float64(st.PostOnlyRejects)},
			engineSeries{[2]string{"reason", "venue"}, float64(st.VenueRejects)},
			engineSeries{[2]string{"reason", "risk"}, float64(st.RiskBlocks + st.TakerCapBlocks)})
	},
	engine.MetricTwoSidedTicks: func(st *engine.Stats, out []engineSeries) []engineSeries {
		return append(out, engineSeries{value: float64(st.TwoSidedTicks)})
	},
	engine.MetricInventory:      symbolGauge(func(st *engine.Stats) float64 { return st.Inventory }),
	engine.MetricInventoryLimit: symbolGauge(func(st *engine.Stats) float64 { return st.InventoryLimit }),
	engine.MetricInventoryUse:   symbolGauge(func(st *engine.Stats) float64 { return st.InventoryUse }),
	engine.MetricMDAge:          symbolGauge(func(st *engine.Stats) float64 { return st.MDAgeSeconds }),
	engine.MetricQuoteSides:     symbolGauge(func(st *engine.Stats) float64 { return float64(st.QuoteSides) }),
	engine.MetricPnL:            symbolGauge(func(st *engine.Stats) float64 { return st.PnLMtm }),
	engine.MetricPnLDrawdown:    symbolGauge(func(st *engine.Stats) float64 { return st.PnLDrawdown }),
	engine.MetricTicks: func(st *engine.Stats, out []engineSeries) []engineSeries {
		return append(out, engineSeries{value: float64(st.Ticks)})
	},
}

func symbolGauge(f func(st *engine.Stats) float64) func(*engine.Stats, []engineSeries) []engineSeries {
	return func(st *engine.Stats, out []engineSeries) []engineSeries {
		return append(out, engineSeries{[2]string{"symbol", st.Symbol}, f(st)})
	}
}

// declaredFromStats evaluates the profile's own signals on the engine's
// exported series: each signal's matchers select series of its metric,
// aggregated as its expression says. A signal on a metric the engine does
// not export, or whose matchers select nothing, is absent (no data).
func declaredFromStats(st *engine.Stats, sigs []*profile.Signal, bufp *[]engineSeries) map[string]float64 {
	if len(sigs) == 0 {
		return nil
	}
	out := make(map[string]float64, len(sigs))
	for _, sg := range sigs {
		f := engineScalars[sg.Metric]
		if f == nil {
			continue
		}
		buf := f(st, (*bufp)[:0])
		*bufp = buf
		n, v := 0, 0.0
		for _, es := range buf {
			if !sg.Matches(func(name string) string {
				if name == es.labels[0] {
					return es.labels[1]
				}
				return ""
			}) {
				continue
			}
			switch {
			case sg.Agg == "count":
				v++
			case n == 0:
				v = es.value
			case sg.Agg == "max":
				v = math.Max(v, es.value)
			case sg.Agg == "min":
				v = math.Min(v, es.value)
			default: // sum, avg
				v += es.value
			}
			n++
		}
		if n == 0 {
			continue
		}
		if sg.Agg == "avg" {
			v /= float64(n)
		}
		out[sg.Name] = v
	}
	return out
}
