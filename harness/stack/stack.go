package stack

import (
	"context"
	"errors"
	"fmt"
	"github.com/presoak/presoak/internal/atomicfile"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/monitoring"
	"github.com/presoak/presoak/internal/runlock"
)

// Options say what to bring up. Root is required; every other zero value
// works.
type Options struct {
	// Root is the module root; relative paths are resolved against it.
	Root string
	// Dir is the stack directory: prometheus.yml, data/, logs and the state
	// file (default DefaultDir).
	Dir string
	// Rules is the rule file to load (default monitoring.RulesPath); it must exist.
	Rules string
	// ScrapeURL is the bot's /metrics URL; empty means the bot at BotAddr,
	// started when nothing answers there.
	ScrapeURL string
	// BotAddr is where the bot listens (default 127.0.0.1:9100); it must be
	// a loopback address when the stack starts the bot.
	BotAddr string
	// BotConfig is the CONFIG of a started bot (default checklist.DefaultConfig).
	BotConfig string
	// BotFaults is a fault plan for a started bot (cmd/mmbot -faults); empty means none.
	BotFaults string
	// BinDir receives the built bot (default artifacts/bin).
	BinDir string
	// Job is the scrape job's name (default "mm-bot").
	Job string
	// ScrapeInterval is the scrape and rule-evaluation interval, 1s..5s (default 1s).
	ScrapeInterval time.Duration
	// Prometheus is the server binary (default: FindPrometheus).
	Prometheus string
	// Go is the go command used to build the bot (default $GO, else "go").
	Go string
	// ReadyTimeout bounds the wait for the bot and for /-/ready (default 60s).
	ReadyTimeout time.Duration
	// Log receives a line per step; nil prints nothing.
	Log io.Writer
}

func (o *Options) defaults() {
	or := func(v *string, def string) {
		if strings.TrimSpace(*v) == "" {
			*v = def
		}
	}
	or(&o.Dir, DefaultDir)
	or(&o.Rules, monitoring.RulesPath)
	or(&o.BotAddr, "127.0.0.1:9100")
	or(&o.BotConfig, checklist.DefaultConfig)
	or(&o.BinDir, "artifacts/bin")
	or(&o.Job, "mm-bot")
	or(&o.Go, os.Getenv("GO"))
	or(&o.Go, "go")
	o.Dir, o.Rules, o.BinDir = o.abs(o.Dir), o.abs(o.Rules), o.abs(o.BinDir)
	if o.ScrapeInterval == 0 {
		o.ScrapeInterval = time.Second
	}
	if o.ReadyTimeout == 0 {
		o.ReadyTimeout = 60 * time.Second
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
}

func (o *Options) abs(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(o.Root, p)
}

// display names p relative to the root (no absolute paths in state or reports).
func (o *Options) display(p string) string {
	if rel, err := filepath.Rel(o.Root, p); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return filepath.Base(p)
}

// ErrRunning is returned by Up when the state file records a stack that is still up.
var ErrRunning = errors.New("a monitoring stack is already running")

// Stack is a running monitoring stack started by this process.
type Stack struct {
	// State is what the state file records.
	State State
	dir   string
	procs []*process
	// lock keeps a second stack out of dir; the bot and Prometheus hold it
	// too (inherited), so it outlives a detached `presoak monitor`.
	lock *runlock.Lock
}

// Up brings the stack up: the bot (when needed), then Prometheus with the
// rules, waits for both, and writes the state file. On any error, or when
// ctx ends first, it stops what it started and returns the error.
func Up(ctx context.Context, o Options) (_ *Stack, err error) {
	if o.Root == "" {
		return nil, errors.New("start monitoring stack: no module root")
	}
	o.defaults()
	lock, lerr := runlock.Acquire(o.Dir, "presoak monitor")
	if lerr != nil {
		if errors.Is(lerr, runlock.ErrBusy) {
			return nil, fmt.Errorf("start monitoring stack: %w: %w (make monitor-down first)", ErrRunning, lerr)
		}
		return nil, fmt.Errorf("start monitoring stack: %w", lerr)
	}
	defer func() {
		if err != nil {
			lock.Close()
		}
	}()
	if old, rerr := ReadState(o.Dir); rerr == nil && anyRunning(old) {
		return nil, fmt.Errorf("start monitoring stack: %w at %s (make monitor-down first)", ErrRunning, old.PrometheusURL)
	}
	if _, serr := os.Stat(o.Rules); serr != nil {
		return nil, fmt.Errorf("start monitoring stack: rules %s: %w (make monitoring writes them)", o.display(o.Rules), serr)
	}
	promBin, err := FindPrometheus(o.Prometheus)
	if err != nil {
		return nil, fmt.Errorf("start monitoring stack: %w", err)
	}
	s := &Stack{dir: o.Dir, State: State{Job: o.Job, Rules: o.display(o.Rules)}, lock: lock}
	defer func() {
		if err != nil {
			if derr := s.Down(); derr != nil {
				err = errors.Join(err, derr)
			}
		}
	}()
	if s.State.ScrapeURL, err = s.bot(ctx, &o); err != nil {
		return nil, err
	}
	if err = s.prometheus(ctx, &o, promBin); err != nil {
		return nil, err
	}
	s.State.Started = time.Now().UTC()
	if err = WriteState(o.Dir, &s.State); err != nil {
		return nil, err
	}
	return s, nil
}

// Down stops every process the stack started (last first), waits until they
// are gone, and removes the state file.
func (s *Stack) Down() error {
	var errs []error
	for i := len(s.procs) - 1; i >= 0; i-- {
		if err := s.procs[i].stop(StopGrace); err != nil {
			errs = append(errs, fmt.Errorf("stop %s: %w", s.procs[i].Role, err))
		}
	}
	s.procs = nil
	if err := RemoveState(s.dir); err != nil {
		errs = append(errs, err)
	}
	s.lock.Close()
	return errors.Join(errs...)
}

// Adopt adds a process started elsewhere in this process (the launch's soak)
// to the stack: Down stops it first, and the state file records it.
func (s *Stack) Adopt(role, match, dir, logPath, logDisplay string, env []string, name string, args ...string) (Proc, error) {
	p, err := startProcess(role, match, dir, logPath, logDisplay, env, nil, name, args...)
	if err != nil {
		return Proc{}, err
	}
	s.procs = append(s.procs, p)
	s.State.Procs = append(s.State.Procs, p.Proc)
	return p.Proc, WriteState(s.dir, &s.State)
}

// Exited reports whether the started process with the role has ended, and
// its exit error.
func (s *Stack) Exited(role string) (bool, error) {
	for _, p := range s.procs {
		if p.Role == role && p.exited() {
			return true, p.err
		}
	}
	return false, nil
}

// Detach forgets the processes without stopping them: they keep running
// after this process exits, and the state file still records them (for
// StopState). Call it when handing the stack over to `make monitor-down`.
func (s *Stack) Detach() {
	s.procs = nil
	s.lock.Close() // the started processes hold it on
}

// StopState stops every process the state file in dir records (last first),
// checking each pid's command line first, and removes the state file. It
// returns a line per process.
func StopState(dir string, grace time.Duration) ([]string, error) {
	st, err := ReadState(dir)
	if err != nil {
		return nil, err
	}
	var lines []string
	var errs []error
	for i := len(st.Procs) - 1; i >= 0; i-- {
		line, err := StopProc(st.Procs[i], grace)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		lines = append(lines, line)
	}
	if len(errs) > 0 {
		return lines, fmt.Errorf("stop monitoring stack: %w", errors.Join(errs...))
	}
	return lines, RemoveState(dir)
}

func anyRunning(st *State) bool {
	for _, p := range st.Procs {
		if Running(p) {
			return true
		}
	}
	return false
}

// bot returns the scrape URL: the given one, the bot answering at BotAddr,
// or the reference bot built and started at BotAddr.
func (s *Stack) bot(ctx context.Context, o *Options) (string, error) {
	if o.ScrapeURL != "" {
		fmt.Fprintf(o.Log, "target  %s (SCRAPE_URL)\n", o.ScrapeURL)
		return o.ScrapeURL, nil
	}
	u := "http://" + o.BotAddr + "/metrics"
	if answers(ctx, u) {
		fmt.Fprintf(o.Log, "target  %s (a bot is already running there)\n", u)
		return u, nil
	}
	if err := checkLoopback(o.BotAddr); err != nil {
		return "", err
	}
	bin := filepath.Join(o.BinDir, "mmbot")
	fmt.Fprintf(o.Log, "build   %s (go build ./cmd/mmbot)\n", o.display(bin))
	if err := buildBot(ctx, o.Go, o.Root, bin); err != nil {
		return "", err
	}
	args := []string{"-addr", o.BotAddr, "-config", o.BotConfig}
	if o.BotFaults != "" {
		args = append(args, "-faults", o.BotFaults)
	}
	logPath := filepath.Join(o.Dir, "mmbot.log")
	p, err := startProcess("bot", "mmbot", o.Root, logPath, o.display(logPath), os.Environ(), s.lock.File(), bin, args...)
	if err != nil {
		return "", err
	}
	s.procs = append(s.procs, p)
	s.State.Procs = append(s.State.Procs, p.Proc)
	if err := waitFor(ctx, p, u, o.ReadyTimeout, logPath); err != nil {
		return "", fmt.Errorf("start bot: %w", err)
	}
	fmt.Fprintf(o.Log, "started bot (pid %d) serving %s, log %s\n", p.PID, u, o.display(logPath))
	return u, nil
}

// prometheus writes the config and starts the server on a free loopback
// port, retrying with a new port when the first one was taken meanwhile.
func (s *Stack) prometheus(ctx context.Context, o *Options, bin string) error {
	cfgPath := filepath.Join(o.Dir, "prometheus.yml")
	rulesRel, err := filepath.Rel(o.Dir, o.Rules)
	if err != nil {
		return fmt.Errorf("start prometheus: %w", err)
	}
	cfg, err := PrometheusConfig(o.Job, s.State.ScrapeURL, rulesRel, o.ScrapeInterval)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(cfgPath, cfg); err != nil {
		return fmt.Errorf("start prometheus: %w", err)
	}
	s.State.Config = o.display(cfgPath)
	data := filepath.Join(o.Dir, "data")
	if err := os.RemoveAll(data); err != nil { // a fresh TSDB per stack
		return fmt.Errorf("start prometheus: %w", err)
	}
	logPath := filepath.Join(o.Dir, "prometheus.log")
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		addr, err := freeLoopbackAddr()
		if err != nil {
			return fmt.Errorf("start prometheus: %w", err)
		}
		p, err := startProcess("prometheus", "prometheus", o.Dir, logPath, o.display(logPath), os.Environ(), s.lock.File(), bin,
			"--config.file="+filepath.Base(cfgPath),
			"--web.listen-address="+addr,
			"--storage.tsdb.path=data",
			"--storage.tsdb.retention.time=15d")
		if err != nil {
			return err
		}
		url := "http://" + addr
		if lastErr = waitFor(ctx, p, url+"/-/ready", o.ReadyTimeout, logPath); lastErr == nil {
			s.procs = append(s.procs, p)
			s.State.Procs = append(s.State.Procs, p.Proc)
			s.State.PrometheusURL = url
			fmt.Fprintf(o.Log, "started prometheus (pid %d) at %s, config %s, rules %s, log %s\n",
				p.PID, url, s.State.Config, s.State.Rules, o.display(logPath))
			return nil
		}
		_ = p.stop(StopGrace)
		if ctx.Err() != nil || !p.exited() {
			break
		}
	}
	return fmt.Errorf("start prometheus: %w", lastErr)
}

// waitFor polls url until it answers 200, p exits, ctx ends or timeout passes.
func waitFor(ctx context.Context, p *process, url string, timeout time.Duration, logPath string) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		if answers(ctx, url) {
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("wait for %s: %s (pid %d) exited (%v); log tail:\n%s", url, p.Role, p.PID, p.err, LogTail(logPath, 8))
		case <-ctx.Done():
			return fmt.Errorf("wait for %s: %w", url, context.Cause(ctx))
		case <-deadline.C:
			return fmt.Errorf("wait for %s: no answer after %s; log tail:\n%s", url, timeout, LogTail(logPath, 8))
		case <-tick.C:
		}
	}
}

// answers reports whether a GET of url returns 200 within a second.
func answers(ctx context.Context, url string) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
