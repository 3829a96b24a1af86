package launch

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Command is a step that runs a command to completion: its output goes to
// Log (and Echo), the evidence is the output's last Tail lines, and a
// non-zero exit fails the step. An interrupted launch interrupts the
// command's whole process group, then kills it after a grace period.
type Command struct {
	// Argv is the command and its arguments.
	Argv []string
	// Dir is the working directory; Env the environment (nil: this process's).
	Dir string
	Env []string
	// Log is a file receiving the output (created; "" for none).
	Log string
	// Echo also receives the output (nil for none).
	Echo io.Writer
	// Tail is how many output lines make the evidence (default 3).
	Tail int
	// Keep, when set, picks the lines the evidence is taken from (the
	// command's own summary lines, not make's).
	Keep func(line string) bool
	// Grace is how long an interrupted command's process group gets after
	// SIGINT before SIGKILL (default 15s).
	Grace time.Duration
}

// Step is the command as a launch step named name.
func (c Command) Step(name string) Step {
	return Step{Name: name, Run: func(ctx context.Context, _ *Launch) (string, error) { return c.Run(ctx) }}
}

// Run runs the command; see Command.
func (c Command) Run(ctx context.Context) (string, error) {
	if len(c.Argv) == 0 {
		return "", fmt.Errorf("run command: empty argv")
	}
	var buf bytes.Buffer
	ws := []io.Writer{&buf}
	if c.Echo != nil {
		ws = append(ws, c.Echo)
	}
	if c.Log != "" {
		if err := os.MkdirAll(filepath.Dir(c.Log), 0o755); err != nil {
			return "", fmt.Errorf("run %s: %w", c.Argv[0], err)
		}
		f, err := os.OpenFile(c.Log, os.O_CREATE|os.O_TRUNC|os.O_WRONLY|syscall.O_NOFOLLOW, 0o644) // never through a symlink
		if err != nil {
			return "", fmt.Errorf("run %s: %w", c.Argv[0], err)
		}
		defer f.Close()
		ws = append(ws, f)
	}
	cmd := exec.CommandContext(ctx, c.Argv[0], c.Argv[1:]...)
	cmd.Dir, cmd.Env = c.Dir, c.Env
	w := io.MultiWriter(ws...)
	cmd.Stdout, cmd.Stderr = w, w
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	grace := c.Grace
	if grace <= 0 {
		grace = 15 * time.Second
	}
	var killer *time.Timer
	cmd.Cancel = func() error {
		pid := cmd.Process.Pid
		killer = time.AfterFunc(grace, func() { _ = syscall.Kill(-pid, syscall.SIGKILL) })
		return syscall.Kill(-pid, syscall.SIGINT)
	}
	cmd.WaitDelay = grace + 5*time.Second
	err := cmd.Run()
	if killer != nil {
		killer.Stop()
	}
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // nothing of the group outlives the step
	}
	tail := c.Tail
	if tail == 0 {
		tail = 3
	}
	ev := lastLines(buf.String(), tail, c.Keep)
	if err != nil {
		return ev, fmt.Errorf("%s: %w", strings.Join(c.Argv, " "), err)
	}
	return ev, nil
}

// lastLines is the last n non-empty lines of s that keep accepts (all when nil).
func lastLines(s string, n int, keep func(string) bool) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimRight(l, "\r "); strings.TrimSpace(l) != "" && (keep == nil || keep(l)) {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
