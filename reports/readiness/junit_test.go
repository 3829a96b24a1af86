package readiness

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/presoak/presoak/internal/golden"
)

const testModule = "github.com/presoak/presoak"

// junitOf parses the stream testdata/name (none: an empty stream) and
// renders its JUnit.
func junitOf(t *testing.T, name string, opts Options) []byte {
	t.Helper()
	var stream []byte
	if name != "" {
		var err error
		if stream, err = os.ReadFile(filepath.Join("testdata", name)); err != nil {
			t.Fatal(err)
		}
	}
	run, err := Parse(bytes.NewReader(stream))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if opts.Now.IsZero() {
		opts.Now = time.Date(2026, 11, 29, 23, 30, 0, 0, time.UTC)
	}
	if opts.Module == "" {
		opts.Module = testModule
	}
	var out bytes.Buffer
	if err := WriteJUnit(&out, run, opts); err != nil {
		t.Fatalf("WriteJUnit: %v", err)
	}
	return out.Bytes()
}

func TestWriteJUnitGolden(t *testing.T) {
	cases := []struct {
		name, stream string
		opts         Options
	}{
		{"base_only", "base_only.json", Options{}},
		{"ready_with_warning", "ready_with_warning.json", Options{}},
		{"interrupted", "interrupted.json", Options{Interrupted: true}},
		{"build_failed", "build_failed.json", Options{}},
		{"runner_missing", "", Options{RunError: "cannot start go tool gotestsum: exec: \"go\": executable file not found in $PATH"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := junitOf(t, c.stream, c.opts)
			if err := golden.Check(filepath.Join("testdata", c.name+".junit.xml"), got, *update); err != nil {
				t.Error(err)
			}
			checkJUnitCounts(t, got)
		})
	}
}

// checkJUnitCounts is an independent reading of a JUnit document (generic
// XML, not our structs): every <testsuites> and <testsuite> carries tests,
// failures, errors, time and timestamp, and the counts equal the testcases.
func checkJUnitCounts(t *testing.T, doc []byte) {
	t.Helper()
	type node struct {
		XMLName xml.Name
		Attrs   []xml.Attr `xml:",any,attr"`
		Nodes   []node     `xml:",any"`
	}
	var root node
	if err := xml.Unmarshal(doc, &root); err != nil {
		t.Fatalf("not XML: %v", err)
	}
	attr := func(n node, k string) (string, bool) {
		for _, a := range n.Attrs {
			if a.Name.Local == k {
				return a.Value, true
			}
		}
		return "", false
	}
	need := func(n node) {
		for _, k := range []string{"tests", "failures", "errors", "time", "timestamp"} {
			if v, ok := attr(n, k); !ok || v == "" {
				t.Errorf("<%s> lacks %s", n.XMLName.Local, k)
			}
		}
	}
	if root.XMLName.Local != "testsuites" {
		t.Fatalf("root is <%s>, want <testsuites>", root.XMLName.Local)
	}
	need(root)
	var total, fails, errs int
	for _, su := range root.Nodes {
		if su.XMLName.Local != "testsuite" {
			continue
		}
		need(su)
		var n, f, e int
		for _, tc := range su.Nodes {
			if tc.XMLName.Local != "testcase" {
				continue
			}
			n++
			if cn, _ := attr(tc, "classname"); strings.Contains(cn, "github.com/") {
				t.Errorf("testcase classname %q is not relative to the module", cn)
			}
			for _, r := range tc.Nodes {
				switch r.XMLName.Local {
				case "failure":
					f++
				case "error":
					e++
				}
			}
		}
		for k, want := range map[string]int{"tests": n, "failures": f, "errors": e} {
			if v, _ := attr(su, k); v != strconv.Itoa(want) {
				t.Errorf("testsuite %s=%s, want %d (its testcases)", k, v, want)
			}
		}
		total, fails, errs = total+n, fails+f, errs+e
	}
	for k, want := range map[string]int{"tests": total, "failures": fails, "errors": errs} {
		if v, _ := attr(root, k); v != strconv.Itoa(want) {
			t.Errorf("testsuites %s=%s, want %d", k, v, want)
		}
	}
}

// What the issue asks of the JUnit, on a real stream (base config: three
// blocking config items fail).
func TestJUnitItemsReasonsAndVocabulary(t *testing.T) {
	rep, err := ReadJUnit(bytes.NewReader(junitOf(t, "base_only.json", Options{})))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]JUnitCase{}
	for _, su := range rep.Suites {
		if su.Name != "readiness" {
			t.Errorf("testsuite name %q, want readiness", su.Name)
		}
		for _, c := range su.Cases {
			cases[c.Name] = c
			if c.Classname != "readiness" {
				t.Errorf("%s: classname %q, want readiness", c.Name, c.Classname)
			}
			for i, k := range Vocabulary[:3] {
				if i >= len(c.Properties) || c.Properties[i].Name != k || c.Properties[i].Value == "" {
					t.Errorf("%s: property %d is %v, want %s first (area, severity, status)", c.Name, i, c.Properties, k)
					break
				}
			}
		}
	}
	// An area's parent test is a group, not a second failure.
	// (TestConfigAndFlags and TestLogs have subtests in this recording.)
	for _, parent := range []string{"TestConfigAndFlags", "TestLogs"} {
		if _, ok := cases[parent]; ok {
			t.Errorf("the group %s is a testcase of its own", parent)
		}
	}
	if rep.Failures != 3 {
		t.Errorf("failures = %d, want 3 (the three config items, each once)", rep.Failures)
	}
	c, ok := cases["TestConfigAndFlags/pipeline_enabled"]
	if !ok || c.Failure == nil {
		t.Fatalf("pipeline_enabled: no failure: %+v", c)
	}
	want := "got false, want true (fixtures/config.yaml:19): set it to true in an override (e.g. fixtures/config.soak_overrides.yaml)"
	if c.Failure.Message != want {
		t.Errorf("failure message = %q, want %q", c.Failure.Message, want)
	}
	if c.Failure.Type != "blocking" || !strings.Contains(c.Failure.Text, "pipeline.enabled") {
		t.Errorf("failure type %q text %q, want blocking and the test's message", c.Failure.Type, c.Failure.Text)
	}
	if got := c.Property(AttrStatus); got != "fail" {
		t.Errorf("status property = %q, want fail", got)
	}
}

func TestJUnitUnassignedTestIsAnError(t *testing.T) {
	r := &Run{
		Items:      []Item{{Package: testModule + "/readiness", Test: "TestLogs/a", Area: "Logs", Severity: Blocking, Status: StatusPass}},
		Unassigned: []Item{{Package: testModule + "/readiness", Test: "TestMine", Severity: Blocking, Status: StatusPass}},
	}
	rep := BuildJUnit(r, Options{Module: testModule})
	if rep.Tests != 2 || rep.Errors != 1 || rep.Failures != 0 {
		t.Fatalf("tests %d errors %d failures %d, want 2 1 0", rep.Tests, rep.Errors, rep.Failures)
	}
	c := rep.Suites[0].Cases[1]
	if c.Name != "TestMine" || c.Error == nil || !strings.Contains(c.Error.Message, "no area attribute") {
		t.Errorf("unassigned testcase = %+v, want an error naming the missing area", c)
	}
	if v := rep.Suites[0].Properties[0]; v.Value != string(NotRun) {
		t.Errorf("verdict property = %v, want NOT RUN", v)
	}
}

func TestReasonFallsBackToMessage(t *testing.T) {
	it := Item{Status: StatusFail, Messages: []string{"logs: load env:", "  no go.mod found"}}
	if got := it.Reason(); got != "logs: load env: no go.mod found" {
		t.Errorf("Reason = %q", got)
	}
	if got := (Item{Status: StatusFail}).Reason(); got == "" {
		t.Error("Reason is empty for an item without message")
	}
}

// A real consumer: Debian's python3-junitparser reads the JUnit and agrees on
// the counts and the failure message. It is a cross-check, not a dependency:
// without python3 or junitparser it skips, saying so.
func TestJUnitReadByJunitparser(t *testing.T) {
	py := ""
	// The python3 on PATH, else Debian's (where apt installs junitparser).
	for _, cand := range []string{"python3", "/usr/bin/python3"} {
		if p, err := exec.LookPath(cand); err == nil && exec.Command(p, "-c", "import junitparser").Run() == nil {
			py = p
			break
		}
	}
	if py == "" {
		t.Skip("cross-check skipped: no python3 with junitparser (apt-get install python3-junitparser runs it)")
	}
	path := filepath.Join(t.TempDir(), "readiness.junit.xml")
	if err := os.WriteFile(path, junitOf(t, "base_only.json", Options{}), 0o644); err != nil {
		t.Fatal(err)
	}
	script := `
import sys
from junitparser import JUnitXml, Failure
xml = JUnitXml.fromfile(sys.argv[1])
n = f = 0
for suite in xml:
    for case in suite:
        n += 1
        for r in case.result:
            if isinstance(r, Failure):
                f += 1
                if case.name == "TestConfigAndFlags/pipeline_enabled":
                    print("message=" + r.message)
        if case.classname != "readiness":
            print("classname=" + case.classname)
print("tests=%d failures=%d" % (n, f))
print("suite_tests=%d suite_failures=%d" % (xml.tests, xml.failures))
`
	out, err := exec.Command(py, "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("junitparser: %v\n%s", err, out)
	}
	rep, _ := ReadJUnit(bytes.NewReader(junitOf(t, "base_only.json", Options{})))
	for _, want := range []string{
		"message=got false, want true (fixtures/config.yaml:19): set it to true in an override (e.g. fixtures/config.soak_overrides.yaml)",
		"tests=" + strconv.Itoa(rep.Tests) + " failures=3",
		"suite_tests=" + strconv.Itoa(rep.Tests) + " suite_failures=3",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("junitparser output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "classname=") {
		t.Errorf("junitparser reads a classname other than readiness:\n%s", out)
	}
}

// From a team's module, presoak's checklist and the team's own items are
// both named relative to their module.
func TestJUnitClassnamesInATeamsModule(t *testing.T) {
	r := &Run{Items: []Item{
		{Package: testModule + "/readiness", Test: "TestLogs/a", Area: "Logs", Severity: Blocking, Status: StatusPass},
		{Package: "example.com/team/readiness", Test: "TestKillSwitch", Area: "Team", Severity: Blocking, Status: StatusPass},
		{Package: "example.com/other/checks", Test: "TestX", Area: "Team", Severity: Blocking, Status: StatusPass},
	}}
	rep := BuildJUnit(r, Options{Module: "example.com/team", OtherModules: []string{testModule}})
	var got []string
	for _, su := range rep.Suites {
		for _, c := range su.Cases {
			got = append(got, c.Classname)
		}
	}
	if strings.Join(got, " ") != "readiness readiness example.com/other/checks" {
		t.Errorf("classnames = %v, want readiness, readiness and the foreign package whole", got)
	}
}
