package prepare_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/safety"
	"github.com/presoak/presoak/harness/safety/prepare"
)

func options(t *testing.T, layers ...string) prepare.Options {
	t.Helper()
	wd, _ := os.Getwd()
	root, err := safety.ModuleRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) == 0 {
		layers = []string{"fixtures/config.yaml", "fixtures/config.soak_overrides.yaml"}
	}
	var abs []string
	for _, l := range layers {
		if !filepath.IsAbs(l) {
			l = filepath.Join(root, l)
		}
		abs = append(abs, l)
	}
	return prepare.Options{
		Safety: safety.Options{
			Workspace:    safety.Workspace{Root: t.TempDir()},
			ConfigLayers: abs,
			TargetsFile:  filepath.Join(root, safety.TargetsFile),
			Meta:         safety.Meta{Now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Version: "test"},
		},
		ConfigList: strings.Join(layers, ","),
	}
}

func lines(out, prefix string) []string {
	var l []string
	for _, s := range strings.Split(out, "\n") {
		if strings.HasPrefix(s, prefix) {
			l = append(l, s)
		}
	}
	return l
}

func TestPrepareSoakPassesOnTheDefaultConfigAndIsIdempotent(t *testing.T) {
	o := options(t)
	for run := range 2 {
		var out bytes.Buffer
		res := prepare.Run(&out, o)
		if !res.OK() {
			t.Fatalf("run %d: failures %v:\n%s", run, res.Failures, out.String())
		}
		s := out.String()
		for i := 1; i <= 5; i++ {
			if !strings.Contains(s, "["+string(rune('0'+i))+"/5]") {
				t.Errorf("run %d: step %d/5 missing:\n%s", run, i, s)
			}
		}
		if f := lines(s, "[FAIL]"); len(f) != 0 {
			t.Errorf("run %d: got %v", run, f)
		}
		for _, want := range []string{"PREPARATION COMPLETE", "make shadow DURATION=60m", "make soak DURATION=72h", "pipeline=true, md_cache=true, taker_cap=9%"} {
			if !strings.Contains(s, want) {
				t.Errorf("run %d: output lacks %q:\n%s", run, want, s)
			}
		}
		if strings.Contains(s, "CONFIG=") {
			t.Errorf("run %d: the default config needs no CONFIG= in the next steps:\n%s", run, s)
		}
	}
	root := o.Safety.Workspace.Root
	for _, d := range append(append([]string{}, checklist.SeedDirs...), "artifacts/logs") {
		if fi, err := os.Stat(filepath.Join(root, d)); err != nil || !fi.IsDir() {
			t.Errorf("%s: want a directory (%v)", d, err)
		}
	}
	if _, err := safety.ReadSnapshot(o.Safety.Workspace.SnapshotPath()); err != nil {
		t.Error(err)
	}
	if o.Safety.Workspace.RollbackActive() {
		t.Error("prepare-soak applied the rollback; it must only preview it")
	}
}

func TestPrepareSoakOnBaseOnlyConfigGivesTheThreeFailures(t *testing.T) {
	o := options(t, "fixtures/config.yaml")
	var out bytes.Buffer
	res := prepare.Run(&out, o)
	fails := lines(out.String(), "[FAIL]")
	if res.OK() || len(fails) != 3 || len(res.Failures) != 3 {
		t.Fatalf("got %d [FAIL] lines, want 3:\n%s", len(fails), out.String())
	}
	for i, want := range []string{"pipeline.enabled = false", "md_cache.enabled = false", "taker_cap.max_taker_share_pct = 10"} {
		if !strings.Contains(fails[i], want) || !strings.Contains(fails[i], "config.yaml:") || !strings.Contains(fails[i], "override") {
			t.Errorf("fail %d: got %q, want %q with its source and fix", i, fails[i], want)
		}
	}
	for _, want := range []string{"PREPARATION FAILED", "CONFIG=fixtures/config.yaml make shadow DURATION=60m", "CONFIG=fixtures/config.yaml make prepare-soak"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestPrepareSoakReportsEveryFailure(t *testing.T) {
	t.Run("missing override file", func(t *testing.T) {
		o := options(t, "fixtures/config.yaml", filepath.Join(t.TempDir(), "config.soak_overrides.yaml"))
		var out bytes.Buffer
		res := prepare.Run(&out, o)
		fails := lines(out.String(), "[FAIL]")
		if res.OK() || len(fails) == 0 || !strings.Contains(fails[0], "override layer") || !strings.Contains(fails[0], "not found") {
			t.Fatalf("got %v, want step 1 to name the missing override:\n%s", fails, out.String())
		}
	})
	t.Run("artifacts is a regular file", func(t *testing.T) {
		o := options(t)
		if err := os.WriteFile(filepath.Join(o.Safety.Workspace.Root, "artifacts"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		res := prepare.Run(&out, o)
		s := out.String()
		if res.OK() || !strings.Contains(s, "[FAIL] take snapshot: write") || len(lines(s, "[FAIL] artifacts/")) != len(checklist.SeedDirs)+1 {
			t.Fatalf("want the snapshot and every directory to fail:\n%s", s)
		}
	})
	t.Run("rollback layer active", func(t *testing.T) {
		o := options(t)
		layer := o.Safety.Workspace.RollbackLayerPath()
		if err := os.MkdirAll(filepath.Dir(layer), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(layer, []byte("pipeline:\n  enabled: false\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		res := prepare.Run(&out, o)
		s := out.String()
		if res.OK() || !strings.Contains(s, "[FAIL] pipeline.enabled = false") || !strings.Contains(s, "make restore") {
			t.Fatalf("want the active rollback to fail step 2 and 3 with make restore:\n%s", s)
		}
	})
	t.Run("config that does not load", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "bad.yaml")
		if err := os.WriteFile(bad, []byte("pipeline:\n  enabled: perhaps\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		o := options(t, "fixtures/config.yaml", bad)
		var out bytes.Buffer
		res := prepare.Run(&out, o)
		if res.OK() || !strings.Contains(out.String(), "bad.yaml:2") {
			t.Fatalf("want the load problem with file:line:\n%s", out.String())
		}
	})
}

func TestNextStepsQuoteAnUnusualConfig(t *testing.T) {
	o := options(t)
	o.ConfigList = "my configs/a.yaml,b.yaml"
	var out bytes.Buffer
	prepare.Run(&out, o)
	if !strings.Contains(out.String(), "CONFIG='my configs/a.yaml,b.yaml' make soak DURATION=72h") {
		t.Errorf("want the CONFIG value quoted:\n%s", out.String())
	}
}

func TestPrepareSoakNeverPrintsASecret(t *testing.T) {
	const planted = "planted-secret-b41c"
	t.Setenv("PRESOAK_VENUE_API_KEY", planted)
	t.Setenv("PRESOAK_VENUE_API_SECRET", planted)
	for _, layers := range [][]string{nil, {"fixtures/config.yaml"}} {
		o := options(t, layers...)
		var out bytes.Buffer
		prepare.Run(&out, o)
		snap, _ := os.ReadFile(o.Safety.Workspace.SnapshotPath())
		if strings.Contains(out.String(), planted) || strings.Contains(string(snap), planted) {
			t.Fatalf("the planted secret reached the output or the snapshot:\n%s", out.String())
		}
	}
}
