package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"testing"

	"github.com/presoak/presoak/internal/modroot"
)

const module = "github.com/presoak/presoak/"

// pkg is what the rules read of one `go list -json` package.
type pkg struct {
	ImportPath   string
	Imports      []string // the package's own code
	TestImports  []string // its _test.go files in the package
	XTestImports []string // its _test.go files in package <name>_test
}

// rule is one line of ARCHITECTURE.md's "what may import what": for the
// packages under from, which module imports are refused. tests says whether
// the package's test files are held to it too.
type rule struct {
	from   string // a folder (its packages and everything under it)
	except []string
	tests  bool
	// allowed reports whether the module package to (without the module
	// prefix) may be imported; why is the rule, said in the failure.
	allowed func(to string) bool
	why     string
}

func under(p, dir string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }

func onlyUnder(dirs ...string) func(string) bool {
	return func(to string) bool {
		for _, d := range dirs {
			if under(to, d) {
				return true
			}
		}
		return false
	}
}

// rules are ARCHITECTURE.md's "What may import what".
var rules = []rule{
	{from: "engine", tests: true, allowed: onlyUnder("engine", "internal"),
		why: "the engine knows nothing of the harness, the reports or the commands"},
	{from: "harness", except: []string{"harness/target"},
		allowed: func(to string) bool { return !under(to, "engine") || to == "engine/config" },
		why:     "the harness reaches the engine only through the embedded target (harness/target); engine/config, the bot's config as data, is the one exception"},
	{from: "harness", allowed: func(to string) bool { return !under(to, "cmd") && !under(to, "readiness") && !under(to, "bench") },
		why: "the harness is machinery: it never imports the checklist, the benchmarks or the commands"},
	{from: "harness/checklist/result", tests: true, allowed: func(string) bool { return false },
		why: "the result vocabulary is a leaf: the renderers import it without the checklist's machinery"},
	{from: "reports", tests: true, allowed: func(to string) bool {
		return under(to, "reports") || under(to, "internal") || to == "harness/checklist/result"
	},
		why: "reports are pure functions of data: only the result vocabulary (harness/checklist/result) and internal helpers"},
	{from: "readiness", tests: true, allowed: onlyUnder("harness", "reports", "internal"),
		why: "the checklist is thin tests over the harness and the reports"},
	{from: "bench", tests: true, allowed: func(to string) bool { return under(to, "harness") || under(to, "internal") || to == "engine/config" },
		why: "the benchmarks read the engine only through the embedded target (harness)"},
	{from: "internal", tests: true, allowed: onlyUnder("internal"),
		why: "internal holds small shared helpers that import nothing else of the module"},
}

// violations is every import of pkgs that breaks a rule, one line each:
// "<package> imports <package>: <why>".
func violations(pkgs []pkg) []string {
	var out []string
	for _, p := range pkgs {
		from, ok := strings.CutPrefix(p.ImportPath, module)
		if !ok {
			continue
		}
		for _, r := range rules {
			if !under(from, r.from) || excepted(from, r.except) {
				continue
			}
			imports := p.Imports
			if r.tests {
				imports = append(append(append([]string(nil), p.Imports...), p.TestImports...), p.XTestImports...)
			}
			seen := map[string]bool{}
			for _, imp := range imports {
				to, ok := strings.CutPrefix(imp, module)
				if !ok || to == from || seen[to] {
					continue
				}
				seen[to] = true
				if !r.allowed(to) {
					out = append(out, fmt.Sprintf("%s imports %s: %s", from, to, r.why))
				}
			}
		}
	}
	return out
}

func excepted(p string, except []string) bool {
	for _, e := range except {
		if under(p, e) {
			return true
		}
	}
	return false
}

// listModule is `go list -json` of every package of the module, with the
// soak and shadow tags so the tagged tests are read too.
func listModule(t *testing.T) []pkg {
	t.Helper()
	root, err := modroot.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-json", "-tags", "soak,shadow", "./...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 20 {
		t.Fatalf("go list: got %d packages, want the whole module", len(pkgs))
	}
	return pkgs
}

// TestImportRules: every package of the module keeps ARCHITECTURE.md's
// import rules. A failure names the package, the import and the rule.
func TestImportRules(t *testing.T) {
	if testing.Short() {
		t.Skip("go list of the whole module")
	}
	for _, v := range violations(listModule(t)) {
		t.Error(v)
	}
}

// TestViolationsNamesTheOffendingImport: the checker itself, on made-up
// packages: each rule refuses what it should and names the import.
func TestViolationsNamesTheOffendingImport(t *testing.T) {
	t.Parallel()
	m := func(s ...string) []string {
		for i := range s {
			s[i] = module + s[i]
		}
		return s
	}
	bad := []pkg{
		{ImportPath: module + "engine/mdcache", TestImports: m("harness/signal")},
		{ImportPath: module + "harness/baseline", Imports: m("engine/config", "engine/fault")},
		{ImportPath: module + "reports/readiness", Imports: m("harness/checklist")},
		{ImportPath: module + "bench", XTestImports: m("engine")},
		{ImportPath: module + "readiness", TestImports: m("engine/clock")},
		{ImportPath: module + "internal/golden", Imports: m("harness/budget")},
		{ImportPath: module + "harness/checklist/result", Imports: m("internal/modroot")},
	}
	want := []string{
		"engine/mdcache imports harness/signal: the engine knows nothing",
		"harness/baseline imports engine/fault: the harness reaches the engine only through the embedded target",
		"reports/readiness imports harness/checklist: reports are pure functions of data",
		"bench imports engine: the benchmarks read the engine only through the embedded target",
		"readiness imports engine/clock: the checklist is thin tests",
		"internal/golden imports harness/budget: internal holds",
		"harness/checklist/result imports internal/modroot: the result vocabulary is a leaf",
	}
	got := violations(bad)
	if len(got) != len(want) {
		t.Fatalf("got %d violations, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("violation %d: got %q, want it to start %q", i, got[i], want[i])
		}
	}
	good := []pkg{
		{ImportPath: module + "harness/target", Imports: m("engine", "engine/fault", "harness/signal")},
		{ImportPath: module + "harness/baseline", Imports: m("engine/config", "harness/target"), TestImports: m("engine/calibration")},
		{ImportPath: module + "reports/readiness", Imports: m("harness/checklist/result", "internal/golden")},
		{ImportPath: module + "cmd/presoak", Imports: m("engine", "harness/stack", "reports/edge")},
	}
	if got := violations(good); len(got) > 0 {
		t.Errorf("allowed imports refused:\n%s", strings.Join(got, "\n"))
	}
}
