package checklist

import (
	"bytes"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/presoak/presoak/harness/safety"
	report "github.com/presoak/presoak/reports/readiness"
)

// TestChecklistOnBaseAndOverrides runs the real Config & Flags tests as a
// subprocess (go test -json) and reads their stream the way the report does:
// on the base alone exactly the seed's three blocking items fail; with the
// soak overrides every item passes.
func TestChecklistOnBaseAndOverrides(t *testing.T) {
	root, err := ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("find go: %v", err)
	}
	cases := []struct {
		config string
		failed []string
	}{
		{"fixtures/config.yaml", []string{
			"TestConfigAndFlags/pipeline_enabled",
			"TestConfigAndFlags/md_cache_enabled",
			"TestConfigAndFlags/taker_cap_max_taker_share_pct",
		}},
		{DefaultConfig, nil},
	}
	for _, c := range cases {
		t.Run(DirItemName(strings.ReplaceAll(c.config, ",", "+")), func(t *testing.T) {
			t.Parallel()
			if ws := (safety.Workspace{Root: root}); c.failed == nil && ws.RollbackActive() {
				t.Skipf("a rollback is applied in this workspace (%s): the checklist rightly fails; make restore, then run again", safety.RollbackLayerFile)
			}
			cmd := exec.Command(goBin, "test", "-json", "-count=1", "-run", "^TestConfigAndFlags$", "./readiness/")
			cmd.Dir = root
			// The embedded target: a TARGET, harness or rollback of the
			// caller's must not change what the base and overrides give.
			env := os.Environ()
			for _, name := range []string{"CONFIG", "TARGET", "HARNESS", "SCRAPE_URL", "PROMETHEUS_URL", "SELECTOR"} {
				env = withoutEnv(env, name)
			}
			cmd.Env = append(env, "CONFIG="+c.config)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			runErr := cmd.Run()
			run, err := report.Parse(&stdout)
			if err != nil {
				t.Fatal(err)
			}
			s := report.Summarize(run, report.Options{})
			var failed []string
			for _, it := range s.Failed {
				failed = append(failed, it.Test)
				if it.Attr(report.AttrSource) == "" || it.Attr(report.AttrFix) == "" || it.Attr(report.AttrValue) == "" {
					t.Errorf("%s lacks value/source/fix attrs: %v", it.Test, it.Attrs)
				}
			}
			if !slices.Equal(failed, c.failed) {
				t.Errorf("CONFIG=%s: failed items %v, want %v (go test: %v; stderr: %s)", c.config, failed, c.failed, runErr, stderr.String())
			}
			if len(run.Items) < 4 {
				t.Errorf("CONFIG=%s: %d items ran, want the config items (stderr: %s)", c.config, len(run.Items), stderr.String())
			}
			wantVerdict := report.Ready
			if len(c.failed) > 0 {
				wantVerdict = report.ActionRequired
			}
			if s.Verdict != wantVerdict || (runErr == nil) != (len(c.failed) == 0) {
				t.Errorf("CONFIG=%s: verdict %s, go test error %v; want %s", c.config, s.Verdict, runErr, wantVerdict)
			}
		})
	}
}

func withoutEnv(env []string, name string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}
