package stack

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/presoak/presoak/internal/runlock"
)

// sleeper starts `sleep 60` leading its own process group, as the stack
// starts its processes, and returns it with its start time.
func sleeper(t *testing.T) (*exec.Cmd, uint64) {
	t.Helper()
	cmd := exec.Command("sleep", "60")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	start, err := runlock.StartTicks(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	return cmd, start
}

func alive(pid int) bool { return syscall.Kill(pid, 0) == nil && Running(Proc{PID: pid}) }

// Issue 17, item 7. Before: monitor-down signalled any pid whose command
// line contained the recorded match (a reused pid running `sleep` was
// killed). After: the pid's start time must be the recorded one; a record
// without one is refused.
func TestStopProcVerifiesStartTime(t *testing.T) {
	t.Parallel()
	cmd, start := sleeper(t)
	pid := cmd.Process.Pid
	line, err := StopProc(Proc{Role: "bot", PID: pid, Match: "sleep", StartTicks: start + 1}, time.Second)
	if err != nil || !strings.Contains(line, "is now another process") || !alive(pid) {
		t.Fatalf("another start time: got %q, %v, alive %v; want it left alone", line, err, alive(pid))
	}
	if _, err := StopProc(Proc{Role: "bot", PID: pid, Match: "sleep"}, time.Second); err == nil || !strings.Contains(err.Error(), "no start time recorded") || !alive(pid) {
		t.Fatalf("no start time: got %v, alive %v; want a refusal and the process alive", err, alive(pid))
	}
	if Running(Proc{PID: pid, Match: "sleep", StartTicks: start + 1}) {
		t.Error("Running: a pid with another start time counted as ours")
	}
	line, err = StopProc(Proc{Role: "bot", PID: pid, Match: "sleep", StartTicks: start}, 5*time.Second)
	if err != nil || !strings.HasPrefix(line, "stopped bot") {
		t.Fatalf("the right start time: got %q, %v; want it stopped", line, err)
	}
}

func TestStartProcessRecordsStartTime(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p, err := startProcess("bot", "sleep", dir, filepath.Join(dir, "log"), "log", os.Environ(), nil, "sleep", "60")
	if err != nil {
		t.Fatal(err)
	}
	defer p.stop(5 * time.Second)
	want, _ := runlock.StartTicks(p.PID)
	if p.StartTicks == 0 || p.StartTicks != want {
		t.Fatalf("recorded start %d, want %d", p.StartTicks, want)
	}
}

// Issue 17, item 5 (monitor). Before: two `presoak monitor` at once both
// exited 0, leaving an orphaned Prometheus. After: the second refuses at
// once, naming the first (the directory's lock, which the started processes
// hold on after a detached monitor exits).
func TestUpRefusesWhileAnotherHoldsTheDir(t *testing.T) {
	t.Parallel()
	root := moduleRoot(t)
	dir := t.TempDir()
	l, err := runlock.Acquire(dir, "presoak monitor")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sleep", "60")
	cmd.ExtraFiles = []*os.File{l.File()} // as a detached monitor's Prometheus holds it
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	l.Close()
	t0 := time.Now()
	_, err = Up(t.Context(), Options{Root: root, Dir: dir, Rules: shortRules(t, root, t.TempDir())})
	if !errors.Is(err, ErrRunning) || !errors.Is(err, runlock.ErrBusy) || !strings.Contains(err.Error(), "presoak monitor (pid ") {
		t.Errorf("second stack: got %v, want ErrRunning naming the first", err)
	}
	if d := time.Since(t0); d > 5*time.Second {
		t.Errorf("took %s to refuse, want at once", d)
	}
	_ = cmd.Process.Kill()
	_, _ = cmd.Process.Wait()
}

// Must decide: a log under artifacts/ that is a symlink is refused, never
// appended through.
func TestStartProcessRefusesASymlinkedLog(t *testing.T) {
	t.Parallel()
	dir, outside := t.TempDir(), filepath.Join(t.TempDir(), "precious")
	if err := os.WriteFile(outside, []byte("keep me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(dir, "prometheus.log")
	if err := os.Symlink(outside, log); err != nil {
		t.Fatal(err)
	}
	if _, err := startProcess("prometheus", "sleep", dir, log, "prometheus.log", os.Environ(), nil, "sleep", "60"); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("got %v, want a refusal naming the link", err)
	}
	if b, _ := os.ReadFile(outside); string(b) != "keep me\n" {
		t.Errorf("the link's target was written: %q", b)
	}
}
