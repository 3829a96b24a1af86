// Package result is the checklist's result vocabulary: an item's status and
// severity, the attribute names a checklist test sets with t.Attr, and the
// areas in report order. It is a leaf (standard library only) so that the
// renderers in reports/ can read results without importing the checklist's
// machinery: the checklist owns the words, the reports import them.
package result

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

// The checklist's areas, as the seed names them. A test's "area" attribute is one of these.
const (
	AreaConfigFlags = "Config & Flags"
	AreaBaseline    = "Baseline"
	AreaMDCache     = "MD-Cache"
	AreaLogs        = "Logs"
	AreaSafety      = "Safety"
	AreaMonitoring  = "Monitoring"
)

// Areas is the seed's checklist areas in report order. Areas not listed here
// follow in alphabetical order.
var Areas = []string{AreaConfigFlags, AreaBaseline, AreaMDCache, AreaLogs, AreaSafety, AreaMonitoring}
