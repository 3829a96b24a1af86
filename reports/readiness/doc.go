// Package readiness renders the pre-soak readiness report (PRE_SOAK_REPORT.md)
// from the `go test -json` stream of the checklist (package
// github.com/presoak/presoak/readiness).
//
// The stream is the only input: Parse turns it into a typed Run (one Item per
// checklist item, i.e. per leaf test), Summarize derives the per-area table,
// the readiness percentage and the verdict, and WriteMarkdown writes the
// report; WriteJUnit writes readiness.junit.xml from the same Run (one
// testcase per item, the failure message its one-line reason: see junit.go),
// and Recorder writes the stream of items presoak evaluates before go test
// runs (the config check). The renderers are pure functions of their
// arguments: the clock and the tool version come in through Options, so the
// same stream always renders the same bytes (the golden tests rely on it).
//
// A checklist item describes itself with test attributes (t.Attr, Go 1.25+),
// which `go test -json` emits as {"Action":"attr","Key":...,"Value":...}
// events and WriteJUnit turns into <properties>. The keys are the
// Attr* constants below; see the readiness package doc for the conventions a
// checklist test follows.
//
// How not to use this package: do not feed it gotestsum's console output or a
// JUnit file (only the JSON event stream carries attributes in order), and do
// not compute verdicts elsewhere — Summarize is the one definition of READY.
package readiness
