package readiness

import (
	"fmt"
	"strings"
)

// Item is one checklist item: a leaf test (a test with no subtests) of the
// checklist, or a parent test that failed on its own (its setup failed while
// none of its subtests did).
type Item struct {
	// Package is the test's import path.
	Package string
	// Test is the full test name, the item's stable id ("TestLogs/artifacts_reports").
	Test string
	// Area is the attr "area" of the test or of its nearest parent that set one.
	Area string
	// Severity is the attr "severity"; blocking when absent or unknown.
	Severity Severity
	// Status is the outcome: from the test's pass/fail/skip and the attr "status".
	Status Status
	// Attrs are all attributes the test set; a later value of a key wins.
	Attrs map[string]string
	// Messages are the test's own output lines (t.Log, t.Error, t.Skip), trimmed,
	// without the framing lines (=== RUN, --- FAIL, ...) and source prefixes.
	Messages []string
	// Elapsed is the test's duration in seconds.
	Elapsed float64
}

// Name is the item's short name: the test name after its top-level test
// ("pipeline_enabled"), or the whole name for a top-level test.
func (it Item) Name() string {
	if i := strings.IndexByte(it.Test, '/'); i >= 0 {
		return it.Test[i+1:]
	}
	return it.Test
}

// Attr returns the attribute key, or "" when the test did not set it.
func (it Item) Attr(key string) string { return it.Attrs[key] }

// PackageResult is one test package's outcome.
type PackageResult struct {
	// Name is the import path.
	Name string
	// Status is pass, fail or skip (no test files); incomplete when the stream
	// ended before the package did.
	Status Status
	// BuildFailed is true when the package's test binary did not build.
	BuildFailed bool
	// Output is the package-level output (build errors, panics, "FAIL ...").
	Output []string
	// Elapsed is the package's duration in seconds (its pass or fail event).
	Elapsed float64
}

// Run is a parsed `go test -json` stream of the checklist.
type Run struct {
	// Items are the checklist items (tests with an "area" attribute, their own
	// or a parent's) in the order their tests started.
	Items []Item
	// Unassigned are the tests in the stream with no "area" attribute (their
	// own or a parent's). The gate holds checklist items only, so each one is
	// a defect of the checklist (a test that forgot checklist.Group): it is
	// not counted as an item, and the verdict is NOT RUN until it is fixed.
	Unassigned []Item
	// Packages are the test packages in the order they started.
	Packages []PackageResult
	// Attrs are run-wide attributes (AttrConfigHash, AttrConfigLayers) from any test.
	Attrs map[string]string
	// BuildErrors are the compiler's lines for packages that failed to build.
	BuildErrors []string
}

// Incomplete reports whether the stream ended before every started test and
// package finished, which is what an interrupted run leaves behind.
func (r *Run) Incomplete() bool {
	for _, p := range r.Packages {
		if p.Status == StatusIncomplete {
			return true
		}
	}
	for _, it := range r.Items {
		if it.Status == StatusIncomplete {
			return true
		}
	}
	return false
}

// BuildFailed reports whether any package failed to build.
func (r *Run) BuildFailed() bool {
	if len(r.BuildErrors) > 0 {
		return true
	}
	for _, p := range r.Packages {
		if p.BuildFailed {
			return true
		}
	}
	return false
}

// packageFailed reports whether a test package failed.
func (r *Run) packageFailed() bool {
	for _, p := range r.Packages {
		if p.Status == StatusFail {
			return true
		}
	}
	return false
}

// UnassignedNames are the names of the Unassigned tests, comma-separated.
func (r *Run) UnassignedNames() string {
	names := make([]string, len(r.Unassigned))
	for i, it := range r.Unassigned {
		names[i] = it.Test
	}
	return strings.Join(names, ", ")
}

// UnassignedDefect is the one-line statement of the Unassigned tests, or ""
// when there are none.
func UnassignedDefect(r *Run) string {
	n := len(r.Unassigned)
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%d %s in the gate %s no area attribute (%s): a defect of the checklist, not counted as %s; every checklist test calls checklist.Group(t, area) (see the readiness package doc)",
		n, plural(n, "test", "tests"), plural(n, "has", "have"), r.UnassignedNames(), plural(n, "an item", "items"))
}
