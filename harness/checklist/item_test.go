package checklist

import (
	"fmt"
	"strings"
	"testing"

	"github.com/presoak/presoak/harness/checklist/result"
)

// fakeT records what Record and Pending do to a test.
type fakeT struct {
	attrs  map[string]string
	errors []string
	logs   []string
	skips  []string
}

func newFakeT() *fakeT             { return &fakeT{attrs: map[string]string{}} }
func (f *fakeT) Helper()           {}
func (f *fakeT) Attr(k, v string)  { f.attrs[k] = v }
func (f *fakeT) Log(args ...any)   { f.logs = append(f.logs, fmt.Sprint(args...)) }
func (f *fakeT) Error(args ...any) { f.errors = append(f.errors, fmt.Sprint(args...)) }
func (f *fakeT) Skip(args ...any)  { f.skips = append(f.skips, fmt.Sprint(args...)) }

func TestRecordBlockingFailure(t *testing.T) {
	f := newFakeT()
	Record(f, Item{Area: AreaConfigFlags, Severity: result.Blocking, Status: result.StatusFail,
		Got: "false", Want: "true", Source: "fixtures/config.yaml:19", Fix: "set it", Message: "pipeline.enabled = false"})
	if len(f.errors) != 1 || f.errors[0] != "pipeline.enabled = false" {
		t.Errorf("errors = %q, want the message once", f.errors)
	}
	want := map[string]string{"area": AreaConfigFlags, "severity": "blocking", "status": "fail",
		"value": "false", "want": "true", "source": "fixtures/config.yaml:19", "fix": "set it"}
	for k, v := range want {
		if f.attrs[k] != v {
			t.Errorf("attr %s = %q, want %q", k, f.attrs[k], v)
		}
	}
}

func TestRecordWarningNeverFails(t *testing.T) {
	for _, st := range []result.Status{result.StatusWarn, result.StatusFail} {
		f := newFakeT()
		Record(f, Item{Area: AreaConfigFlags, Severity: result.Warning, Status: st, Message: "queue_aware.enabled = false"})
		if len(f.errors) != 0 {
			t.Errorf("status %s: a warning called Error: %q", st, f.errors)
		}
		if f.attrs["status"] != "warn" || f.attrs["severity"] != "warning" {
			t.Errorf("status %s: attrs = %v, want status=warn severity=warning", st, f.attrs)
		}
		if len(f.logs) != 1 || !strings.HasPrefix(f.logs[0], "warning: ") {
			t.Errorf("status %s: logs = %q, want one \"warning: ...\" line", st, f.logs)
		}
	}
}

func TestRecordDefaultsAreSafe(t *testing.T) {
	f := newFakeT()
	Record(f, Item{Area: AreaLogs}) // no severity, no status: must not pass
	if f.attrs["severity"] != "blocking" || f.attrs["status"] != "fail" || len(f.errors) != 1 {
		t.Errorf("attrs = %v, errors = %q; want blocking, fail and an error", f.attrs, f.errors)
	}
}

func TestRecordAttrValuesHaveNoNewlines(t *testing.T) {
	f := newFakeT()
	Record(f, Item{Area: AreaConfigFlags, Status: result.StatusFail, Got: "does not load: a\nb\r\nc", Message: "m"})
	if got := f.attrs["value"]; got != "does not load: a; b; c" {
		t.Errorf("value attr = %q", got)
	}
}

func TestPendingSkipsNamingTheCapability(t *testing.T) {
	f := newFakeT()
	Pending(f, AreaSafety, "the rollback dry run")
	if len(f.skips) != 1 || !strings.Contains(f.skips[0], "missing capability: the rollback dry run") {
		t.Errorf("skips = %q, want one naming the capability", f.skips)
	}
	if f.attrs["status"] != "skip" || f.attrs["area"] != AreaSafety {
		t.Errorf("attrs = %v", f.attrs)
	}
}

func TestNotEvaluatedFails(t *testing.T) {
	it := NotEvaluated(AreaLogs, result.Blocking, "output.log_dir", "the config did not load", "fix the config first")
	if it.Status != result.StatusFail || it.Message != "output.log_dir not evaluated: the config did not load: fix the config first" {
		t.Errorf("NotEvaluated = %+v, want a failure that says it was not evaluated", it)
	}
}
