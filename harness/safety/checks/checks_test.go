package checks_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/safety"
	"github.com/presoak/presoak/harness/safety/checks"
	report "github.com/presoak/presoak/reports/readiness"
)

// env is a scratch module root with the fixtures' config, targets and schema
// copied in, so messages can be checked for root-relative paths.
type env struct {
	root string
	opts safety.Options
}

func newEnv(t *testing.T) env {
	t.Helper()
	wd, _ := os.Getwd()
	src, err := safety.ModuleRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	for _, f := range []string{"fixtures/config.yaml", "fixtures/config.soak_overrides.yaml", safety.TargetsFile, safety.SchemaFile} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		write(t, root, f, string(b))
	}
	return env{root: root, opts: safety.Options{
		Workspace:    safety.Workspace{Root: root},
		ConfigLayers: []string{filepath.Join(root, "fixtures/config.yaml"), filepath.Join(root, "fixtures/config.soak_overrides.yaml")},
		TargetsFile:  filepath.Join(root, safety.TargetsFile),
		Meta:         safety.Meta{Now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Version: "test"},
	}}
}

func write(t *testing.T, root, rel, content string) string {
	t.Helper()
	p := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func (e env) snapshotItem() checklist.Item {
	return checks.Snapshot(e.opts, filepath.Join(e.root, safety.SchemaFile), e.root)
}

// assertItem checks status, fix and that no absolute path leaks.
func assertItem(t *testing.T, e env, it checklist.Item, status report.Status, fixHas string) {
	t.Helper()
	if it.Status != status || it.Area != checklist.AreaSafety || it.Severity != report.Blocking {
		t.Errorf("got status %s area %q severity %s (%s), want %s, Safety, blocking", it.Status, it.Area, it.Severity, it.Message, status)
	}
	if !strings.Contains(it.Fix, fixHas) {
		t.Errorf("fix: got %q, want it to contain %q", it.Fix, fixHas)
	}
	for _, s := range []string{it.Got, it.Message, it.Source, it.Fix} {
		if strings.Contains(s, e.root) {
			t.Errorf("an absolute path leaks into the item: %q", s)
		}
	}
}

func TestSnapshotItem(t *testing.T) {
	t.Run("fresh snapshot passes", func(t *testing.T) {
		e := newEnv(t)
		if _, err := safety.TakeSnapshot(e.opts); err != nil {
			t.Fatal(err)
		}
		it := e.snapshotItem()
		assertItem(t, e, it, report.StatusPass, "")
		if !strings.HasPrefix(it.Got, "matches") || it.Source != safety.SnapshotFile {
			t.Errorf("got %q from %q", it.Got, it.Source)
		}
	})
	t.Run("missing fails with the fix", func(t *testing.T) {
		e := newEnv(t)
		it := e.snapshotItem()
		assertItem(t, e, it, report.StatusFail, "make snapshot")
		if it.Got != "missing" {
			t.Errorf("got %q, want missing", it.Got)
		}
	})
	t.Run("stale after a config change fails with the fix", func(t *testing.T) {
		e := newEnv(t)
		if _, err := safety.TakeSnapshot(e.opts); err != nil {
			t.Fatal(err)
		}
		write(t, e.root, "fixtures/config.soak_overrides.yaml", "pipeline:\n  enabled: true\nmd_cache:\n  enabled: true\ntaker_cap:\n  max_taker_share_pct: 8\n")
		it := e.snapshotItem()
		assertItem(t, e, it, report.StatusFail, "make snapshot")
		if !strings.HasPrefix(it.Got, "stale") {
			t.Errorf("got %q, want stale", it.Got)
		}
	})
	t.Run("rollback applied fails pointing at restore", func(t *testing.T) {
		e := newEnv(t)
		if _, err := safety.TakeSnapshot(e.opts); err != nil {
			t.Fatal(err)
		}
		if _, err := safety.Apply(e.opts); err != nil {
			t.Fatal(err)
		}
		assertItem(t, e, e.snapshotItem(), report.StatusFail, "make restore")
	})
	t.Run("a snapshot its schema rejects fails", func(t *testing.T) {
		e := newEnv(t)
		if _, err := safety.TakeSnapshot(e.opts); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(e.opts.Workspace.SnapshotPath())
		// Still decodes, but a source without a line breaks the schema's pattern.
		write(t, e.root, safety.SnapshotFile, strings.Replace(string(b), `config.yaml:31"`, `config.yaml"`, 1))
		it := e.snapshotItem()
		assertItem(t, e, it, report.StatusFail, "make snapshot")
		if !strings.Contains(it.Got, "does not match pattern") {
			t.Errorf("got %q, want the schema problem", it.Got)
		}
	})
	t.Run("config that does not load is not evaluated", func(t *testing.T) {
		e := newEnv(t)
		e.opts.ConfigLayers = []string{filepath.Join(e.root, "nope.yaml")}
		it := e.snapshotItem()
		if it.Status != report.StatusFail || !strings.HasPrefix(it.Got, "not evaluated") {
			t.Errorf("got %s %q, want a not-evaluated failure", it.Status, it.Got)
		}
	})
}

func TestRollbackDryRunItem(t *testing.T) {
	t.Run("passes and names every key", func(t *testing.T) {
		e := newEnv(t)
		it := checks.RollbackDryRun(e.opts, e.root)
		assertItem(t, e, it, report.StatusPass, "")
		for _, k := range []string{"pipeline.enabled true -> false (fixtures/config.soak_overrides.yaml:9)", "queue_aware.enabled", "md_cache.enabled", "adaptive_spread.enabled"} {
			if !strings.Contains(it.Got, k) {
				t.Errorf("got %q, want it to name %q", it.Got, k)
			}
		}
		if entries, _ := os.ReadDir(filepath.Join(e.root, "artifacts")); len(entries) != 0 {
			t.Error("the dry run wrote into artifacts/")
		}
	})
	t.Run("unknown target key fails", func(t *testing.T) {
		e := newEnv(t)
		write(t, e.root, safety.TargetsFile, "version: 1\ntargets:\n  - {key: pipeline.enable, value: false}\n")
		it := checks.RollbackDryRun(e.opts, e.root)
		assertItem(t, e, it, report.StatusFail, "fixtures/rollback.yaml")
		if !strings.Contains(it.Got, "pipeline.enable") {
			t.Errorf("got %q, want the unknown key named", it.Got)
		}
	})
	t.Run("a rollback that leaves a flag on fails", func(t *testing.T) {
		e := newEnv(t)
		write(t, e.root, safety.TargetsFile, "version: 1\ntargets:\n  - {key: pipeline.enabled, value: true}\n")
		it := checks.RollbackDryRun(e.opts, e.root)
		assertItem(t, e, it, report.StatusFail, "every flag target false")
		if !strings.Contains(it.Got, "leaves flags on: pipeline.enabled -> true") {
			t.Errorf("got %q", it.Got)
		}
	})
}

func TestRestoreRoundTripItem(t *testing.T) {
	t.Run("passes in a scratch workspace", func(t *testing.T) {
		e := newEnv(t)
		it := checks.RestoreRoundTrip(e.opts, e.root)
		assertItem(t, e, it, report.StatusPass, "")
		if e.opts.Workspace.RollbackActive() {
			t.Error("the round trip left the rollback layer")
		}
	})
	t.Run("fails when the rollback cannot be applied", func(t *testing.T) {
		e := newEnv(t)
		write(t, e.root, safety.TargetsFile, "version: 1\ntargets:\n  - {key: pipeline.enabled, value: maybe}\n")
		it := checks.RestoreRoundTrip(e.opts, e.root)
		assertItem(t, e, it, report.StatusFail, "make rollback APPLY=1")
	})
	t.Run("fails when the scratch workspace is unwritable", func(t *testing.T) {
		e := newEnv(t)
		write(t, e.root, "artifacts", "a regular file")
		it := checks.RestoreRoundTrip(e.opts, e.root)
		assertItem(t, e, it, report.StatusFail, "make snapshot")
	})
}
