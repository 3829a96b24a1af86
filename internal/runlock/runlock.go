// Package runlock keeps two runs (soaks, shadows, monitoring stacks) out of
// one artifacts directory at the same time: the second refuses at once,
// naming the first.
//
// A lock is an flock(2) on a file named LockFile in the directory. The
// kernel drops it when the last descriptor of it closes, so a run that died
// (killed, crashed, power lost) does not hold it: there is nothing stale to
// clean up. The file also records who holds it (what, pid, the process's
// start time and the wall-clock start), only to name the holder in the
// refusal; the flock, not the file's content, is the lock.
//
// Do not use it across machines (NFS flock semantics vary), and do not take
// two locks on one directory in one process expecting the second to fail:
// flock locks belong to open files, so it does fail, as between processes.
package runlock

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// LockFile is the lock file's name inside the locked directory.
const LockFile = ".presoak.lock"

// ErrBusy is wrapped when another live process holds the lock.
var ErrBusy = errors.New("in use by another run")

// Holder is who holds a lock, as recorded in the lock file.
type Holder struct {
	// What is the run: "soak", "shadow", "monitor", ...
	What string `json:"what"`
	// PID is the holder's process id; StartTicks its start time in clock
	// ticks since boot (/proc/<pid>/stat field 22), so a reused pid is not
	// taken for the holder.
	PID        int    `json:"pid"`
	StartTicks uint64 `json:"start_ticks,omitempty"`
	// Started is when it took the lock.
	Started time.Time `json:"started"`
}

// String names the holder for a message.
func (h Holder) String() string {
	return fmt.Sprintf("%s (pid %d, since %s)", h.What, h.PID, h.Started.UTC().Format(time.RFC3339))
}

// Lock is a held lock. Close releases it.
type Lock struct {
	f    *os.File
	path string
}

// Acquire locks dir (created when missing) for the run what, without
// waiting: when another run holds it, the error wraps ErrBusy and names it.
func Acquire(dir, what string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			who := "another run (no holder recorded)"
			if h, herr := ReadHolder(dir); herr == nil {
				who = h.String()
			}
			return nil, fmt.Errorf("lock %s: %w: %s holds it; wait for it to end or stop it first", dir, ErrBusy, who)
		}
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	h := Holder{What: what, PID: os.Getpid(), Started: time.Now().UTC()}
	h.StartTicks, _ = StartTicks(h.PID)
	data, _ := json.Marshal(h)
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt(append(data, '\n'), 0)
	}
	return &Lock{f: f, path: path}, nil
}

// File is the locked file: a child process given it (exec.Cmd.ExtraFiles)
// holds the lock as long as it lives, after this process has exited.
func (l *Lock) File() *os.File {
	if l == nil {
		return nil
	}
	return l.f
}

// Close releases the lock (children given File keep holding it).
func (l *Lock) Close() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// ReadHolder reads who holds (or last held) the lock of dir.
func ReadHolder(dir string) (Holder, error) {
	var h Holder
	data, err := os.ReadFile(filepath.Join(dir, LockFile))
	if err != nil {
		return h, fmt.Errorf("read lock holder: %w", err)
	}
	if err := json.Unmarshal(data, &h); err != nil {
		return h, fmt.Errorf("read lock holder: %w", err)
	}
	return h, nil
}

// StartTicks is a process's start time in clock ticks since boot, field 22
// of /proc/<pid>/stat: with the pid, it names one process for the life of
// the machine (a pid is reused, the pair is not).
func StartTicks(pid int) (uint64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("start time of pid %d: %w", pid, err)
	}
	// pid (comm) state ppid ...: comm may hold spaces and parentheses.
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return 0, fmt.Errorf("start time of pid %d: malformed stat", pid)
	}
	f := strings.Fields(string(data[i+1:]))
	const field = 22 - 3 // fields after comm start at 3 (state)
	if len(f) <= field {
		return 0, fmt.Errorf("start time of pid %d: malformed stat", pid)
	}
	v, err := strconv.ParseUint(f[field], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("start time of pid %d: %w", pid, err)
	}
	return v, nil
}
