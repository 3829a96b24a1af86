package readiness

import (
	"os"
	"testing"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/monitoring"
)

// TestMonitoring is the Monitoring area: the Prometheus rules in
// artifacts/monitoring are generated from the current criteria and pass
// promtool, every alert fires (in promtool's rule tests) at the evaluation
// presoak's own evaluator fires its criterion, the dashboard shows every
// criterion's signal, every alert has a runbook line, and the dashboard
// checklist is current (promtool's part of the proof is reused for the same
// rules, rule tests and promtool version: monitoring.ProofCache). `make monitoring`
// fixes every item. It depends on the criteria, not on the bot's config, so
// it runs the same with CONFIG empty.
func TestMonitoring(t *testing.T) {
	checklist.Group(t, checklist.AreaMonitoring)
	env, err := checklist.LoadRunEnv(os.LookupEnv)
	if err != nil {
		t.Fatalf("monitoring: %v", err)
	}
	// The proof cache: promtool's minutes of simulated evaluations run once
	// per rule set and promtool version, not on every run (see ProofCache).
	c := &monitoring.Checks{Env: monitoring.EnvFrom(env.Layers.Root, os.Getenv), ProofCache: monitoring.UserProofCache()}

	t.Run("rules_generated_from_current_criteria", func(t *testing.T) {
		checklist.Record(t, c.RulesCurrent())
	})
	t.Run("rules_pass_promtool_check", func(t *testing.T) {
		checklist.Record(t, c.RulesPassPromtool(t.Context()))
	})
	t.Run("alerts_fire_with_presoak", func(t *testing.T) {
		checklist.Record(t, c.AlertsMatchPresoak(t.Context()))
	})
	t.Run("dashboard_has_panel_per_criterion", func(t *testing.T) {
		checklist.Record(t, c.DashboardCoversCriteria())
	})
	t.Run("alerts_have_runbook", func(t *testing.T) {
		checklist.Record(t, c.AlertsHaveRunbooks())
	})
	t.Run("dashboard_checklist_current", func(t *testing.T) {
		checklist.Record(t, c.ChecklistCurrent())
	})
}
