package soak

import (
	"fmt"
	"strings"
	"time"

	"github.com/presoak/presoak/harness/criteria"
)

// progress prints the progress line when ProgressEvery of soak time has
// passed since the last one (or now, when force).
func (r *runner) progress(force bool) {
	w := r.cfg.Progress
	if w == nil || r.first.IsZero() {
		return
	}
	// Lines are due on a grid from the first sample; half an evaluation
	// interval of slack absorbs the real clock's jitter.
	slack := r.spec.EvaluationInterval / 2
	if !force && !r.nextProgress.IsZero() && r.latest.Before(r.nextProgress.Add(-slack)) {
		return
	}
	if r.latest.Equal(r.lastProgress) {
		return // this sample's line is out already
	}
	r.lastProgress = r.latest
	if r.nextProgress.IsZero() {
		r.nextProgress = r.first
	}
	for !r.nextProgress.After(r.latest.Add(slack)) {
		r.nextProgress = r.nextProgress.Add(r.cfg.ProgressEvery)
	}
	fmt.Fprintln(w, r.progressLine())
}

// progressLine is one line: elapsed, ticks, each signal against its
// thresholds, and what is pending or firing.
func (r *runner) progressLine() string {
	var b strings.Builder
	fmt.Fprintf(&b, "soak %s/%s ticks %.0f", r.elapsed().Round(time.Second), r.cfg.Duration, r.ticks())
	cur := r.current()
	var pending []string
	for i, c := range r.spec.Criteria {
		res := cur[i]
		sev := "stop"
		if c.Severity == criteria.Warn {
			sev = "warn"
		}
		fmt.Fprintf(&b, " | %s %s (%s %s%v)", c.Name, res.Value, sev, c.Op, c.Threshold)
		switch res.State {
		case criteria.Pending:
			pending = append(pending, fmt.Sprintf("%s pending %s/%s", c.Name, r.latest.Sub(res.ActiveAt).Round(time.Second), c.For))
		case criteria.Firing:
			pending = append(pending, fmt.Sprintf("%s FIRING since %s", c.Name, stamp(res.FiredAt)))
		}
	}
	if len(pending) == 0 {
		b.WriteString(" | nothing pending")
	} else {
		b.WriteString(" | " + strings.Join(pending, "; "))
	}
	return b.String()
}
