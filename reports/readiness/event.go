package readiness

import (
	"time"

	"github.com/presoak/presoak/harness/checklist/result"
)

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

// The result vocabulary is the checklist's own (harness/checklist/result);
// the renderer reads it under these names.
const (
	AttrArea         = result.AttrArea
	AttrSeverity     = result.AttrSeverity
	AttrStatus       = result.AttrStatus
	AttrValue        = result.AttrValue
	AttrWant         = result.AttrWant
	AttrSource       = result.AttrSource
	AttrFix          = result.AttrFix
	AttrConfigHash   = result.AttrConfigHash
	AttrConfigLayers = result.AttrConfigLayers
)

// Severity is how much an item's failure matters (result.Severity).
type Severity = result.Severity

const (
	Blocking = result.Blocking
	Warning  = result.Warning
)

// Status is an item's outcome in the report (result.Status).
type Status = result.Status

const (
	StatusPass       = result.StatusPass
	StatusWarn       = result.StatusWarn
	StatusFail       = result.StatusFail
	StatusSkip       = result.StatusSkip
	StatusIncomplete = result.StatusIncomplete
)

// Areas is the checklist's areas in report order (result.Areas).
var Areas = result.Areas
