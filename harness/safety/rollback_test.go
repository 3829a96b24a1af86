package safety_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presoak/presoak/harness/safety"
	"github.com/presoak/presoak/internal/modroot"
)

// flagCombos writes one override layer per combination of the four rollback
// targets' starting values (16 configs) and returns their layer lists.
func flagCombos(t *testing.T) map[string][]string {
	t.Helper()
	dir := t.TempDir()
	base := moduleFile(t, "fixtures/config.yaml")
	out := map[string][]string{}
	flags := []string{"pipeline", "md_cache", "adaptive_spread", "queue_aware"}
	for mask := range 1 << len(flags) {
		var b strings.Builder
		name := ""
		for i, f := range flags {
			on := mask&(1<<i) != 0
			fmt.Fprintf(&b, "%s:\n  enabled: %t\n", f, on)
			name += map[bool]string{true: "1", false: "0"}[on]
		}
		out[name] = []string{base, writeFile(t, dir, "flags-"+name+".yaml", b.String())}
	}
	return out
}

func TestRollbackProperties(t *testing.T) {
	for name, layers := range flagCombos(t) {
		t.Run("flags_"+name, func(t *testing.T) {
			t.Parallel()
			o := newOptions(t, layers...)
			s, err := safety.TakeSnapshot(o)
			if err != nil {
				t.Fatal(err)
			}
			before := mustLoad(t, layers...)

			a, err := safety.Apply(o)
			if err != nil {
				t.Fatal(err)
			}
			first, _ := os.ReadFile(a.Path)
			after := mustLoad(t, o.Workspace.EffectiveLayers(layers)...)

			// Every target took effect; nothing else changed.
			for _, c := range a.Plan.Changes {
				got, _ := after.Lookup(c.Key)
				if safety.Display(got.Value) != "false" {
					t.Errorf("%s = %v after the rollback, want false", c.Key, got.Value)
				}
			}
			targeted := map[string]bool{}
			for _, c := range a.Plan.Changes {
				targeted[c.Key] = true
			}
			for _, b := range before.Settings {
				if targeted[b.Key] {
					continue
				}
				got, _ := after.Lookup(b.Key)
				if safety.Display(got.Value) != safety.Display(b.Value) || got.Source != b.Source {
					t.Errorf("untargeted %s: got %v (%s), want %v (%s)", b.Key, got.Value, got.Source, b.Value, b.Source)
				}
			}

			// Idempotent: applying again writes the same layer and the same config.
			a2, err := safety.Apply(o)
			if err != nil {
				t.Fatal(err)
			}
			second, _ := os.ReadFile(a2.Path)
			if !bytes.Equal(first, second) || a2.Effective.Hash != a.Effective.Hash {
				t.Errorf("second apply differs: hash %s vs %s", a2.Effective.Hash, a.Effective.Hash)
			}
			if a.Effective.Hash != a.Plan.After.Hash {
				t.Errorf("applied hash %s, dry-run hash %s: want equal", a.Effective.Hash, a.Plan.After.Hash)
			}

			// Restore returns to the snapshot's hash, and again is a no-op.
			for range 2 {
				r, err := safety.Restore(o)
				if err != nil {
					t.Fatal(err)
				}
				if r.Hash != s.ConfigHash || o.Workspace.RollbackActive() {
					t.Fatalf("restore: hash %s, want %s; layer active %t", r.Hash, s.ConfigHash, o.Workspace.RollbackActive())
				}
			}
		})
	}
}

func TestDryRunPrintsEveryKeyAndWritesNothing(t *testing.T) {
	o := newOptions(t)
	p, err := safety.DryRun(o)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := p.Print(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"pipeline.enabled", "true -> false", "(set at " + at(t, o.ConfigLayers[1], "pipeline.enabled") + ")",
		"md_cache.enabled", "(set at " + at(t, o.ConfigLayers[1], "md_cache.enabled") + ")",
		"adaptive_spread.enabled", "(set at " + at(t, o.ConfigLayers[0], "adaptive_spread.enabled") + ")",
		"queue_aware.enabled", "(set at " + at(t, o.ConfigLayers[0], "queue_aware.enabled") + ")",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("plan output lacks %q:\n%s", want, out.String())
		}
	}
	if p.Changed() != 4 || p.Before.Hash == p.After.Hash {
		t.Errorf("changed %d (hash %s -> %s), want 4 and a new hash", p.Changed(), p.Before.Hash, p.After.Hash)
	}
	if got := listFiles(t, o.Workspace.Root); len(got) != 0 {
		t.Errorf("dry run wrote %v, want nothing", got)
	}
}

func TestDryRunMarksTargetsAlreadyAtTheirValue(t *testing.T) {
	o := newOptions(t, moduleFile(t, "fixtures/config.yaml"))
	p, err := safety.DryRun(o)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	p.Print(&out)
	if p.Changed() != 2 || !strings.Contains(out.String(), "(already false)") {
		t.Errorf("base only: changed %d, want 2 and the unchanged marked:\n%s", p.Changed(), out.String())
	}
}

func TestSnapshotFromAnotherConfigIsRefused(t *testing.T) {
	o := newOptions(t)
	if _, err := safety.TakeSnapshot(o); err != nil {
		t.Fatal(err)
	}
	other := o
	other.ConfigLayers = append(append([]string{}, o.ConfigLayers...), writeFile(t, t.TempDir(), "tighter.yaml", "taker_cap:\n  max_taker_share_pct: 7\n"))

	_, err := safety.Apply(other)
	if !errors.Is(err, safety.ErrStaleSnapshot) || !strings.Contains(err.Error(), "make snapshot") {
		t.Fatalf("apply: got %v, want ErrStaleSnapshot with the fix", err)
	}
	if other.Workspace.RollbackActive() {
		t.Fatal("apply wrote the rollback layer despite refusing")
	}

	// Apply with the snapshot's config, then restore under the other config:
	// refused, and the rollback layer stays.
	if _, err := safety.Apply(o); err != nil {
		t.Fatal(err)
	}
	_, err = safety.Restore(other)
	if !errors.Is(err, safety.ErrStaleSnapshot) {
		t.Fatalf("restore: got %v, want ErrStaleSnapshot", err)
	}
	if !o.Workspace.RollbackActive() {
		t.Fatal("a refused restore removed the rollback layer")
	}
}

func TestApplyAndRestoreFailCleanlyOnBadInput(t *testing.T) {
	t.Run("no snapshot", func(t *testing.T) {
		o := newOptions(t)
		_, err := safety.Apply(o)
		if !errors.Is(err, safety.ErrNoSnapshot) || !strings.Contains(err.Error(), "make snapshot") {
			t.Fatalf("got %v, want ErrNoSnapshot and the fix", err)
		}
		if got := listFiles(t, o.Workspace.Root); len(got) != 0 {
			t.Errorf("files: got %v, want none", got)
		}
	})
	for name, corrupt := range map[string]func([]byte) []byte{
		"truncated snapshot": func(b []byte) []byte { return b[:len(b)/3] },
		"corrupted snapshot": func(b []byte) []byte { return bytes.ReplaceAll(b, []byte(`"`), []byte(`'`)) },
	} {
		t.Run(name, func(t *testing.T) {
			o := newOptions(t)
			if _, err := safety.TakeSnapshot(o); err != nil {
				t.Fatal(err)
			}
			if _, err := safety.Apply(o); err != nil {
				t.Fatal(err)
			}
			layer, _ := os.ReadFile(o.Workspace.RollbackLayerPath())
			good, _ := os.ReadFile(o.Workspace.SnapshotPath())
			bad := corrupt(good)
			writeFile(t, o.Workspace.Root, safety.SnapshotFile, string(bad))

			if _, err := safety.Apply(o); !errors.Is(err, safety.ErrCorruptSnapshot) {
				t.Errorf("apply: got %v, want ErrCorruptSnapshot", err)
			}
			if _, err := safety.Restore(o); !errors.Is(err, safety.ErrCorruptSnapshot) {
				t.Errorf("restore: got %v, want ErrCorruptSnapshot", err)
			}
			after, _ := os.ReadFile(o.Workspace.RollbackLayerPath())
			if !bytes.Equal(layer, after) {
				t.Error("the rollback layer changed on a refused apply/restore")
			}
			if got := listFiles(t, o.Workspace.Root); len(got) != 2 {
				t.Errorf("files: got %v, want the snapshot and the layer only", got)
			}
		})
	}
	t.Run("rollback layer path blocked (read-only artifacts)", func(t *testing.T) {
		o := newOptions(t)
		if _, err := safety.TakeSnapshot(o); err != nil {
			t.Fatal(err)
		}
		// A non-empty directory where the layer file must go: the rename fails.
		writeFile(t, o.Workspace.RollbackLayerPath(), "keep", "x")
		_, err := safety.Apply(o)
		if err == nil || !strings.HasPrefix(err.Error(), "apply rollback: ") || !strings.Contains(err.Error(), "rollback.override.yaml") {
			t.Fatalf("got %v, want an apply error naming the layer", err)
		}
		got := listFiles(t, o.Workspace.Root)
		want := []string{safety.SnapshotFile, safety.RollbackLayerFile + "/keep"}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("files: got %v, want %v (no temp file left)", got, want)
		}
	})
	t.Run("artifacts is a regular file", func(t *testing.T) {
		o := newOptions(t)
		writeFile(t, o.Workspace.Root, "artifacts", "x")
		if _, err := safety.Apply(o); err == nil {
			t.Error("apply: got no error")
		}
		if _, err := safety.Restore(o); err == nil {
			t.Error("restore: got no error")
		}
	})
	t.Run("target names a key the config does not have", func(t *testing.T) {
		o := newOptions(t)
		if _, err := safety.TakeSnapshot(o); err != nil {
			t.Fatal(err)
		}
		o.TargetsFile = writeFile(t, t.TempDir(), "r.yaml", "version: 1\ntargets:\n  - {key: pipeline.enabled, value: false}\n  - {key: md_cache.enabld, value: false}\n")
		for _, run := range []func(safety.Options) error{
			func(o safety.Options) error { _, err := safety.DryRun(o); return err },
			func(o safety.Options) error { _, err := safety.Apply(o); return err },
		} {
			err := run(o)
			if !errors.Is(err, safety.ErrUnknownKey) || !strings.Contains(err.Error(), "r.yaml:4: target md_cache.enabld") {
				t.Errorf("got %v, want ErrUnknownKey naming r.yaml:4", err)
			}
		}
		if o.Workspace.RollbackActive() {
			t.Error("the rollback layer was written")
		}
	})
	t.Run("target value of the wrong type", func(t *testing.T) {
		o := newOptions(t)
		if _, err := safety.TakeSnapshot(o); err != nil {
			t.Fatal(err)
		}
		o.TargetsFile = writeFile(t, t.TempDir(), "r.yaml", "version: 1\ntargets:\n  - {key: pipeline.enabled, value: sometimes}\n")
		_, err := safety.Apply(o)
		if err == nil || !strings.Contains(err.Error(), "pipeline.enabled") {
			t.Fatalf("got %v, want the loader's type error naming the key", err)
		}
		if o.Workspace.RollbackActive() {
			t.Error("the rollback layer was written")
		}
	})
}

func TestApplyUndoesTheWriteWhenVerificationFails(t *testing.T) {
	for _, previous := range []string{"", "# an earlier rollback layer\npipeline:\n  enabled: false\n"} {
		t.Run(fmt.Sprintf("earlier layer %t", previous != ""), func(t *testing.T) {
			applyWithBlindLoader(t, previous)
		})
	}
}

// applyWithBlindLoader applies with a loader that does not see the rollback
// layer and checks that the workspace is left as it was.
func applyWithBlindLoader(t *testing.T, previous string) {
	o := newOptions(t)
	if _, err := safety.TakeSnapshot(o); err != nil {
		t.Fatal(err)
	}
	if previous != "" {
		writeFile(t, o.Workspace.Root, safety.RollbackLayerFile, previous)
	}
	layerPath := o.Workspace.RollbackLayerPath()
	// A loader that ignores the rollback layer once it is in the workspace:
	// the reload shows the targets did not take effect.
	o.Load = func(layers ...string) (*safety.Effective, error) {
		var kept []string
		for _, l := range layers {
			if l != layerPath {
				kept = append(kept, l)
			}
		}
		eff, err := safety.LoadConfig(kept...)
		if err == nil && len(kept) < len(layers) {
			eff.Layers = layers
		}
		return eff, err
	}
	_, err := safety.Apply(o)
	if err == nil || !strings.Contains(err.Error(), "after the rollback, want false") {
		t.Fatalf("got %v, want a verification failure", err)
	}
	got, _ := os.ReadFile(layerPath)
	if string(got) != previous {
		t.Errorf("layer after a failed apply: got %q, want %q", got, previous)
	}
	want := 1
	if previous != "" {
		want = 2
	}
	if files := listFiles(t, filepath.Dir(layerPath)); len(files) != want {
		t.Errorf("release dir: got %v, want %d file(s)", files, want)
	}
}

func TestVerifyRollbackNamesEveryProblem(t *testing.T) {
	tg, err := safety.ParseTargets("t.yaml", []byte("version: 1\ntargets:\n  - {key: a.enabled, value: false}\n  - {key: b.enabled, value: false}\n"))
	if err != nil {
		t.Fatal(err)
	}
	before := &safety.Effective{Settings: []safety.Setting{
		{Key: "a.enabled", Value: true, Source: "c.yaml:1"},
		{Key: "b.enabled", Value: true, Source: "c.yaml:2"},
		{Key: "c.limit", Value: 9, Source: "c.yaml:3"},
		{Key: "d.gone", Value: 1, Source: "c.yaml:4"},
	}}
	after := &safety.Effective{Settings: []safety.Setting{
		{Key: "a.enabled", Value: false, Source: "r.yaml:1"},
		{Key: "b.enabled", Value: true, Source: "c.yaml:2"},
		{Key: "c.limit", Value: 10, Source: "r.yaml:2"},
		{Key: "e.new", Value: 1, Source: "r.yaml:3"},
	}}
	err = safety.VerifyRollback(before, after, tg)
	if err == nil {
		t.Fatal("got nil, want problems")
	}
	for _, want := range []string{"b.enabled = true (c.yaml:2) after the rollback, want false", "c.limit: not targeted, but changed from 9 to 10", "d.gone: not targeted, but gone", "e.new: not targeted, but appeared", "4 problem(s)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("got %q, want it to contain %q", err, want)
		}
	}
	if err := safety.VerifyRollback(before, before, tg); err == nil {
		t.Error("targets not applied: got nil, want problems")
	}
}

func TestRollbackLayerNamesNoMachinePath(t *testing.T) {
	root, err := modroot.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	before := &safety.Effective{Hash: "abc", Layers: []string{filepath.Join(root, "fixtures", "config.yaml"), "/elsewhere/base.yaml"}}
	targets := &safety.Targets{File: filepath.Join(root, "fixtures", "rollback.yaml")}
	layer, err := safety.RollbackLayer(before, targets)
	if err != nil {
		t.Fatal(err)
	}
	got := string(layer)
	if strings.Contains(got, root) || strings.Contains(got, "/elsewhere") {
		t.Errorf("rollback layer names a machine path:\n%s", got)
	}
	for _, want := range []string{"fixtures/config.yaml", "base.yaml", "fixtures/rollback.yaml"} {
		if !strings.Contains(got, want) {
			t.Errorf("rollback layer header lacks %q:\n%s", want, got)
		}
	}
}
