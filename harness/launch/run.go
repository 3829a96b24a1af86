package launch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// ErrStepFailed is wrapped by Run's error when a step failed.
var ErrStepFailed = errors.New("launch step failed")

// Launch is a launch in progress: what the steps found and started. Steps
// fill in the record's facts (URLs, hashes) and register stops.
type Launch struct {
	// Record is what LAUNCH.md is rendered from.
	Record Record

	mu    sync.Mutex
	stops []stop
}

type stop struct {
	what string
	fn   func() error
}

// OnAbort registers fn to stop what a step started (what names it). When
// the launch fails or is interrupted, every registered fn runs, last first.
func (l *Launch) OnAbort(what string, fn func() error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stops = append(l.stops, stop{what, fn})
}

// SetURL records a URL under a name ("prometheus", "bot metrics").
func (l *Launch) SetURL(name, url string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.Record.URLs == nil {
		l.Record.URLs = map[string]string{}
	}
	l.Record.URLs[name] = url
}

// Runner runs steps.
type Runner struct {
	// Steps run in order.
	Steps []Step
	// Out receives a line per step; nil prints nothing.
	Out io.Writer
	// RecordPath is where LAUNCH.md is written; empty writes nothing.
	RecordPath string
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Run runs the steps in order until one fails or ctx is done. On failure or
// interruption it stops what the steps registered (last first). It writes
// the record in every case and returns the launch; the error says which
// step failed (wrapping ErrStepFailed) or that the launch was interrupted.
func (r *Runner) Run(ctx context.Context, l *Launch) (*Launch, error) {
	out := r.Out
	if out == nil {
		out = io.Discard
	}
	now := r.Now
	if now == nil {
		now = time.Now
	}
	if l == nil {
		l = &Launch{}
	}
	l.Record.Started = now().UTC()
	l.Record.Results = make([]Result, len(r.Steps))
	for i, s := range r.Steps {
		l.Record.Results[i] = Result{Step: s.Name}
	}
	var runErr error
	for i, s := range r.Steps {
		if err := context.Cause(ctx); ctx.Err() != nil {
			runErr = fmt.Errorf("launch interrupted before %q: %w", s.Name, err)
			break
		}
		fmt.Fprintf(out, "[....] %d/%d %s\n", i+1, len(r.Steps), s.Name)
		res := &l.Record.Results[i]
		res.Started = now().UTC()
		ev, err := s.Run(ctx, l)
		res.Took = now().Sub(res.Started)
		res.Evidence = strings.TrimSpace(ev)
		if err == nil && ctx.Err() != nil {
			err = fmt.Errorf("interrupted: %w", context.Cause(ctx))
		}
		if err != nil {
			res.Err = err.Error()
			fmt.Fprintf(out, "[FAIL] %d/%d %s: %s\n", i+1, len(r.Steps), s.Name, res.Err)
			if res.Evidence != "" {
				fmt.Fprintln(out, indent(res.Evidence))
			}
			if ctx.Err() != nil {
				runErr = fmt.Errorf("launch interrupted during %q: %w", s.Name, err)
			} else {
				runErr = fmt.Errorf("%w: %s: %w", ErrStepFailed, s.Name, err)
			}
			break
		}
		res.OK = true
		fmt.Fprintf(out, "[OK]   %d/%d %s (%s)\n", i+1, len(r.Steps), s.Name, res.Took.Round(time.Millisecond))
		if res.Evidence != "" {
			fmt.Fprintln(out, indent(res.Evidence))
		}
	}
	if runErr != nil {
		l.Record.Stopped = l.abort(out)
	}
	l.Record.Finished = now().UTC()
	l.Record.Outcome = outcome(runErr, ctx)
	if r.RecordPath != "" {
		if err := l.Record.Write(r.RecordPath); err != nil {
			runErr = errors.Join(runErr, err)
		} else {
			fmt.Fprintf(out, "wrote  %s\n", l.Record.Display(r.RecordPath))
		}
	}
	return l, runErr
}

// abort runs the registered stops, last first, and returns a line for each.
func (l *Launch) abort(out io.Writer) []string {
	l.mu.Lock()
	stops := l.stops
	l.stops = nil
	l.mu.Unlock()
	var lines []string
	for i := len(stops) - 1; i >= 0; i-- {
		line := "stopped " + stops[i].what
		if err := stops[i].fn(); err != nil {
			line = fmt.Sprintf("could not stop %s: %v", stops[i].what, err)
		}
		fmt.Fprintln(out, "       "+line)
		lines = append(lines, line)
	}
	return lines
}

func outcome(err error, ctx context.Context) string {
	switch {
	case err == nil:
		return "launched"
	case ctx.Err() != nil:
		return "interrupted"
	default:
		return "failed"
	}
}

func indent(s string) string {
	return "       " + strings.ReplaceAll(s, "\n", "\n       ")
}
