package readiness

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/presoak/presoak/harness/monitoring"
	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/stack"
	"github.com/presoak/presoak/harness/target"
	report "github.com/presoak/presoak/reports/readiness"
)

// TestMonitoringCollection is the Monitoring area's "verify metrics
// collection" items of the seed's launch checklist, asked of a running
// Prometheus through its HTTP API: the bot's target is up, every metric of
// its profile's engine signals (the reference engine's by default) has a
// series, every generated rule is loaded and
// evaluating without errors, and no alert is pending or firing on the
// healthy bot. It runs when a monitoring stack is up (PROMETHEUS_URL, or
// the state file `make monitor` writes); otherwise it skips, saying how to
// bring one up. The rules and the stack's state are the team's tree's
// (home.Tree, not presoak's checkout); with a bot profile, the job and
// selector are the profile's target.prometheus.
func TestMonitoringCollection(t *testing.T) {
	checklist.Group(t, checklist.AreaMonitoring)
	env, err := checklist.LoadRunEnv(os.LookupEnv)
	if err != nil {
		t.Fatalf("collection: %v", err)
	}
	root := env.Layers.Root
	url, job, rulesPath := os.Getenv("PROMETHEUS_URL"), "", monitoring.RulesPath
	st, err := stack.ReadState(filepath.Join(root, stack.DefaultDir))
	switch {
	case err == nil && url == "":
		if p, ok := st.Proc("prometheus"); ok && !stack.Running(p) {
			t.Attr(report.AttrStatus, string(report.StatusSkip))
			t.Skipf("not evaluated: the recorded monitoring stack is not running (Prometheus pid %d gone): run `make monitor-down` then `make monitor`", p.PID)
		}
		url, job, rulesPath = st.PrometheusURL, st.Job, st.Rules
	case err != nil && !errors.Is(err, stack.ErrNoState):
		t.Fatalf("collection: %v", err)
	}
	if url == "" {
		t.Attr(report.AttrStatus, string(report.StatusSkip))
		t.Skip("not evaluated: no monitoring stack is up: run `make monitor` (or set PROMETHEUS_URL) to verify metrics collection")
	}
	cl, err := stack.NewClient(url)
	if err != nil {
		t.Fatalf("collection: %v", err)
	}
	rules, rerr := os.ReadFile(filepath.Join(root, rulesPath))
	c := &stack.Collection{Client: cl, Job: job, Selector: os.Getenv("SELECTOR"), Rules: rules, RulesSource: rulesPath, Settle: 15 * time.Second}
	if h := env.Harness; h != nil {
		c.Profile = h.Profile // the bot's metrics (PROFILE), not the reference engine's
		if h.Profile != nil && h.Profile.File != profile.ReferenceFile {
			// a bot that is not ours: its profile's selector and job
			c.Selector = h.Prometheus.Selector
			if ms, err := parser.NewParser(parser.Options{}).ParseMetricSelector(target.NormalizeSelector(c.Selector)); err == nil && c.Job == "" {
				for _, m := range ms {
					if m.Name == "job" && m.Type == labels.MatchEqual {
						c.Job = m.Value
					}
				}
			}
		}
	}

	t.Run("collection_target_up", func(t *testing.T) {
		checklist.Record(t, c.TargetUp(t.Context()))
	})
	t.Run("collection_metrics_present", func(t *testing.T) {
		checklist.Record(t, c.MetricsPresent(t.Context()))
	})
	t.Run("collection_rules_loaded", func(t *testing.T) {
		if rerr != nil {
			checklist.Record(t, checklist.NotEvaluated(checklist.AreaMonitoring, report.Blocking, "rules loaded",
				rerr.Error(), "generate the rules with make monitoring"))
			return
		}
		checklist.Record(t, c.RulesHealthy(t.Context()))
	})
	t.Run("collection_alerts_inactive", func(t *testing.T) {
		checklist.Record(t, c.AlertsInactive(t.Context()))
	})
}
