package readiness

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// maxLine bounds one JSON line; a test printing more than this on one line is cut.
const maxLine = 4 << 20

// Parse reads a `go test -json` stream (as written by `go test -json` or
// gotestsum --jsonfile) into a Run. Lines that are not JSON (a stray print
// to stdout) are ignored; a read error is returned. A stream that stops early
// gives a Run whose unfinished tests and packages are StatusIncomplete.
func Parse(r io.Reader) (*Run, error) {
	b := newBuilder()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var ev Event
		if err := json.Unmarshal(line, &ev); err != nil {
			continue
		}
		b.add(ev)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("parse test stream: %w", err)
	}
	return b.run(), nil
}

type testKey struct{ pkg, test string }

type testState struct {
	item     Item
	ended    bool
	hasChild bool
	status   Status // from the terminal action
}

type builder struct {
	order    []testKey
	tests    map[testKey]*testState
	pkgOrder []string
	pkgs     map[string]*PackageResult
	attrs    map[string]string
	build    []string
}

func newBuilder() *builder {
	return &builder{tests: map[testKey]*testState{}, pkgs: map[string]*PackageResult{}, attrs: map[string]string{}}
}

func (b *builder) pkg(name string) *PackageResult {
	p, ok := b.pkgs[name]
	if !ok {
		p = &PackageResult{Name: name, Status: StatusIncomplete}
		b.pkgs[name] = p
		b.pkgOrder = append(b.pkgOrder, name)
	}
	return p
}

func (b *builder) test(pkg, name string) *testState {
	k := testKey{pkg, name}
	t, ok := b.tests[k]
	if !ok {
		t = &testState{item: Item{Package: pkg, Test: name, Attrs: map[string]string{}}, status: StatusIncomplete}
		b.tests[k] = t
		b.order = append(b.order, k)
		if i := strings.LastIndexByte(name, '/'); i >= 0 {
			b.test(pkg, name[:i]).hasChild = true
		}
	}
	return t
}

func (b *builder) add(ev Event) {
	switch ev.Action {
	case ActionBuildOutput:
		if s := strings.TrimRight(ev.Output, "\n"); s != "" {
			b.build = append(b.build, s)
		}
		return
	case ActionBuildFail:
		return
	}
	if ev.Package == "" {
		return
	}
	p := b.pkg(ev.Package)
	if ev.Test == "" {
		switch ev.Action {
		case ActionOutput:
			if s := strings.TrimRight(ev.Output, "\n"); s != "" {
				p.Output = append(p.Output, s)
			}
		case ActionPass, ActionFail, ActionSkip:
			p.Status = Status(ev.Action)
			p.Elapsed = ev.Elapsed
			p.BuildFailed = ev.FailedBuild != "" || hasBuildFailed(p.Output)
		}
		return
	}
	t := b.test(ev.Package, ev.Test)
	switch ev.Action {
	case ActionAttr:
		t.item.Attrs[ev.Key] = ev.Value
		if ev.Key == AttrConfigHash || ev.Key == AttrConfigLayers {
			b.attrs[ev.Key] = ev.Value
		}
	case ActionOutput:
		if m, ok := message(ev.Output); ok {
			t.item.Messages = append(t.item.Messages, m)
		}
	case ActionPass, ActionFail, ActionSkip:
		t.ended = true
		t.status = Status(ev.Action)
		t.item.Elapsed = ev.Elapsed
	}
}

func hasBuildFailed(lines []string) bool {
	for _, l := range lines {
		if strings.Contains(l, "[build failed]") || strings.Contains(l, "[setup failed]") {
			return true
		}
	}
	return false
}

// framing matches the lines `go test -v` adds around a test's own output.
var framing = regexp.MustCompile(`^(=== (RUN|PAUSE|CONT|NAME|ATTR)|--- (PASS|FAIL|SKIP))`)

// sourcePrefix is the "file_test.go:12: " the testing package puts before t.Log lines.
var sourcePrefix = regexp.MustCompile(`^[\w.\-]+\.go:\d+: `)

// message returns a test's output line without framing and source prefix.
func message(out string) (string, bool) {
	s := strings.TrimSpace(out)
	if s == "" || framing.MatchString(s) {
		return "", false
	}
	return sourcePrefix.ReplaceAllString(s, ""), true
}

func (b *builder) run() *Run {
	r := &Run{Attrs: b.attrs, BuildErrors: b.build}
	for _, name := range b.pkgOrder {
		r.Packages = append(r.Packages, *b.pkgs[name])
	}
	for _, k := range b.order {
		t := b.tests[k]
		status := t.status
		if !t.ended && b.pkgs[k.pkg].Status == StatusFail {
			// The package ended without ending this test: a signal stopped
			// it (interrupted), or a panic or timeout failed it.
			if interrupted(t.item.Messages) {
				status = StatusIncomplete
			} else {
				status = StatusFail
				t.item.Messages = append(t.item.Messages, "test did not finish: its package failed (panic or timeout; see package output)")
			}
		}
		if t.hasChild {
			switch {
			case status == StatusFail && !b.childFailed(k):
				// The parent failed on its own (setup): report it as an item.
			case status == StatusIncomplete && !b.childIncomplete(k):
				// Interrupted between subtests: the rest never ran.
			default:
				continue // a group: its subtests are the items
			}
		}
		it := t.item
		it.Area = b.inherited(k, AttrArea)
		it.Severity = Severity(b.inherited(k, AttrSeverity))
		if it.Severity != Warning {
			it.Severity = Blocking
		}
		it.Status = status
		if status == StatusPass && Status(it.Attrs[AttrStatus]) == StatusWarn {
			it.Status = StatusWarn
		}
		if it.Area == "" {
			r.Unassigned = append(r.Unassigned, it) // no area: a defect of the checklist, not an item
			continue
		}
		r.Items = append(r.Items, it)
	}
	return r
}

// interrupted reports whether a test's output says a signal stopped its binary.
func interrupted(messages []string) bool {
	for _, m := range messages {
		if m == "signal: interrupt" || m == "signal: terminated" || m == "signal: killed" {
			return true
		}
	}
	return false
}

// childFailed reports whether a direct or deeper subtest of k failed (or never finished).
func (b *builder) childFailed(k testKey) bool {
	for _, o := range b.order {
		if o.pkg == k.pkg && strings.HasPrefix(o.test, k.test+"/") {
			if t := b.tests[o]; t.status == StatusFail || (!t.ended && b.pkgs[o.pkg].Status == StatusFail) {
				return true
			}
		}
	}
	return false
}

func (b *builder) childIncomplete(k testKey) bool {
	for _, o := range b.order {
		if o.pkg == k.pkg && strings.HasPrefix(o.test, k.test+"/") && b.tests[o].status == StatusIncomplete {
			return true
		}
	}
	return false
}

// inherited is the test's attribute key, or else that of its nearest parent that set it.
func (b *builder) inherited(k testKey, key string) string {
	name := k.test
	for {
		if t, ok := b.tests[testKey{k.pkg, name}]; ok && t.item.Attrs[key] != "" {
			return t.item.Attrs[key]
		}
		i := strings.LastIndexByte(name, '/')
		if i < 0 {
			return ""
		}
		name = name[:i]
	}
}
