package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presoak/presoak/harness/checklist"
)

func TestPrepareSoakCommand(t *testing.T) {
	t.Run("default config passes", func(t *testing.T) {
		args := safetyArgs(t)
		code, out, errOut := run(t, runPrepareSoak, args...)
		if code != 0 || strings.Contains(out, "[FAIL]") || !strings.Contains(out, "PREPARATION COMPLETE") {
			t.Fatalf("exit %d\n%s%s", code, out, errOut)
		}
		for _, d := range checklist.SeedDirs {
			if fi, err := os.Stat(filepath.Join(args[1], d)); err != nil || !fi.IsDir() {
				t.Errorf("%s not created: %v", d, err)
			}
		}
		// Idempotent: a second run passes the same way.
		if code, out2, _ := run(t, runPrepareSoak, args...); code != 0 || strings.Count(out2, "[OK]") != strings.Count(out, "[OK]") {
			t.Fatalf("second run: exit %d\n%s", code, out2)
		}
	})
	t.Run("base only fails with the three config reasons", func(t *testing.T) {
		code, out, _ := run(t, runPrepareSoak, safetyArgs(t, "fixtures/config.yaml")...)
		if code != 1 || strings.Count(out, "[FAIL]") != 3 {
			t.Fatalf("exit %d, want 1 with three [FAIL] lines:\n%s", code, out)
		}
		for _, k := range []string{"pipeline.enabled", "md_cache.enabled", "taker_cap.max_taker_share_pct"} {
			if !strings.Contains(out, "[FAIL] "+k) {
				t.Errorf("no [FAIL] for %s:\n%s", k, out)
			}
		}
	})
}
