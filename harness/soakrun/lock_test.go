package soakrun

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/presoak/presoak/internal/modroot"
	"github.com/presoak/presoak/internal/runlock"
)

// TestASecondSoakLeavesNothing: while a soak runs in a directory, a second
// soak there is refused (naming the first) before it creates anything: no
// calibration dataset folder, no engine started.
func TestASecondSoakLeavesNothing(t *testing.T) {
	for _, k := range []string{"TARGET", "HARNESS", "SCRAPE_URL", "PROMETHEUS_URL", "SELECTOR"} {
		t.Setenv(k, "")
	}
	root, err := modroot.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DURATION": "1m", "CRITERIA": "fixtures/criteria.short.yaml"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	dir := filepath.Join(t.TempDir(), "soak")
	first, err := Prepare(Spec{Lookup: lookup, Root: root, Dir: dir, DatasetsRoot: t.TempDir(), ProgressEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := first.Run(ctx); done <- err }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("the first soak: %v", err)
		}
	})
	// the first soak holds the directory (before the fix: from its Run on)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := runlock.ReadHolder(dir); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first soak never took the lock")
		}
	}

	second := t.TempDir()
	s, err := Prepare(Spec{Lookup: lookup, Root: root, Dir: dir, DatasetsRoot: second, ProgressEvery: time.Hour})
	if err == nil { // before the fix: Prepare went through, Run refused
		rctx, rcancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err = s.Run(rctx)
		rcancel()
		_ = s.Close()
	}
	if !errors.Is(err, runlock.ErrBusy) {
		t.Fatalf("a second soak in %s: got %v, want it refused (runlock.ErrBusy)", dir, err)
	}
	left, _ := os.ReadDir(second)
	var names []string
	for _, e := range left {
		names = append(names, e.Name())
	}
	ds, _ := filepath.Glob(filepath.Join(second, "artifacts", "edge", "datasets", "*"))
	if len(names) > 0 || len(ds) > 0 {
		t.Errorf("the refused soak left %v (datasets %v), want nothing", names, ds)
	}
}

// TestAFailedPrepareLeavesNoDirectory: a soak refused after it took the
// lock (here: a fault plan that does not exist) releases it and removes the
// directory it made for it.
func TestAFailedPrepareLeavesNoDirectory(t *testing.T) {
	for _, k := range []string{"TARGET", "HARNESS", "SCRAPE_URL", "PROMETHEUS_URL", "SELECTOR"} {
		t.Setenv(k, "")
	}
	root, err := modroot.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DURATION": "1m", "CRITERIA": "fixtures/criteria.short.yaml", "FAULTS": "no-such-plan.yaml"}
	dir := filepath.Join(t.TempDir(), "soak")
	_, err = Prepare(Spec{Lookup: func(k string) (string, bool) { v, ok := env[k]; return v, ok }, Root: root, Dir: dir, DatasetsRoot: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "no-such-plan.yaml") {
		t.Fatalf("got %v, want the missing fault plan named", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused soak left %s (stat: %v)", dir, err)
	}
	// and the lock is free: a soak there now prepares
	env["FAULTS"] = ""
	s, err := Prepare(Spec{Lookup: func(k string) (string, bool) { v, ok := env[k]; return v, ok }, Root: root, Dir: dir, DatasetsRoot: t.TempDir()})
	if err != nil {
		t.Fatalf("a soak after the refused one: %v", err)
	}
	_ = s.Close()
}
