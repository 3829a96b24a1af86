package launch

import (
	"context"
	"time"
)

// Step is one item of the launch checklist.
type Step struct {
	// Name is what the step is ("pre-flight: prepare-soak").
	Name string
	// Run does the step. It returns the evidence (what was seen, a line or
	// a few) and an error when the step failed; the error says why.
	Run func(ctx context.Context, l *Launch) (evidence string, err error)
}

// Result is a step's outcome.
type Result struct {
	Step     string
	OK       bool
	Evidence string
	// Err is why the step failed; empty when OK.
	Err     string
	Started time.Time
	Took    time.Duration
}

// Status is "OK", "FAIL" or, for steps never run, "NOT RUN".
func (r Result) Status() string {
	switch {
	case r.OK:
		return "OK"
	case r.Started.IsZero():
		return "NOT RUN"
	default:
		return "FAIL"
	}
}
