// Package monitoring renders presoak's monitoring assets from a Model: the
// Prometheus rules file (presoak.rules.yml), the Grafana dashboard
// (presoak.dashboard.json) and the soak dashboard checklist
// (SOAK_DASHBOARD_CHECKLIST.md).
//
// Everything here is a pure function of its arguments: the Model already
// carries every PromQL expression, threshold and runbook line, so the same
// Model always renders the same bytes. The Model is built by
// harness/monitoring from the criteria spec, the budgets and the bot's
// metric-name mapping; that package is the one place that says how a signal
// is computed in PromQL.
//
// How not to use this package: do not write PromQL here (renderers only place
// the expressions they are given), and do not put a clock or anything
// machine-specific into a Model (the rules file is compared byte for byte to
// detect that it is stale).
package monitoring
