package stack

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/monitoring"
)

// needPrometheus returns the server binary, or fails (CI) / skips loudly.
func needPrometheus(t testing.TB) string {
	t.Helper()
	bin, err := FindPrometheus("")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v: run make deps", err)
		}
		t.Skipf("SKIPPED, NOT TESTED: %v: run make deps to test the monitoring stack", err)
	}
	return bin
}

// moduleRoot is the module root for the test.
func moduleRoot(t testing.TB) string {
	t.Helper()
	root, err := checklist.ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// shortRules renders the rules of fixtures/criteria.short.yaml into dir.
func shortRules(t testing.TB, root, dir string) string {
	t.Helper()
	env := monitoring.Env{Root: root, Criteria: "fixtures/criteria.short.yaml", Budgets: "fixtures/budgets.yaml"}
	in, err := env.Load()
	if err != nil {
		t.Fatal(err)
	}
	a, err := monitoring.Render(in)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "presoak.rules.yml")
	if err := os.WriteFile(path, a.Rules, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// survivors lists live processes whose command line mentions marker.
func survivors(t testing.TB, marker string) []string {
	t.Helper()
	out, err := exec.Command("ps", "-eo", "pid,stat,args").Output()
	if err != nil {
		t.Fatalf("ps: %v", err)
	}
	var left []string
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.Fields(l)
		if len(f) < 3 || strings.HasPrefix(f[1], "Z") || strings.Contains(l, " ps -eo") {
			continue
		}
		if strings.Contains(l, marker) {
			left = append(left, strings.TrimSpace(l))
		}
	}
	return left
}
