package incident

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/signal"
	"github.com/presoak/presoak/harness/soak"
	"github.com/presoak/presoak/harness/target"
)

// Incident writes the bundles of one soak.
type Incident struct {
	o    Options
	keep time.Duration // samples kept: the longest history span plus the window it needs

	mu      sync.Mutex
	samples []signal.Sample // time order; older than keep dropped
	bundles []string
	errs    []error
	stopped bool
}

// maxSamples bounds the samples kept whatever the spans.
const maxSamples = 100000

// New checks the options and returns an Incident.
func New(o Options) (*Incident, error) {
	if err := o.defaults(); err != nil {
		return nil, fmt.Errorf("new incident writer: %w", err)
	}
	in := &Incident{o: o}
	for _, c := range o.Spec.Criteria {
		in.keep = max(in.keep, historySpan(o.Spec, c)+c.Window)
	}
	return in, nil
}

// Watch wraps t so the Incident sees every sample the soak takes. A
// target.Simulated stays one.
func (in *Incident) Watch(t target.Target) target.Target {
	w := &watched{Target: t, in: in}
	if s, ok := t.(target.Simulated); ok {
		return &watchedSim{watched: w, sim: s}
	}
	return w
}

type watched struct {
	target.Target
	in *Incident
}

// Sample reads the target and keeps a copy of what it read; a failed read
// is kept as a down sample, as the soak records it.
func (w *watched) Sample(ctx context.Context) ([]signal.Sample, error) {
	ss, err := w.Target.Sample(ctx)
	if err != nil && ctx.Err() == nil {
		w.in.add([]signal.Sample{{At: time.Now(), Instance: "target", Fault: err.Error()}})
	} else if err == nil {
		w.in.add(ss)
	}
	return ss, err
}

type watchedSim struct {
	*watched
	sim target.Simulated
}

func (w *watchedSim) Advance(d time.Duration) { w.sim.Advance(d) }
func (w *watchedSim) Now() time.Time          { return w.sim.Now() }

// Sample stamps samples with the simulated time, as the soak runner does.
func (w *watchedSim) Sample(ctx context.Context) ([]signal.Sample, error) {
	ss, err := w.watched.Target.Sample(ctx)
	if err == nil {
		now := w.sim.Now()
		for i := range ss {
			if ss[i].At.IsZero() {
				ss[i].At = now
			}
		}
		w.in.add(ss)
	} else if ctx.Err() == nil {
		w.in.add([]signal.Sample{{At: w.sim.Now(), Instance: "target", Fault: err.Error()}})
	}
	return ss, err
}

func (in *Incident) add(ss []signal.Sample) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, s := range ss {
		if s.At.IsZero() {
			s.At = time.Now()
		}
		in.samples = append(in.samples, s)
	}
	newest := in.samples[len(in.samples)-1].At
	drop := 0
	for drop < len(in.samples) && (newest.Sub(in.samples[drop].At) > in.keep || len(in.samples)-drop > maxSamples) {
		drop++
	}
	if drop > 0 {
		in.samples = append(in.samples[:0], in.samples[drop:]...)
	}
}

// OnStop writes the bundle of a stop criterion that fired: pass it as
// soak.Config.OnStop. Errors are kept for Err and Finish.
func (in *Incident) OnStop(f soak.Firing) {
	in.mu.Lock()
	in.stopped = true
	samples := append([]signal.Sample(nil), in.samples...)
	in.mu.Unlock()
	dir, err := in.write(f, samples, "")
	in.mu.Lock()
	defer in.mu.Unlock()
	if err != nil {
		in.errs = append(in.errs, err)
	}
	if dir != "" {
		in.bundles = append(in.bundles, dir)
	}
}

// Finish is called with the soak's report once Run returns. A stopped run
// whose OnStop was not wired gets its bundle now; an interrupted run (SIGTERM,
// a deadline) with a stop criterion pending gets one for that criterion,
// marked as interrupted while pending. It returns every error of the
// bundles written.
func (in *Incident) Finish(rep *soak.Report) error {
	if rep == nil {
		return in.Err()
	}
	in.mu.Lock()
	stopped := in.stopped
	samples := append([]signal.Sample(nil), in.samples...)
	in.mu.Unlock()
	var f *soak.Firing
	note := ""
	switch {
	case rep.Verdict == soak.Stopped && rep.Stop != nil && !stopped:
		f = rep.Stop
	case rep.Verdict == soak.Interrupted:
		for _, c := range rep.Criteria {
			if c.Severity == criteria.Stop && c.State == criteria.Pending {
				crit, _ := in.o.Spec.ByName(c.Name)
				f = &soak.Firing{Criterion: c.Name, Instance: lastInstance(samples), Severity: c.Severity, Signal: c.Signal, Op: c.Op,
					Threshold: c.Threshold, For: c.For, At: rep.End, Since: pendingSince(rep, c.Name), Value: c.Value,
					Description: crit.Description, Action: crit.Action}
				note = fmt.Sprintf("The soak was interrupted (%s) while %s was pending: it had not fired yet.", rep.InterruptedBy, c.Name)
				break
			}
		}
	}
	if f != nil {
		in.mu.Lock()
		in.stopped = true
		in.mu.Unlock()
		dir, err := in.write(*f, samples, note)
		in.mu.Lock()
		if err != nil {
			in.errs = append(in.errs, err)
		}
		if dir != "" {
			in.bundles = append(in.bundles, dir)
		}
		in.mu.Unlock()
	}
	return in.Err()
}

func lastInstance(ss []signal.Sample) string {
	for i := len(ss) - 1; i >= 0; i-- {
		if ss[i].Up {
			return ss[i].Instance
		}
	}
	return ""
}

// pendingSince is when the criterion last went pending, from the timeline.
func pendingSince(rep *soak.Report, name string) time.Time {
	var at time.Time
	for _, e := range rep.Timeline {
		if e.Criterion == name && e.To == criteria.Pending {
			at = e.At
		}
	}
	return at
}

// Bundles are the bundle directories written so far.
func (in *Incident) Bundles() []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]string(nil), in.bundles...)
}

// Err joins the errors of the bundles written so far.
func (in *Incident) Err() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	return errors.Join(in.errs...)
}
