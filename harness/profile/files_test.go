package profile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presoak/presoak/internal/home"
)

const filesHead = `version: 1
bot: team
signals:
  ticks: {expr: t_total, kind: counter}
  order_ack_latency: {expr: 'hb_order_ack_ms', kind: histogram, unit: milliseconds}
  acks: {expr: 'hb_acks_total', kind: counter}
`

const goodCriteria = `version: 1
evaluation_interval: 1s
criteria:
  - {name: misses, signal: deadline_miss_pct, op: ">", threshold: 5, window: 1m, for: 0s, severity: stop, description: too many misses, action: stop the soak}
`

// writeProfile writes profile.yaml (filesHead + extra) and the named files
// into a temporary directory and loads it.
func writeProfile(t *testing.T, extra string, files map[string]string) (*Profile, string, error) {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "profile.yaml")
	if err := os.WriteFile(path, []byte(filesHead+extra), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Load(path)
	return p, dir, err
}

// TestPickPrecedence: BUDGETS or CRITERIA set by the user win over the
// profile's budgets: and criteria:, which win over presoak's defaults;
// each choice says where it came from.
func TestPickPrecedence(t *testing.T) {
	p, dir, err := writeProfile(t, "budgets: team-budgets.yaml\ncriteria: team-criteria.yaml\n", map[string]string{
		"team-budgets.yaml":  "version: 1\nbudgets:\n  order_ack_latency: p(95) < 50ms\n  tick_total: p(95) < 150ms\n",
		"team-criteria.yaml": goodCriteria,
	})
	if err != nil {
		t.Fatal(err)
	}
	own, err := home.Dir()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		file, explicit string
		p              *Profile
		path, from     string
	}{
		{FileBudgets, "", p, filepath.Join(dir, "team-budgets.yaml"), "profile profile.yaml:7 budgets"},
		{FileCriteria, "", p, filepath.Join(dir, "team-criteria.yaml"), "profile profile.yaml:8 criteria"},
		{FileBudgets, "mine.yaml", p, filepath.Join("/team", "mine.yaml"), "BUDGETS"},
		{FileCriteria, "/abs/c.yaml", p, "/abs/c.yaml", "CRITERIA"},
		{FileBudgets, "", nil, filepath.Join(own, "fixtures", "budgets.yaml"), "presoak's default"},
		{FileCriteria, "  ", Default(), filepath.Join(own, "fixtures", "criteria.yaml"), "presoak's default"},
	} {
		got, err := Pick(tt.file, tt.explicit, "/team", tt.p)
		if err != nil {
			t.Fatal(err)
		}
		if got.Path != tt.path || got.From != tt.from {
			t.Errorf("Pick(%s, %q): got %s from %q, want %s from %q", tt.file, tt.explicit, got.Path, got.From, tt.path, tt.from)
		}
	}
	if _, err := Pick("thresholds", "", "/team", p); err == nil {
		t.Error("Pick of an unknown file: got nil error")
	}
}

// TestProfileFilesValidated: a budgets: or criteria: file that is missing
// or does not parse fails the profile, naming the profile's file:line and
// key; a budget on an undeclared signal names the declared ones; a counter
// cannot carry a latency budget; a signal may not take a built-in target's
// name.
func TestProfileFilesValidated(t *testing.T) {
	tests := []struct {
		name, extra string
		files       map[string]string
		want        []string
	}{
		{"missing budgets", "budgets: nope.yaml\n", nil,
			[]string{"profile.yaml:7: budgets: nope.yaml: no such file (relative to the profile's directory)"}},
		{"missing criteria", "criteria: gone/criteria.yaml\n", nil,
			[]string{"profile.yaml:7: criteria: gone/criteria.yaml: no such file"}},
		{"budgets do not parse", "budgets: b.yaml\n", map[string]string{"b.yaml": "version: 1\nbudgets:\n  fetch_md: p(95) < 35 parsecs\n"},
			[]string{"profile.yaml:7: budgets: parse budgets: b.yaml:3: failed parsing budget"}},
		{"criteria do not parse", "criteria: c.yaml\n", map[string]string{"c.yaml": "version: 1\ncriteria: [{name: x}]\n"},
			[]string{"profile.yaml:7: criteria: "}},
		{"undeclared signal", "budgets: b.yaml\n", map[string]string{"b.yaml": "version: 1\nbudgets:\n  order_ack_latncy: p(95) < 50ms\n"},
			[]string{"b.yaml:3: failed parsing budget", `unknown target "order_ack_latncy"`, "declared: acks (counter), order_ack_latency (histogram)"}},
		{"counter with a latency", "budgets: b.yaml\n", map[string]string{"b.yaml": "version: 1\nbudgets:\n  acks: p(95) < 50ms\n"},
			[]string{"b.yaml:3:", "the profile's signal acks is a counter; a budget names a histogram signal"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := writeProfile(t, tt.extra, tt.files)
			if err == nil {
				t.Fatalf("Load: got nil error, want %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error:\n%v\nwant it to contain %q", err, w)
				}
			}
		})
	}
	_, err := Parse("p.yaml", "", []byte(filesHead+"  fetch_md: {expr: x, kind: histogram}\n"))
	if err == nil || !strings.Contains(err.Error(), `p.yaml:7: signals.fetch_md: "fetch_md" is a built-in budget target`) {
		t.Errorf("a signal named fetch_md: got %v, want the built-in target named", err)
	}
	p, _, err := writeProfile(t, "budgets: b.yaml\n", map[string]string{"b.yaml": "version: 1\nbudgets:\n  order_ack_latency: [p(95) < 50ms, max < 200ms]\n"})
	if err != nil {
		t.Fatalf("a budget on a declared histogram: %v", err)
	}
	if got := p.DeclaredHistograms(); len(got) != 1 || got[0].Name != "order_ack_latency" {
		t.Errorf("DeclaredHistograms: got %v, want [order_ack_latency]", got)
	}
}
