// Package criteria is the soak's stop and warning conditions as data
// (fixtures/criteria.yaml), their validation, and the evaluator that applies
// them with Prometheus `for:` semantics.
package criteria

import (
	"time"

	"github.com/presoak/presoak/readiness/signal"
)

// Severity says what a firing criterion does to the soak.
type Severity string

const (
	// Stop ends the soak the moment the criterion fires.
	Stop Severity = "stop"
	// Warn records the criterion and lets the soak go on.
	Warn Severity = "warn"
)

// Op is a comparison: the criterion holds when `signal Op threshold`.
type Op string

// The comparisons.
const (
	Greater      Op = ">"
	GreaterEqual Op = ">="
	Less         Op = "<"
	LessEqual    Op = "<="
)

// Spec is a criteria file.
type Spec struct {
	// Version of the file format; 1.
	Version int `yaml:"version"`
	// EvaluationInterval is how often criteria are evaluated (also the
	// Prometheus rule group's interval).
	EvaluationInterval time.Duration `yaml:"evaluation_interval"`
	// Criteria, stop and warn, in the order they are reported.
	Criteria []Criterion `yaml:"criteria"`
}

// Criterion is one stop or warning condition: it holds when
// `Signal Op Threshold` over Window, and fires once it has held for For.
type Criterion struct {
	// Name is stable; it names the JUnit testcase and the alert.
	Name string `yaml:"name"`
	// Signal is what is compared.
	Signal signal.Name `yaml:"signal"`
	// Op and Threshold: the condition, in the signal's unit (percent, MB/h, count).
	Op        Op      `yaml:"op"`
	Threshold float64 `yaml:"threshold"`
	// Window is the look-back the signal is computed over (rates, slopes).
	Window time.Duration `yaml:"window"`
	// For is how long the condition must hold before the criterion fires.
	For time.Duration `yaml:"for"`
	// Severity: stop or warn.
	Severity Severity `yaml:"severity"`
	// Description says what the condition means, for people.
	Description string `yaml:"description"`
	// Action says what to do when it fires (the runbook line).
	Action string `yaml:"action"`
}
