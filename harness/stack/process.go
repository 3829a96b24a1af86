package stack

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/presoak/presoak/internal/runlock"
)

// StopGrace is how long a stopped process group gets between SIGINT and
// SIGKILL (a soak writes its report on SIGINT).
const StopGrace = 20 * time.Second

// process is a child this process started: it leads its own process group
// (so a Ctrl-C in the terminal that ran `make monitor` does not reach it, and
// stopping it stops its children too) and writes to a log file.
type process struct {
	Proc
	cmd  *exec.Cmd
	done chan struct{} // closed when Wait returned
	err  error         // Wait's error, set before done is closed
}

// StartProcess starts name with args in dir as the leader of a new process
// group, stdout and stderr appended to logPath (logDisplay is how the log is
// named in the state file). match is a string of its command line (see Proc).
//
// extra, when not nil, is passed to the child (as fd 3): the stack's
// directory lock, held by the child for as long as it runs.
func startProcess(role, match, dir, logPath, logDisplay string, env []string, extra *os.File, name string, args ...string) (*process, error) {
	if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err != nil {
		return nil, fmt.Errorf("start %s: %w", role, err)
	}
	// O_NOFOLLOW: a log that is a symlink (to a file outside artifacts/)
	// is refused, never appended to.
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND|syscall.O_NOFOLLOW, 0o644)
	if errors.Is(err, syscall.ELOOP) {
		return nil, fmt.Errorf("start %s: log %s is a symbolic link; refusing to write through it (remove it)", role, logDisplay)
	}
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", role, err)
	}
	defer logf.Close() // the child holds its own descriptor
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if extra != nil {
		cmd.ExtraFiles = []*os.File{extra}
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", role, err)
	}
	p := &process{
		Proc: Proc{Role: role, PID: cmd.Process.Pid, Match: match, Log: logDisplay},
		cmd:  cmd, done: make(chan struct{}),
	}
	// The start time names this process for good: a later process given
	// the same pid has another, and is never signalled (StopProc).
	p.StartTicks, _ = runlock.StartTicks(p.PID)
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop interrupts the process group, waits up to grace, then kills it, and
// waits until the leader is reaped and no member of the group is left.
func (p *process) stop(grace time.Duration) error {
	if !p.exited() {
		_ = syscall.Kill(-p.PID, syscall.SIGINT)
		select {
		case <-p.done:
		case <-time.After(grace):
			_ = syscall.Kill(-p.PID, syscall.SIGKILL)
			<-p.done
		}
	}
	return waitGroupGone(p.PID, grace)
}

// StopProc stops a process recorded by another process (from a state file):
// when the pid's start time (/proc/<pid>/stat) is the one recorded and its
// /proc/<pid>/cmdline still contains p.Match, it interrupts the process
// group, waits up to grace for it to go, then kills it. A process that is
// already gone, or a pid now used by something else, is left alone; a
// record without a start time is refused (nothing tells its process from
// another with the same pid).
func StopProc(p Proc, grace time.Duration) (string, error) {
	if p.PID <= 0 {
		return "", fmt.Errorf("stop %s: no pid recorded", p.Role)
	}
	if p.StartTicks == 0 {
		return "", fmt.Errorf("stop %s (pid %d): no start time recorded (a state file from an older presoak?): "+
			"not signalling a process that cannot be told from another with the same pid; stop it yourself", p.Role, p.PID)
	}
	if now, err := runlock.StartTicks(p.PID); err == nil && now != p.StartTicks {
		// The pid is another process now; while it lives, no group of ours
		// can have that id either.
		return fmt.Sprintf("%s (pid %d) was not running: pid %d is now another process (started at tick %d, ours at %d); left alone",
			p.Role, p.PID, p.PID, now, p.StartTicks), nil
	}
	if !Running(p) {
		// The leader is gone; its group may still have members (make's children).
		if groupAlive(p.PID) {
			_ = syscall.Kill(-p.PID, syscall.SIGKILL)
			if err := waitGroupGone(p.PID, grace); err != nil {
				return "", fmt.Errorf("stop %s (pid %d): %w", p.Role, p.PID, err)
			}
			return fmt.Sprintf("%s (pid %d) had exited; killed the rest of its process group", p.Role, p.PID), nil
		}
		return fmt.Sprintf("%s (pid %d) was not running", p.Role, p.PID), nil
	}
	_ = syscall.Kill(-p.PID, syscall.SIGINT)
	deadline := time.Now().Add(grace)
	for Running(p) || groupAlive(p.PID) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(-p.PID, syscall.SIGKILL)
			if err := waitGroupGone(p.PID, 5*time.Second); err != nil {
				return "", fmt.Errorf("stop %s (pid %d): %w", p.Role, p.PID, err)
			}
			return fmt.Sprintf("stopped %s (pid %d): killed after %s", p.Role, p.PID, grace), nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Sprintf("stopped %s (pid %d)", p.Role, p.PID), nil
}

// Running reports whether p's pid is a live process whose command line
// contains p.Match and, when p records one, whose start time is p's (a
// zombie is not running).
func Running(p Proc) bool {
	if p.PID <= 0 {
		return false
	}
	if p.StartTicks != 0 {
		if now, err := runlock.StartTicks(p.PID); err != nil || now != p.StartTicks {
			return false
		}
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", p.PID))
	if err != nil || len(cmdline) == 0 { // gone, or a zombie (empty cmdline)
		return false
	}
	if st, ok := procState(p.PID); ok && st == 'Z' {
		return false
	}
	return p.Match == "" || bytes.Contains(cmdline, []byte(p.Match))
}

// procState is the state letter of /proc/<pid>/stat and its process group.
func procStat(pid int) (state byte, pgrp int, ok bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, false
	}
	// pid (comm) state ppid pgrp ...; comm may contain spaces and parentheses.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, 0, false
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 3 {
		return 0, 0, false
	}
	g, err := strconv.Atoi(f[2])
	if err != nil {
		return 0, 0, false
	}
	return f[0][0], g, true
}

func procState(pid int) (byte, bool) {
	st, _, ok := procStat(pid)
	return st, ok
}

// groupAlive reports whether any live (non-zombie) process is in process group pgid.
func groupAlive(pgid int) bool {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return false
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, g, ok := procStat(pid); ok && g == pgid && st != 'Z' {
			return true
		}
	}
	return false
}

// errGroupAlive is returned when a stopped process group did not go away.
var errGroupAlive = errors.New("process group still has members")

func waitGroupGone(pgid int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for groupAlive(pgid) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			time.Sleep(200 * time.Millisecond)
			if groupAlive(pgid) {
				return fmt.Errorf("wait for process group %d: %w", pgid, errGroupAlive)
			}
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil
}

// LogTail is the last n lines of the file at path, for an error message; "" when
// it cannot be read.
func LogTail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
