package monitoring

import "time"

// Model is everything the monitoring assets are rendered from.
type Model struct {
	// Title names the dashboard and the checklist ("presoak soak").
	Title string
	// UID is the Grafana dashboard uid (stable across regenerations).
	UID string
	// Inputs say what the model was generated from, one line each
	// ("criteria fixtures/criteria.yaml sha256:…"); they head every asset.
	Inputs []string
	// Group is the Prometheus rule group's name.
	Group string
	// EvaluationInterval is the rule group's interval (the criteria's).
	EvaluationInterval time.Duration
	// Recordings are the recording rules, in evaluation order: anything an
	// alert or a later recording reads must come first.
	Recordings []Recording
	// Signals are the dashboard's signal panels, one per signal and window.
	Signals []Signal
	// Alerts are the alerting rules, one per criterion.
	Alerts []Alert
	// Stages are the per-stage latency panels.
	Stages []Stage
	// Breakers is the circuit-breaker state panel.
	Breakers Breakers
	// Notes are caveats the checklist states (how PromQL differs from the
	// in-process evaluator, a missing baseline, ...).
	Notes []string
}

// Recording is one Prometheus recording rule.
type Recording struct {
	// Record is the recorded series' name.
	Record string
	// Expr is its PromQL.
	Expr string
	// Labels are added to the recorded series (may be nil).
	Labels map[string]string
}

// Signal is one signal computed over one window.
type Signal struct {
	// Name is the signal's name (deadline_miss_pct, ...).
	Name string
	// Record is the recording rule that holds it.
	Record string
	// Expr is the PromQL that computes it (what Record records).
	Expr string
	// Window is the look-back it is computed over (0: instant).
	Window time.Duration
	// Unit is what its values are in ("percent", "MB/h", "MB", "count").
	Unit string
	// Description says what it is, for people.
	Description string
	// Thresholds are the criteria on it, drawn as lines on its panel.
	Thresholds []Threshold
}

// Threshold is one criterion's threshold on a signal panel.
type Threshold struct {
	// Criterion names the criterion.
	Criterion string
	// Severity is stop or warn.
	Severity string
	// Op and Value: the criterion holds when signal Op Value.
	Op    string
	Value float64
}

// Alert is one alerting rule, from one criterion.
type Alert struct {
	// Name is the alertname.
	Name string
	// Criterion is the criterion's name (also a label on the alert).
	Criterion string
	// Signal and Record: the signal the criterion compares and the recorded
	// series the alert reads.
	Signal string
	Record string
	// Expr is the alert's PromQL (`Record Op Threshold`).
	Expr string
	// Op, Threshold, Window and For are the criterion's.
	Op        string
	Threshold float64
	Unit      string
	Window    time.Duration
	For       time.Duration
	// Severity is stop or warn.
	Severity string
	// Description and Action (the runbook line) are the criterion's.
	Description string
	Action      string
}

// Labels are the labels the alert carries besides its series' own.
func (a Alert) Labels() map[string]string {
	return map[string]string{"severity": a.Severity, "criterion": a.Criterion, "signal": a.Signal}
}

// Annotations are the alert's annotations; {{ $value }} is expanded by
// Prometheus when the alert fires.
func (a Alert) Annotations() map[string]string {
	return map[string]string{
		"summary":     a.Summary(),
		"description": a.Description,
		"value":       ValueTemplate,
		"action":      a.Action,
	}
}

// ValueTemplate is the alert's value annotation: the signal's value at the
// evaluation, two decimals (the unit is in the summary).
const ValueTemplate = `{{ $value | printf "%.2f" }}`

// Summary is one line: the condition and its duration.
func (a Alert) Summary() string {
	s := a.Signal + " " + a.Op + " " + FormatNumber(a.Threshold) + " " + a.Unit
	if a.For > 0 {
		s += " for " + FormatDuration(a.For)
	}
	return s + " (" + a.Severity + ")"
}

// Stage is one pipeline stage's latency panel.
type Stage struct {
	// Name is the stage (fetch_md, ..., tick_total).
	Name string
	// Quantiles are the percentiles drawn, each with its PromQL.
	Quantiles []Quantile
	// Budgets are the stage's latency budgets, drawn as lines.
	Budgets []Budget
}

// Quantile is one percentile line of a stage panel.
type Quantile struct {
	// Q is the quantile (0.95 for p95).
	Q float64
	// Expr is its PromQL, in seconds.
	Expr string
}

// Budget is one latency budget of a stage.
type Budget struct {
	// Text is the budget as written ("p(95) < 35ms").
	Text string
	// Q is the quantile it bounds (0 when it is not a percentile budget).
	Q float64
	// Seconds is its limit.
	Seconds float64
}

// Breakers is the circuit-breaker panel.
type Breakers struct {
	// Expr gives every breaker's state (0 closed, 1 open), by breaker.
	Expr string
	// CriticalExpr counts the critical breakers open now.
	CriticalExpr string
}
