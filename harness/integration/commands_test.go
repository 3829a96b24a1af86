package integration

import (
	"errors"
	"os"
	"os/exec"
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
