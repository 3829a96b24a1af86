// Package monitoring turns the soak's criteria spec, the latency budgets and
// a bot's metric-name mapping into Prometheus rules, a Grafana dashboard and
// the soak dashboard checklist (rendered by reports/monitoring), and proves
// the rules with Prometheus's own promtool.
//
// promql.go is the one place that says how each signal is computed in
// PromQL. Its semantics follow the in-process derivation (package signal)
// as closely as PromQL allows: ratios are ratios of counter increases over
// the criterion's window (increase() extrapolates, but both sides of a ratio
// by the same factor, so the ratio is the in-process one); memory growth is
// deriv() (least squares) where the in-process signal is a robust Theil-Sen
// slope — they agree on a clean linear ramp and differ on steps and
// sawtooth, which the checklist states.
//
// RuleTests generates promtool rule tests with synthetic series for every
// alerting rule (fires at the right evaluation, not one interval before);
// the same scenarios feed the in-process evaluator in the parity test.
//
// Inputs (Env, EnvFrom; the Makefile's variables, paths relative to the
// module root): CRITERIA and BUDGETS (unset: the bot profile's criteria: and
// budgets:, else presoak's fixtures/criteria.yaml and fixtures/budgets.yaml;
// harness/profile.Pick), PROFILE (optional bot profile, harness/profile:
// the expressions are its signals; default the reference engine's
// profile), METRIC_NAMES (the older alternative to PROFILE: a YAML mapping
// of a bot's metric names, keys as profile.MetricNames' yaml tags, folded
// into the reference profile by profile.ParseNames), SELECTOR (optional
// label matchers for every metric, e.g.
// job="mm-bot") and BASELINE (default
// artifacts/baseline/frozen/stage_budgets.json, used when it exists).
// Outputs (Render, Assets.Write): RulesPath, RuleTestsPath, DashboardPath,
// ChecklistPath. Checks are the readiness Monitoring area's items.
//
// How not to use this package: do not hand-write PromQL for a signal
// elsewhere (dashboards, launch checks): call SignalExpr or read the
// generated recording rules, so that what stops a soak is what pages.
package monitoring
