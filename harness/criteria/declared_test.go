package criteria

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/signal"
)

const declaredYAML = `version: 1
evaluation_interval: 15s
criteria:
  - name: queue_deep
    signal: acme_queue_depth
    over: max
    op: ">"
    threshold: 100
    window: 5m
    for: 1m
    severity: stop
    description: "the order queue is deep"
    action: "look at the venue"
  - name: rejects_fast
    signal: acme_rejects
    over: rate
    op: ">"
    threshold: 0.5
    window: 5m
    for: 5m
    severity: warn
    description: "orders refused"
    action: "read the reject reasons"
  - name: typo
    signal: acme_queue_dept
    over: max
    op: ">"
    threshold: 1
    window: 5m
    severity: warn
    description: "d"
    action: "a"
`

func TestDeclaredCriteriaParseAndCheckAgainstTheProfile(t *testing.T) {
	spec, err := Parse("c.yaml", []byte(declaredYAML))
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := spec.ByName("queue_deep"); !c.Declared() || c.Over != signal.OverMax {
		t.Fatalf("queue_deep: got %+v, want a declared max criterion", c)
	}
	err = spec.CheckDeclared(map[string]string{"acme_queue_depth": "gauge", "acme_rejects": "counter"})
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 1 {
		t.Fatalf("got %v, want one problem (the typo)", err)
	}
	if got := ve.Problems[0].String(); !strings.Contains(got, "c.yaml:24:") || !strings.Contains(got, `"acme_queue_dept"`) || !strings.Contains(got, "acme_queue_depth") {
		t.Errorf("got %q, want c.yaml:24, the unknown name and the declared ones", got)
	}
	// rate of a gauge is refused
	err = spec.CheckDeclared(map[string]string{"acme_queue_depth": "gauge", "acme_rejects": "gauge", "acme_queue_dept": "gauge"})
	if err == nil || !strings.Contains(err.Error(), "over rate needs a counter") {
		t.Errorf("rate of a gauge: got %v, want it refused", err)
	}
	if err := spec.CheckDeclared(map[string]string{"acme_queue_depth": "gauge", "acme_rejects": "counter", "acme_queue_dept": "gauge"}); err != nil {
		t.Errorf("all declared: got %v, want nil", err)
	}
}

func TestDeclaredCriteriaValidation(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(*Criterion)
		want string
	}{
		{"unknown signal without over", func(c *Criterion) { c.Over = "" }, `unknown signal "acme_queue_depth"`},
		{"bad over", func(c *Criterion) { c.Over = "p99" }, `over: got "p99"`},
		{"ratio without of", func(c *Criterion) { c.Over = signal.OverRatio }, "of:"},
		{"of without ratio", func(c *Criterion) { c.Of = "x" }, "of:"},
		{"over on a fixed signal", func(c *Criterion) { c.Signal = signal.ErrorPct }, "fixed signal"},
		{"no window", func(c *Criterion) { c.Window = 0 }, "window:"},
		{"ratio above 100 is allowed, below 0 is not", func(c *Criterion) { c.Over, c.Of, c.Threshold = signal.OverRatio, "x", -1 }, "threshold:"},
	} {
		t.Run(c.name, func(t *testing.T) {
			spec, err := Parse("c.yaml", []byte(declaredYAML))
			if err != nil {
				t.Fatal(err)
			}
			c.edit(&spec.Criteria[0])
			err = spec.Validate()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want a problem containing %q", err, c.want)
			}
		})
	}
}

// TestDeclaredNoDataResets: a declared signal that goes missing resets a
// pending criterion, never counts toward for.
func TestDeclaredNoDataResets(t *testing.T) {
	spec, err := Parse("c.yaml", []byte(declaredYAML))
	if err != nil {
		t.Fatal(err)
	}
	spec.Criteria = spec.Criteria[:1]
	spec.Criteria[0].Window = 15 * time.Second
	e := NewEvaluator(spec, signal.Options{})
	t0 := time.Unix(1700000000, 0).UTC()
	var states []State
	for i := range 12 {
		at := t0.Add(time.Duration(i) * 15 * time.Second)
		d := map[string]float64{"acme_queue_depth": 500}
		if i >= 3 {
			d = nil // the selector matched nothing from here on
		}
		e.Observe(signal.Sample{At: at, Up: true, Ticks: float64(i), Declared: d})
		res, _ := e.Evaluate(at)
		states = append(states, res[0].State)
	}
	if states[0] != Pending || states[2] != Pending {
		t.Fatalf("states %v: want pending while the queue is deep", states)
	}
	for i, st := range states[3:] {
		if st != Inactive {
			t.Fatalf("state %d: got %v, want inactive: no data never holds nor fires (%v)", i+3, st, states)
		}
	}
	if v := e.Results()[0].Value; v.OK {
		t.Errorf("value: got %v, want no data", v)
	}
}
