package readiness

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// Options are the facts a report states that are not in the stream. The zero
// value works: no time, no version line, not interrupted.
type Options struct {
	// Now is the generation time, written in UTC (RFC 3339). Zero omits it.
	Now time.Time
	// Version names the tool that wrote the report, e.g. "presoak (devel)".
	Version string
	// Command is the command that produced the stream, shown for reproduction.
	Command string
	// Interrupted marks a run the caller knows was stopped (SIGINT).
	Interrupted bool
	// RunError says why the checklist could not run (the runner did not
	// start, or failed without a failed item); it makes the verdict NOT RUN.
	RunError string
	// Notes are extra lines for the run section, e.g. the exit status of the runner.
	Notes []string
	// Module is the module path ("github.com/presoak/presoak"); the JUnit
	// report names packages relative to it. Empty keeps import paths whole.
	Module string
	// OtherModules are further module paths stripped the same way: presoak's
	// own when its checklist runs from a team's module.
	OtherModules []string
}

var statusIcon = map[Status]string{
	StatusPass:       "✅",
	StatusWarn:       "⚠️",
	StatusFail:       "❌",
	StatusSkip:       "⏭",
	StatusIncomplete: "⏸",
}

var verdictIcon = map[Verdict]string{Ready: "✅", ActionRequired: "❌", NotRun: "⛔", Interrupted: "⏸"}

// WriteMarkdown writes the PRE_SOAK_REPORT.md for run. It is a pure function
// of run and opts, and never prints attribute values other than those a
// checklist test set (so no secret reaches it unless a test put it there).
func WriteMarkdown(w io.Writer, run *Run, opts Options) error {
	s := Summarize(run, opts)
	bw := bufio.NewWriter(w)
	p := func(format string, a ...any) { fmt.Fprintf(bw, format, a...) }

	p("# Pre-soak readiness report\n\n")
	p("**Verdict: %s %s**%s\n\n", verdictIcon[s.Verdict], s.Verdict, verdictDetail(s, run, opts))
	pct, ok := s.Percent()
	switch {
	case s.Verdict == NotRun:
		p("**Readiness: n/a** (the checklist could not run)\n\n")
	case ok && s.Verdict == Interrupted:
		p("**Readiness: %.0f%% so far** (%d of %d blocking items evaluated before the run stopped passed)\n\n", pct, s.BlockingPassed, s.BlockingEvaluated)
	case ok:
		p("**Readiness: %.0f%%** (%d of %d evaluated blocking items passed)\n\n", pct, s.BlockingPassed, s.BlockingEvaluated)
	default:
		p("**Readiness: n/a** (no blocking item was evaluated)\n\n")
	}
	p("Readiness = passed blocking items ÷ evaluated blocking items × 100. ")
	p("An evaluated item passed or failed; skipped and unfinished items are not counted (they are listed below), ")
	p("and warnings never lower it. A failed item always counts as blocking.\n\n")

	writeRunFacts(p, run, opts)
	writeAreas(p, s)
	writeFailed(p, s)
	writeList(p, "Warnings", "passed, but look before the soak", s.Warnings)
	writeList(p, "Skipped", "not evaluated, not counted", s.Skipped)
	writeList(p, "Unfinished", "the run stopped before these finished", s.Incomplete)
	writeProblems(p, run)
	writeAll(p, run)
	return bw.Flush()
}

func verdictDetail(s Summary, run *Run, opts Options) string {
	switch s.Verdict {
	case ActionRequired:
		return fmt.Sprintf(" — %d blocking %s failed", len(s.Failed), plural(len(s.Failed), "item", "items"))
	case NotRun:
		if opts.RunError != "" {
			return " — the checklist could not run: " + opts.RunError
		}
		if run.BuildFailed() {
			return " — the checklist did not build"
		}
		if n := len(run.Unassigned); n > 0 {
			return fmt.Sprintf(" — %s", UnassignedDefect(run))
		}
		if len(run.Items) > 0 {
			return " — a test package failed outside any checklist item (see its output below)"
		}
		return " — no checklist item ran"
	case Interrupted:
		return fmt.Sprintf(" — the run was stopped; %d blocking %s failed before it stopped", len(s.Failed), plural(len(s.Failed), "item", "items"))
	}
	return " — no blocking item failed"
}

func writeRunFacts(p func(string, ...any), run *Run, opts Options) {
	p("| Run | |\n|---|---|\n")
	if !opts.Now.IsZero() {
		p("| Generated | %s |\n", opts.Now.UTC().Format(time.RFC3339))
	}
	if opts.Version != "" {
		p("| Tool | %s |\n", cell(opts.Version))
	}
	if opts.Command != "" {
		p("| Command | `%s` |\n", cell(opts.Command))
	}
	layers, hash := run.Attrs[AttrConfigLayers], run.Attrs[AttrConfigHash]
	if layers == "" {
		layers = "not reported (the Config & Flags area did not run or did not load the config)"
	}
	if hash == "" {
		hash = "n/a"
	}
	p("| Config layers | %s |\n", cell(layers))
	p("| Config hash | `%s` |\n", cell(hash))
	for _, pkg := range run.Packages {
		p("| Package | `%s` %s |\n", cell(pkg.Name), pkg.Status)
	}
	for _, n := range opts.Notes {
		p("| Note | %s |\n", cell(n))
	}
	p("\n")
}

func writeAreas(p func(string, ...any), s Summary) {
	p("## Areas\n\n| Area | Status | Passed | Warnings | Failed | Skipped |\n|---|:-:|--:|--:|--:|--:|\n")
	for _, a := range s.Areas {
		st := a.Status()
		label := statusIcon[st]
		switch {
		case a == AreaSummary{Name: a.Name}:
			label += " not in this run"
		case st == StatusSkip:
			label += " skipped"
		}
		if a.Incomplete > 0 {
			label += fmt.Sprintf(" (%d unfinished)", a.Incomplete)
		}
		p("| %s | %s | %d | %d | %d | %d |\n", cell(a.Name), label, a.Pass, a.Warn, a.Fail, a.Skip)
	}
	p("\n")
}

func writeFailed(p func(string, ...any), s Summary) {
	p("## Blocking items failed (%d)\n\n", len(s.Failed))
	if len(s.Failed) == 0 {
		p("None.\n\n")
		return
	}
	for _, it := range s.Failed {
		p("### ❌ %s — %s\n\n", it.Area, it.Name())
		writeEvidence(p, it)
	}
}

func writeEvidence(p func(string, ...any), it Item) {
	field := func(label, key string) {
		v := it.Attr(key)
		if v == "" {
			v = "not reported"
		}
		p("- **%s:** %s\n", label, v)
	}
	field("Got", AttrValue)
	field("Want", AttrWant)
	field("Where", AttrSource)
	field("Fix", AttrFix)
	p("- **Severity:** %s · **Test:** `%s`\n", it.Severity, it.Test)
	if len(it.Messages) > 0 {
		p("\n```text\n%s\n```\n", strings.Join(it.Messages, "\n"))
	}
	p("\n")
}

func writeList(p func(string, ...any), title, what string, items []Item) {
	p("## %s (%d) — %s\n\n", title, len(items), what)
	if len(items) == 0 {
		p("None.\n\n")
		return
	}
	if title != "Warnings" {
		p("| Area | Item | Why |\n|---|---|---|\n")
		for _, it := range items {
			p("| %s | `%s` | %s |\n", cell(it.Area), cell(it.Test), cell(strings.Join(it.Messages, " ")))
		}
		p("\n")
		return
	}
	p("| Area | Item | Got | Want | Where | Fix |\n|---|---|---|---|---|---|\n")
	for _, it := range items {
		p("| %s | `%s` | %s | %s | %s | %s |\n", cell(it.Area), cell(it.Test),
			cell(it.Attr(AttrValue)), cell(it.Attr(AttrWant)), cell(it.Attr(AttrSource)), cell(it.Attr(AttrFix)))
	}
	p("\n")
}

func writeProblems(p func(string, ...any), run *Run) {
	if len(run.Unassigned) > 0 {
		p("## Tests without an area (%d) — defects of the checklist, not counted\n\n", len(run.Unassigned))
		for _, it := range run.Unassigned {
			p("- `%s` (%s) %s\n", it.Test, it.Package, it.Status)
			for _, m := range it.Messages {
				p("  - %s\n", m)
			}
		}
		p("\n")
	}
	var lines []string
	lines = append(lines, run.BuildErrors...)
	for _, pkg := range run.Packages {
		if pkg.Status == StatusFail || pkg.BuildFailed {
			for _, l := range pkg.Output {
				if !summaryLine.MatchString(l) {
					lines = append(lines, l)
				}
			}
		}
	}
	if len(lines) == 0 {
		return
	}
	p("## Build and package output\n\n```text\n%s\n```\n\n", strings.Join(lines, "\n"))
}

func writeAll(p func(string, ...any), run *Run) {
	p("## All items (%d)\n\n| Area | Item | Severity | Status | Got | Source |\n|---|---|---|:-:|---|---|\n", len(run.Items))
	for _, it := range run.Items {
		p("| %s | `%s` | %s | %s | %s | %s |\n", cell(it.Area), cell(it.Test), it.Severity,
			statusIcon[it.Status], cell(it.Attr(AttrValue)), cell(it.Attr(AttrSource)))
	}
}

// summaryLine matches go test's per-package result lines, which say nothing
// the report does not already say.
var summaryLine = regexp.MustCompile(`^(PASS|FAIL|ok  \t.*|FAIL\t[^\t]+\t[0-9.]+s)$`)

// cell makes s safe inside a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "\r", "")
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
