package readiness

import "time"

// Action is the kind of a `go test -json` event (see `go doc test2json`).
type Action string

// The actions the report cares about. Others (pause, cont, bench) are read and ignored.
const (
	ActionStart       Action = "start"
	ActionRun         Action = "run"
	ActionOutput      Action = "output"
	ActionAttr        Action = "attr"
	ActionPass        Action = "pass"
	ActionFail        Action = "fail"
	ActionSkip        Action = "skip"
	ActionBuildOutput Action = "build-output"
	ActionBuildFail   Action = "build-fail"
)

// Event is one line of a `go test -json` stream.
type Event struct {
	// Time the event was emitted; absent on build events.
	Time time.Time `json:"Time,omitzero"`
	// Action is what happened.
	Action Action `json:"Action"`
	// Package is the import path of the test package; empty on build events.
	Package string `json:"Package,omitempty"`
	// Test is the full test name ("TestConfigAndFlags/pipeline_enabled"); empty for package events.
	Test string `json:"Test,omitempty"`
	// Output is one line of output (with its newline) for output events.
	Output string `json:"Output,omitempty"`
	// Elapsed is the duration in seconds on pass, fail and skip events.
	Elapsed float64 `json:"Elapsed,omitempty"`
	// Key and Value are the attribute on attr events (t.Attr).
	Key   string `json:"Key,omitempty"`
	Value string `json:"Value,omitempty"`
	// ImportPath names the package being built on build-output and build-fail events.
	ImportPath string `json:"ImportPath,omitempty"`
	// FailedBuild is set on a package's fail event when its build failed.
	FailedBuild string `json:"FailedBuild,omitempty"`
}

// Attribute keys a checklist test sets with t.Attr. They reach the JSON stream
// as attr events and JUnit as <property> elements.
const (
	// AttrArea names the checklist area: one of Areas, e.g. "Config & Flags".
	AttrArea = "area"
	// AttrSeverity is "blocking" or "warning".
	AttrSeverity = "severity"
	// AttrStatus is the item's own verdict: "pass", "warn", "fail" or "skip".
	// It is how a passing test says it raised a warning.
	AttrStatus = "status"
	// AttrValue is the measured value (got), e.g. "false".
	AttrValue = "value"
	// AttrWant is the required value, e.g. "true" or "<= 9".
	AttrWant = "want"
	// AttrSource is where the value came from, e.g. "config.yaml:4".
	AttrSource = "source"
	// AttrFix says how to make the item pass.
	AttrFix = "fix"
	// AttrConfigHash is the effective config's hash, set once per run (by the
	// Config & Flags area's top-level test).
	AttrConfigHash = "config_hash"
	// AttrConfigLayers is the comma-separated config layers the run used.
	AttrConfigLayers = "config_layers"
)

// Severity is how much an item's failure matters.
type Severity string

const (
	// Blocking items must pass before a soak starts.
	Blocking Severity = "blocking"
	// Warning items are reported but never fail the run.
	Warning Severity = "warning"
)

// Status is an item's outcome in the report.
type Status string

const (
	StatusPass Status = "pass" // test passed, no warning
	StatusWarn Status = "warn" // test passed and raised a warning (attr status=warn)
	StatusFail Status = "fail" // test failed
	StatusSkip Status = "skip" // test skipped: the item was not evaluated
	// StatusIncomplete: the test started but the stream ended before it did (interrupted run).
	StatusIncomplete Status = "incomplete"
)

// Areas is the seed's checklist areas in report order. Areas not listed here
// follow in alphabetical order.
var Areas = []string{"Config & Flags", "Baseline", "MD-Cache", "Logs", "Safety", "Monitoring"}
