package monitoring_test

import (
	"strings"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/presoak/presoak/harness/monitoring"
)

// TestGeneratedDashboardPassesGrafanaStrictUnmarshal: the dashboard `make
// monitoring` writes for the default criteria, budgets and a frozen baseline
// passes the Grafana Foundation SDK's strict unmarshal (every panel's
// options against its plugin's schema). Before the fix: 23 required fields
// missing (options.legend.calcs, the state-timeline's tooltip, the data
// source variable's current.text/value).
func TestGeneratedDashboardPassesGrafanaStrictUnmarshal(t *testing.T) {
	plugins.RegisterDefaultPlugins()
	a, err := monitoring.Render(monitoring.Inputs{Spec: defaultSpec(t), Options: monitoring.Options{Baseline: realisticBaseline}})
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard.Dashboard
	err = d.UnmarshalJSONStrict(a.Dashboard)
	if be, ok := err.(cog.BuildErrors); ok && len(be) == 0 {
		err = nil // v0.0.22 returns a typed nil on success
	}
	if err != nil {
		t.Fatalf("strict unmarshal: got %d problems, want none:\n%s", strings.Count(err.Error(), "\n")+1, err)
	}
	if len(d.Panels) < 10 {
		t.Fatalf("strict unmarshal read %d panels, want every signal and stage", len(d.Panels))
	}
}
