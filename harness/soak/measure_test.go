package soak_test

import (
	"context"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/presoak/presoak/engine/fault"
	"github.com/presoak/presoak/harness/target"
)

func TestMeasureDesk(t *testing.T) {
	for _, plan := range []string{"", "soak-market-trend", "soak-one-sided-quoting", "big-spike", "trend-long"} {
		t.Run(plan, func(t *testing.T) {
			t.Parallel()
			var p *fault.Plan
			dur := 72 * time.Hour
			if plan == "big-spike" {
				p = &fault.Plan{Name: plan, Faults: []fault.Fault{{Kind: fault.VenueLatencySpike, Start: 4 * time.Hour, Duration: 30 * time.Minute, Magnitude: 80}}}
				dur = 6 * time.Hour
			} else if plan == "trend-long" {
				p = &fault.Plan{Name: plan, Faults: []fault.Fault{{Kind: fault.MarketTrend, Start: 4 * time.Hour, Duration: 30 * time.Minute, Magnitude: 300}}}
				dur = 6 * time.Hour
			} else if plan != "" {
				var err error
				p, err = fault.Load(filepath.Join(moduleRoot(t), "fixtures/faults", plan+".yaml"))
				if err != nil {
					t.Fatal(err)
				}
				dur = 6 * time.Hour
			}
			sim, err := target.NewSimulated(target.EmbeddedOptions{Config: scenarioConfig(t, time.Second), Faults: p, Feed: scenarioFeed()})
			if err != nil {
				t.Fatal(err)
			}
			defer sim.Close()
			mx := map[string]float64{}
			mn := map[string]float64{}
			prev := map[string]float64{}
			rmin := map[string]float64{}
			rmax := map[string]float64{}
			var hist []map[string]float64
			for el := time.Duration(0); el < dur; el += 15 * time.Second {
				sim.Advance(15 * time.Second)
				ss, _ := sim.Sample(context.Background())
				d := ss[0].Declared
				hist = append(hist, d)
				for k, v := range d {
					if _, ok := mx[k]; !ok {
						mx[k], mn[k] = v, v
					}
					mx[k], mn[k] = math.Max(mx[k], v), math.Min(mn[k], v)
					prev[k] = v
				}
				if len(hist) > 240 {
					pk := math.Inf(-1)
					for _, h := range hist[len(hist)-240:] {
						pk = math.Max(pk, h["pnl"])
					}
					if dd := pk - d["pnl"]; dd > rmax["drop1h"] {
						rmax["drop1h"] = dd
						rmin["drop1h_at_h"] = el.Hours()
					}
				}
				if d["inventory_limit_use"] >= 0.95 && rmin["pin_at_h"] == 0 {
					rmin["pin_at_h"] = el.Hours()
				}
				if len(hist) > 20 { // 5-minute rates
					a, b := hist[len(hist)-21], d
					for _, k := range []string{"order_rejects", "ticks_run", "two_sided_ticks", "tick_slots"} {
						r := (b[k] - a[k]) / 300
						if _, ok := rmin[k]; !ok {
							rmin[k], rmax[k] = r, r
						}
						rmin[k], rmax[k] = math.Min(rmin[k], r), math.Max(rmax[k], r)
					}
					ts := 100 * (b["ticks_run"] - a["ticks_run"]) / (b["tick_slots"] - a["tick_slots"])
					two := 100 * (b["two_sided_ticks"] - a["two_sided_ticks"]) / (b["ticks_run"] - a["ticks_run"])
					if _, ok := rmin["run_pct"]; !ok {
						rmin["run_pct"], rmin["two_pct"] = ts, two
					}
					rmin["run_pct"], rmin["two_pct"] = math.Min(rmin["run_pct"], ts), math.Min(rmin["two_pct"], two)
				}
			}
			t.Logf("%s max %v\nmin %v\n5m-rate min %v max %v", plan, mx, mn, rmin, rmax)
		})
	}
}
