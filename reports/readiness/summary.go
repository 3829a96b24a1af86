package readiness

import "sort"

// Verdict is the one-line answer of a report.
type Verdict string

const (
	// Ready: the checklist ran and no blocking item failed.
	Ready Verdict = "READY"
	// ActionRequired: at least one blocking item failed.
	ActionRequired Verdict = "ACTION REQUIRED"
	// NotRun: the checklist could not run (build failure, no tests).
	NotRun Verdict = "NOT RUN"
	// Interrupted: the run was stopped before it finished.
	Interrupted Verdict = "INTERRUPTED"
)

// AreaSummary counts one area's items by status.
type AreaSummary struct {
	Name                               string
	Pass, Warn, Fail, Skip, Incomplete int
}

// Status is the area's worst status: fail, then incomplete, warn, pass; skip
// when every item was skipped.
func (a AreaSummary) Status() Status {
	switch {
	case a.Fail > 0:
		return StatusFail
	case a.Incomplete > 0:
		return StatusIncomplete
	case a.Warn > 0:
		return StatusWarn
	case a.Pass > 0:
		return StatusPass
	default:
		return StatusSkip
	}
}

// Summary is what the report states about a Run.
type Summary struct {
	// Areas in report order: every one of Areas (an area with no items counts
	// as skipped), then other areas alphabetically.
	Areas []AreaSummary
	// Failed are the failed items. A failed test fails the run whatever its
	// declared severity, so every one of them counts as blocking.
	Failed []Item
	// Warnings are the items that passed with a warning.
	Warnings []Item
	// Skipped are the items not evaluated; they are listed, not counted.
	Skipped []Item
	// Incomplete are the items an interrupted run left unfinished.
	Incomplete []Item
	// BlockingPassed and BlockingEvaluated give the readiness percentage:
	// passed blocking items / evaluated (passed or failed) blocking items.
	BlockingPassed, BlockingEvaluated int
	// Verdict is the answer; see Verdict's constants for the order of precedence.
	Verdict Verdict
}

// Percent is the readiness percentage, BlockingPassed / BlockingEvaluated * 100;
// ok is false when no blocking item was evaluated.
func (s Summary) Percent() (pct float64, ok bool) {
	if s.BlockingEvaluated == 0 {
		return 0, false
	}
	return 100 * float64(s.BlockingPassed) / float64(s.BlockingEvaluated), true
}

// Summarize counts a Run's items and decides its verdict. Precedence:
// Interrupted (opts.Interrupted, or a stream that stops early), then NotRun
// (opts.RunError, a build failure, no items, a test with no area, or a
// package that failed with no failed item), then ActionRequired (any failed item), then Ready.
func Summarize(r *Run, opts Options) Summary {
	var s Summary
	byArea := map[string]*AreaSummary{}
	for _, it := range r.Items {
		a, ok := byArea[it.Area]
		if !ok {
			a = &AreaSummary{Name: it.Area}
			byArea[it.Area] = a
		}
		switch it.Status {
		case StatusPass:
			a.Pass++
		case StatusWarn:
			a.Warn++
			s.Warnings = append(s.Warnings, it)
		case StatusFail:
			a.Fail++
			s.Failed = append(s.Failed, it)
		case StatusSkip:
			a.Skip++
			s.Skipped = append(s.Skipped, it)
		case StatusIncomplete:
			a.Incomplete++
			s.Incomplete = append(s.Incomplete, it)
		}
		switch {
		case it.Status == StatusFail:
			s.BlockingEvaluated++
		case it.Severity == Blocking && (it.Status == StatusPass || it.Status == StatusWarn):
			s.BlockingEvaluated++
			s.BlockingPassed++
		}
	}
	s.Areas = orderAreas(byArea)
	switch {
	case opts.Interrupted || r.Incomplete():
		s.Verdict = Interrupted
	case opts.RunError != "" || r.BuildFailed() || len(r.Items) == 0 || len(r.Unassigned) > 0 ||
		(len(s.Failed) == 0 && r.packageFailed()):
		s.Verdict = NotRun
	case len(s.Failed) > 0:
		s.Verdict = ActionRequired
	default:
		s.Verdict = Ready
	}
	return s
}

func orderAreas(byArea map[string]*AreaSummary) []AreaSummary {
	var out []AreaSummary
	known := map[string]bool{}
	for _, name := range Areas {
		known[name] = true
		if a, ok := byArea[name]; ok {
			out = append(out, *a)
		} else {
			out = append(out, AreaSummary{Name: name}) // no item ran: shown as skipped
		}
	}
	var rest []string
	for name := range byArea {
		if !known[name] {
			rest = append(rest, name)
		}
	}
	sort.Strings(rest)
	for _, name := range rest {
		out = append(out, *byArea[name])
	}
	return out
}
