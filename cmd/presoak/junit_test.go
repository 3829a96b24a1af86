package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	report "github.com/presoak/presoak/reports/readiness"
)

// A soak's stream becomes JUnit with the readiness vocabulary: classname
// relative to the module, status always there, the criterion's failure with
// its one-line reason, the group not counted twice.
func TestJUnitCommandSoakStream(t *testing.T) {
	const stream = `{"Action":"run","Package":"github.com/presoak/presoak/readiness","Test":"TestSoak"}
{"Action":"attr","Package":"github.com/presoak/presoak/readiness","Test":"TestSoak","Key":"area","Value":"Soak"}
{"Action":"run","Package":"github.com/presoak/presoak/readiness","Test":"TestSoak/deadline_miss_rate"}
{"Action":"attr","Package":"github.com/presoak/presoak/readiness","Test":"TestSoak/deadline_miss_rate","Key":"severity","Value":"blocking"}
{"Action":"attr","Package":"github.com/presoak/presoak/readiness","Test":"TestSoak/deadline_miss_rate","Key":"value","Value":"3.1%"}
{"Action":"attr","Package":"github.com/presoak/presoak/readiness","Test":"TestSoak/deadline_miss_rate","Key":"want","Value":"<= 1% over 5m for 2m"}
{"Action":"attr","Package":"github.com/presoak/presoak/readiness","Test":"TestSoak/deadline_miss_rate","Key":"fix","Value":"roll back pipeline"}
{"Action":"output","Package":"github.com/presoak/presoak/readiness","Test":"TestSoak/deadline_miss_rate","Output":"    soak_test.go:243: stop condition fired\n"}
{"Action":"fail","Package":"github.com/presoak/presoak/readiness","Test":"TestSoak/deadline_miss_rate","Elapsed":0}
{"Action":"fail","Package":"github.com/presoak/presoak/readiness","Test":"TestSoak","Elapsed":60}
{"Action":"fail","Package":"github.com/presoak/presoak/readiness","Elapsed":60.1}
`
	dir := t.TempDir()
	in, out := filepath.Join(dir, "soak.json"), filepath.Join(dir, "soak.junit.xml")
	if err := os.WriteFile(in, []byte(stream), 0o644); err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	if code := runJUnit([]string{"-in", in, "-out", out, "-name", "soak"}, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := report.ReadJUnit(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Name != "presoak soak" || rep.Tests != 1 || rep.Failures != 1 || rep.Errors != 0 {
		t.Fatalf("report %s: %d tests %d failures %d errors, want presoak soak 1 1 0:\n%s", rep.Name, rep.Tests, rep.Failures, rep.Errors, data)
	}
	c := rep.Suites[0].Cases[0]
	if c.Classname != "readiness" || c.Property("status") != "fail" || c.Property("area") != "Soak" {
		t.Errorf("testcase = %+v", c)
	}
	if want := "got 3.1%, want <= 1% over 5m for 2m: roll back pipeline"; c.Failure == nil || c.Failure.Message != want {
		t.Errorf("failure = %+v, want message %q", c.Failure, want)
	}
	if strings.Contains(string(data), `name="verdict"`) {
		t.Errorf("a soak's JUnit carries the readiness verdict:\n%s", data)
	}
}

// No stream (the run never started): still a JUnit, with an error saying so.
func TestJUnitCommandNoStream(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "shadow.junit.xml")
	var errb bytes.Buffer
	if code := runJUnit([]string{"-in", filepath.Join(dir, "missing.json"), "-out", out, "-name", "shadow"}, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	data, _ := os.ReadFile(out)
	rep, err := report.ReadJUnit(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Errors != 1 || rep.Suites[0].Cases[0].Error == nil || !strings.Contains(rep.Suites[0].Cases[0].Error.Message, "no test stream") {
		t.Errorf("JUnit = %s, want one error saying there was no stream", data)
	}
}
