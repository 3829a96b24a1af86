package readiness

import (
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// The JUnit report: the same Run the Markdown report renders, as JUnit XML a
// pipeline UI shows (GitLab, Jenkins, GitHub test reporters). One testcase per
// checklist item (an area's parent test is a group, not a second testcase,
// unless it failed on its own); its classname is the test package relative to
// the module ("readiness"); its properties are the item vocabulary in a fixed
// order (area, severity, status, value, want, source, fix, then any other
// attribute the test set, sorted); a failed item's <failure message> is its
// one-line reason (Item.Reason). A run that did not give a verdict on its
// items (the runner did not start, the build failed, a test has no area, the
// run was interrupted) carries an <error> testcase saying why, so a CI UI
// always has something red to show. Every <testsuites> and <testsuite>
// carries tests, failures, errors, skipped, time and timestamp.

// JUnitReport is a JUnit XML document (<testsuites>).
type JUnitReport struct {
	XMLName   xml.Name     `xml:"testsuites"`
	Name      string       `xml:"name,attr"`
	Tests     int          `xml:"tests,attr"`
	Failures  int          `xml:"failures,attr"`
	Errors    int          `xml:"errors,attr"`
	Skipped   int          `xml:"skipped,attr"`
	Time      string       `xml:"time,attr"`
	Timestamp string       `xml:"timestamp,attr"`
	Suites    []JUnitSuite `xml:"testsuite"`
}

// JUnitSuite is one test package (<testsuite>).
type JUnitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Properties []JUnitProperty `xml:"properties>property,omitempty"`
	Cases      []JUnitCase     `xml:"testcase"`
}

// JUnitCase is one checklist item (<testcase>).
type JUnitCase struct {
	Classname  string          `xml:"classname,attr"`
	Name       string          `xml:"name,attr"`
	Time       string          `xml:"time,attr"`
	Properties []JUnitProperty `xml:"properties>property,omitempty"`
	Failure    *JUnitResult    `xml:"failure,omitempty"`
	Error      *JUnitResult    `xml:"error,omitempty"`
	Skipped    *JUnitResult    `xml:"skipped,omitempty"`
	SystemOut  string          `xml:"system-out,omitempty"`
}

// JUnitProperty is one <property name value>.
type JUnitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// JUnitResult is a <failure>, <error> or <skipped>: a one-line message and
// the full text.
type JUnitResult struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// Property returns the value of the property name, or "".
func (c JUnitCase) Property(name string) string {
	for _, p := range c.Properties {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

// Vocabulary is the item attributes every presoak JUnit testcase carries
// first, in this order (readiness, shadow and soak alike): area, severity and
// status always, the others when the test set them.
var Vocabulary = []string{AttrArea, AttrSeverity, AttrStatus, AttrValue, AttrWant, AttrSource, AttrFix}

// GatePackage is the checklist package's path relative to the module: the
// classname of a run-level error when no package ran.
const GatePackage = "readiness"

// RunCaseName is the name of the testcase that carries a run-level error
// (the checklist did not run, did not build, was interrupted).
const RunCaseName = "checklist_run"

// Reason is the item's one-line reason: "got V, want W (source): fix" when the
// test recorded value and want, else its first message; never empty.
func (it Item) Reason() string {
	got, want := it.Attr(AttrValue), it.Attr(AttrWant)
	var s string
	switch {
	case got != "" && want != "":
		s = "got " + got + ", want " + want
		if src := it.Attr(AttrSource); src != "" {
			s += " (" + src + ")"
		}
		if fix := it.Attr(AttrFix); fix != "" {
			s += ": " + fix
		}
	case len(it.Messages) > 0:
		s = strings.Join(it.Messages, " ")
	default:
		s = string(it.Status) + " (the test gave no reason)"
	}
	return oneLine(s)
}

// BuildJUnit is the JUnit document of run (pure: the same run and opts give
// the same document). opts.Now is the timestamp; opts.Module is stripped from
// package names.
func BuildJUnit(run *Run, opts Options) JUnitReport {
	s := Summarize(run, opts)
	ts := ""
	if !opts.Now.IsZero() {
		ts = opts.Now.UTC().Format(time.RFC3339)
	}
	rep := JUnitReport{Name: "presoak readiness", Timestamp: ts}
	byPkg := map[string][]JUnitCase{}
	var order []string
	add := func(pkg string, c JUnitCase) {
		if _, ok := byPkg[pkg]; !ok {
			order = append(order, pkg)
		}
		byPkg[pkg] = append(byPkg[pkg], c)
	}
	elapsed := map[string]float64{}
	for _, p := range run.Packages {
		order = append(order, p.Name)
		byPkg[p.Name] = nil
		elapsed[p.Name] = p.Elapsed
	}
	for _, it := range run.Items {
		add(it.Package, itemCase(it, modules(opts)...))
	}
	for _, it := range run.Unassigned {
		c := itemCase(it, modules(opts)...)
		c.Failure, c.Skipped = nil, nil
		c.Error = &JUnitResult{
			Message: "no area attribute: a defect of the checklist, not counted as an item; call checklist.Group(t, area) in the test",
			Type:    "NoArea", Text: strings.Join(it.Messages, "\n"),
		}
		add(it.Package, c)
	}
	if why, text := runError(s, run, opts); why != "" {
		pkg := GatePackage
		if opts.Module != "" {
			pkg = opts.Module + "/" + GatePackage
		}
		if len(order) > 0 {
			pkg = order[0]
		}
		add(pkg, JUnitCase{
			Classname: relative(pkg, modules(opts)...), Name: RunCaseName, Time: seconds(0),
			Properties: []JUnitProperty{{AttrArea, "Checklist"}, {AttrSeverity, string(Blocking)}, {AttrStatus, string(StatusFail)}},
			Error:      &JUnitResult{Message: string(s.Verdict) + ": " + why, Type: map[Verdict]string{NotRun: "NotRun", Interrupted: "Interrupted"}[s.Verdict], Text: text},
		})
	}
	total := 0.0
	for _, pkg := range order {
		cases := byPkg[pkg]
		if cases == nil {
			continue // a package with no test (no items): the run error says so
		}
		su := JUnitSuite{Name: relative(pkg, modules(opts)...), Timestamp: ts, Cases: cases}
		if len(rep.Suites) == 0 {
			su.Properties = suiteProperties(s, run)
		}
		sum := 0.0
		for _, c := range cases {
			su.Tests++
			switch {
			case c.Failure != nil:
				su.Failures++
			case c.Error != nil:
				su.Errors++
			case c.Skipped != nil:
				su.Skipped++
			}
			var f float64
			fmt.Sscanf(c.Time, "%g", &f)
			sum += f
		}
		if e := elapsed[pkg]; e > sum {
			sum = e
		}
		su.Time = seconds(sum)
		total += sum
		rep.Tests += su.Tests
		rep.Failures += su.Failures
		rep.Errors += su.Errors
		rep.Skipped += su.Skipped
		rep.Suites = append(rep.Suites, su)
	}
	rep.Time = seconds(total)
	return rep
}

// WriteJUnit writes the JUnit XML of run (BuildJUnit) with an XML header.
func WriteJUnit(w io.Writer, run *Run, opts Options) error {
	return EncodeJUnit(w, BuildJUnit(run, opts))
}

// EncodeJUnit writes rep as indented XML with an XML header.
func EncodeJUnit(w io.Writer, rep JUnitReport) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "\t")
	if err := enc.Encode(rep); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	return nil
}

// ReadJUnit parses a JUnit document written by WriteJUnit (or any JUnit
// whose root is <testsuites>).
func ReadJUnit(r io.Reader) (JUnitReport, error) {
	var rep JUnitReport
	if err := xml.NewDecoder(r).Decode(&rep); err != nil {
		return JUnitReport{}, fmt.Errorf("read junit: %w", err)
	}
	return rep, nil
}

// itemCase is an item's testcase.
func itemCase(it Item, module ...string) JUnitCase {
	c := JUnitCase{Classname: relative(it.Package, module...), Name: it.Test, Time: seconds(it.Elapsed)}
	c.Properties = itemProperties(it)
	text := strings.Join(it.Messages, "\n")
	switch it.Status {
	case StatusFail:
		c.Failure = &JUnitResult{Message: it.Reason(), Type: string(it.Severity), Text: text}
	case StatusSkip:
		msg := "not evaluated"
		if len(it.Messages) > 0 {
			msg = oneLine(strings.Join(it.Messages, " "))
		}
		c.Skipped = &JUnitResult{Message: msg}
	case StatusIncomplete:
		c.Error = &JUnitResult{Message: "did not finish: the run stopped before this item ended", Type: "Incomplete", Text: text}
	case StatusWarn:
		c.SystemOut = text
	}
	return c
}

// itemProperties are the item's attributes: Vocabulary first (area, severity
// and status from the parsed item, so they are always there), then the rest
// sorted by name.
func itemProperties(it Item) []JUnitProperty {
	area := it.Area
	if area == "" {
		area = "none"
	}
	props := []JUnitProperty{{AttrArea, area}, {AttrSeverity, string(it.Severity)}, {AttrStatus, string(it.Status)}}
	for _, k := range Vocabulary[3:] {
		if v := it.Attr(k); v != "" {
			props = append(props, JUnitProperty{k, v})
		}
	}
	var rest []string
	for k := range it.Attrs {
		if !inVocabulary(k) {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		props = append(props, JUnitProperty{k, it.Attrs[k]})
	}
	return props
}

func inVocabulary(k string) bool {
	for _, v := range Vocabulary {
		if v == k {
			return true
		}
	}
	return false
}

// suiteProperties are the run's facts: the verdict, the readiness
// percentage and the config the run used.
func suiteProperties(s Summary, run *Run) []JUnitProperty {
	props := []JUnitProperty{{"verdict", string(s.Verdict)}}
	if pct, ok := s.Percent(); ok && s.Verdict != NotRun {
		props = append(props, JUnitProperty{"readiness", fmt.Sprintf("%.0f%% (%d of %d evaluated blocking items passed)", pct, s.BlockingPassed, s.BlockingEvaluated)})
	}
	for _, k := range []string{AttrConfigLayers, AttrConfigHash} {
		if v := run.Attrs[k]; v != "" {
			props = append(props, JUnitProperty{k, v})
		}
	}
	return props
}

// runError is why the run gave no verdict on its items ("" when it did), and
// the text to show (build errors, package output).
func runError(s Summary, run *Run, opts Options) (why, text string) {
	switch s.Verdict {
	case Interrupted:
		return "the run was stopped before it finished", strings.Join(packageOutput(run), "\n")
	case NotRun:
	default:
		return "", ""
	}
	switch {
	case opts.RunError != "":
		return opts.RunError, ""
	case run.BuildFailed():
		return "the checklist did not build", strings.Join(packageOutput(run), "\n")
	case len(run.Unassigned) > 0:
		return "", "" // each such test carries its own <error>
	case len(run.Items) > 0:
		return "a test package failed outside any checklist item", strings.Join(packageOutput(run), "\n")
	}
	return "no checklist item ran", strings.Join(packageOutput(run), "\n")
}

// packageOutput is the build errors and the output of failed packages,
// without go test's summary lines.
func packageOutput(run *Run) []string {
	lines := append([]string(nil), run.BuildErrors...)
	for _, pkg := range run.Packages {
		if pkg.Status == StatusFail || pkg.BuildFailed {
			for _, l := range pkg.Output {
				if !summaryLine.MatchString(l) {
					lines = append(lines, l)
				}
			}
		}
	}
	return lines
}

// modules are the module paths stripped from package names: opts.Module,
// then opts.OtherModules.
func modules(opts Options) []string {
	return append([]string{opts.Module}, opts.OtherModules...)
}

// relative is pkg without the first module path it is in: "readiness" for
// github.com/presoak/presoak/readiness in module github.com/presoak/presoak.
func relative(pkg string, modules ...string) string {
	for _, m := range modules {
		switch {
		case m == "" || pkg == "":
			continue
		case pkg == m:
			return "."
		case strings.HasPrefix(pkg, m+"/"):
			return strings.TrimPrefix(pkg, m+"/")
		}
	}
	return pkg
}

func seconds(s float64) string { return fmt.Sprintf("%.3f", s) }

// oneLine collapses whitespace runs (newlines included) to one space.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
