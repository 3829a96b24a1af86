package stack

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/presoak/presoak/internal/atomicfile"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Default locations, relative to the module root.
const (
	// DefaultDir holds the Prometheus config, its data, logs and the state file.
	DefaultDir = "artifacts/monitoring/stack"
	// StateFile is the state file's name inside the stack directory.
	StateFile = "state.json"
)

// ErrNoState is returned by ReadState when no stack is recorded.
var ErrNoState = errors.New("no monitoring stack recorded")

// Proc is one process the stack (or a launch) started.
type Proc struct {
	// Role says what it is: "prometheus", "bot" or "soak".
	Role string `json:"role"`
	// PID is its process id (and process group id: it leads its own group).
	PID int `json:"pid"`
	// StartTicks is its start time, in clock ticks since boot (field 22 of
	// /proc/<pid>/stat): a pid reused by another process has another, and
	// that process is never signalled.
	StartTicks uint64 `json:"start_ticks,omitempty"`
	// Match is a string its /proc/<pid>/cmdline contains; a pid whose
	// command line does not contain it is not ours and is never signalled.
	Match string `json:"match"`
	// Log is its log file, relative to the module root.
	Log string `json:"log"`
}

// State is what a running stack looks like, as recorded in the state file.
type State struct {
	// PrometheusURL is the server's base URL (http://127.0.0.1:port).
	PrometheusURL string `json:"prometheus_url"`
	// ScrapeURL is the /metrics URL Prometheus scrapes.
	ScrapeURL string `json:"scrape_url"`
	// Job is the scrape job's name (the `job` label of the bot's series).
	Job string `json:"job"`
	// Rules is the rule file Prometheus loaded, relative to the module root.
	Rules string `json:"rules"`
	// Config is the Prometheus config file, relative to the module root.
	Config string `json:"config"`
	// Started is when Up finished.
	Started time.Time `json:"started"`
	// Procs are the processes started, in start order (stopped in reverse).
	Procs []Proc `json:"procs"`
}

// Proc returns the recorded process with the role, if any.
func (s *State) Proc(role string) (Proc, bool) {
	for _, p := range s.Procs {
		if p.Role == role {
			return p, true
		}
	}
	return Proc{}, false
}

// StatePath is the state file of the stack directory dir.
func StatePath(dir string) string { return filepath.Join(dir, StateFile) }

// WriteState writes s to the state file in dir atomically.
func WriteState(dir string, s *State) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("write stack state: %w", err)
	}
	if err := atomicfile.WriteFile(StatePath(dir), append(data, '\n')); err != nil {
		return fmt.Errorf("write stack state: %w", err)
	}
	return nil
}

// ReadState reads the state file in dir; ErrNoState when there is none.
func ReadState(dir string) (*State, error) {
	data, err := os.ReadFile(StatePath(dir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read stack state: %w (start one with make monitor)", ErrNoState)
	}
	if err != nil {
		return nil, fmt.Errorf("read stack state: %w", err)
	}
	var s State
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("read stack state %s: %w", StateFile, err)
	}
	return &s, nil
}

// RemoveState deletes the state file in dir (no error when it is gone).
func RemoveState(dir string) error {
	if err := os.Remove(StatePath(dir)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove stack state: %w", err)
	}
	return nil
}
