package readiness

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// Recorder writes the `go test -json` stream of checklist tests that presoak
// evaluates itself, outside go test: the config check `presoak readiness`
// runs before it starts go test (a config that does not load is reported in
// a second, without compiling anything). A RecordedTest has the methods of
// *testing.T that checklist.Record and checklist.Group use, so an item
// recorded here carries exactly the attributes and messages it would in the
// real test; Parse, WriteMarkdown and WriteJUnit read the stream as any other.
type Recorder struct {
	// Package is the test package's import path the events name.
	Package string
	// Now stamps the events; nil means time.Now.
	Now func() time.Time

	events []Event
	failed bool
}

// RecordedTest is one test of a Recorder's stream.
type RecordedTest struct {
	r      *Recorder
	parent *RecordedTest
	name   string
	failed bool
	ended  bool
}

func (r *Recorder) emit(ev Event) {
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	ev.Time, ev.Package = now(), r.Package
	r.events = append(r.events, ev)
}

// Run starts the top-level test name.
func (r *Recorder) Run(name string) *RecordedTest {
	r.emit(Event{Action: ActionRun, Test: name})
	return &RecordedTest{r: r, name: name}
}

// Run starts the subtest name of t.
func (t *RecordedTest) Run(name string) *RecordedTest {
	full := t.name + "/" + name
	t.r.emit(Event{Action: ActionRun, Test: full})
	return &RecordedTest{r: t.r, parent: t, name: full}
}

// Name is the test's full name.
func (t *RecordedTest) Name() string { return t.name }

// Helper does nothing (it is there for checklist.Reporter).
func (t *RecordedTest) Helper() {}

// Attr records the attribute key=value.
func (t *RecordedTest) Attr(key, value string) {
	t.r.emit(Event{Action: ActionAttr, Test: t.name, Key: key, Value: value})
}

// Log records a message, as t.Log does.
func (t *RecordedTest) Log(args ...any) { t.output(fmt.Sprint(args...)) }

// Error records a message and marks the test (and its parents) failed.
func (t *RecordedTest) Error(args ...any) {
	t.output(fmt.Sprint(args...))
	for p := t; p != nil; p = p.parent {
		p.failed = true
	}
	t.r.failed = true
}

// output emits a message as go test prints it: indented, continuation lines
// indented further.
func (t *RecordedTest) output(msg string) {
	for i, line := range strings.Split(msg, "\n") {
		indent := "    "
		if i > 0 {
			indent = "        "
		}
		t.r.emit(Event{Action: ActionOutput, Test: t.name, Output: indent + line + "\n"})
	}
}

// End ends the test: pass, or fail when it (or a subtest) failed.
func (t *RecordedTest) End() {
	if t.ended {
		return
	}
	t.ended = true
	a := ActionPass
	if t.failed {
		a = ActionFail
	}
	t.r.emit(Event{Action: a, Test: t.name})
}

// End ends the package: FAIL when a test failed, else PASS.
func (r *Recorder) End() {
	if r.failed {
		r.emit(Event{Action: ActionOutput, Output: "FAIL\n"})
		r.emit(Event{Action: ActionFail})
		return
	}
	r.emit(Event{Action: ActionOutput, Output: "PASS\n"})
	r.emit(Event{Action: ActionPass})
}

// Events are the events recorded so far.
func (r *Recorder) Events() []Event { return append([]Event(nil), r.events...) }

// WriteTo writes the stream as JSON lines, as `go test -json` does.
func (r *Recorder) WriteTo(w io.Writer) (int64, error) {
	var n int64
	for _, ev := range r.events {
		b, err := json.Marshal(ev)
		if err != nil {
			return n, fmt.Errorf("write test stream: %w", err)
		}
		m, err := w.Write(append(b, '\n'))
		n += int64(m)
		if err != nil {
			return n, fmt.Errorf("write test stream: %w", err)
		}
	}
	return n, nil
}
