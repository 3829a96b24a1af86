package readiness

import (
	"bytes"
	"fmt"
	"io"
)

// WriteStepSummary writes the short Markdown a CI job summary shows (GitHub
// Actions' $GITHUB_STEP_SUMMARY): the verdict with the readiness percentage,
// each failed item with got, want, where and the fix, and the number of
// warnings and skipped items, pointing at the full report (reportPath). It
// is a pure function of run and opts, like WriteMarkdown, and prints only
// what the checklist tests set, so no secret reaches it.
func WriteStepSummary(w io.Writer, run *Run, opts Options, reportPath string) error {
	s := Summarize(run, opts)
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("### %s presoak readiness: %s\n\n", verdictIcon[s.Verdict], s.Verdict)
	if pct, ok := s.Percent(); ok && s.Verdict != NotRun {
		p("Readiness **%.0f%%**: %d of %d evaluated blocking items passed.", pct, s.BlockingPassed, s.BlockingEvaluated)
		if s.Verdict == ActionRequired {
			p(" **%d blocking %s failed.**", len(s.Failed), plural(len(s.Failed), "item", "items"))
		}
		p("\n\n")
	}
	if opts.RunError != "" {
		p("The checklist did not run: %s\n\n", oneLine(opts.RunError))
	}
	if run.BuildFailed() {
		p("The checklist did not build: see the report.\n\n")
	}
	if len(s.Failed) > 0 {
		p("| Area | Item | Got | Want | Where | Fix |\n|---|---|---|---|---|---|\n")
		for _, it := range s.Failed {
			got := it.Attr(AttrValue)
			if got == "" && len(it.Messages) > 0 {
				got = it.Messages[0]
			}
			p("| %s | `%s` | %s | %s | %s | %s |\n", cell(it.Area), cell(it.Test),
				cell(orNot(got)), cell(orNot(it.Attr(AttrWant))), cell(orNot(it.Attr(AttrSource))), cell(orNot(it.Attr(AttrFix))))
		}
		p("\n")
	}
	if n, m := len(s.Warnings), len(s.Skipped); n+m > 0 {
		p("%d %s, %d skipped (not evaluated). ", n, plural(n, "warning", "warnings"), m)
	}
	if reportPath != "" {
		p("Full report: `%s`", reportPath)
	}
	if opts.Version != "" {
		p(" · %s", opts.Version)
	}
	p("\n")
	_, err := w.Write(b.Bytes())
	if err != nil {
		return fmt.Errorf("write step summary: %w", err)
	}
	return nil
}

func orNot(v string) string {
	if v == "" {
		return "not reported"
	}
	return v
}
