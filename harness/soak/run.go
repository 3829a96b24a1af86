package soak

import (
	"context"
	"errors"
	"fmt"
	"github.com/presoak/presoak/internal/atomicfile"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/signal"
	"github.com/presoak/presoak/harness/target"
	"github.com/presoak/presoak/internal/runlock"
)

// The artifact names under Config.Dir.
const (
	SamplesFile    = "samples.jsonl"
	ReportJSONFile = "soak_report.json"
	ReportMDFile   = "soak_report.md"
)

// Config is one soak run. Spec, Target and Duration are required.
type Config struct {
	// Spec is the validated criteria; CriteriaFile names it in the report.
	Spec         *criteria.Spec
	CriteriaFile string
	// Target is sampled every Spec.EvaluationInterval. A target.Simulated
	// target is advanced by the runner (simulated clock); any other is
	// sampled on the real clock.
	Target target.Target
	// Duration is how long the soak runs when nothing stops it.
	Duration time.Duration
	// Dir receives samples.jsonl, soak_report.json and soak_report.md;
	// empty writes nothing (the accelerated scenarios and the benchmark).
	Dir string
	// Resume continues the run whose samples.jsonl is in Dir.
	Resume bool
	// DirLocked says the caller already holds Dir's run lock
	// (internal/runlock; harness/soakrun takes it before it opens the
	// target, so a refused soak leaves nothing behind): Run does not take
	// it again (a second flock in one process would refuse itself).
	DirLocked bool
	// Profile declares the bot's signals: criteria naming a signal beyond
	// the fixed ones are checked against it before anything runs; nil: the
	// reference engine's (profile.Default).
	Profile *profile.Profile
	// Signals are the signal options (the frozen baseline for p95 regression).
	Signals signal.Options
	// Progress receives a progress line every ProgressEvery of soak time
	// (default 1m); nil prints nothing.
	Progress      io.Writer
	ProgressEvery time.Duration
	// OnStop, if set, is called when a stop criterion fires, before the
	// report is written (the incident bundle hooks in here).
	OnStop func(Firing)
}

// ErrConfig is wrapped by errors about the Config itself.
var ErrConfig = errors.New("bad soak config")

// Run runs the soak until Duration has passed, a stop criterion fires, or ctx
// is done (the run is then interrupted; context.Cause says why in the
// report). The report is written in every case. The error is for failures of
// the run itself (files, a bad config), never for a verdict.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Spec == nil || cfg.Target == nil || cfg.Duration <= 0 {
		return nil, fmt.Errorf("run soak: %w: spec, target and a positive duration are required", ErrConfig)
	}
	if err := cfg.Spec.Validate(); err != nil {
		return nil, fmt.Errorf("run soak: %w", err)
	}
	prof := cfg.Profile
	if prof == nil {
		prof = profile.Default()
	}
	spec, notApplied, err := cfg.Spec.ForProfile(prof.DeclaredKinds(), profile.Vocabulary())
	if err != nil {
		return nil, fmt.Errorf("run soak: profile %s: %w", prof.File, err)
	}
	cfg.Spec = spec
	if cfg.ProgressEvery <= 0 {
		cfg.ProgressEvery = time.Minute
	}
	r := newRunner(cfg)
	r.rep.NotApplied = notApplied
	if cfg.Progress != nil {
		for _, n := range notApplied {
			fmt.Fprintf(cfg.Progress, "soak: note: %s\n", n)
		}
		var long []string
		for _, c := range cfg.Spec.Criteria {
			if c.Window+c.For > cfg.Duration {
				long = append(long, fmt.Sprintf("%s (%s)", c.Name, c.Window+c.For))
			}
		}
		if len(long) > 0 {
			fmt.Fprintf(cfg.Progress, "soak: note: %d criteria need more than the %s soak (window + for) and cannot fire in it: %s\n",
				len(long), cfg.Duration, strings.Join(long, ", "))
		}
	}
	if cfg.Dir != "" {
		if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
			return nil, fmt.Errorf("run soak: %w", err)
		}
		// One run per directory: a second soak refuses at once, naming the
		// first, instead of interleaving into its samples.
		if !cfg.DirLocked {
			lock, err := runlock.Acquire(cfg.Dir, "soak")
			if err != nil {
				return nil, fmt.Errorf("run soak: %w", err)
			}
			defer lock.Close()
		}
		path := filepath.Join(cfg.Dir, SamplesFile)
		if cfg.Resume {
			old, note, err := repairSamples(path)
			if err != nil {
				return nil, fmt.Errorf("run soak: resume: %w", err)
			}
			if note != "" {
				r.rep.Repaired = note
				if cfg.Progress != nil {
					fmt.Fprintf(cfg.Progress, "soak: resume: %s\n", note)
				}
			}
			r.replaying = true
			for _, s := range old {
				r.observe(s)
			}
			r.replaying = false
			r.resumeGap = len(old) > 0 // the time the soak was down does not count
			r.rep.Resumed = len(old)
			// A simulated target whose clock is before the recorded samples'
			// would never add soak time (only later samples count): the run
			// would loop until its clock caught up. Those samples are from
			// another run, not this target's.
			if r.sim != nil && !r.latest.IsZero() && r.sim.Now().Before(r.latest) {
				return nil, fmt.Errorf("run soak: resume: the target's simulated clock (%s) is before the last recorded sample (%s in %s): those samples are from another run; start a new soak in another directory",
					r.sim.Now().UTC().Format(time.RFC3339), r.latest.UTC().Format(time.RFC3339), SamplesFile)
			}
		}
		log, err := openSampleLog(path, cfg.Resume)
		if err != nil {
			return nil, fmt.Errorf("run soak: %w", err)
		}
		r.log = log
	}
	err = r.loop(ctx)
	if r.log != nil {
		cerr := r.log.close()
		r.samplesOK = r.writeErr == nil && cerr == nil
		if err == nil {
			err = cerr
		}
	}
	r.finish(ctx, err)
	if cfg.Dir != "" {
		if werr := r.write(); err == nil {
			err = werr
		}
	}
	return r.rep, err
}

type runner struct {
	cfg   Config
	spec  *criteria.Spec
	sim   target.Simulated
	evals map[string]*criteria.Evaluator
	order []string // instances, sorted
	log   *sampleLog
	rep   *Report
	agg   []CriterionReport

	first, latest time.Time
	lastProgress  time.Time // the sample time of the last progress line
	nextProgress  time.Time // when the next one is due
	stop          *Firing
	writeErr      error
	samplesOK     bool // every sample written, flushed, synced and closed
	replaying     bool // resuming: rebuilding state, no hooks or output
	resumeGap     bool // the next new sample follows a resume: skip the gap
	active        time.Duration
	complete      bool // ran its Duration
}

func newRunner(cfg Config) *runner {
	r := &runner{cfg: cfg, spec: cfg.Spec, evals: map[string]*criteria.Evaluator{}}
	r.sim, _ = cfg.Target.(target.Simulated)
	r.rep = &Report{Version: ReportVersion, Duration: cfg.Duration, Simulated: r.sim != nil, CriteriaFile: cfg.CriteriaFile, EvaluationInterval: cfg.Spec.EvaluationInterval}
	if cfg.Dir != "" {
		r.rep.SamplesFile = filepath.Join(cfg.Dir, SamplesFile)
	}
	for _, c := range cfg.Spec.Criteria {
		r.agg = append(r.agg, CriterionReport{Name: c.Name, Signal: c.Signal, Over: c.Over, Of: c.Of, Op: c.Op, Threshold: c.Threshold, Window: c.Window, For: c.For, Severity: c.Severity, Description: c.Description, Action: c.Action})
	}
	return r
}

func (r *runner) now() time.Time {
	if r.sim != nil {
		return r.sim.Now()
	}
	return time.Now()
}

// elapsed is the soak time covered by samples: first to latest, less the
// time between an interrupted run's last sample and its resume.
func (r *runner) elapsed() time.Duration { return r.active }

// slack absorbs the real clock's jitter at the end of the run: a last sample
// a few milliseconds short of Duration completes it.
func (r *runner) slack() time.Duration {
	if r.sim != nil {
		return 0
	}
	return r.spec.EvaluationInterval / 2
}

// loop samples, evaluates and waits until the soak is over.
func (r *runner) loop(ctx context.Context) error {
	interval := r.spec.EvaluationInterval
	next := time.Now()
	for {
		if ctx.Err() != nil {
			return nil
		}
		now := r.now()
		samples, err := r.cfg.Target.Sample(ctx)
		if ctx.Err() != nil {
			return nil // interrupted mid-read: nothing half-recorded
		}
		if err != nil {
			samples = r.downSamples(now, err)
		}
		for _, s := range samples {
			if s.At.IsZero() {
				s.At = now
			}
			if r.log != nil && r.writeErr == nil {
				r.writeErr = r.log.write(s)
			}
			r.observe(s)
		}
		if r.log != nil && r.writeErr == nil {
			r.writeErr = r.log.flush()
		}
		if r.writeErr != nil {
			return r.writeErr
		}
		if r.elapsed() >= r.cfg.Duration-r.slack() {
			r.complete = true
		}
		if r.stop != nil || r.complete {
			r.progress(true) // the last line: where it ended
			return nil
		}
		r.progress(false)
		if r.sim != nil {
			r.sim.Advance(interval)
			continue
		}
		next = next.Add(interval)
		if d := time.Until(next); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-t.C:
			}
		} else {
			next = time.Now() // fell behind: do not burst
		}
	}
}

// downSamples stands for a failed read of the whole target.
func (r *runner) downSamples(at time.Time, err error) []signal.Sample {
	insts := r.order
	if len(insts) == 0 {
		insts = []string{"target"}
	}
	out := make([]signal.Sample, len(insts))
	for i, in := range insts {
		out[i] = signal.Sample{At: at, Instance: in, Up: false, Fault: target.BoundText(err.Error())}
	}
	return out
}

// observe feeds one sample to its instance's evaluator and evaluates at the
// sample's time. Live runs and resumes go through here alike, so a resume
// rebuilds the same state.
func (r *runner) observe(s signal.Sample) {
	ev, ok := r.evals[s.Instance]
	if !ok {
		ev = criteria.NewEvaluator(r.spec, r.cfg.Signals)
		r.evals[s.Instance] = ev
		r.order = append(r.order, s.Instance)
		sort.Strings(r.order)
	}
	if r.first.IsZero() {
		r.first = s.At
	}
	if s.At.After(r.latest) {
		if !r.latest.IsZero() && !r.resumeGap {
			r.active += s.At.Sub(r.latest)
		}
		r.resumeGap = false
		r.latest = s.At
	}
	r.rep.Samples++
	ev.Observe(s)
	res, trs := ev.Evaluate(s.At)
	r.rep.Evaluations++
	for i := range r.spec.Criteria {
		v := &res[i].Value
		if !v.OK {
			continue
		}
		c := &r.spec.Criteria[i]
		a := &r.agg[i]
		a.Evaluated++
		if !a.HasWorst || worse(c.Op, v.V, a.Worst) {
			a.Worst, a.HasWorst = v.V, true
		}
	}
	for _, tr := range trs {
		if len(r.rep.Timeline) < MaxTimeline {
			r.rep.Timeline = append(r.rep.Timeline, Event{Transition: tr, Instance: s.Instance})
		} else {
			r.rep.TimelineDropped++
		}
		if tr.To != criteria.Firing {
			continue
		}
		i := r.index(tr.Criterion)
		c, res := r.spec.Criteria[i], res[i]
		a := &r.agg[i]
		a.Fired++
		if a.FirstFired.IsZero() {
			a.FirstFired = tr.At
		}
		f := Firing{Criterion: c.Name, Instance: s.Instance, Severity: c.Severity, Signal: c.Signal, Op: c.Op,
			Threshold: c.Threshold, For: c.For, Since: res.ActiveAt, At: tr.At, Value: tr.Value, Description: c.Description, Action: c.Action}
		if c.Severity == criteria.Stop {
			if r.stop == nil {
				r.stop = &f
				if r.replaying {
					continue // the earlier run already stopped on it
				}
				r.progress(true)
				if r.cfg.OnStop != nil {
					r.cfg.OnStop(f)
				}
			}
		} else if len(r.rep.Warnings) < MaxTimeline {
			r.rep.Warnings = append(r.rep.Warnings, f)
			if r.cfg.Progress != nil && !r.replaying {
				fmt.Fprintf(r.cfg.Progress, "soak WARNING %s\n", f)
			}
		}
	}
}

func (r *runner) index(name string) int {
	for i, c := range r.spec.Criteria {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// worse reports whether v is further toward the condition than w.
func worse(op criteria.Op, v, w float64) bool {
	if op == criteria.Less || op == criteria.LessEqual {
		return v < w
	}
	return v > w
}

// ticks is the ticks counted over the whole soak, every instance, across
// restarts (counter resets) and resumes.
func (r *runner) ticks() float64 {
	t := 0.0
	for _, ev := range r.evals {
		if v := ev.Ticks(); !math.IsNaN(v) && !math.IsInf(v, 0) { // a bot's NaN ticks count as none
			t += v
		}
	}
	return t
}

// current is each criterion's result on its worst instance.
func (r *runner) current() []criteria.Result {
	out := make([]criteria.Result, len(r.spec.Criteria))
	for k, in := range r.order {
		res := r.evals[in].Results()
		for i := range out {
			if k == 0 || res[i].State > out[i].State || (res[i].State == out[i].State && !out[i].Value.OK && res[i].Value.OK) {
				out[i] = res[i]
			}
		}
	}
	return out
}

// finish fills in the verdict and the final table.
func (r *runner) finish(ctx context.Context, runErr error) {
	rep := r.rep
	rep.Start, rep.End, rep.Elapsed = r.first, r.latest, r.elapsed()
	rep.Instances = append([]string(nil), r.order...)
	rep.Ticks = r.ticks()
	cur := r.current()
	rep.Criteria = rep.Criteria[:0]
	for i := range r.agg {
		a := r.agg[i]
		if i < len(cur) {
			a.State, a.Value = cur[i].State, cur[i].Value
		}
		rep.Criteria = append(rep.Criteria, a)
	}
	switch {
	case runErr != nil:
		// The run itself broke (a sample could not be written): say so,
		// never "interrupted", which would hide the cause.
		rep.Verdict, rep.Stop = Failed, r.stop
		rep.Reason = fmt.Sprintf("the soak run failed after %s of %s: %v", rep.Elapsed.Round(time.Second), r.cfg.Duration, runErr)
	case r.stop != nil:
		rep.Verdict, rep.Stop = Stopped, r.stop
		rep.Reason = fmt.Sprintf("stop criterion %s fired at %s: %s %s %s %v since %s", r.stop.Criterion,
			stamp(r.stop.At), r.stop.Signal, r.stop.Value, r.stop.Op, r.stop.Threshold, stamp(r.stop.Since))
	case !r.complete:
		rep.Verdict = Interrupted
		cause := "interrupted"
		if ctx.Err() != nil {
			cause = context.Cause(ctx).Error()
		}
		rep.InterruptedBy = cause
		rep.Reason = fmt.Sprintf("interrupted (%s) after %s of %s; samples kept, resume with RESUME=1", cause, rep.Elapsed.Round(time.Second), r.cfg.Duration)
	default:
		var blind []string
		for _, a := range r.agg {
			if a.Severity == criteria.Stop && a.Evaluated == 0 {
				blind = append(blind, a.Name)
			}
		}
		if len(blind) > 0 {
			rep.Verdict = Inconclusive
			rep.Reason = fmt.Sprintf("ran %s but stop criteria had no data: %v", rep.Elapsed.Round(time.Second), blind)
		} else {
			rep.Verdict = Pass
			rep.Reason = fmt.Sprintf("ran %s; no stop criterion fired; %d warnings", rep.Elapsed.Round(time.Second), len(rep.Warnings))
		}
	}
}

func (r *runner) write() error {
	if r.samplesOK {
		r.rep.Written = append(r.rep.Written, filepath.Join(r.cfg.Dir, SamplesFile))
	}
	path := filepath.Join(r.cfg.Dir, ReportJSONFile)
	if err := r.rep.writeJSON(path); err != nil {
		return err
	}
	r.rep.Written = append(r.rep.Written, path)
	path = filepath.Join(r.cfg.Dir, ReportMDFile)
	if err := atomicfile.WriteFile(path, []byte(r.rep.Markdown())); err != nil {
		return err
	}
	r.rep.Written = append(r.rep.Written, path)
	return nil
}
