package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/checklist/result"
	"github.com/presoak/presoak/harness/launch"
	"github.com/presoak/presoak/harness/monitoring"
	"github.com/presoak/presoak/harness/safety"
	sig "github.com/presoak/presoak/harness/signal"
	"github.com/presoak/presoak/harness/soak"
	"github.com/presoak/presoak/harness/stack"
	"github.com/presoak/presoak/internal/gitinfo"
	"github.com/presoak/presoak/internal/modroot"
)

func init() {
	register("launch", "the soak launch checklist: pre-flight, monitoring up, alerting loaded, soak started, metrics collection verified; LAUNCH.md", runLaunch)
}

// launchOptions are the launch's settings, from flags and the environment.
type launchOptions struct {
	root           string
	duration       string // the soak's DURATION
	shadowDuration string // the pre-flight shadow's DURATION
	target         string // TARGET for the soak
	soakStartWait  time.Duration
	make           string
}

func runLaunch(args []string) int {
	fs := flag.NewFlagSet("launch", flag.ContinueOnError)
	var o launchOptions
	fs.StringVar(&o.duration, "duration", launchEnv("DURATION", "72h"), "the soak's length (DURATION)")
	fs.StringVar(&o.shadowDuration, "shadow-duration", launchEnv("SHADOW_DURATION", "1m"), "the pre-flight shadow baseline's length (SHADOW_DURATION)")
	fs.DurationVar(&o.soakStartWait, "soak-start-wait", 5*time.Minute, "how long the soak may take to write its first sample")
	foreground := fs.Bool("foreground", false, "after the checklist, wait for the soak to end (Ctrl-C stops it), then stop the stack; exit with the soak's status")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: presoak launch [flags]\n\nWalks the seed's Soak Test Launch Checklist in order, printing [OK]/[FAIL] with evidence and\nstopping at the first failure (stopping what it started): pre-flight (prepare-soak, readiness,\na short shadow), monitoring up (make monitor), alerting loaded, soak started (make soak in the\nbackground, log artifacts/soak/launch-soak.log), metrics collection verified. On success the\nsoak, Prometheus and the bot keep running; make monitor-down stops them. Writes "+launch.RecordPath+".\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if _, err := time.ParseDuration(o.duration); err != nil {
		fmt.Fprintf(os.Stderr, "presoak launch: DURATION %q: %v\n", o.duration, err)
		return 2
	}
	root, err := modroot.Find(monitorWd())
	if err != nil {
		fmt.Fprintln(os.Stderr, "presoak launch:", err)
		return 1
	}
	o.root = root
	o.target = launchEnv("TARGET", "embedded")
	o.make = launchEnv("MAKE", "make")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	l := &launch.Launch{Record: launch.Record{Root: root}}
	fillRecordFacts(&l.Record, root)
	var st *stack.Stack
	r := &launch.Runner{Steps: launchSteps(o, &st), Out: os.Stdout, RecordPath: filepath.Join(root, launch.RecordPath)}
	fmt.Printf("launch: DURATION=%s TARGET=%s CRITERIA=%s CONFIG=%s (Ctrl-C stops what this launch started)\n",
		o.duration, o.target, launchCriteria(root), launchEnv("CONFIG", checklist.DefaultConfig))
	_, err = r.Run(ctx, l)
	if err != nil {
		fmt.Fprintln(os.Stderr, "presoak launch:", err)
		if ctx.Err() != nil {
			return 130
		}
		return 1
	}
	if *foreground {
		return launchForeground(ctx, st, filepath.Join(root, "artifacts/soak"))
	}
	st.Detach() // leave the soak, Prometheus and the bot running under watch
	fmt.Println("launch: the soak is running under watch; follow it with: tail -f artifacts/soak/launch-soak.log")
	fmt.Println("launch: stop everything it started with: make monitor-down")
	return 0
}

// launchSubEnv is the environment of the make commands a launch runs:
// this process's, without the outer make's MAKEFLAGS (whose DURATION would
// override the one a step passes).
func launchSubEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k == "MAKEFLAGS" || k == "MFLAGS" || k == "MAKELEVEL" || k == "MAKEOVERRIDES" {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// launchForeground waits for the soak to end or ctx (Ctrl-C), then stops
// everything the launch started. The soak's verdict is read from its report
// (soak_report.json in soakDir), not from its output.
func launchForeground(ctx context.Context, st *stack.Stack, soakDir string) int {
	fmt.Println("launch: waiting for the soak to end (Ctrl-C stops it; its report is still written); log artifacts/soak/launch-soak.log")
	code := 0
	for {
		if done, err := st.Exited("soak"); done {
			if err != nil {
				code = 1
			}
			fmt.Printf("launch: the soak ended (%v): %s; report artifacts/soak/soak_report.md\n", launchOrOK(err), soakVerdict(soakDir))
			break
		}
		if ctx.Err() != nil {
			fmt.Println("launch: interrupted: stopping the soak, Prometheus and the bot")
			code = 130
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
	if err := st.Down(); err != nil {
		fmt.Fprintln(os.Stderr, "presoak launch:", err)
		return 1
	}
	fmt.Println("launch: stopped everything it started")
	return code
}

func launchOrOK(err error) string {
	if err == nil {
		return "exit 0"
	}
	return err.Error()
}

// launchCriteria names the criteria file the launch's monitoring and soak
// read: CRITERIA, else the profile's criteria:, else presoak's own.
func launchCriteria(root string) string {
	e := monitoring.EnvFrom(root, os.Getenv)
	return e.Display(e.Criteria)
}

func launchEnv(k, def string) string {
	if v := strings.TrimSpace(os.Getenv(k)); v != "" {
		return v
	}
	return def
}

// fillRecordFacts records the commit, config layers and hash, and the flag
// snapshot's hash (as they are before the launch; prepare-soak rewrites the
// snapshot, so the hash is read again after it).
func fillRecordFacts(rec *launch.Record, root string) {
	rec.Commit = gitinfo.Commit(root)
	env, err := checklist.LoadEnv(os.Getenv("CONFIG"))
	if err == nil {
		rec.ConfigLayers = env.Layers.Names()
		if env.Loaded != nil {
			rec.ConfigHash = env.Loaded.Hash()
		} else {
			rec.ConfigHash = "config did not load: " + launchFirstLine(env.LoadErr.Error())
		}
	}
	rec.SnapshotHash = launchFileHash(filepath.Join(root, safety.SnapshotFile))
	rec.StopHow = []string{
		"`make monitor-down`: stops the soak (SIGINT: it writes its report, marked interrupted), Prometheus and the bot this launch started, and verifies they are gone",
		"resume an interrupted soak: `make soak RESUME=1 DURATION=...`",
	}
	rec.RollbackHow = []string{
		"`make rollback` previews the feature-flag rollback key by key; `make rollback APPLY=1` writes the rollback layer and verifies it; restart the bot with it",
		"`make restore` removes the rollback layer and verifies the config hash equals the snapshot's",
	}
}

func launchFileHash(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "none (" + filepath.Base(path) + " absent)"
	}
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func launchFirstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// launchSteps are the seed's launch checklist, in order. st receives the
// monitoring stack once it is up.
func launchSteps(o launchOptions, st **stack.Stack) []launch.Step {
	logDir := filepath.Join(o.root, "artifacts/release/launch")
	prefixed := func(ps ...string) func(string) bool {
		return func(l string) bool {
			for _, p := range ps {
				if strings.Contains(l, p) {
					return true
				}
			}
			return false
		}
	}
	makeCmd := func(name, log string, keep func(string) bool, args ...string) launch.Step {
		return launch.Command{
			Argv: append([]string{o.make, "--no-print-directory"}, args...), Dir: o.root, Env: launchSubEnv(),
			Log: filepath.Join(logDir, log), Tail: 4,
			Keep: keep,
		}.Step(name)
	}
	return []launch.Step{
		makeCmd("pre-flight: prepare-soak", "prepare-soak.log", prefixed("[FAIL]", "PREPARATION", "FAILED"), "prepare-soak"),
		{Name: "pre-flight: snapshot hash", Run: func(_ context.Context, l *launch.Launch) (string, error) {
			l.Record.SnapshotHash = launchFileHash(filepath.Join(o.root, safety.SnapshotFile))
			if strings.HasPrefix(l.Record.SnapshotHash, "none") {
				return "", fmt.Errorf("no flag snapshot after prepare-soak: %s", l.Record.SnapshotHash)
			}
			return safety.SnapshotFile + " " + l.Record.SnapshotHash, nil
		}},
		makeCmd("pre-flight: readiness", "readiness.log", prefixed("presoak readiness: "), "readiness"),
		makeCmd("pre-flight: shadow baseline ("+o.shadowDuration+")", "shadow.log", prefixed("make shadow: ", "--- FAIL"), "shadow", "DURATION="+o.shadowDuration),
		{Name: "monitoring up", Run: func(ctx context.Context, l *launch.Launch) (string, error) {
			return monitoringUp(ctx, o, l, st)
		}},
		{Name: "alerting loaded", Run: func(ctx context.Context, l *launch.Launch) (string, error) {
			return collectionItems(ctx, o, *st, 60*time.Second, (*stack.Collection).RulesHealthy)
		}},
		{Name: "soak started", Run: func(ctx context.Context, l *launch.Launch) (string, error) {
			return soakStarted(ctx, o, l, *st)
		}},
		{Name: "metrics collection verified", Run: func(ctx context.Context, l *launch.Launch) (string, error) {
			return collectionItems(ctx, o, *st, 30*time.Second,
				(*stack.Collection).TargetUp, (*stack.Collection).MetricsPresent, (*stack.Collection).RulesHealthy, (*stack.Collection).AlertsInactive)
		}},
	}
}

// monitoringUp writes the rules from CRITERIA and brings the stack up.
func monitoringUp(ctx context.Context, o launchOptions, l *launch.Launch, st **stack.Stack) (string, error) {
	menv := monitoring.EnvFrom(o.root, os.Getenv)
	in, err := menv.Load()
	if err != nil {
		return "", err
	}
	assets, err := monitoring.Render(in)
	if err != nil {
		return "", err
	}
	if _, err := assets.Write(o.root); err != nil {
		return "", err
	}
	so, err := stackOptions(o.root)
	if err != nil {
		return "", err
	}
	var log strings.Builder
	so.Log = &log
	s, err := stack.Up(ctx, so)
	if err != nil {
		return log.String(), err
	}
	*st = s
	l.OnAbort("the monitoring stack and the soak (make monitor-down equivalent)", s.Down)
	recordStackURLs(l, s.State.PrometheusURL, s.State.ScrapeURL)
	for _, p := range s.State.Procs {
		l.Record.Running = append(l.Record.Running, fmt.Sprintf("%s: pid %d, log %s", p.Role, p.PID, p.Log))
	}
	return strings.TrimSpace(log.String()), nil
}

// recordStackURLs records the stack's addresses in the launch record: the
// Prometheus API URLs (the pinned server is built without the web UI's
// assets, so /alerts is not served), as presoak monitor prints them.
func recordStackURLs(l *launch.Launch, prom, scrape string) {
	l.SetURL("prometheus", prom)
	l.SetURL("prometheus alerts", prom+"/api/v1/alerts")
	l.SetURL("prometheus rules", prom+"/api/v1/rules")
	l.SetURL("bot metrics", scrape)
}

// collectionItems runs collection checks and fails on the first that does not pass.
func collectionItems(ctx context.Context, o launchOptions, s *stack.Stack, settle time.Duration, checks ...func(*stack.Collection, context.Context) checklist.Item) (string, error) {
	if s == nil {
		return "", errors.New("no monitoring stack")
	}
	cl, err := stack.NewClient(s.State.PrometheusURL)
	if err != nil {
		return "", err
	}
	rules, err := os.ReadFile(filepath.Join(o.root, s.State.Rules))
	if err != nil {
		return "", fmt.Errorf("read rules: %w", err)
	}
	c := &stack.Collection{Client: cl, Job: s.State.Job, Rules: rules, RulesSource: s.State.Rules, Settle: settle}
	if env := checklist.LoadRunEnvAt(o.root, os.LookupEnv); env.Harness != nil {
		c.Profile = env.Harness.Profile // the bot's metrics (PROFILE), as the checklist's collection items read them
	}
	var ev []string
	for _, check := range checks {
		it := check(c, ctx)
		if it.Status != result.StatusPass {
			return strings.Join(ev, "\n"), errors.New(it.Message)
		}
		ev = append(ev, it.Message)
	}
	return strings.Join(ev, "\n"), nil
}

// soakStarted starts make soak in the background, attached to the stack (so
// make monitor-down and an aborted launch stop it), and waits until it has
// written a sample.
func soakStarted(ctx context.Context, o launchOptions, l *launch.Launch, s *stack.Stack) (string, error) {
	if s == nil {
		return "", errors.New("no monitoring stack")
	}
	env := launchSubEnv()
	how := ""
	switch o.target {
	case "prometheus":
		env = append(env, "TARGET=prometheus", "PROMETHEUS_URL="+s.State.PrometheusURL, `SELECTOR=job="`+s.State.Job+`"`)
		how = "TARGET=prometheus: the soak reads the running Prometheus (" + s.State.PrometheusURL + `, {job="` + s.State.Job + `"})`
	case "scrape":
		env = append(env, "TARGET=scrape", "SCRAPE_URL="+s.State.ScrapeURL)
		how = "TARGET=scrape: the soak scrapes the bot Prometheus watches (" + s.State.ScrapeURL + ")"
	default:
		how = "TARGET=" + o.target + ": the soak drives its own embedded engine on the real clock (same CONFIG); Prometheus watches the reference bot process at " + s.State.ScrapeURL
	}
	soakDir := filepath.Join(o.root, "artifacts/soak")
	logPath := filepath.Join(soakDir, "launch-soak.log")
	_ = os.Remove(logPath)
	started := time.Now()
	p, err := s.Adopt("soak", "soak", o.root, logPath, "artifacts/soak/launch-soak.log", env,
		o.make, "--no-print-directory", "soak", "DURATION="+o.duration)
	if err != nil {
		return how, err
	}
	l.Record.Soak = fmt.Sprintf("make soak DURATION=%s CRITERIA=%s; %s", o.duration, launchCriteria(o.root), how)
	l.Record.Running = append(l.Record.Running, fmt.Sprintf("soak: pid %d (make soak), log %s, report artifacts/soak/soak_report.md when it ends", p.PID, p.Log))
	deadline := time.Now().Add(o.soakStartWait)
	for {
		first, ok, rerr := soakSampling(soakDir, started)
		if rerr != nil {
			return how, fmt.Errorf("make soak (pid %d): %w", p.PID, rerr)
		}
		if ok {
			return fmt.Sprintf("make soak (pid %d) is sampling; log %s\n%s\n%s", p.PID, p.Log, how, first), nil
		}
		if done, werr := s.Exited("soak"); done {
			return how + "\nlog tail:\n" + stack.LogTail(logPath, 6), fmt.Errorf("make soak exited before its first sample (%v)", werr)
		}
		if time.Now().After(deadline) {
			return how, fmt.Errorf("make soak wrote no sample within %s; see %s", o.soakStartWait, p.Log)
		}
		select {
		case <-ctx.Done():
			return how, context.Cause(ctx)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// soakVerdict is the verdict and reason of the soak report in soakDir, or
// why there is none.
func soakVerdict(soakDir string) string {
	rep, err := soak.ReadReport(filepath.Join(soakDir, soak.ReportJSONFile))
	if err != nil {
		return "no soak report (" + err.Error() + ")"
	}
	return fmt.Sprintf("verdict %s — %s", rep.Verdict, rep.Reason)
}

// soakSampling reports whether the soak whose artifacts are in soakDir has
// written a sample taken at or after since (when this launch started it):
// the soak's own samples file (soak.SamplesFile), not its log, is the
// proof that this soak, not an earlier one, is running. The line says what
// the latest sample shows.
func soakSampling(soakDir string, since time.Time) (string, bool, error) {
	samples, err := soak.ReadSamples(filepath.Join(soakDir, soak.SamplesFile))
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	const skew = time.Second // the soak's process reads the same wall clock
	n := 0
	var last sig.Sample
	for _, smp := range samples {
		if !smp.At.Before(since.Add(-skew)) {
			n++
			last = smp
		}
	}
	if n == 0 {
		return "", false, nil
	}
	up := "up"
	if !last.Up {
		up = "down: " + last.Fault
	}
	return fmt.Sprintf("%s: %d sample(s) since %s; latest %s from %s (%s), %.0f ticks",
		soak.SamplesFile, n, since.UTC().Format(time.RFC3339), last.At.UTC().Format(time.RFC3339), last.Instance, up, last.Ticks), true, nil
}
