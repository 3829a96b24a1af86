package budget

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/presoak/presoak/internal/modroot"
)

func TestParseFile(t *testing.T) {
	t.Parallel()
	data := []byte(`version: 1
budgets:
  fetch_md: p(95) < 35ms
  tick_total: [p(95) < 150ms, p(99) < 250ms]
  deadline_miss: rate < 2%
  md_cache_hit_ratio: ">= 70%"
`)
	s, err := ParseFile("budgets.yaml", data)
	if err != nil {
		t.Fatalf("ParseFile: %v", err)
	}
	if got := len(s.Budgets); got != 5 {
		t.Fatalf("got %d budgets, want 5", got)
	}
	if got := len(s.For("tick_total")); got != 2 {
		t.Errorf("tick_total: got %d budgets, want 2", got)
	}
	p, ok := s.Primary("tick_total")
	if !ok || p.Expr != "p(95) < 150ms" {
		t.Errorf("Primary(tick_total) = %v, %v; want p(95) < 150ms", p, ok)
	}
	if lat, rat := s.OfKind(Latency), s.OfKind(Ratio); len(lat.Budgets) != 3 || len(rat.Budgets) != 2 {
		t.Errorf("OfKind: %d latency, %d ratio budgets, want 3 and 2", len(lat.Budgets), len(rat.Budgets))
	}
	if s.Budgets[0].Line != 3 {
		t.Errorf("fetch_md line = %d, want 3", s.Budgets[0].Line)
	}
}

// TestParseFileReportsEveryProblem: one error names every bad expression with its line.
func TestParseFileReportsEveryProblem(t *testing.T) {
	t.Parallel()
	data := []byte(`version: 1
budgets:
  fetch_md: p(101) < 35ms
  fetch_mdd: p(95) < 35ms
  deadline_miss: rate < 2ms
  tick_total: p(95) == 150ms
`)
	_, err := ParseFile("budgets.yaml", data)
	if err == nil {
		t.Fatal("ParseFile: got nil error, want one naming four problems")
	}
	for _, want := range []error{ErrPercentile, ErrUnknownTarget, ErrUnit, ErrOperator} {
		if !errors.Is(err, want) {
			t.Errorf("error %q does not wrap %v", err, want)
		}
	}
	for _, want := range []string{
		`budgets.yaml:3: failed parsing budget "fetch_md: p(101) < 35ms"`,
		`budgets.yaml:4: failed parsing budget "fetch_mdd: p(95) < 35ms"`,
		`budgets.yaml:5: failed parsing budget "deadline_miss: rate < 2ms"`,
		`budgets.yaml:6: failed parsing budget "tick_total: p(95) == 150ms"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not contain %q:\n%v", want, err)
		}
	}
}

func TestParseFileShape(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, data, want string }{
		{"no version", "budgets:\n  fetch_md: p(95) < 35ms\n", "version 0, want 1"},
		{"no budgets", "version: 1\n", "no budgets"},
		{"empty budgets", "version: 1\nbudgets: {}\n", "no budgets"},
		{"unknown key", "version: 1\nbudgetz: {}\nbudgets:\n  fetch_md: p(95) < 35ms\n", `unknown key "budgetz"`},
		{"list", "version: 1\nbudgets: [a]\n", "budgets must map"},
		{"nested map", "version: 1\nbudgets:\n  fetch_md: {p: 95}\n", "want an expression"},
		{"not yaml", "version: [", "parse budgets"},
		{"scalar doc", "42", "want a mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseFile("b.yaml", []byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestLoadFixture(t *testing.T) {
	t.Parallel()
	root := moduleRoot(t)
	s, err := Load(filepath.Join(root, "fixtures", "budgets.yaml"))
	if err != nil {
		t.Fatalf("Load fixtures/budgets.yaml: %v", err)
	}
	for _, target := range Targets {
		if len(s.For(target)) == 0 {
			t.Errorf("fixtures/budgets.yaml has no budget for %s", target)
		}
	}
	want := map[string]string{
		"fetch_md":           "p(95) < 35ms",
		"tick_total":         "p(95) < 150ms",
		"deadline_miss":      "rate < 2%",
		"md_cache_hit_ratio": ">= 70%",
	}
	for target, expr := range want {
		if p, _ := s.Primary(target); p.Expr != expr {
			t.Errorf("%s: got %q, want the seed's %q", target, p.Expr, expr)
		}
	}
	if _, err := Load(filepath.Join(root, "fixtures", "no-such-budgets.yaml")); err == nil {
		t.Error("Load of a missing file: got nil error")
	}
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := modroot.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestParseFileForDeclaredSignals: a budgets file may name a histogram
// signal the bot profile declares, as a latency; without the profile the
// name is unknown; an undeclared name lists the declared signals, and a
// counter cannot carry a latency budget.
func TestParseFileForDeclaredSignals(t *testing.T) {
	t.Parallel()
	declared := Signals{"order_ack_latency": "histogram", "acks": "counter"}
	data := []byte("version: 1\nbudgets:\n  tick_total: p(95) < 150ms\n  order_ack_latency: [p(95) < 50ms, max < 200ms]\n")
	set, err := ParseFileFor("b.yaml", data, declared)
	if err != nil {
		t.Fatal(err)
	}
	bs := set.For("order_ack_latency")
	if len(bs) != 2 || !bs[0].Signal || bs[0].Kind != Latency || bs[0].Limit().Milliseconds() != 50 || bs[0].Line != 4 {
		t.Fatalf("order_ack_latency budgets: got %+v, want two latency budgets on the declared signal, line 4", bs)
	}
	if got := set.Signals(); len(got) != 1 || got[0] != "order_ack_latency" {
		t.Errorf("Signals: got %v, want [order_ack_latency]", got)
	}
	if set.For("tick_total")[0].Signal {
		t.Error("tick_total is built in, not a declared signal")
	}
	for _, tc := range []struct {
		name     string
		data     string
		declared Signals
		want     []string
	}{
		{"no profile", string(data), nil, []string{"b.yaml:4:", `unknown target "order_ack_latency"`, "declared: none"}},
		{"undeclared", "version: 1\nbudgets:\n  order_ack: p(95) < 50ms\n", declared,
			[]string{"b.yaml:3:", `unknown target "order_ack"`, "declared: acks (counter), order_ack_latency (histogram)"}},
		{"counter", "version: 1\nbudgets:\n  acks: p(95) < 50ms\n", declared,
			[]string{"b.yaml:3:", "the profile's signal acks is a counter; a budget names a histogram signal"}},
		{"ratio on a histogram", "version: 1\nbudgets:\n  order_ack_latency: rate < 2%\n", declared, []string{"b.yaml:3:", "rate applies to"}},
		{"percent on a histogram", "version: 1\nbudgets:\n  order_ack_latency: p(95) < 2%\n", declared, []string{"b.yaml:3:", "bad unit"}},
	} {
		_, err := ParseFileFor("b.yaml", []byte(tc.data), tc.declared)
		if err == nil {
			t.Errorf("%s: got nil error, want %q", tc.name, tc.want)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %v\nwant it to contain %q", tc.name, err, w)
			}
		}
	}
}

// TestEvaluateDeclaredSignalWithoutSamples: a budget on a declared signal
// with no observations fails with ErrNoSamples, never passes.
func TestEvaluateDeclaredSignalWithoutSamples(t *testing.T) {
	t.Parallel()
	set, err := ParseFileFor("b.yaml", []byte("version: 1\nbudgets:\n  order_ack_latency: p(95) < 50ms\n"), Signals{"order_ack_latency": "histogram"})
	if err != nil {
		t.Fatal(err)
	}
	r := set.Evaluate(Observations{})[0]
	if r.Pass || !errors.Is(r.Err, ErrNoSamples) {
		t.Fatalf("no observations: got pass %v, err %v; want a failure with ErrNoSamples", r.Pass, r.Err)
	}
	r = set.Evaluate(Observations{Latencies: map[string]Distribution{"order_ack_latency": NewSamples([]time.Duration{60 * time.Millisecond})}})[0]
	if r.Pass || r.Err != nil {
		t.Fatalf("one ack at 60ms: got pass %v err %v, want over budget", r.Pass, r.Err)
	}
}

// TestParseFileBlocking: blocking: lists the targets whose budgets block
// readiness (beyond the seed's four); a name without a budget in the file
// is an error naming its line.
func TestParseFileBlocking(t *testing.T) {
	set, err := ParseFileFor("b.yaml", []byte("version: 1\nbudgets:\n  submit: p(95) < 25ms\n  order_ack: p(95) < 50ms\n  quote: p(95) < 1ms\nblocking: [submit, order_ack]\n"),
		Signals{"order_ack": "histogram"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, b := range set.Budgets {
		got[b.Target] = b.Blocking
	}
	if !got["submit"] || !got["order_ack"] || got["quote"] {
		t.Errorf("blocking: got %v, want submit and order_ack only", got)
	}
	_, err = ParseFile("b.yaml", []byte("version: 1\nbudgets:\n  submit: p(95) < 25ms\nblocking:\n  - submit\n  - fetch_md\n"))
	if err == nil || !strings.Contains(err.Error(), `b.yaml:6: blocking: "fetch_md" has no budget in this file`) {
		t.Errorf("blocking a target without a budget: got %v", err)
	}
	_, err = ParseFile("b.yaml", []byte("version: 1\nbudgets:\n  submit: p(95) < 25ms\nblocking: submit\n"))
	if err == nil || !strings.Contains(err.Error(), "b.yaml:4: blocking: want a list") {
		t.Errorf("blocking not a list: got %v", err)
	}
}
