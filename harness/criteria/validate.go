package criteria

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/presoak/presoak/harness/signal"
)

// Problem is one thing wrong with a criteria file.
type Problem struct {
	// File and Line locate it when known (Line 0: unknown).
	File string
	Line int
	// Criterion names the criterion ("" for file-level problems, or
	// "criteria[3]" when the criterion has no name).
	Criterion string
	// Field is the key at fault, e.g. "for".
	Field string
	// Msg says what is wrong and what would be right.
	Msg string
}

func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
		}
		b.WriteString(": ")
	}
	if p.Criterion != "" {
		fmt.Fprintf(&b, "criterion %s: ", p.Criterion)
	}
	if p.Field != "" {
		b.WriteString(p.Field + ": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// ValidationError lists every problem of a criteria file.
type ValidationError struct{ Problems []Problem }

func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return fmt.Sprintf("invalid criteria (%d problems):\n  %s", len(e.Problems), strings.Join(lines, "\n  "))
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// signalInfo is what validation knows about each signal.
type signalInfo struct {
	min, max float64 // threshold range
	windowed bool    // needs a window > 0
}

var signals = map[signal.Name]signalInfo{
	signal.DeadlineMissPct:      {0, 100, true},
	signal.MDCacheHitPct:        {0, 100, true},
	signal.TakerSharePct:        {0, 100, true},
	signal.ErrorPct:             {0, 100, true},
	signal.MemoryGrowthMBPerH:   {math.Inf(-1), math.Inf(1), true},
	signal.ResidentMemoryMB:     {0, math.Inf(1), false},
	signal.CriticalBreakersOpen: {0, math.Inf(1), false},
	signal.P95RegressionPct:     {-100, math.Inf(1), true},
	signal.TargetDown:           {0, 1, false},
	signal.ScrapeFailurePct:     {0, 100, true},
}

// KnownSignal reports whether the criteria grammar accepts name.
func KnownSignal(name signal.Name) bool { _, ok := signals[name]; return ok }

// Validate checks the spec and returns a *ValidationError listing every
// problem, or nil.
func (s *Spec) Validate() error {
	var ps []Problem
	add := func(idx int, crit, field, format string, args ...any) {
		line := 0
		if idx >= 0 && idx < len(s.lines) {
			line = s.lines[idx]
		}
		ps = append(ps, Problem{File: s.file, Line: line, Criterion: crit, Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	if s.Version != 1 {
		add(-1, "", "version", "got %d, want 1", s.Version)
	}
	if s.EvaluationInterval <= 0 {
		add(-1, "", "evaluation_interval", "got %v, want > 0 (e.g. 15s)", s.EvaluationInterval)
	}
	if len(s.Criteria) == 0 {
		add(-1, "", "criteria", "no criteria: want at least one")
	}
	seen := map[string]int{}
	for i, c := range s.Criteria {
		id := c.Name
		if id == "" {
			id = fmt.Sprintf("criteria[%d]", i)
			add(i, id, "name", "missing")
		} else if !nameRE.MatchString(c.Name) {
			add(i, id, "name", "%q is not [a-z][a-z0-9_]*", c.Name)
		}
		if j, dup := seen[c.Name]; dup && c.Name != "" {
			add(i, id, "name", "duplicate: also criteria[%d]", j)
		}
		seen[c.Name] = i
		info, known := signals[c.Signal]
		switch {
		case known && (c.Over != "" || c.Of != ""):
			add(i, id, "over", "%s is a fixed signal with its own computation: remove over and of", c.Signal)
		case !known && c.Over == "":
			add(i, id, "signal", "unknown signal %q, want one of %s, or a signal the bot profile declares with over: (%s)", c.Signal, signalList(), overList())
		case !known:
			if !nameRE.MatchString(string(c.Signal)) {
				add(i, id, "signal", "%q is not [a-z][a-z0-9_]*", c.Signal)
			}
			if !slices.Contains(signal.Overs, c.Over) {
				add(i, id, "over", "got %q, want one of %s", c.Over, overList())
			}
			if (c.Over == signal.OverRatio) != (c.Of != "") {
				add(i, id, "of", "of names the denominator counter of over: ratio, and only of it")
			}
			if c.Over == signal.OverRatio {
				info = signalInfo{0, math.Inf(1), true}
			} else {
				info = signalInfo{math.Inf(-1), math.Inf(1), c.Over != signal.OverLast}
				if c.Over == signal.OverDrop {
					info.min = 0
				}
			}
			known = true
		}
		switch c.Op {
		case Greater, GreaterEqual, Less, LessEqual:
		default:
			add(i, id, "op", "unknown comparison %q, want one of >, >=, <, <=", c.Op)
		}
		switch {
		case math.IsNaN(c.Threshold) || math.IsInf(c.Threshold, 0):
			add(i, id, "threshold", "got %v, want a finite number", c.Threshold)
		case known && (c.Threshold < info.min || c.Threshold > info.max):
			add(i, id, "threshold", "%v is outside %s's range [%v, %v]", c.Threshold, c.Signal, info.min, info.max)
		}
		if c.Window < 0 {
			add(i, id, "window", "got %v, want >= 0", c.Window)
		} else if known && info.windowed && c.Window == 0 {
			add(i, id, "window", "%s is computed over a window: set one (e.g. %v)", c.Signal, 10*time.Minute)
		} else if c.Window > 0 && s.EvaluationInterval > 0 && c.Window < s.EvaluationInterval {
			add(i, id, "window", "%v is shorter than evaluation_interval %v: it would hold fewer than two samples", c.Window, s.EvaluationInterval)
		}
		if c.For < 0 {
			add(i, id, "for", "got %v, want >= 0", c.For)
		} else if c.For > 0 && s.EvaluationInterval > 0 && c.For < s.EvaluationInterval {
			add(i, id, "for", "%v is shorter than evaluation_interval %v and cannot be honoured: use 0 or >= %v", c.For, s.EvaluationInterval, s.EvaluationInterval)
		}
		switch c.Severity {
		case Stop, Warn:
		default:
			add(i, id, "severity", "got %q, want stop or warn", c.Severity)
		}
		if strings.TrimSpace(c.Description) == "" {
			add(i, id, "description", "missing: say what the condition means")
		}
		if strings.TrimSpace(c.Action) == "" {
			add(i, id, "action", "missing: say what to do when it fires")
		}
	}
	if len(ps) > 0 {
		return &ValidationError{Problems: ps}
	}
	return nil
}

func signalList() string {
	names := []string{
		string(signal.DeadlineMissPct), string(signal.MDCacheHitPct), string(signal.TakerSharePct),
		string(signal.ErrorPct), string(signal.MemoryGrowthMBPerH), string(signal.ResidentMemoryMB), string(signal.CriticalBreakersOpen),
		string(signal.P95RegressionPct), string(signal.TargetDown), string(signal.ScrapeFailurePct),
	}
	return strings.Join(names, ", ")
}

func overList() string {
	out := make([]string, len(signal.Overs))
	for i, o := range signal.Overs {
		out[i] = string(o)
	}
	return strings.Join(out, ", ")
}

// Declared reports whether the criterion names a profile-declared signal.
func (c Criterion) Declared() bool { return !KnownSignal(c.Signal) && c.Over != "" }

// CheckDeclared checks the criteria naming profile-declared signals against
// the profile's declared scalar signals (name -> kind: counter or gauge).
// It returns a *ValidationError naming each unknown signal (with the
// declared ones), or a counter judgement (rate, increase, ratio) of a gauge.
func (s *Spec) CheckDeclared(kinds map[string]string) error {
	var ps []Problem
	names := make([]string, 0, len(kinds))
	for n := range kinds {
		names = append(names, n)
	}
	slices.Sort(names)
	for i, c := range s.Criteria {
		if !c.Declared() {
			continue
		}
		line := 0
		if i < len(s.lines) {
			line = s.lines[i]
		}
		check := func(field, name string) {
			k, ok := kinds[name]
			switch {
			case !ok:
				ps = append(ps, Problem{File: s.file, Line: line, Criterion: c.Name, Field: field,
					Msg: fmt.Sprintf("the bot profile declares no counter or gauge signal %q; it declares: %s", name, strings.Join(names, ", "))})
			case k != "counter" && (c.Over == signal.OverRate || c.Over == signal.OverIncrease || c.Over == signal.OverRatio):
				ps = append(ps, Problem{File: s.file, Line: line, Criterion: c.Name, Field: field,
					Msg: fmt.Sprintf("over %s needs a counter, %s is a %s (use max, min, avg or last)", c.Over, name, k)})
			}
		}
		check("signal", string(c.Signal))
		if c.Over == signal.OverRatio && c.Of != "" {
			check("of", c.Of)
		}
	}
	if len(ps) > 0 {
		return &ValidationError{Problems: ps}
	}
	return nil
}

// Holds reports whether `v op threshold`.
func (c Criterion) Holds(v float64) bool {
	switch c.Op {
	case Greater:
		return v > c.Threshold
	case GreaterEqual:
		return v >= c.Threshold
	case Less:
		return v < c.Threshold
	case LessEqual:
		return v <= c.Threshold
	}
	return false
}

// MaxWindow is the longest look-back any criterion needs.
func (s *Spec) MaxWindow() time.Duration {
	var w time.Duration
	for _, c := range s.Criteria {
		w = max(w, signal.LookBack(c.Signal, c.Window))
	}
	return w
}

// ForProfile is the spec as it applies to a bot profile declaring kinds
// (name -> counter or gauge; profile.Profile.DeclaredKinds). A criterion on
// a signal of the shared vocabulary (vocab: the reference profile's
// declared names, e.g. the desk signals) that this profile does not
// declare is left out, and each one left out is named in notes (reports
// and generated rules say so: it is not judged, never passed). A name
// neither declared nor in the vocabulary, or a wrong kind, is an error
// (CheckDeclared's). The spec itself is not changed.
func (s *Spec) ForProfile(kinds map[string]string, vocab map[string]bool) (*Spec, []string, error) {
	out := *s
	out.Criteria, out.lines = nil, nil
	var notes []string
	for i, c := range s.Criteria {
		if c.Declared() {
			_, sigOK := kinds[string(c.Signal)]
			_, ofOK := kinds[c.Of]
			missing := ""
			switch {
			case !sigOK && vocab[string(c.Signal)]:
				missing = string(c.Signal)
			case c.Over == signal.OverRatio && !ofOK && vocab[c.Of]:
				missing = c.Of
			}
			if missing != "" {
				notes = append(notes, fmt.Sprintf("criterion %s not applied: the profile declares no %s signal (declare it to judge it)", c.Name, missing))
				continue
			}
		}
		out.Criteria = append(out.Criteria, c)
		if i < len(s.lines) {
			out.lines = append(out.lines, s.lines[i])
		}
	}
	if err := out.CheckDeclared(kinds); err != nil {
		return nil, nil, err
	}
	if len(out.Criteria) == 0 {
		return nil, nil, &ValidationError{Problems: []Problem{{File: s.file, Field: "criteria", Msg: "no criterion applies to the profile"}}}
	}
	return &out, notes, nil
}
