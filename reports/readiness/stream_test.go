package readiness

import (
	"bytes"
	"testing"
	"time"
)

// A recorded test reads back as the real one would: attributes, the
// message without indentation, a failed subtest failing its group (which is
// then not an item of its own) and the package.
func TestRecorderStreamParses(t *testing.T) {
	rec := &Recorder{Package: "example.com/m/readiness", Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }}
	top := rec.Run("TestConfigAndFlags")
	top.Attr(AttrArea, "Config & Flags")
	ok := top.Run("a")
	ok.Attr(AttrStatus, "pass")
	ok.Log("fine")
	ok.End()
	bad := top.Run("config_loads")
	bad.Attr(AttrStatus, "fail")
	bad.Attr(AttrValue, "does not load")
	bad.Attr(AttrWant, "loads and validates")
	bad.Error("config does not load:\n  x.yaml:3: md_cache.enabeld: unknown key")
	bad.End()
	top.End()
	rec.End()

	var buf bytes.Buffer
	if _, err := rec.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	run, err := Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Items) != 2 || run.Items[1].Test != "TestConfigAndFlags/config_loads" {
		t.Fatalf("items = %v, want the two subtests", names(run.Items))
	}
	it := run.Items[1]
	if it.Status != StatusFail || it.Area != "Config & Flags" {
		t.Errorf("config_loads = %s in %q, want fail in Config & Flags", it.Status, it.Area)
	}
	if len(it.Messages) != 2 || it.Messages[1] != "x.yaml:3: md_cache.enabeld: unknown key" {
		t.Errorf("messages = %q", it.Messages)
	}
	if run.Items[0].Status != StatusPass {
		t.Errorf("a = %s, want pass", run.Items[0].Status)
	}
	if p := run.Packages; len(p) != 1 || p[0].Status != StatusFail {
		t.Errorf("packages = %+v, want one failed", p)
	}
	if got := Summarize(run, Options{}).Verdict; got != ActionRequired {
		t.Errorf("verdict = %s, want %s", got, ActionRequired)
	}
}
