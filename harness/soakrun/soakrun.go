package soakrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/presoak/presoak/harness/baseline"
	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/incident"
	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/safety"
	sig "github.com/presoak/presoak/harness/signal"
	"github.com/presoak/presoak/harness/soak"
	"github.com/presoak/presoak/harness/target"
	"github.com/presoak/presoak/internal/runlock"
)

// StopMargin is how long before go test's -timeout the soak stops by
// itself, so a timeout still leaves a report (marked interrupted).
const StopMargin = 90 * time.Second

// DefaultDuration is the soak's length when DURATION is unset.
const DefaultDuration = 72 * time.Hour

// Spec configures a soak. Lookup is required.
type Spec struct {
	// Lookup reads the environment (os.LookupEnv): DURATION, CRITERIA,
	// FAULTS, RESUME, ON_STOP, CONFIG and the harness's variables.
	Lookup func(string) (string, bool)
	// Out receives the soak's notes and progress lines; nil: io.Discard.
	Out io.Writer
	// Root is the module root; empty: found from the working directory.
	Root string
	// Dir is where the soak's artifacts go; empty: Root/artifacts/soak.
	Dir string
	// DatasetsRoot is where the embedded engine's calibration dataset goes
	// (artifacts/edge/datasets/soak-<time>/ under it); empty: Root.
	DatasetsRoot string
	// ProgressEvery is the progress line interval; 0: a minute.
	ProgressEvery time.Duration
}

// Soak is a prepared soak: everything loaded and checked, the target open.
type Soak struct {
	spec     Spec
	out      io.Writer
	env      checklist.Env
	duration time.Duration
	critPath string
	crit     *criteria.Spec
	signals  sig.Options
	baseNote string
	in       *incident.Incident
	tgt      target.Target
	emb      *target.Embedded // the embedded target, when it is the one
	lock     *runlock.Lock    // the soak directory's run lock, taken before anything is created
	h        *target.Harness
	prof     *profile.Profile // the bot profile PROFILE names; nil: none
	faults   string
	onStop   string
	resume   bool
	dir      string
	closed   bool
	closeErr error
}

func (s Spec) getenv(k string) string {
	v, _ := s.Lookup(k)
	return v
}

// Prepare loads and checks everything a soak needs, in the order that
// refuses a bad input before the engine or its dataset start, and opens the
// target. Close it when done (Run closes it too).
func Prepare(spec Spec) (*Soak, error) {
	if spec.Lookup == nil {
		return nil, errors.New("soak: no environment (Spec.Lookup)")
	}
	s := &Soak{spec: spec, out: spec.Out, faults: spec.getenv("FAULTS"), onStop: spec.getenv("ON_STOP")}
	if s.out == nil {
		s.out = io.Discard
	}
	d, err := ParseDuration(spec.getenv("DURATION"))
	if err != nil {
		return nil, err
	}
	s.duration = d
	// CONFIG unset: the default layers; CONFIG empty with a running bot
	// (TARGET scrape or prometheus): no config files (env.NoConfig); an
	// applied rollback layer (ON_STOP=rollback, make rollback APPLY=1) is
	// loaded last until make restore.
	if spec.Root == "" {
		s.env, err = checklist.LoadRunEnv(spec.Lookup)
		if err != nil {
			return nil, fmt.Errorf("soak: %w", err)
		}
	} else {
		s.env = checklist.LoadRunEnvAt(spec.Root, spec.Lookup)
	}
	if s.env.HarnessErr != nil {
		return nil, fmt.Errorf("soak: %w", s.env.HarnessErr)
	}
	s.h = s.env.Harness
	s.prof = botProfile(s.h, spec.getenv)
	// A running bot under a profile has its config in the profile's layers:
	// presoak's own config (CONFIG's default) is not needed, nor read.
	if s.env.LoadErr != nil && !(s.prof != nil && checklist.Running(s.h.Kind)) {
		return nil, fmt.Errorf("soak: config: %w", s.env.LoadErr)
	}
	root := s.env.Layers.Root
	// CRITERIA as the user set it, else the profile's criteria:, else
	// presoak's own (profile.Pick, the one place that decides).
	crit, err := profile.PickEnv(profile.FileCriteria, spec.getenv, root, s.h.Profile)
	if err != nil {
		return nil, fmt.Errorf("soak: %w", err)
	}
	s.critPath = crit.Path
	if s.crit, err = criteria.Load(s.critPath); err != nil {
		return nil, fmt.Errorf("soak: %w", err)
	}
	s.signals, s.baseNote = FrozenP95(root)
	if s.prof != nil && s.rollbackOnStop() && (len(s.prof.Config.Layers) == 0 || len(s.prof.Config.Rollback) == 0) {
		return nil, fmt.Errorf("soak: ON_STOP=rollback with profile %s: it declares no config layers or no rollback targets (config.layers, config.rollback), so there is nothing to roll back; declare them, or drop ON_STOP", filepath.Base(s.prof.File))
	}
	if s.prof != nil && s.rollbackOnStop() {
		// a stop writes rolled-back copies of the bot's files; make restore
		// undoes them only against a snapshot of the files as they are now
		if _, err := safety.CheckProfileSnapshot(safety.Workspace{Root: root}, s.prof); err != nil {
			return nil, fmt.Errorf("soak: ON_STOP=rollback with profile %s needs a current snapshot of the bot's config to restore to: %w; take one first: make snapshot PROFILE=%s", filepath.Base(s.prof.File), err, s.prof.File)
		}
	}
	if s.prof == nil && s.env.NoConfig && s.rollbackOnStop() {
		return nil, errors.New("soak: ON_STOP=rollback with CONFIG empty: no config files given, so there is nothing here to roll back; set CONFIG to the bot's config layers, or drop ON_STOP")
	}
	s.dir = spec.Dir
	if s.dir == "" {
		s.dir = filepath.Join(root, "artifacts", "soak")
	}
	// One soak per directory, and the lock before anything is created (the
	// incident writer, the target and its calibration dataset): a second
	// soak is refused here, naming the first, and leaves nothing behind.
	_, statErr := os.Stat(s.dir)
	if s.lock, err = runlock.Acquire(s.dir, "soak"); err != nil {
		return nil, fmt.Errorf("soak: %w", err)
	}
	prepared := false
	defer func() {
		if prepared {
			return
		}
		s.unlock()
		if errors.Is(statErr, fs.ErrNotExist) { // made for this soak: leave no empty directory behind
			_ = os.Remove(filepath.Join(s.dir, runlock.LockFile))
			_ = os.Remove(s.dir)
		}
	}()
	// With a bot profile (PROFILE), the config the header names and the
	// rollback a stop previews or applies are the profile's.
	if s.prof != nil {
		s.in, err = incident.ForProfileSoak(root, s.prof, s.crit, s.signals, s.onStop, s.out)
	} else {
		s.in, err = incident.ForSoak(root, s.env.Layers.Paths, s.env.Loaded, s.crit, s.signals, s.onStop, s.out)
	}
	if err != nil {
		return nil, fmt.Errorf("soak: %w", err)
	}
	s.resume = spec.getenv("RESUME") == "1" || spec.getenv("RESUME") == "true"
	if s.tgt, err = s.h.Open(s.embedded); err != nil {
		return nil, fmt.Errorf("soak: %w", err)
	}
	if err := CheckTarget(s.h, s.crit, s.faults, s.env.Layers.Display(s.critPath)); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("soak: %w", err)
	}
	prepared = true
	return s, nil
}

// embedded builds the embedded target: the config's engine on the real
// clock, FAULTS injected, its quotes and fills recorded as a calibration
// dataset.
func (s *Soak) embedded() (target.Target, error) {
	if s.env.Loaded == nil {
		return nil, errors.New("soak: the embedded engine needs a config (CONFIG)")
	}
	root := s.env.Layers.Root
	var plan *target.FaultPlan
	if s.faults != "" {
		p, err := target.LoadFaultPlan(resolve(root, s.faults, ""))
		if err != nil {
			return nil, fmt.Errorf("soak: %w", err)
		}
		plan = p
	}
	dsRoot := s.spec.DatasetsRoot
	if dsRoot == "" {
		dsRoot = root
	}
	emb, err := target.NewEmbedded(target.EmbeddedOptions{Config: s.env.Loaded, Faults: plan,
		Calibration: &target.Calibration{Root: dsRoot, Kind: "soak"}})
	if err != nil {
		return nil, err
	}
	s.emb = emb
	return emb, nil
}

// Close stops the target (and closes the calibration dataset) and
// releases the soak directory's lock. It returns the same error every time.
func (s *Soak) Close() error {
	err := s.closeTarget()
	s.unlock()
	return err
}

func (s *Soak) closeTarget() error {
	if s.closed || s.tgt == nil {
		return s.closeErr
	}
	s.closed = true
	if err := s.tgt.Close(); err != nil {
		s.closeErr = fmt.Errorf("soak: %w", err)
	}
	return s.closeErr
}

func (s *Soak) unlock() {
	if s.lock != nil {
		_ = s.lock.Close()
		s.lock = nil
	}
}

func (s *Soak) rollbackOnStop() bool {
	return strings.EqualFold(strings.TrimSpace(s.onStop), string(incident.Rollback))
}

// Outcome is how a soak ended: the report, the attributes its JUnit
// testcase carries, the problems that did not stop the report, and the
// verdict's failure.
type Outcome struct {
	// Report is the soak's report (artifacts/soak/soak_report.json).
	Report *soak.Report
	// Attrs are the soak's attributes, in order: area, verdict, elapsed,
	// report and (after a stop) incident.
	Attrs [][2]string
	// Errors went wrong around the run (closing the target, writing the
	// incident bundle, the run's own error): each fails the soak.
	Errors []string
	// Failure is why the verdict fails the soak; empty on a pass.
	Failure string
}

// Run runs the prepared soak until its duration, a stop criterion or ctx
// ends it, closes the target, finishes the incident bundles and returns
// the outcome. An error means there is no report at all.
func (s *Soak) Run(ctx context.Context) (*Outcome, error) {
	defer s.unlock() // held through the incident bundles, written in the soak directory
	env := s.env
	cfgNote := s.configNote()
	calNote := "none (the bot's quotes and fills are not visible through its metrics)"
	if s.emb != nil {
		calNote = env.Layers.Display(s.emb.Dataset())
	}
	fmt.Fprintf(s.out, "soak: DURATION=%s, target %s, criteria %s (every %s), config %s, faults %q, p95 baseline: %s, resume %v, on stop: %s; artifacts in %s, calibration dataset: %s\n",
		s.duration, s.h.Describe(), env.Layers.Display(s.critPath), s.crit.EvaluationInterval, cfgNote, s.faults, s.baseNote, s.resume, s.onStopNote(), env.Layers.Display(s.dir), calNote)
	every := s.spec.ProgressEvery
	if every <= 0 {
		every = time.Minute
	}
	rep, runErr := soak.Run(ctx, soak.Config{
		Spec: s.crit, CriteriaFile: env.Layers.Display(s.critPath), Target: s.in.Watch(s.tgt), Duration: s.duration, Dir: s.dir, Resume: s.resume,
		Signals: s.signals, Progress: s.out, ProgressEvery: every, OnStop: s.in.OnStop, DirLocked: s.lock != nil,
	})
	out := &Outcome{Report: rep}
	if err := s.closeTarget(); err != nil {
		out.Errors = append(out.Errors, err.Error())
	}
	if s.emb != nil {
		ds := env.Layers.Display(s.emb.Dataset())
		fmt.Fprintf(s.out, "soak: calibration dataset in %s (make edge-report DATASETS=%s)\n", ds, ds)
	}
	if ferr := s.in.Finish(rep); ferr != nil {
		out.Errors = append(out.Errors, fmt.Sprintf("soak: incident bundle: %v", ferr))
	}
	var bundles []string
	for _, b := range s.in.Bundles() {
		bundles = append(bundles, env.Layers.Display(b))
		fmt.Fprintf(s.out, "soak: incident bundle %s (draft: %s)\n", env.Layers.Display(b), env.Layers.Display(filepath.Join(b, incident.BundleReport)))
	}
	if runErr != nil {
		if rep == nil {
			return out, fmt.Errorf("soak: %w", runErr)
		}
		out.Errors = append(out.Errors, fmt.Sprintf("soak: %v", runErr)) // the run happened: still report every criterion
	}
	out.Attrs = [][2]string{
		{"area", "Soak"}, {"verdict", string(rep.Verdict)}, {"elapsed", rep.Elapsed.Round(time.Second).String()},
		{"report", env.Layers.Display(filepath.Join(s.dir, soak.ReportMDFile))},
	}
	if len(bundles) > 0 {
		out.Attrs = append(out.Attrs, [2]string{"incident", strings.Join(bundles, ",")})
	}
	var wrote []string // only what the run wrote (issue 17: a report that failed is never claimed)
	for _, f := range rep.Written {
		wrote = append(wrote, env.Layers.Display(f))
	}
	if len(wrote) == 0 {
		wrote = []string{"nothing"}
	}
	fmt.Fprintf(s.out, "soak: %s — %s\nsoak: wrote %s\n", rep.Verdict, rep.Reason, strings.Join(wrote, ", "))
	switch rep.Verdict {
	case soak.Stopped:
		out.Failure = fmt.Sprintf("soak stopped: %s", rep.Stop)
	case soak.Interrupted:
		out.Failure = fmt.Sprintf("soak %s", rep.Reason)
	case soak.Inconclusive:
		out.Failure = fmt.Sprintf("soak inconclusive: %s", rep.Reason)
	}
	return out, nil
}

// configNote is the config the header names: the bot profile's layers
// when a profile is given, else CONFIG's layers.
func (s *Soak) configNote() string {
	if s.prof != nil {
		ls := make([]string, len(s.prof.Config.Layers))
		for i, l := range s.prof.Config.Layers {
			ls[i] = s.env.Layers.Display(s.prof.Resolve(l))
		}
		if len(ls) == 0 {
			ls = []string{"no config files declared"}
		}
		return fmt.Sprintf("profile %s: %s", s.env.Layers.Display(s.prof.File), strings.Join(ls, ","))
	}
	if s.env.NoConfig {
		return "no config files given"
	}
	return s.env.LayersAttr()
}

// botProfile is h's profile when one was named (PROFILE or
// PRESOAK_PROFILE, as target.LoadHarnessEnv reads them), else nil (the
// legacy harness file's names fold into a profile too, but it declares no
// config of the bot's).
func botProfile(h *target.Harness, getenv func(string) string) *profile.Profile {
	if h == nil || getenv(target.EnvProfile) == "" && getenv(target.EnvTeamProfile) == "" {
		return nil
	}
	return h.Profile
}

// onStopNote says what a stop does (ON_STOP).
func (s *Soak) onStopNote() string {
	if s.prof != nil && s.rollbackOnStop() {
		return "incident bundle, the profile's rollback written as copies of the bot's config files in " + incident.ProfileRollbackDir + " and verified (ON_STOP=rollback; not in effect until your deploy restarts the bot on them: presoak does not start it; make restore PROFILE=... removes them)"
	}
	if s.prof != nil {
		return "incident bundle, the profile's rollback previewed (ON_STOP=rollback writes it)"
	}
	if s.rollbackOnStop() {
		return "incident bundle, rollback applied and verified (ON_STOP=rollback; make restore undoes it)"
	}
	return "incident bundle, rollback previewed (ON_STOP=rollback applies it)"
}

// CheckTarget refuses what cannot work with the harness's target: a fault
// plan for a bot that is not ours to inject into, and a prometheus target
// evaluated more often than it is queried (every other evaluation would
// re-read the same data and the for-durations would count stale points).
func CheckTarget(h *target.Harness, spec *criteria.Spec, faults, critFile string) error {
	if faults != "" && h.Kind != target.KindEmbedded {
		return fmt.Errorf("FAULTS=%s applies to the embedded target only, and TARGET is %s: inject faults into the running bot itself (make bot FAULTS=%s), or drop FAULTS", faults, h.Kind, faults)
	}
	if h.Kind == target.KindPrometheus && spec.EvaluationInterval < h.Interval() {
		return fmt.Errorf("TARGET=prometheus: %s evaluates every %s, more often than the prometheus target is queried (every %s, %s target.prometheus.interval): set evaluation_interval: %s (or longer) in the criteria file, or lower target.prometheus.interval to at most %s",
			critFile, spec.EvaluationInterval, h.Interval(), harnessName(h), h.Interval(), spec.EvaluationInterval)
	}
	return nil
}

func harnessName(h *target.Harness) string {
	if h.File == "" {
		return "the harness's"
	}
	return filepath.Base(h.File) + "'s"
}

// Judgement is one criterion's verdict, as its JUnit testcase carries it.
type Judgement struct {
	// Attrs are the testcase's attributes, in order.
	Attrs [][2]string
	// Error fails the testcase; empty when it does not fail.
	Error string
	// Skip marks a warning criterion that was never evaluated.
	Skip string
	// Warning is the criterion's first warning, logged on a passing testcase.
	Warning string
}

// Judge is criterion c's verdict in the soak's report: failed when it
// stopped the soak, or when a stop criterion was never evaluated (no data
// is never a pass); skipped when a warning criterion was never evaluated.
func Judge(rep *soak.Report, c soak.CriterionReport) Judgement {
	sev := "blocking"
	if c.Severity == criteria.Warn {
		sev = "warning"
	}
	cond := fmt.Sprintf("%s %s %v over %s for %s", c.Signal, c.Op, c.Threshold, c.Window, c.For)
	// The item vocabulary (area, severity, value, want, source, fix; the
	// JUnit adds status from the outcome), then the soak's own attributes.
	j := Judgement{Attrs: [][2]string{
		{"area", "Soak"}, {"severity", sev},
		{"value", c.Value.String()}, {"want", "not " + cond},
		{"source", fmt.Sprintf("signal %s over the soak's samples (%s)", c.Signal, soak.SamplesFile)},
		{"fix", c.Action}, {"condition", cond}, {"state", c.State.String()},
	}}
	if rep.Stop != nil && rep.Stop.Criterion == c.Name {
		j.Error = fmt.Sprintf("stop condition fired: %s", rep.Stop)
		return j
	}
	if c.Fired > 0 {
		for _, w := range rep.Warnings {
			if w.Criterion == c.Name {
				j.Attrs = append(j.Attrs, [2]string{"warning", w.String()})
				j.Warning = w.String()
				break
			}
		}
	}
	if c.Evaluated == 0 {
		msg := fmt.Sprintf("not evaluated: %s had no data in %s of soak (%s)", c.Signal, rep.Elapsed.Round(time.Second), c.Value.Reason)
		if c.Severity == criteria.Stop {
			j.Error = msg
		} else {
			j.Skip = msg
		}
	}
	return j
}

// FrozenP95 is the frozen shadow baseline's p95 per stage, when there is
// one measured on the real clock (a simulated baseline's modeled latencies
// say nothing of real ones), and a note saying what was found.
func FrozenP95(root string) (sig.Options, string) {
	b, ok, err := baseline.ReadFrozen(filepath.Join(root, "artifacts", "baseline"))
	switch {
	case err != nil:
		return sig.Options{}, "unreadable (" + err.Error() + "): p95_regression_pct has no data"
	case !ok:
		return sig.Options{}, "none frozen (make shadow, make baseline-freeze): p95_regression_pct has no data"
	case b.Clock != baseline.RealClock:
		return sig.Options{}, "frozen baseline is on the " + b.Clock + " clock: p95_regression_pct has no data"
	}
	// Bucket-interpolated like the soak's own p95, not the exact one.
	p95 := b.SoakP95Seconds()
	return sig.Options{BaselineP95: p95}, fmt.Sprintf("frozen %s (%d stages)", b.End.Format(time.RFC3339), len(p95))
}

// ParseDuration reads DURATION: empty is DefaultDuration; otherwise a
// positive Go duration.
func ParseDuration(s string) (time.Duration, error) {
	if s == "" {
		return DefaultDuration, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("soak: DURATION %q: want a positive Go duration such as 72h", s)
	}
	return d, nil
}

// resolve makes a relative path (or the default) absolute against the
// module root.
func resolve(root, path, def string) string {
	if path == "" {
		path = def
	}
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(root, path)
}
