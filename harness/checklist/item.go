package checklist

import (
	"fmt"
	"strings"

	"github.com/presoak/presoak/harness/checklist/result"
)

// The checklist's areas, as the seed names them. A test's "area" attribute is one of these.
const (
	AreaConfigFlags = result.AreaConfigFlags
	AreaBaseline    = result.AreaBaseline
	AreaMDCache     = result.AreaMDCache
	AreaLogs        = result.AreaLogs
	AreaSafety      = result.AreaSafety
	AreaMonitoring  = result.AreaMonitoring
)

// Item is the result of one checklist item.
type Item struct {
	// Area is one of the Area constants.
	Area string
	// Severity is result.Blocking (the run fails) or result.Warning (reported only).
	Severity result.Severity
	// Status is result.StatusPass, StatusWarn or StatusFail.
	Status result.Status
	// Got is the measured value ("false", "10", "created, writable").
	Got string
	// Want is the requirement ("true", "<= 9").
	Want string
	// Source is where Got came from ("fixtures/config.yaml:4", a directory).
	Source string
	// Fix says how to make the item pass; empty when it passes.
	Fix string
	// Message is the sentence a person reads: on failure it stands alone
	// (what, got, want, where, fix); on a pass it is the evidence.
	Message string
}

// Reporter is the part of *testing.T that Record uses.
type Reporter interface {
	Helper()
	Attr(key, value string)
	Log(args ...any)
	Error(args ...any)
}

// Skipper is the part of *testing.T that Pending uses.
type Skipper interface {
	Helper()
	Attr(key, value string)
	Skip(args ...any)
}

// Record puts it on the test t: the attributes area, severity, status, value,
// want, source and fix (the empty ones left out, except the first three), and
// then t.Error(Message) for a failed blocking item, t.Log("warning: "+Message)
// for a warning, t.Log(Message) for a pass. A warning item never fails the
// test: a failed warning-severity item is recorded as status "warn".
func Record(t Reporter, it Item) {
	t.Helper()
	if it.Severity != result.Warning {
		it.Severity = result.Blocking
	}
	if it.Status == result.StatusFail && it.Severity == result.Warning {
		it.Status = result.StatusWarn
	}
	if it.Status == "" {
		it.Status = result.StatusFail // a check that said nothing did not pass
		if it.Message == "" {
			it.Message = "check returned no status: treated as failed"
		}
	}
	t.Attr(result.AttrArea, attrValue(it.Area))
	t.Attr(result.AttrSeverity, string(it.Severity))
	t.Attr(result.AttrStatus, string(it.Status))
	for _, kv := range [][2]string{
		{result.AttrValue, it.Got}, {result.AttrWant, it.Want},
		{result.AttrSource, it.Source}, {result.AttrFix, it.Fix},
	} {
		if kv[1] != "" {
			t.Attr(kv[0], attrValue(kv[1]))
		}
	}
	switch it.Status {
	case result.StatusFail:
		t.Error(it.Message)
	case result.StatusWarn:
		t.Log("warning: " + it.Message)
	default:
		if it.Message != "" {
			t.Log(it.Message)
		}
	}
}

// Group marks an area's top-level test: attributes area and severity
// "blocking" (the group fails exactly when one of its blocking items fails),
// so that its JUnit testcase carries them too.
func Group(t interface{ Attr(key, value string) }, area string) {
	t.Attr(result.AttrArea, attrValue(area))
	t.Attr(result.AttrSeverity, string(result.Blocking))
}

// Pending skips an item whose capability is not built yet. The skip names the
// missing capability; it never passes. Skipped items are listed in the report
// and left out of the readiness percentage.
func Pending(t Skipper, area, capability string) {
	t.Helper()
	t.Attr(result.AttrArea, attrValue(area))
	t.Attr(result.AttrSeverity, string(result.Blocking))
	t.Attr(result.AttrStatus, string(result.StatusSkip))
	t.Skip(fmt.Sprintf("not evaluated: missing capability: %s (not built yet)", capability))
}

// NotEvaluated is the failed Item for a check that could not run: what names
// the check, cause says why ("the config did not load (see config_loads)"),
// fix what to do. It fails: an item that cannot be evaluated is not ready.
func NotEvaluated(area string, sev result.Severity, what, cause, fix string) Item {
	return Item{
		Area: area, Severity: sev, Status: result.StatusFail,
		Got: "not evaluated: " + cause, Want: "evaluated", Fix: fix,
		Message: fmt.Sprintf("%s not evaluated: %s: %s", what, cause, fix),
	}
}

// attrValue makes v a valid t.Attr value: no newlines (the testing package
// rejects them), at most 2000 bytes.
func attrValue(v string) string {
	v = strings.ReplaceAll(v, "\r", "")
	v = strings.ReplaceAll(v, "\n", "; ")
	if len(v) > 2000 {
		v = v[:2000] + "…"
	}
	return v
}
