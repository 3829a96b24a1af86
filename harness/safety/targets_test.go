package safety_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/presoak/presoak/harness/safety"
)

func TestLoadTargetsFixtureIsTheSeedsRollback(t *testing.T) {
	tg, err := safety.LoadTargets(moduleFile(t, safety.TargetsFile))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, x := range tg.Targets {
		keys = append(keys, x.Key)
		if x.Value != false || x.Why == "" {
			t.Errorf("target %s: got value %v why %q, want false and a reason", x.Key, x.Value, x.Why)
		}
	}
	want := "pipeline.enabled,md_cache.enabled,adaptive_spread.enabled,queue_aware.enabled"
	if got := strings.Join(keys, ","); got != want {
		t.Errorf("targets: got %s, want %s", got, want)
	}
	if !slices.Contains(tg.Limits, "taker_cap.max_taker_share_pct") {
		t.Errorf("limits %v: want taker_cap.max_taker_share_pct among them", tg.Limits)
	}
}

func TestParseTargetsRejectsBadFiles(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string // substrings of the one error
	}{
		{"broken yaml", "version: 1\ntargets: [\n", []string{"t.yaml"}},
		{"not a mapping", "- a\n", []string{"t.yaml:1", "want a mapping"}},
		{"version missing", "targets:\n  - {key: a.enabled, value: false}\n", []string{"version: missing"}},
		{"wrong version", "version: 2\ntargets:\n  - {key: a.enabled, value: false}\n", []string{"t.yaml:1", `got "2", want 1`}},
		{"unknown top key", "version: 1\ntargetz: []\n", []string{"t.yaml:2", `unknown key "targetz"`, "targets: missing"}},
		{"target without value", "version: 1\ntargets:\n  - key: a.enabled\n", []string{"t.yaml:3", "a.enabled: value missing"}},
		{"null value", "version: 1\ntargets:\n  - key: a.enabled\n    value: null\n", []string{"t.yaml:3", "want a scalar"}},
		{"list value", "version: 1\ntargets:\n  - key: a.enabled\n    value: [1]\n", []string{"want a scalar"}},
		{"bad key", "version: 1\ntargets:\n  - key: Pipeline.Enabled\n    value: false\n", []string{`"Pipeline.Enabled" is not a dotted key`}},
		{"unknown target field", "version: 1\ntargets:\n  - key: a.enabled\n    value: false\n    vale: 1\n", []string{`unknown key "vale"`}},
		{"duplicate target", "version: 1\ntargets:\n  - {key: a.enabled, value: false}\n  - {key: a.enabled, value: false}\n", []string{"t.yaml:4", "duplicate (first on line 3)"}},
		{"targets not a list", "version: 1\ntargets: {a: 1}\n", []string{"targets: want a list"}},
		{"bad limit", "version: 1\ntargets:\n  - {key: a.enabled, value: false}\nlimits: [\"a..b\"]\n", []string{`"a..b" is not a dotted key`}},
		{"every problem at once", "version: 3\nextra: 1\ntargets:\n  - key: a.enabled\n", []string{"version: got", `unknown key "extra"`, "value missing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := safety.ParseTargets("t.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatal("got no error, want one")
			}
			if !errors.Is(err, safety.ErrTargets) || !strings.HasPrefix(err.Error(), "load rollback targets: ") {
				t.Errorf("got %v, want a load rollback targets error matching ErrTargets", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestParseTargetsAcceptsScalarsOfEveryKind(t *testing.T) {
	tg, err := safety.ParseTargets("t.yaml", []byte("version: 1\ntargets:\n  - {key: a.enabled, value: false}\n  - {key: b.pct, value: 5}\n  - {key: c.ttl, value: 50ms}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(tg.Targets) != 3 {
		t.Fatalf("got %d targets, want 3", len(tg.Targets))
	}
	for i, want := range []any{false, 5, "50ms"} {
		if tg.Targets[i].Value != want {
			t.Errorf("target %d: got %#v, want %#v", i, tg.Targets[i].Value, want)
		}
	}
	if tg.Targets[2].Line != 5 {
		t.Errorf("line: got %d, want 5", tg.Targets[2].Line)
	}
}
