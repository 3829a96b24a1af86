package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"github.com/presoak/presoak/internal/atomicfile"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/internal/home"
	report "github.com/presoak/presoak/reports/readiness"
)

// Exit codes of `presoak readiness`.
const (
	exitReady    = 0 // every blocking item passed
	exitBlocking = 1 // a blocking item failed
	exitNotRun   = 2 // the checklist could not run (or was interrupted)
)

// Report file names under the reports directory (the seed's names).
const (
	junitName    = "readiness.junit.xml"
	jsonName     = "readiness.json"
	markdownName = "PRE_SOAK_REPORT.md"
)

// killGrace is how long an interrupted checklist gets to stop before it is killed.
const killGrace = 15 * time.Second

func init() {
	register("readiness", "run the pre-soak checklist (go test ./readiness/...); write JUnit + Markdown reports", runReadiness)
}

// readinessRun is one `presoak readiness`: what to run and where to write.
type readinessRun struct {
	root       string   // module root: the runner's working directory
	reportsDir string   // absolute
	runner     []string // the gotestsum command, e.g. go tool gotestsum
	testArgs   []string // after "--": go test flags and packages
	env        []string // the runner's environment (CONFIG, TARGET, ... pass through)
	now        func() time.Time
	signals    <-chan os.Signal
	stdout     io.Writer
	stderr     io.Writer
	// evidence are the first-run steps (evidenceSteps): each makes a file
	// the checklist reads when it is missing. Nil: none.
	evidence []evidenceStep
	// checkConfig checks the config before go test (configCheck): presoak
	// readiness does, presoak report (which renders a given stream) does not.
	checkConfig bool
}

func runReadiness(args []string) int {
	fs := flag.NewFlagSet("readiness", flag.ContinueOnError)
	reports := fs.String("reports", "artifacts/reports", "directory for the reports (relative to the module root)")
	run := fs.String("run", "", "only the checklist tests matching this regexp (go test -run)")
	pkgs := fs.String("packages", "./readiness/...", "the checklist packages (space-separated)")
	timeout := fs.Duration("timeout", 10*time.Minute, "go test -timeout for the whole checklist")
	profileFlag(fs) // team.go: the bot profile's hook (issue 15)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: presoak readiness [flags]\n\nRuns the checklist through gotestsum with CONFIG (config layers) and the rest of the\nenvironment passed through (TARGET=scrape|prometheus also checks the running bot's feature flags;\nwith CONFIG set to empty they are read from its mm_feature_flag_enabled only); writes readiness.junit.xml, readiness.json and PRE_SOAK_REPORT.md.\nExit 0 ready, 1 a blocking item failed, 2 the checklist could not run or was interrupted.\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitNotRun
	}
	if err := profileFromEnv(); err != nil {
		fmt.Fprintf(os.Stderr, "presoak readiness: %v\n", err)
		return exitNotRun
	}
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(os.Stderr, "presoak readiness: %v\n", err)
		return exitNotRun
	}
	root, err := checklist.ModuleRoot(wd)
	if err != nil {
		fmt.Fprintf(os.Stderr, "presoak readiness: %v\n", err)
		return exitNotRun
	}
	dir := *reports
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(root, dir)
	}
	testArgs := []string{"-count=1", "-timeout=" + timeout.String()}
	if *run != "" {
		testArgs = append(testArgs, "-run", *run)
	}
	testArgs = append(testArgs, strings.Fields(*pkgs)...)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	r := readinessRun{
		root: root, reportsDir: dir,
		runner:   []string{goBinary(), "tool", "gotestsum"},
		testArgs: testArgs, env: os.Environ(),
		now: time.Now, signals: sig,
		stdout: os.Stdout, stderr: os.Stderr,
		checkConfig: true,
	}
	if self, err := os.Executable(); err == nil {
		r.evidence = evidenceSteps(root, self)
		if home.Profile(os.Getenv) != "" {
			// A bot profile's flag snapshot is the Safety area's own
			// (safety.ProfileSnapshotFile, taken by the item when missing); presoak's reads presoak's config.
			r.evidence = slices.DeleteFunc(r.evidence, func(st evidenceStep) bool { return st.Make == "make snapshot" })
		}
	}
	return forTeam(r).execute() // team.go: unchanged in presoak's checkout
}

// goBinary is the go command: $GO when set (as in the Makefile), else "go".
func goBinary() string {
	if g := os.Getenv("GO"); g != "" {
		return g
	}
	return "go"
}

// execute checks the config, makes the first-run evidence, runs the
// checklist, writes the three reports and returns the exit code. A config
// that does not load is reported at once, before any test runs; a first-run
// step that fails is a note in the report, never a run without a report.
func (r readinessRun) execute() int {
	if err := os.MkdirAll(r.reportsDir, 0o755); err != nil {
		fmt.Fprintf(r.stderr, "presoak readiness: create reports directory: %v\n", err)
		return exitNotRun
	}
	// Classnames relative to the module; presoak's checklist run from a
	// team's module is named relative to presoak's.
	opts := report.Options{Now: r.now(), Version: version(), Module: modulePath(r.root), OtherModules: []string{home.ModulePath}}
	if r.checkConfig {
		if stream, ok := r.configCheck(opts.Module); !ok {
			opts.Command = "presoak readiness (config check before go test; no test ran)"
			opts.Notes = append(opts.Notes, "the config does not load: the checklist stopped before go test, so only Config & Flags is reported; fix config_loads, then run again")
			fmt.Fprintln(r.stdout, "presoak readiness: the config does not load; reporting it without running the checklist")
			return r.finish(stream, nil, opts, nil)
		}
	}
	opts.Notes = append(opts.Notes, r.makeEvidence()...)

	jsonTmp := r.tempPath(jsonName)
	defer os.Remove(jsonTmp)
	args := append(append([]string(nil), r.runner[1:]...), "--jsonfile", jsonTmp, "--format", "testname", "--")
	args = append(args, r.testArgs...)
	shown := r.shownCommand()
	fmt.Fprintf(r.stdout, "presoak readiness: %s\n", shown)
	opts.Command = shown

	tail := &lastLine{}
	exitErr, interrupted := r.runChecklist(args, tail)
	opts.Interrupted = interrupted
	var stream []byte
	if b, err := os.ReadFile(jsonTmp); err == nil {
		stream = b
	}
	return r.finish(stream, exitErr, opts, tail)
}

// finish parses the stream, writes readiness.json, readiness.junit.xml and
// PRE_SOAK_REPORT.md, prints the verdict and returns the exit code. exitErr
// is the runner's (nil when it did not run); tail its last error line.
func (r readinessRun) finish(stream []byte, exitErr error, opts report.Options, tail *lastLine) int {
	run, err := report.Parse(bytes.NewReader(stream))
	if err != nil {
		run, _ = report.Parse(bytes.NewReader(nil))
		opts.RunError = err.Error()
	}
	if exitErr != nil && !opts.Interrupted {
		var ee *exec.ExitError
		switch {
		case !errors.As(exitErr, &ee):
			opts.RunError = fmt.Sprintf("cannot start %s: %v", strings.Join(r.runner, " "), exitErr)
		case run.BuildFailed():
			// The report says so, with the compiler's lines.
		case len(report.Summarize(run, opts).Failed) == 0:
			opts.RunError = fmt.Sprintf("%s exited with status %d but no checklist item failed", filepath.Base(r.runner[0]), ee.ExitCode())
			if len(run.Items) == 0 && tail != nil && tail.last() != "" {
				opts.RunError += " (its last error line: " + tail.last() + ")"
			}
		}
	}
	sum := report.Summarize(run, opts)

	// The stream, the JUnit, then the Markdown; each appears whole or not at all.
	var werrs []error
	if err := atomicfile.WriteFile(filepath.Join(r.reportsDir, jsonName), stream); err != nil {
		werrs = append(werrs, err)
	}
	var junit bytes.Buffer
	if err := report.WriteJUnit(&junit, run, opts); err != nil {
		werrs = append(werrs, err)
	} else if err := atomicfile.WriteFile(filepath.Join(r.reportsDir, junitName), junit.Bytes()); err != nil {
		werrs = append(werrs, err)
	}
	var md bytes.Buffer
	if err := report.WriteMarkdown(&md, run, opts); err != nil {
		werrs = append(werrs, err)
	} else if err := atomicfile.WriteFile(filepath.Join(r.reportsDir, markdownName), md.Bytes()); err != nil {
		werrs = append(werrs, err)
	}
	r.stepSummary(run, opts) // team.go: GitHub Actions' job summary
	if err := errors.Join(werrs...); err != nil {
		fmt.Fprintf(r.stderr, "presoak readiness: %v\n", err)
		return exitNotRun
	}

	code := exitNotRun
	switch sum.Verdict {
	case report.Ready:
		code = exitReady
	case report.ActionRequired:
		code = exitBlocking
	}
	for _, it := range sum.Failed {
		fmt.Fprintf(r.stdout, "presoak readiness: ❌ %s / %s: %s\n", it.Area, it.Name(), it.Reason())
	}
	for _, it := range sum.Warnings {
		fmt.Fprintf(r.stdout, "presoak readiness: ⚠️ %s / %s: %s\n", it.Area, it.Name(), it.Reason())
	}
	line := string(sum.Verdict)
	if pct, ok := sum.Percent(); ok && sum.Verdict != report.NotRun {
		line += fmt.Sprintf(" (readiness %.0f%%: %d of %d evaluated blocking items passed)", pct, sum.BlockingPassed, sum.BlockingEvaluated)
	}
	if sum.Verdict == report.ActionRequired {
		line += fmt.Sprintf("; %d blocking %s failed", len(sum.Failed), map[bool]string{true: "item", false: "items"}[len(sum.Failed) == 1])
	}
	if opts.RunError != "" {
		line += ": " + opts.RunError
	}
	if d := report.UnassignedDefect(run); d != "" && sum.Verdict == report.NotRun && opts.RunError == "" {
		line += ": " + d
	}
	fmt.Fprintf(r.stdout, "presoak readiness: %s\n", line)
	fmt.Fprintf(r.stdout, "presoak readiness: wrote %s, %s, %s (exit %d)\n",
		r.shown(markdownName), r.shown(junitName), r.shown(jsonName), code)
	return code
}

// runChecklist runs gotestsum and waits for it. On SIGINT or SIGTERM it passes
// the signal on, waits killGrace, then kills; interrupted says a signal came.
// The runner's stderr also goes to tail.
func (r readinessRun) runChecklist(args []string, tail *lastLine) (err error, interrupted bool) {
	cmd := exec.Command(r.runner[0], args...)
	cmd.Dir = r.root
	cmd.Env = r.env
	cmd.Stdout, cmd.Stderr = r.stdout, io.MultiWriter(r.stderr, tail)
	// Its own process group, so a signal reaches gotestsum, go test and the
	// test binaries alike (gotestsum alone would let the tests run on).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// A test binary left behind holding the output pipe must not hang us.
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		return err, false
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var kill <-chan time.Time
	for {
		select {
		case err := <-done:
			return err, interrupted
		case s := <-r.signals:
			if !interrupted {
				interrupted = true
				fmt.Fprintf(r.stderr, "presoak readiness: %v: stopping the checklist (the report will say INTERRUPTED)\n", s)
				_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
				t := time.NewTimer(killGrace)
				defer t.Stop()
				kill = t.C
			}
		case <-kill:
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			kill = nil
		}
	}
}

func (r readinessRun) tempPath(name string) string {
	return filepath.Join(r.reportsDir, fmt.Sprintf(".%s.%d.tmp", name, os.Getpid()))
}

// shown is a report path as a user reads it: relative to the module root when inside it.
func (r readinessRun) shown(name string) string {
	p := filepath.Join(r.reportsDir, name)
	if rel, err := filepath.Rel(r.root, p); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return p
}

func (r readinessRun) shownCommand() string {
	parts := append([]string{filepath.Base(r.runner[0])}, r.runner[1:]...)
	parts = append(parts, "--jsonfile", r.shown(jsonName), "--format", "testname", "--")
	return strings.Join(append(parts, r.testArgs...), " ")
}

// lastLine keeps the last non-empty line written to it (at most 512 bytes).
type lastLine struct {
	mu   sync.Mutex
	cur  []byte
	done string
}

func (l *lastLine) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range p {
		if c == '\n' {
			if s := strings.TrimSpace(string(l.cur)); s != "" {
				l.done = s
			}
			l.cur = l.cur[:0]
			continue
		}
		if len(l.cur) < 512 {
			l.cur = append(l.cur, c)
		}
	}
	return len(p), nil
}

func (l *lastLine) last() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s := strings.TrimSpace(string(l.cur)); s != "" {
		return s
	}
	return l.done
}

// version names this build for the report.
func version() string {
	return "presoak " + currentBuild().Short() // version.go: also when presoak is a dependency
}
