package integration

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runPresoak runs the presoak command with extra env and returns its
// output and exit code.
func runPresoak(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(buildCmd(t, "presoak"), args...)
	cmd.Dir = moduleRoot(t)
	cmd.Env = append(os.Environ(), env...)
	timer := time.AfterFunc(30*time.Second, func() { _ = cmd.Process.Kill() })
	defer timer.Stop()
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &ee):
		return string(out), ee.ExitCode()
	}
	t.Fatalf("presoak %v: %v\n%s", args, err, out)
	return "", -1
}

// TestSameCommandsForGoAndPythonBots checks the Go bot and the Python bot
// with the same commands — presoak scrape-check URL, and presoak
// target-check with TARGET=prometheus for both as a fleet — and that a bot
// with an injected fault is reported down with exit 1.
func TestSameCommandsForGoAndPythonBots(t *testing.T) {
	t.Parallel()
	gobot := startMMBot(t)
	pybot := startPyBot(t)
	broken := startPyBot(t, "--fault", "http_500")
	promURL, _ := startPrometheus(t, gobot.addr, pybot.addr)

	for name, addr := range map[string]string{"go": gobot.addr, "python": pybot.addr} {
		out, rc := runPresoak(t, nil, "scrape-check", "http://"+addr+"/metrics", "-every", "300ms")
		if rc != 0 || !strings.Contains(out, addr+"  up") || !strings.Contains(out, "tick_total  p50 ") || !strings.Contains(out, "flags: ") {
			t.Errorf("%s bot: scrape-check exit %d, want 0 with signals:\n%s", name, rc, out)
		}
	}
	out, rc := runPresoak(t, nil, "scrape-check", "http://"+broken.addr+"/metrics", "-every", "100ms")
	if rc != 1 || !strings.Contains(out, "DOWN  http status 500") {
		t.Errorf("faulty python bot: scrape-check exit %d, want 1 naming the fault:\n%s", rc, out)
	}

	waitScraped(t, promURL, 2, 2, 30*time.Second)
	out, rc = runPresoak(t, []string{"TARGET=prometheus", "PROMETHEUS_URL=" + promURL, `SELECTOR=job="mm"`}, "target-check", "-every", "300ms")
	if rc != 0 || !strings.Contains(out, "2 instance(s), 0 down") || !strings.Contains(out, gobot.addr+"  up") || !strings.Contains(out, pybot.addr+"  up") {
		t.Errorf("fleet: target-check exit %d, want 0 with both bots up:\n%s", rc, out)
	}
	out, rc = runPresoak(t, []string{"TARGET=prometheus", "PROMETHEUS_URL=" + promURL, "SELECTOR=job=mm"}, "target-check")
	if rc != 2 || !strings.Contains(out, "target.prometheus.selector") {
		t.Errorf("bad SELECTOR: target-check exit %d, want 2 naming the key:\n%s", rc, out)
	}
}

// TestMakefileExportsTheProfile: with PROFILE, the Makefile's recipes see
// CONFIG empty (the profile names the bot's config: presoak's reference
// config is not the bot's, and a shadow measured "with" it said so in its
// provenance) and PRESOAK_PROFILE, absolute (the team's tree is the
// profile's repository, as presoak readiness -profile makes it: make shadow
// and make soak run go test, whose binaries would otherwise write into
// presoak's checkout). Without PROFILE both are as before.
func TestMakefileExportsTheProfile(t *testing.T) {
	t.Parallel()
	mk, err := exec.LookPath("make")
	if err != nil {
		t.Skipf("SKIPPED: no make: %v", err)
	}
	root := moduleRoot(t)
	const rel = "fixtures/bots/bbgo/profile.yaml"
	for _, tc := range []struct {
		vars []string
		want string
	}{
		{nil, "CONFIG=[fixtures/config.yaml,fixtures/config.soak_overrides.yaml] PRESOAK_PROFILE=[]"},
		{[]string{"PROFILE=" + rel}, "CONFIG=[] PRESOAK_PROFILE=[" + filepath.Join(root, rel) + "]"},
		{[]string{"PROFILE=" + rel, "CONFIG=bot.yaml"}, "CONFIG=[bot.yaml] PRESOAK_PROFILE=[" + filepath.Join(root, rel) + "]"},
	} {
		args := append([]string{"-s", "--no-print-directory", "--eval",
			`presoak-env-check: ; @echo "CONFIG=[$$CONFIG] PRESOAK_PROFILE=[$$PRESOAK_PROFILE]"`, "presoak-env-check"}, tc.vars...)
		cmd := exec.Command(mk, args...)
		cmd.Dir = root
		for _, kv := range os.Environ() {
			switch k, _, _ := strings.Cut(kv, "="); k {
			case "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "CONFIG", "PROFILE", "PRESOAK_PROFILE":
				continue
			}
			cmd.Env = append(cmd.Env, kv)
		}
		out, err := cmd.CombinedOutput()
		if got := strings.TrimSpace(string(out)); err != nil || got != tc.want {
			t.Errorf("make %v: got %q (%v), want %q", tc.vars, got, err, tc.want)
		}
	}
}
