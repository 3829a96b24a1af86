// Package readiness is the pre-soak checklist: every checklist item is a Go
// test, and `go test ./readiness/...` is the gate. `presoak readiness` (make
// readiness) runs it through gotestsum and renders artifacts/reports/
// readiness.junit.xml and PRE_SOAK_REPORT.md from the same `go test -json`
// stream. The non-test code lives in subpackages (checklist, signal,
// criteria, ...); this package holds only tests.
//
// # Conventions for checklist tests
//
// One file per area, readiness/<area>_test.go, with exactly one top-level
// test per area and one subtest per item:
//
//	Config & Flags  TestConfigAndFlags  config_flags_test.go
//	Baseline        TestBaseline        baseline_test.go
//	MD-Cache        TestMDCache         mdcache_test.go
//	Logs            TestLogs            logs_test.go
//	Safety          TestSafety          safety_test.go
//	Monitoring      TestMonitoring      monitoring_test.go
//
// The full test name (TestConfigAndFlags/pipeline_enabled) is the item's id
// in JUnit and in the Markdown report: keep names stable, lower_snake_case,
// one level of subtests (no "/" inside an item name).
//
// The top-level test calls checklist.Group(t, area). Each item builds a
// checklist.Item (area, severity, status, got, want, source, fix, message) in
// non-test code and calls checklist.Record(t, item), which sets these
// attributes (t.Attr, so they reach the JSON stream and JUnit <properties>):
//
//	area      one of the checklist.Area* constants, e.g. "Config & Flags"
//	severity  "blocking" (the run fails when the item fails) or "warning"
//	status    "pass", "warn", "fail" or "skip"
//	value     what was measured ("false", "p95 41.2ms")
//	want      the requirement ("true", "<= 9", "p95 <= 35ms")
//	source    where the value came from ("fixtures/config.yaml:4", a metric, a file)
//	fix       what to do when it fails
//
// Record calls t.Error with the item's message for a failed blocking item.
// The message stands alone: "pipeline.enabled = false
// (fixtures/config.yaml:4), want true: set it to true in an override (e.g.
// fixtures/config.soak_overrides.yaml)".
//
// A warning never fails the run: a warning-severity item that does not hold
// is recorded with status "warn" and logged ("warning: ..."); the test
// passes, and the report lists it under Warnings with a ⚠️.
//
// An item that cannot be evaluated fails (checklist.NotEvaluated); it is never
// a pass. An area whose capability is not built yet skips with
// checklist.Pending, naming the missing capability; skipped items are listed
// in the report and left out of the readiness percentage. pending_test.go
// holds those placeholders: the commit that adds an area's file deletes its
// function there.
//
// A test in ./readiness/... without an "area" attribute (its own or its
// parent's) is not a checklist item: the report counts it as a harness
// self-test, and a failing one makes the verdict NOT RUN (the harness is
// broken, so its answers cannot be trusted). The attributes config_hash and
// config_layers are set once, by TestConfigAndFlags; no other test sets them.
//
// Paths: tests run in this directory; resolve fixtures and artifacts against
// the module root (checklist.ModuleRoot, checklist.LoadEnv) and show them
// relative to it (no absolute paths in reports). CONFIG is a comma-separated
// list of config layers (default checklist.DefaultConfig). Attribute values
// must not contain secrets (never print a config value whose key
// config.IsSecretKey reports).
package readiness
