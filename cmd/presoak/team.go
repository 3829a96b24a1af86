package main

// A team's own repository: presoak run as `go run github.com/presoak/presoak/cmd/presoak`
// or `go tool presoak` in a module that requires presoak. The team's tree
// (home.Tree) is where the config is read and the reports written;
// presoak's own data (criteria, budgets, harness file, rollback targets,
// schema) is read from presoak's module directory (home.Dir).

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	gotestsum "gotest.tools/gotestsum/cmd"

	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/target"
	"github.com/presoak/presoak/internal/home"
	report "github.com/presoak/presoak/reports/readiness"
)

// The checklist packages: presoak's by default, and in a team's module also
// the team's own ./readiness/... when it has one.
const (
	ownPackages  = "./readiness/..."
	teamChecks   = "readiness"
	presoakCheck = home.ModulePath + "/readiness/..."
)

// EnvStepSummary is the file GitHub Actions shows as the job summary.
const EnvStepSummary = "GITHUB_STEP_SUMMARY"

func init() {
	register("gotestsum", "gotestsum, built in (what readiness runs in a team's module, which has no gotestsum tool)", runGotestsum)
}

func runGotestsum(args []string) int {
	err := gotestsum.Run("presoak gotestsum", args)
	switch {
	case err == nil:
		return 0
	case gotestsum.IsExitCoder(err):
		return gotestsum.ExitCodeWithDefault(err)
	default:
		fmt.Fprintf(os.Stderr, "presoak gotestsum: %v\n", err)
		return 3
	}
}

// setupHome finds the team's tree and points the defaults that name
// presoak's own data at presoak's module directory (home.Setup) before any
// command runs; a tree that cannot be found (or a bot profile, not read
// yet) stops the command with exit 2.
func setupHome(cmd string) {
	switch cmd {
	case "version", "gotestsum":
		return
	}
	if _, err := home.Setup(); err != nil {
		fmt.Fprintf(os.Stderr, "presoak %s: %v\n", cmd, err)
		os.Exit(exitNotRun)
	}
}

// profileFlag is readiness's -profile: the team's bot profile
// (harness/profile). It is validated at once (file:line:key problems stop
// the run) and passed to the checklist as PROFILE and PRESOAK_PROFILE (its
// repository is the team's tree, home.Tree).
func profileFlag(fs *flag.FlagSet) {
	fs.Func("profile", "the team's bot profile file (also PROFILE, "+home.EnvProfile+"): its target, config, signals", setProfile)
}

// setProfile validates the profile at path (relative to the working
// directory), its target section included, and sets PROFILE and
// PRESOAK_PROFILE to its absolute path.
func setProfile(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if _, err := profile.Load(abs); err != nil {
		return err
	}
	// its target section too (a timeout longer than the interval, a bad
	// selector), with the environment's overrides, as every test binary
	// will load it: a problem stops the run here, naming file:line:key.
	if _, err := target.LoadProfileHarness(abs, os.Getenv); err != nil {
		return err
	}
	for _, k := range []string{"PROFILE", home.EnvProfile} {
		if err := os.Setenv(k, abs); err != nil {
			return err
		}
	}
	return nil
}

// profileFromEnv does for a profile given by PROFILE or PRESOAK_PROFILE
// what -profile does: the checklist's test binaries run in presoak's
// package directory, where a relative path names nothing.
func profileFromEnv() error {
	for _, k := range []string{"PROFILE", home.EnvProfile} {
		if v := strings.TrimSpace(os.Getenv(k)); v != "" {
			if err := setProfile(v); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			return nil
		}
	}
	return nil
}

// forTeam adapts a readiness run to a team's module: presoak's checklist by
// its import path (plus the team's ./readiness/... when it has one), run by
// the gotestsum built into this binary (the team's go.mod has no gotestsum
// tool), with PRESOAK_WORKDIR naming the team's tree to the test binaries
// (whose working directory is presoak's package). In presoak's own checkout
// the run is unchanged.
func forTeam(r readinessRun) readinessRun {
	own, err := home.Dir()
	if err != nil || sameDir(r.root, own) {
		return r
	}
	if exe, err := os.Executable(); err == nil {
		r.runner = []string{exe, "gotestsum"}
	}
	if !hasEnv(r.env, home.EnvWorkdir) {
		r.env = append(r.env, home.EnvWorkdir+"="+r.root)
	}
	args := make([]string, 0, len(r.testArgs)+1)
	for _, a := range r.testArgs {
		if a != ownPackages {
			args = append(args, a)
			continue
		}
		args = append(args, presoakCheck)
		if hasGoTests(filepath.Join(r.root, teamChecks)) {
			args = append(args, ownPackages)
		}
	}
	r.testArgs = args
	return r
}

// stepSummary appends the verdict and the failed items to the GitHub Actions
// job summary when GITHUB_STEP_SUMMARY is set in the run's environment.
func (r readinessRun) stepSummary(run *report.Run, opts report.Options) {
	path := ""
	for _, kv := range r.env {
		if v, ok := strings.CutPrefix(kv, EnvStepSummary+"="); ok {
			path = v
		}
	}
	if path == "" {
		return
	}
	if err := appendStepSummary(path, run, opts, r.shown(markdownName)); err != nil {
		fmt.Fprintf(r.stderr, "presoak readiness: job summary: %v\n", err)
	}
}

func appendStepSummary(path string, run *report.Run, opts report.Options, reportPath string) error {
	var b bytes.Buffer
	if err := report.WriteStepSummary(&b, run, opts, reportPath); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("append %s: %w", EnvStepSummary, err)
	}
	_, werr := io.Copy(f, &b)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("append %s: %w", EnvStepSummary, werr)
	}
	return nil
}

func hasEnv(env []string, key string) bool {
	for _, kv := range env {
		if strings.HasPrefix(kv, key+"=") {
			return true
		}
	}
	return false
}

// hasGoTests reports whether dir or a directory below it holds a _test.go file.
func hasGoTests(dir string) bool {
	found := false
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, "_test.go") {
			found = true
			return filepath.SkipAll
		}
		return nil
	})
	return found
}

func sameDir(a, b string) bool {
	ea, err1 := filepath.EvalSymlinks(a)
	eb, err2 := filepath.EvalSymlinks(b)
	if err1 != nil || err2 != nil {
		return filepath.Clean(a) == filepath.Clean(b)
	}
	return ea == eb
}

// dataDefault is a default path to presoak's own data (e.g. the rollback
// targets): as given in presoak's checkout, under presoak's module directory
// in a team's tree.
func dataDefault(rel string) string {
	tree, _, err := home.Tree(os.Getenv)
	own, derr := home.Dir()
	if err != nil || derr != nil || sameDir(tree, own) {
		return rel
	}
	return filepath.Join(own, filepath.FromSlash(rel))
}
