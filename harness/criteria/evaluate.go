package criteria

import (
	"time"

	"github.com/presoak/presoak/harness/signal"
)

// State is a criterion's alerting state, as Prometheus names them.
type State int

// The states.
const (
	Inactive State = iota // the condition does not hold
	Pending               // it holds, for less than For so far
	Firing                // it has held for at least For
)

func (s State) String() string {
	switch s {
	case Pending:
		return "pending"
	case Firing:
		return "firing"
	}
	return "inactive"
}

// MarshalText makes states read as words in JSON.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText parses a state word.
func (s *State) UnmarshalText(b []byte) error {
	switch string(b) {
	case "pending":
		*s = Pending
	case "firing":
		*s = Firing
	default:
		*s = Inactive
	}
	return nil
}

// Result is one criterion after an evaluation.
type Result struct {
	Criterion string   `json:"criterion"`
	Severity  Severity `json:"severity"`
	State     State    `json:"state"`
	// Value is the signal at this evaluation; Value.OK false means no data
	// (the criterion was reset to inactive, as Prometheus resets an alert
	// whose expression returns nothing).
	Value signal.Value `json:"value"`
	// Holds is whether the condition held at this evaluation.
	Holds bool `json:"holds"`
	// ActiveAt is when the current pending/firing episode began (zero when
	// inactive); FiredAt when it began firing (zero unless firing).
	ActiveAt time.Time `json:"active_at,omitzero"`
	FiredAt  time.Time `json:"fired_at,omitzero"`
	// Evaluated counts the evaluations that had data, over the whole run.
	Evaluated int `json:"evaluated"`
}

// Transition is a change of state of one criterion.
type Transition struct {
	Criterion string       `json:"criterion"`
	Severity  Severity     `json:"severity"`
	At        time.Time    `json:"at"`
	From      State        `json:"from"`
	To        State        `json:"to"`
	Value     signal.Value `json:"value"`
}

// Evaluator applies a spec's criteria to a bot's samples with Prometheus
// `for:` semantics (see the package doc, including the no-data rule). Its
// memory is bounded by the longest window, however long the run. It is not
// safe for concurrent use.
type Evaluator struct {
	spec   *Spec
	opts   signal.Options
	series *signal.Series
	res    []Result
}

// NewEvaluator returns an evaluator of a validated spec.
func NewEvaluator(spec *Spec, opts signal.Options) *Evaluator {
	e := &Evaluator{spec: spec, opts: opts, series: signal.NewSeries(spec.MaxWindow()), res: make([]Result, len(spec.Criteria))}
	for i, c := range spec.Criteria {
		e.res[i] = Result{Criterion: c.Name, Severity: c.Severity}
	}
	return e
}

// Spec is the spec being evaluated.
func (e *Evaluator) Spec() *Spec { return e.spec }

// Observe adds a sample (in time order) for later evaluations.
func (e *Evaluator) Observe(s signal.Sample) { e.series.Add(s) }

// Evaluate evaluates every criterion at `at` over the samples observed so
// far. It returns each criterion's result (in spec order; the slice is reused
// by the next call) and the transitions this evaluation caused.
func (e *Evaluator) Evaluate(at time.Time) ([]Result, []Transition) {
	var trs []Transition
	for i := range e.spec.Criteria {
		c := &e.spec.Criteria[i] // not a copy: this runs for every criterion at every evaluation
		r := &e.res[i]
		var v signal.Value
		if c.Over != "" {
			v = e.series.ComputeDeclared(string(c.Signal), c.Over, c.Of, c.Window, at)
		} else {
			v = e.series.Compute(c.Signal, c.Window, at, e.opts)
		}
		r.Value = v
		from := r.State
		if v.OK {
			r.Evaluated++
			r.Holds = c.Holds(v.V)
		} else {
			// No data: as Prometheus, whose alert expression then returns
			// nothing, the criterion is reset (see the package doc).
			r.Holds = false
		}
		switch {
		case !r.Holds:
			r.State, r.ActiveAt, r.FiredAt = Inactive, time.Time{}, time.Time{}
		case r.State == Inactive:
			r.State, r.ActiveAt = Pending, at
		}
		if r.Holds && r.State == Pending && at.Sub(r.ActiveAt) >= c.For {
			r.State, r.FiredAt = Firing, at
		}
		if r.State != from {
			trs = append(trs, Transition{Criterion: c.Name, Severity: c.Severity, At: at, From: from, To: r.State, Value: v})
		}
	}
	return e.res, trs
}

// Ticks is the ticks observed since the first sample, across counter resets.
func (e *Evaluator) Ticks() float64 { return e.series.Ticks() }

// Results are the criteria's results after the last evaluation.
func (e *Evaluator) Results() []Result { return e.res }

// Trace is the outcome of EvaluateSeries.
type Trace struct {
	// Transitions in evaluation order (spec order within one evaluation).
	Transitions []Transition
	// Final is every criterion's result after the last evaluation.
	Final []Result
}

// FirstPending returns the first evaluation at which the criterion went
// pending, if it did.
func (t Trace) FirstPending(name string) (time.Time, bool) { return t.first(name, Pending) }

// FirstFiring returns the first evaluation at which the criterion fired.
func (t Trace) FirstFiring(name string) (time.Time, bool) { return t.first(name, Firing) }

func (t Trace) first(name string, to State) (time.Time, bool) {
	for _, tr := range t.Transitions {
		if tr.Criterion == name && tr.To == to {
			return tr.At, true
		}
	}
	return time.Time{}, false
}

// EvaluateSeries is the evaluator as a pure function, for tests and for the
// parity test against Prometheus: it evaluates spec at each time in evalAt
// (ascending), each evaluation seeing the samples with At <= that time
// (samples in time order), and returns every state transition and the final
// results. It does not stop at a firing stop criterion.
func EvaluateSeries(spec *Spec, opts signal.Options, samples []signal.Sample, evalAt []time.Time) Trace {
	e := NewEvaluator(spec, opts)
	var tr Trace
	k := 0
	for _, at := range evalAt {
		for k < len(samples) && !samples[k].At.After(at) {
			e.Observe(samples[k])
			k++
		}
		_, trs := e.Evaluate(at)
		tr.Transitions = append(tr.Transitions, trs...)
	}
	tr.Final = append([]Result(nil), e.res...)
	return tr
}
