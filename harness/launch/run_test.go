package launch

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startSleeper starts a real process the way a launch step starts the
// monitoring stack, and returns it with its reaper's done channel.
func startSleeper(t *testing.T) (*exec.Cmd, chan struct{}) {
	t.Helper()
	cmd := exec.Command("sleep", "60")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-done })
	return cmd, done
}

func stopSleeper(cmd *exec.Cmd, done chan struct{}) func() error {
	return func() error {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
			return nil
		case <-time.After(5 * time.Second):
			return errors.New("sleeper did not stop")
		}
	}
}

func gone(done chan struct{}) bool {
	select {
	case <-done:
		return true
	default:
		return false
	}
}

func TestRunStopsAtFirstFailureAndStopsWhatItStarted(t *testing.T) {
	t.Parallel()
	var cmd *exec.Cmd
	var done chan struct{}
	ran4 := false
	steps := []Step{
		{Name: "pre-flight", Run: func(context.Context, *Launch) (string, error) { return "all good", nil }},
		{Name: "monitoring up", Run: func(_ context.Context, l *Launch) (string, error) {
			cmd, done = startSleeper(t)
			l.OnAbort("sleeper", stopSleeper(cmd, done))
			l.SetURL("prometheus", "http://127.0.0.1:1")
			return "started sleeper", nil
		}},
		{Name: "alerting loaded", Run: func(context.Context, *Launch) (string, error) {
			return "2 of 22 rules not loaded", errors.New("rules not healthy")
		}},
		{Name: "soak started", Run: func(context.Context, *Launch) (string, error) { ran4 = true; return "", nil }},
	}
	dir := t.TempDir()
	var out bytes.Buffer
	r := &Runner{Steps: steps, Out: &out, RecordPath: filepath.Join(dir, "LAUNCH.md")}
	l, err := r.Run(t.Context(), &Launch{Record: Record{Root: dir}})
	if !errors.Is(err, ErrStepFailed) || !strings.Contains(err.Error(), "alerting loaded") {
		t.Fatalf("err = %v, want ErrStepFailed naming the step", err)
	}
	if ran4 {
		t.Error("the step after the failed one ran")
	}
	if !gone(done) {
		t.Error("the process a step started is still running after the failed launch")
	}
	got := []string{}
	for _, res := range l.Record.Results {
		got = append(got, res.Status())
	}
	if want := "OK OK FAIL NOT RUN"; strings.Join(got, " ") != want {
		t.Errorf("statuses = %q, want %q", strings.Join(got, " "), want)
	}
	md, rerr := os.ReadFile(filepath.Join(dir, "LAUNCH.md"))
	if rerr != nil {
		t.Fatal(rerr)
	}
	for _, want := range []string{"# Soak launch — failed", "| 3 | alerting loaded | FAIL |", "**rules not healthy**", "| 4 | soak started | NOT RUN |", "stopped sleeper", "http://127.0.0.1:1"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("LAUNCH.md lacks %q:\n%s", want, md)
		}
	}
	for _, want := range []string{"[OK]   1/4 pre-flight", "[FAIL] 3/4 alerting loaded: rules not healthy", "stopped sleeper"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRunInterruptedStopsWhatItStarted(t *testing.T) {
	t.Parallel()
	var done chan struct{}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	steps := []Step{
		{Name: "monitoring up", Run: func(_ context.Context, l *Launch) (string, error) {
			var cmd *exec.Cmd
			cmd, done = startSleeper(t)
			l.OnAbort("sleeper", stopSleeper(cmd, done))
			return "", nil
		}},
		{Name: "soak started", Run: func(ctx context.Context, _ *Launch) (string, error) {
			cancel() // Ctrl-C while the step runs
			<-ctx.Done()
			return "", ctx.Err()
		}},
		{Name: "verified", Run: func(context.Context, *Launch) (string, error) { return "", nil }},
	}
	l, err := (&Runner{Steps: steps}).Run(ctx, nil)
	if err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("err = %v, want interrupted", err)
	}
	if !gone(done) {
		t.Error("an interrupted launch left its process running")
	}
	if l.Record.Outcome != "interrupted" || l.Record.Results[2].Status() != "NOT RUN" {
		t.Errorf("outcome %q, last step %s; want interrupted, NOT RUN", l.Record.Outcome, l.Record.Results[2].Status())
	}
}

func TestRunAllOKLeavesThingsRunning(t *testing.T) {
	t.Parallel()
	var done chan struct{}
	steps := []Step{{Name: "monitoring up", Run: func(_ context.Context, l *Launch) (string, error) {
		var cmd *exec.Cmd
		cmd, done = startSleeper(t)
		l.OnAbort("sleeper", stopSleeper(cmd, done))
		return "", nil
	}}}
	l, err := (&Runner{Steps: steps}).Run(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if gone(done) || l.Record.Outcome != "launched" {
		t.Errorf("a successful launch stopped what it started (outcome %q)", l.Record.Outcome)
	}
}

func TestCommandStep(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ev, err := Command{Argv: []string{"sh", "-c", "echo one; echo two; echo three; echo four"}, Log: filepath.Join(dir, "ok.log")}.Run(t.Context())
	if err != nil || ev != "two\nthree\nfour" {
		t.Errorf("ok command: evidence %q, err %v; want the last 3 lines, nil", ev, err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "ok.log")); !strings.Contains(string(data), "one") {
		t.Errorf("log lacks the output: %q", data)
	}
	ev, err = Command{Argv: []string{"sh", "-c", "echo 'x: blocking item failed'; echo 'make: Error 1'; exit 1"},
		Keep: func(l string) bool { return strings.HasPrefix(l, "x:") }}.Run(t.Context())
	if err == nil || ev != "x: blocking item failed" {
		t.Errorf("failing command: evidence %q, err %v; want its output and an error", ev, err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := (Command{Argv: []string{"sh", "-c", "sleep 30 & wait"}, Grace: 200 * time.Millisecond}).Run(ctx); err == nil {
		t.Error("interrupted command: no error")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("interrupted command took %s to stop", took)
	}
}
