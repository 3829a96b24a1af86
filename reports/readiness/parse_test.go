package readiness

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"testing/iotest"
)

const pkg = "example.com/readiness"

// stream builds a `go test -json` stream from events (Package defaults to pkg).
func stream(t *testing.T, events ...Event) string {
	t.Helper()
	var b strings.Builder
	for _, ev := range events {
		if ev.Package == "" && ev.ImportPath == "" {
			ev.Package = pkg
		}
		line, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.String()
}

func run(name string) Event { return Event{Action: ActionRun, Test: name} }
func attr(name, k, v string) Event {
	return Event{Action: ActionAttr, Test: name, Key: k, Value: v}
}
func out(name, s string) Event        { return Event{Action: ActionOutput, Test: name, Output: s + "\n"} }
func end(name string, a Action) Event { return Event{Action: a, Test: name} }

func parse(t *testing.T, s string) *Run {
	t.Helper()
	r, err := Parse(strings.NewReader(s))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return r
}

func TestParseItems(t *testing.T) {
	s := stream(t,
		Event{Action: ActionStart},
		run("TestArea"), attr("TestArea", AttrArea, "Logs"), attr("TestArea", AttrSeverity, "blocking"),
		run("TestArea/ok"), attr("TestArea/ok", AttrValue, "exists"), end("TestArea/ok", ActionPass),
		run("TestArea/warned"), attr("TestArea/warned", AttrSeverity, "warning"), attr("TestArea/warned", AttrStatus, "warn"),
		out("TestArea/warned", "    logs_test.go:12: warning: queue_aware.enabled = false"), end("TestArea/warned", ActionPass),
		run("TestArea/bad"), out("TestArea/bad", "=== RUN   TestArea/bad"), out("TestArea/bad", "    x_test.go:3: got 1, want 2"),
		out("TestArea/bad", "--- FAIL: TestArea/bad (0.00s)"), end("TestArea/bad", ActionFail),
		end("TestArea", ActionFail),
		run("TestPending"), attr("TestPending", AttrArea, "Safety"), out("TestPending", "    p_test.go:9: not evaluated: missing capability: x"), end("TestPending", ActionSkip),
		run("TestUnit"), end("TestUnit", ActionPass),
		Event{Action: ActionFail},
	)
	r := parse(t, "not json\n"+s+"{broken\n")
	want := []struct {
		test     string
		area     string
		severity Severity
		status   Status
	}{
		{"TestArea/ok", "Logs", Blocking, StatusPass},
		{"TestArea/warned", "Logs", Warning, StatusWarn},
		{"TestArea/bad", "Logs", Blocking, StatusFail},
		{"TestPending", "Safety", Blocking, StatusSkip},
	}
	if len(r.Items) != len(want) {
		t.Fatalf("got %d items %v, want %d", len(r.Items), names(r.Items), len(want))
	}
	for i, w := range want {
		it := r.Items[i]
		if it.Test != w.test || it.Area != w.area || it.Severity != w.severity || it.Status != w.status {
			t.Errorf("item %d = %s %s %s %s, want %s %s %s %s", i, it.Test, it.Area, it.Severity, it.Status, w.test, w.area, w.severity, w.status)
		}
	}
	if got := r.Items[2].Messages; len(got) != 1 || got[0] != "got 1, want 2" {
		t.Errorf("failed item messages = %q, want the message without framing and source prefix", got)
	}
	if got := r.Items[0].Attr(AttrValue); got != "exists" {
		t.Errorf("value attr = %q, want exists", got)
	}
	if len(r.Unassigned) != 1 || r.Unassigned[0].Test != "TestUnit" {
		t.Errorf("unassigned tests = %v, want [TestUnit]", names(r.Unassigned))
	}
	if r.Items[0].Name() != "ok" || r.Items[3].Name() != "TestPending" {
		t.Errorf("Name() = %q, %q; want ok, TestPending", r.Items[0].Name(), r.Items[3].Name())
	}
}

func names(items []Item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Test)
	}
	return out
}

func TestParseParentSetupFailureIsAnItem(t *testing.T) {
	s := stream(t,
		run("TestArea"), attr("TestArea", AttrArea, "Logs"),
		run("TestArea/a"), end("TestArea/a", ActionPass),
		out("TestArea", "    logs_test.go:20: cleanup failed"), end("TestArea", ActionFail),
		Event{Action: ActionFail},
	)
	r := parse(t, s)
	if len(r.Items) != 2 || r.Items[0].Test != "TestArea" || r.Items[0].Status != StatusFail {
		t.Fatalf("items = %v, want the failed parent TestArea and TestArea/a", names(r.Items))
	}
	if got := Summarize(r, Options{}).Verdict; got != ActionRequired {
		t.Errorf("verdict = %s, want %s", got, ActionRequired)
	}
}

func TestParsePanicFailsUnfinishedTests(t *testing.T) {
	s := stream(t,
		run("TestArea"), attr("TestArea", AttrArea, "Logs"),
		run("TestArea/a"), out("TestArea/a", "panic: boom"),
		Event{Action: ActionOutput, Output: "FAIL\texample.com/readiness\t0.01s\n"},
		Event{Action: ActionFail},
	)
	r := parse(t, s)
	if len(r.Items) != 1 || r.Items[0].Status != StatusFail {
		t.Fatalf("items = %+v, want TestArea/a failed", r.Items)
	}
	if r.Incomplete() {
		t.Error("Incomplete() = true for a stream whose package ended")
	}
}

func TestParseTruncatedStreamIsIncomplete(t *testing.T) {
	s := stream(t,
		run("TestArea"), attr("TestArea", AttrArea, "Logs"),
		run("TestArea/a"), end("TestArea/a", ActionPass),
		run("TestArea/b"),
	)
	r := parse(t, s)
	if !r.Incomplete() {
		t.Fatal("Incomplete() = false for a stream that stops mid-test")
	}
	if got := Summarize(r, Options{}).Verdict; got != Interrupted {
		t.Errorf("verdict = %s, want %s", got, Interrupted)
	}
}

func TestParseBuildFailure(t *testing.T) {
	s := stream(t,
		Event{Action: ActionBuildOutput, ImportPath: "x [x.test]", Output: "x.go:1:1: syntax error\n"},
		Event{Action: ActionBuildFail, ImportPath: "x [x.test]"},
		Event{Action: ActionOutput, Package: "x", Output: "FAIL\tx [build failed]\n"},
		Event{Action: ActionFail, Package: "x", FailedBuild: "x [x.test]"},
	)
	r := parse(t, s)
	if !r.BuildFailed() || len(r.BuildErrors) != 1 {
		t.Fatalf("BuildFailed() = %v, BuildErrors = %q; want true and the compiler line", r.BuildFailed(), r.BuildErrors)
	}
	if got := Summarize(r, Options{}).Verdict; got != NotRun {
		t.Errorf("verdict = %s, want %s", got, NotRun)
	}
}

func TestParseReadError(t *testing.T) {
	_, err := Parse(iotest.ErrReader(errors.New("disk gone")))
	if err == nil || !strings.Contains(err.Error(), "parse test stream") {
		t.Fatalf("Parse error = %v, want a wrapped read error", err)
	}
}

func TestSummarize(t *testing.T) {
	item := func(sev Severity, st Status) Item { return Item{Test: "T/x", Area: "Logs", Severity: sev, Status: st} }
	cases := []struct {
		name    string
		run     Run
		opts    Options
		verdict Verdict
		passed  int
		eval    int
	}{
		{"all pass", Run{Items: []Item{item(Blocking, StatusPass), item(Warning, StatusWarn)}}, Options{}, Ready, 1, 1},
		{"warning never fails", Run{Items: []Item{item(Warning, StatusWarn)}}, Options{}, Ready, 0, 0},
		{"blocking fail", Run{Items: []Item{item(Blocking, StatusPass), item(Blocking, StatusFail)}}, Options{}, ActionRequired, 1, 2},
		{"skips not counted", Run{Items: []Item{item(Blocking, StatusPass), item(Blocking, StatusSkip)}}, Options{}, Ready, 1, 1},
		{"no items", Run{}, Options{}, NotRun, 0, 0},
		{"runner error wins over results", Run{Items: []Item{item(Blocking, StatusPass)}}, Options{RunError: "x"}, NotRun, 1, 1},
		{"interrupted wins", Run{Items: []Item{item(Blocking, StatusFail)}}, Options{Interrupted: true}, Interrupted, 0, 1},
		{"a failing test without an area", Run{Items: []Item{item(Blocking, StatusPass)}, Unassigned: []Item{{Test: "TestUnit", Status: StatusFail}}}, Options{}, NotRun, 1, 1},
		{"a passing test without an area is not silently counted", Run{Items: []Item{item(Blocking, StatusPass)}, Unassigned: []Item{{Test: "TestUnit", Status: StatusPass}}}, Options{}, NotRun, 1, 1},
		{"package failed with no failed item", Run{Items: []Item{item(Blocking, StatusPass)}, Packages: []PackageResult{{Name: "p", Status: StatusFail}}}, Options{}, NotRun, 1, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := Summarize(&c.run, c.opts)
			if s.Verdict != c.verdict || s.BlockingPassed != c.passed || s.BlockingEvaluated != c.eval {
				t.Errorf("got %s %d/%d, want %s %d/%d", s.Verdict, s.BlockingPassed, s.BlockingEvaluated, c.verdict, c.passed, c.eval)
			}
		})
	}
}

func TestAreasKeepSeedOrder(t *testing.T) {
	r := &Run{Items: []Item{{Area: "Zeta", Status: StatusPass}, {Area: "Logs", Status: StatusPass}, {Area: "Config & Flags", Status: StatusFail}}}
	var got []string
	for _, a := range Summarize(r, Options{}).Areas {
		got = append(got, a.Name)
	}
	want := append(append([]string(nil), Areas...), "Zeta")
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("areas = %v, want %v", got, want)
	}
}

func TestCellEscapesTableSyntax(t *testing.T) {
	if got := cell("a|b\nc\r"); got != `a\|b c` {
		t.Errorf("cell = %q", got)
	}
}
