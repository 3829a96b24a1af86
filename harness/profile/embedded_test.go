package profile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEmbeddedIsTheReferenceEngineOnly: target.kind embedded runs presoak's
// own engine on CONFIG, so a profile of another bot that says embedded would
// get a verdict about the wrong bot. Only the built-in reference profile may
// say it; any other profile file is refused at file:line:key with the fix.
func TestEmbeddedIsTheReferenceEngineOnly(t *testing.T) {
	t.Parallel()
	if _, err := Parse(ReferenceFile, "", ReferenceYAML()); err != nil {
		t.Fatalf("the built-in reference profile (kind embedded): got %v, want it accepted", err)
	}
	const body = "version: 1\nbot: xmaker\ntarget:\n  kind: %s\nconfig:\n  layers: [bot.yaml]\nsignals:\n  ticks: {expr: t_total, kind: counter}\n"
	dir := t.TempDir()
	for kind, wantErr := range map[string]bool{"embedded": true, "scrape": false, "prometheus": false} {
		path := filepath.Join(dir, kind+".yaml")
		if err := os.WriteFile(path, []byte(strings.ReplaceAll(body, "%s", kind)), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path)
		if !wantErr {
			if err != nil {
				t.Errorf("kind %s: got %v, want accepted", kind, err)
			}
			continue
		}
		var pe *Error
		if !errors.As(err, &pe) {
			t.Fatalf("kind embedded in a bot's profile: got %v, want a profile error", err)
		}
		for _, want := range []string{"embedded.yaml:4: target.kind:", "scrape", "prometheus", "reference"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("kind embedded in a bot's profile: error %q does not say %q", err, want)
			}
		}
	}
	// A copy of the reference profile on disk is a profile of its own:
	// it names no bot presoak runs, so embedded is refused there too.
	path := filepath.Join(dir, "copy.yaml")
	if err := os.WriteFile(path, ReferenceYAML(), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "copy.yaml:10: target.kind:") {
		t.Errorf("a copy of reference.yaml with kind embedded: got %v, want refused at copy.yaml:10: target.kind", err)
	}
}
