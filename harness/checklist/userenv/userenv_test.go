package userenv_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/presoak/presoak/harness/baseline"
	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/checklist/userenv"
	"github.com/presoak/presoak/harness/monitoring"
	"github.com/presoak/presoak/harness/monitoring/prombin"
	"github.com/presoak/presoak/harness/target"
	"github.com/presoak/presoak/internal/home"
	"github.com/presoak/presoak/internal/modroot"
)

func root(t *testing.T) string {
	t.Helper()
	r, err := modroot.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Every variable the readers of the user's environment ask for is in Names:
// the checklist's env (CONFIG and the harness), the harness file's reader and
// the monitoring inputs, observed by the keys they look up.
func TestNamesCoverTheReaders(t *testing.T) {
	r := root(t)
	asked := map[string]bool{}
	lookup := func(k string) (string, bool) { asked[k] = true; return "", false }
	getenv := func(k string) string { asked[k] = true; return "" }
	checklist.LoadRunEnvAt(r, lookup)
	target.LoadHarnessEnv(r, getenv)
	monitoring.EnvFrom(r, getenv)
	for _, k := range []string{checklist.EnvConfig, target.EnvHarness, target.EnvTarget, target.EnvScrapeURL,
		target.EnvPrometheusURL, target.EnvSelector, baseline.EnvReadinessSample, home.EnvWorkdir, home.EnvProfile,
		prombin.EnvPromtool, prombin.EnvPrometheus} {
		asked[k] = true
	}
	in := map[string]bool{}
	for _, n := range userenv.Names {
		in[n] = true
	}
	var missing []string
	for k := range asked {
		if !in[k] {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("read from the user's environment but not in userenv.Names: %v", missing)
	}
	if len(asked) < 8 {
		t.Errorf("observed only %d keys (%v): the readers changed; this test no longer sees them", len(asked), asked)
	}
}

func TestClearAndWithout(t *testing.T) {
	t.Setenv(userenv.Harness, "mine.yaml")
	t.Setenv(userenv.Config, "x.yaml")
	t.Setenv("PRESOAK_KEEP", "1")
	userenv.Clear()
	for _, k := range []string{userenv.Harness, userenv.Config} {
		if v, ok := os.LookupEnv(k); ok {
			t.Errorf("%s=%q after Clear", k, v)
		}
	}
	got := userenv.Without([]string{"HARNESS=mine.yaml", "PATH=/bin", "CONFIG=", "TARGETX=1", "TARGET=scrape"})
	if strings.Join(got, " ") != "PATH=/bin TARGETX=1" {
		t.Errorf("Without = %q, want PATH and TARGETX only", got)
	}
}

// Every test package under harness/ and cmd/ has a TestMain that calls
// userenv.Clear, so no harness test reads the user's CONFIG, TARGET, HARNESS...
func TestEveryHarnessTestPackageClearsTheUserEnv(t *testing.T) {
	r := root(t)
	var missing []string
	for _, top := range []string{"harness", "cmd"} {
		err := filepath.WalkDir(filepath.Join(r, top), func(path string, d os.DirEntry, err error) error {
			switch {
			case err != nil:
				return err
			case !d.IsDir():
				return nil
			case d.Name() == "testdata":
				return filepath.SkipDir
			}
			tests, _ := filepath.Glob(filepath.Join(path, "*_test.go"))
			if len(tests) == 0 {
				return nil
			}
			if !clearsInTestMain(t, tests) {
				rel, _ := filepath.Rel(r, path)
				missing = append(missing, rel)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(missing) > 0 {
		t.Errorf("test packages without a TestMain calling userenv.Clear (they would read the user's CONFIG, TARGET, HARNESS, ...): %s", strings.Join(missing, ", "))
	}
}

// clearsInTestMain reports whether one of files declares TestMain and calls
// userenv.Clear in it.
func clearsInTestMain(t *testing.T, files []string) bool {
	fset := token.NewFileSet()
	for _, f := range files {
		file, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Errorf("parse %s: %v", filepath.Base(f), err)
			continue
		}
		for _, decl := range file.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Name.Name != "TestMain" || fn.Recv != nil || fn.Body == nil {
				continue
			}
			found := false
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok && sel.Sel.Name == "Clear" {
					if id, ok := sel.X.(*ast.Ident); ok && id.Name == "userenv" {
						found = true
					}
				}
				return !found
			})
			if found {
				return true
			}
		}
	}
	return false
}

// The targeted proof: the harness tests that read the environment pass the
// same with a user's hostile environment (another harness file, a config
// that does not load, a running-bot target nobody serves). Before each
// package cleared it, cmd/presoak's TestScrapeCheck, TestTargetCheckConfigErrors
// and TestReadinessEndToEnd failed under exactly this environment.
func TestHostileUserEnvDoesNotChangeHarnessOutcomes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test on two packages: not in -short")
	}
	hostile := []string{
		"HARNESS=some-other.yaml", "CONFIG=fixtures/bad/typo_key.yaml", "TARGET=scrape",
		"SCRAPE_URL=http://127.0.0.1:1/metrics", "PROMETHEUS_URL=http://127.0.0.1:1", "SELECTOR={job=\"nobody\"}",
		"CRITERIA=nope.yaml", "BUDGETS=nope.yaml", "READINESS_SAMPLE=1x", "DURATION=-1s",
	}
	cmd := exec.Command("go", "test", "-count=1",
		"-run", "^(TestScrapeCheck|TestTargetCheckConfigErrors|TestLoadRunEnv.*|TestLoadEnv.*|TestReadBot.*)$",
		"./cmd/presoak/", "./harness/checklist/")
	cmd.Dir = root(t)
	cmd.Env = append(userenv.Without(os.Environ()), hostile...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("with %s the harness tests fail: %v\n%s", strings.Join(hostile, " "), err, out)
	}
	if strings.Count(string(out), "\nok ")+strings.Count(string(out), "ok  \t") < 2 {
		t.Errorf("want both packages ok:\n%s", out)
	}
}
