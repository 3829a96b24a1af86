// Package baseline renders a latency baseline for people: visualization.md
// (a summary table and per-stage percentile charts against their budgets, in
// plain text that renders in any Markdown viewer or terminal) and an SVG
// chart it links. Both are pure functions of a View; this package measures
// nothing and imports nothing of the engine or the checklist — the caller
// (harness/baseline) fills the View from its stage_budgets.json model.
//
// Output is deterministic: the same View gives the same bytes (golden tests).
package baseline

import (
	"time"
)

// View is everything the renderers show.
type View struct {
	// Title heads the document, e.g. "Shadow baseline".
	Title string
	// Clock is "simulated" or "real"; LatencySource says whether latencies
	// are modeled (latency profile) or measured. Both are printed: a reader
	// must know which.
	Clock, LatencySource string
	// Source is how the percentiles were computed ("embedded exact
	// recorder", "histogram buckets (bucket error stated)"); Target is the
	// bot read through a target ("" for the embedded engine). Printed when set.
	Source, Target string
	// Partial marks an interrupted run; PartialReason says why.
	Partial       bool
	PartialReason string
	// Start, End and Duration of the run.
	Start, End time.Time
	Duration   time.Duration
	// Ticks, DeadlineMissPct and HitRatioPct are the run's totals.
	Ticks           int64
	DeadlineMissPct float64
	HitRatioPct     float64
	// DeadlineMissBudget and HitRatioBudget are the budgets as written ("rate < 2%"); "" for none.
	DeadlineMissBudget, HitRatioBudget string
	// DeadlineMissPass and HitRatioPass are the verdicts when a budget is set.
	DeadlineMissPass, HitRatioPass bool
	// ConfigHash and GitCommit are provenance.
	ConfigHash, GitCommit string
	// Stages in pipeline order, tick_total last.
	Stages []Stage
	// SVGName is the chart file's name, linked relative to the Markdown file ("" for no link).
	SVGName string
	// Regressions against a frozen baseline, if one was compared.
	Regressions []Regression
}

// Stage is one latency target.
type Stage struct {
	Name               string
	Count              int
	P50, P95, P99, Max time.Duration
	// P95Low and P95High bound p95 (95% distribution-free interval); zero when unknown.
	P95Low, P95High time.Duration
	// Budget is the p95 budget (zero: none).
	Budget time.Duration
	// Confidence is the p95 verdict's label (high, medium, low, insufficient).
	Confidence string
	// P50Bucket, P95Bucket and P99Bucket state each percentile's bucket
	// error ("bucket 10ms..25ms, error <= 8.2ms") when it was read from a
	// histogram; "" for exact percentiles.
	P50Bucket, P95Bucket, P99Bucket string
}

// Over reports whether p95 is at or over its budget.
func (s Stage) Over() bool { return s.Budget > 0 && s.P95 >= s.Budget }

// Regression is one stage compared with the frozen baseline.
type Regression struct {
	Stage  string
	Status string
	Reason string
}
