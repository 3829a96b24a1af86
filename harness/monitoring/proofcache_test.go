package monitoring_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presoak/presoak/harness/monitoring"
	report "github.com/presoak/presoak/reports/readiness"
)

// fakePromtool is a promtool that prints version, succeeds (or fails, with
// fail) on `test rules`, and appends a line to the returned file each time it
// runs the tests.
func fakePromtool(t *testing.T, version string, fail bool) (monitoring.Promtool, string) {
	t.Helper()
	dir := t.TempDir()
	count := filepath.Join(dir, "runs")
	result := `echo "  SUCCESS"`
	if fail {
		result = `echo "  FAILED: alert did not fire"; exit 1`
	}
	script := "#!/bin/sh\ncase \"$1\" in\n--version) echo \"promtool, version " + version + "\";;\n" +
		"test) echo run >> '" + count + "'; " + result + ";;\n*) echo SUCCESS;;\nesac\n"
	path := filepath.Join(dir, "promtool")
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return monitoring.Promtool{Path: path}, count
}

func runs(t *testing.T, count string) int {
	t.Helper()
	data, err := os.ReadFile(count)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(data), "run\n")
}

// The proof cache skips promtool for bytes it has proven with the same
// promtool, says so in the item, and misses on any change of rules or
// promtool version; a failure is never kept.
func TestProofCache(t *testing.T) {
	env := newChecksRoot(t, true)
	cache := &monitoring.ProofCache{Dir: t.TempDir()}
	pt, count := fakePromtool(t, "2.42.0", false)
	prove := func(p monitoring.Promtool) (string, report.Status, string) {
		it := (&monitoring.Checks{Env: env, Promtool: p, ProofCache: cache}).AlertsMatchPresoak(t.Context())
		return it.Message, it.Status, it.Source
	}

	msg, st, _ := prove(pt)
	if st != report.StatusPass || runs(t, count) != 1 || strings.Contains(msg, "proof cache") {
		t.Fatalf("first proof: %s, %d promtool runs, %q; want pass, 1 run, not cached", st, runs(t, count), msg)
	}
	msg, st, src := prove(pt)
	if st != report.StatusPass || runs(t, count) != 1 {
		t.Fatalf("second proof: %s after %d promtool runs, want pass without running promtool again", st, runs(t, count))
	}
	if !strings.Contains(msg, "reused from the proof cache") || !strings.Contains(msg, "promtool, version 2.42.0") || !strings.Contains(src, "(promtool result cached)") {
		t.Errorf("a cached proof does not say so: message %q, source %q", msg, src)
	}

	// Another promtool version: proven again.
	pt2, count2 := fakePromtool(t, "3.5.0", false)
	if _, st, _ := prove(pt2); st != report.StatusPass || runs(t, count2) != 1 {
		t.Errorf("new promtool version: %s after %d runs, want a fresh proof", st, runs(t, count2))
	}

	// Changed rules: proven again.
	rules := filepath.Join(env.Root, monitoring.RulesPath)
	data, err := os.ReadFile(rules)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, rules, append(data, []byte("# edited\n")...))
	if _, st, _ := prove(pt); st != report.StatusPass || runs(t, count) != 2 {
		t.Errorf("changed rules: %s after %d runs, want a fresh proof (2 runs)", st, runs(t, count))
	}

	// A failing promtool is never cached: it runs (and fails) every time.
	bad, countBad := fakePromtool(t, "9.9.9", true)
	for i := 1; i <= 2; i++ {
		if _, st, _ := prove(bad); st != report.StatusFail || runs(t, countBad) != i {
			t.Errorf("failing promtool, try %d: %s after %d runs, want fail and %d runs", i, st, runs(t, countBad), i)
		}
	}
}
