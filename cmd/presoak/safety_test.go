package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/safety"
)

// safetyArgs are the flags that point a safety command at a scratch
// workspace and the repo's fixtures, whatever the working directory.
func safetyArgs(t *testing.T, layers ...string) []string {
	t.Helper()
	wd, _ := os.Getwd()
	root, err := checklist.ModuleRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) == 0 {
		layers = []string{"fixtures/config.yaml", "fixtures/config.soak_overrides.yaml"}
	}
	for i, l := range layers {
		layers[i] = filepath.Join(root, l)
	}
	return []string{"-root", t.TempDir(), "-config", strings.Join(layers, ","), "-targets", filepath.Join(root, safety.TargetsFile)}
}

// run runs a command function in-process and returns its exit code and output.
func run(t *testing.T, cmd func([]string, io.Writer, io.Writer) int, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cmd(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestSafetyCommandsEndToEnd(t *testing.T) {
	args := safetyArgs(t)
	root := args[1]

	code, out, errOut := run(t, runSnapshot, args...)
	if code != 0 || !strings.Contains(out, "wrote "+filepath.Join(root, safety.SnapshotFile)) || !strings.Contains(out, "pipeline.enabled = true") {
		t.Fatalf("snapshot: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = run(t, runRollback, args...)
	if code != 0 || !strings.Contains(out, "true -> false") || !strings.Contains(out, "nothing written; apply with: make rollback APPLY=1") {
		t.Fatalf("rollback dry run: exit %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(root, safety.RollbackLayerFile)); err == nil {
		t.Fatal("the dry run wrote the rollback layer")
	}
	code, out, errOut = run(t, runRollback, append([]string{"-apply"}, args...)...)
	if code != 0 || !strings.Contains(out, "rollback applied") || !strings.Contains(out, "verified: all 4 targets took effect") {
		t.Fatalf("rollback -apply: exit %d\n%s%s", code, out, errOut)
	}
	code, _, errOut = run(t, runSnapshot, args...)
	if code != 1 || !strings.Contains(errOut, "make restore") {
		t.Fatalf("snapshot during a rollback: exit %d, want 1 with the fix\n%s", code, errOut)
	}
	code, out, errOut = run(t, runRestore, args...)
	if code != 0 || !strings.Contains(out, "removed ") || !strings.Contains(out, "equals the snapshot's") {
		t.Fatalf("restore: exit %d\n%s%s", code, out, errOut)
	}
}

func TestSafetyCommandsFailWithAReason(t *testing.T) {
	t.Run("restore without a snapshot", func(t *testing.T) {
		code, _, errOut := run(t, runRestore, safetyArgs(t)...)
		if code != 1 || !strings.Contains(errOut, "no snapshot") {
			t.Fatalf("exit %d: %s", code, errOut)
		}
	})
	t.Run("apply on a snapshot of another config", func(t *testing.T) {
		args := safetyArgs(t, "fixtures/config.yaml")
		if code, _, errOut := run(t, runSnapshot, args...); code != 0 {
			t.Fatal(errOut)
		}
		other := safetyArgs(t)
		other[1] = args[1] // same workspace, the default config
		code, _, errOut := run(t, runRollback, append([]string{"-apply"}, other...)...)
		if code != 1 || !strings.Contains(errOut, "snapshot is from another config") {
			t.Fatalf("exit %d: %s", code, errOut)
		}
	})
	t.Run("bad flag", func(t *testing.T) {
		if code, _, _ := run(t, runRollback, "-nope"); code != 2 {
			t.Fatalf("exit %d, want 2", code)
		}
	})
}
