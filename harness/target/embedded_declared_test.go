package target

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/presoak/presoak/engine/fault"
	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/signal"
)

// TestEngineScalarsMatchCollector: the embedded target's declared signals
// (read from a Stats snapshot) equal what the same profile reads off the
// engine's own /metrics collector at that moment, for every declared
// signal of the reference profile, in a run whose market trend moves the
// inventory, rejects and PnL.
func TestEngineScalarsMatchCollector(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	plan := &fault.Plan{Name: "trend", Faults: []fault.Fault{{Kind: fault.MarketTrend, Start: time.Minute, Duration: 10 * time.Minute, Magnitude: 300}}}
	sim, err := NewSimulated(EmbeddedOptions{Config: soakConfig(t), Registerer: reg, Faults: plan})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	p := profile.Default()
	for range 4 {
		sim.Advance(4 * time.Minute)
		ss, err := sim.Sample(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		fams := make(map[string]*dto.MetricFamily, len(mfs))
		for _, f := range mfs {
			fams[f.GetName()] = f
		}
		var page signal.Sample
		if _, err := DeriveProfile(fams, p, &page); err != nil {
			t.Fatal(err)
		}
		for _, sg := range p.Declared() {
			got, ok := ss[0].Declared[sg.Name]
			want, wok := page.Declared[sg.Name]
			if !ok || !wok || math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
				t.Errorf("%s: embedded %v (%v), /metrics %v (%v)", sg.Name, got, ok, want, wok)
			}
		}
	}
}
