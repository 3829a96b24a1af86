// Package home tells presoak's own data from the team's tree: Dir is
// presoak's module directory (its criteria, budgets, harness file, schema,
// rollback targets, reference recording), wherever the module sits — this
// checkout, a replace directive's target or the read-only module cache;
// Tree is the team's repository, where its config files are read and its
// reports and artifacts written. In presoak's own checkout the two are the
// same directory; in a team's module they are not, and every default that
// names presoak's data (ApplyDefaults) points into Dir, never into the
// team's tree.
//
// The bot profile (issue 15) plugs in here: PRESOAK_PROFILE (the -profile
// flag of presoak readiness) makes the profile's repository the team's tree;
// a profile that does not exist is an error, never silently ignored.
package home

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/presoak/presoak/internal/modroot"
)

// ModulePath is presoak's module path.
const ModulePath = "github.com/presoak/presoak"

// Environment variables read here.
const (
	// EnvWorkdir names the team's tree explicitly (e.g. PRESOAK_WORKDIR=$PWD).
	EnvWorkdir = "PRESOAK_WORKDIR"
	// EnvProfile names the team's bot profile file (harness/profile; the
	// same as PROFILE).
	EnvProfile = "PRESOAK_PROFILE"
)

// EnvMakeProfile is make's name for the bot profile (`make ... PROFILE=`).
const EnvMakeProfile = "PROFILE"

// Profile is the bot profile getenv names: PROFILE, else PRESOAK_PROFILE
// (a team's module), trimmed; "" for none.
func Profile(getenv func(string) string) string {
	if v := strings.TrimSpace(getenv(EnvMakeProfile)); v != "" {
		return v
	}
	return strings.TrimSpace(getenv(EnvProfile))
}

// ErrNoProfile is wrapped when PRESOAK_PROFILE names no file.
var ErrNoProfile = errors.New("bot profile not found")

// Defaults are the environment variables whose default names presoak's own
// data, and that data's path relative to Dir. CRITERIA and BUDGETS are not
// among them: the bot profile may name those files, so their default is
// decided in one place that knows the profile (harness/profile.Pick), and
// an unset variable stays unset.
var Defaults = [][2]string{
	{"HARNESS", "fixtures/presoak.yaml"},
}

var dirOnce = sync.OnceValues(locate)

// Dir returns presoak's module directory: the one holding this source file
// when it is on disk (a build from source: go run, go test, go tool, go
// install), else what `go list -m` says from the working directory (a
// binary built with -trimpath inside a module that requires presoak).
func Dir() (string, error) { return dirOnce() }

// Data returns rel (slash-separated, e.g. "fixtures/criteria.yaml") under Dir.
func Data(rel string) (string, error) {
	d, err := Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, filepath.FromSlash(rel)), nil
}

func locate() (string, error) {
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		if d, err := modroot.Find(filepath.Dir(file)); err == nil && modulePathOf(d) == ModulePath {
			return d, nil
		}
	}
	out, err := exec.Command(goBinary(), "list", "-m", "-f", "{{.Dir}}", ModulePath).Output()
	if d := strings.TrimSpace(string(out)); err == nil && d != "" {
		return d, nil
	}
	if err == nil {
		err = errors.New("no directory (is it downloaded? go mod download " + ModulePath + ")")
	}
	return "", fmt.Errorf("locate presoak's own data: go list -m %s: %w", ModulePath, err)
}

// modulePathOf is the module path declared in dir/go.mod, "" when unreadable.
func modulePathOf(dir string) string {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return ""
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "module" {
			if p, err := strconv.Unquote(f[1]); err == nil {
				return p
			}
			return f[1]
		}
	}
	return ""
}

func goBinary() string {
	if g := os.Getenv("GO"); g != "" {
		return g
	}
	return "go"
}

// Where says how Tree found the team's tree (for messages and reports).
type Where string

// How the team's tree was found.
const (
	FromProfile Where = EnvProfile               // the bot profile's repository
	FromWorkdir Where = EnvWorkdir               // named explicitly
	FromCwd     Where = "working directory"      // the module root of the working directory
	FromCaller  Where = "go command's directory" // go test of presoak's package from another module
	FromPresoak Where = "presoak's own checkout" // presoak developing itself
)

// Tree returns the team's tree: the directory its config paths are relative
// to and its artifacts/ and reports are written under.
//
//  1. PRESOAK_PROFILE set: the module root of the profile's directory (the
//     profile's directory itself outside a module); ErrNoProfile when the
//     file does not exist.
//  2. PRESOAK_WORKDIR set: that directory (relative to the working directory).
//  3. The module root of the working directory, when it is not presoak's own
//     module directory: a command run in the team's repository.
//  4. Inside presoak's module directory (a test binary's working directory is
//     its package's), the module root of the directory the go command was
//     started in, when that is another module: `go test
//     github.com/presoak/presoak/readiness/...` run from the team's module.
//     Found through the parent process (Linux); elsewhere set PRESOAK_WORKDIR.
//  5. Otherwise presoak's own directory: presoak checking its reference bot.
func Tree(getenv func(string) string) (string, Where, error) {
	if p := strings.TrimSpace(getenv(EnvProfile)); p != "" {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", "", fmt.Errorf("%s: %w", EnvProfile, err)
		}
		if fi, err := os.Stat(abs); err != nil || fi.IsDir() {
			return "", "", fmt.Errorf("%s=%s: %w", EnvProfile, p, ErrNoProfile)
		}
		if root, err := modroot.Find(filepath.Dir(abs)); err == nil {
			return root, FromProfile, nil
		}
		return filepath.Dir(abs), FromProfile, nil
	}
	if w := strings.TrimSpace(getenv(EnvWorkdir)); w != "" {
		abs, err := filepath.Abs(w)
		if err != nil {
			return "", "", fmt.Errorf("%s: %w", EnvWorkdir, err)
		}
		if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
			return "", "", fmt.Errorf("%s=%s: not a directory", EnvWorkdir, w)
		}
		return abs, FromWorkdir, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", "", fmt.Errorf("team's tree: %w", err)
	}
	root, err := modroot.Find(wd)
	if err != nil {
		return "", "", fmt.Errorf("team's tree: %w (run from your repository, or set %s)", err, EnvWorkdir)
	}
	own, derr := Dir()
	if derr != nil || !samePath(root, own) {
		return root, FromCwd, nil
	}
	if caller, ok := callerRoot(); ok && !samePath(caller, own) {
		return caller, FromCaller, nil
	}
	if inModCache(own) {
		return "", "", fmt.Errorf("team's tree: the working directory is presoak's module in the module cache and the directory go test was started in is unknown: set %s to your repository (%s=$PWD)", EnvWorkdir, EnvWorkdir)
	}
	return own, FromPresoak, nil
}

// ApplyDefaults sets each of Defaults that is unset to presoak's own file
// when tree is not presoak's directory (relative defaults would be read from
// the team's tree, where they are not). It returns the variables it set.
func ApplyDefaults(tree string, lookup func(string) (string, bool), setenv func(k, v string) error) ([]string, error) {
	own, err := Dir()
	if err != nil {
		return nil, err
	}
	if samePath(tree, own) {
		return nil, nil
	}
	var set []string
	for _, kv := range Defaults {
		if _, ok := lookup(kv[0]); ok {
			continue
		}
		if err := setenv(kv[0], filepath.Join(own, filepath.FromSlash(kv[1]))); err != nil {
			return set, fmt.Errorf("default %s: %w", kv[0], err)
		}
		set = append(set, kv[0])
	}
	return set, nil
}

// Setup finds the team's tree from the process environment and applies the
// defaults to it; the commands and the checklist call it once at start.
func Setup() (string, error) {
	tree, _, err := Tree(os.Getenv)
	if err != nil {
		return "", err
	}
	if _, err := ApplyDefaults(tree, os.LookupEnv, os.Setenv); err != nil {
		return "", err
	}
	return tree, nil
}

// callerRoot is the module root of the parent process's working directory
// (the go command that started this test binary), where /proc tells it.
func callerRoot() (string, bool) {
	if runtime.GOOS != "linux" {
		return "", false
	}
	cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", os.Getppid()))
	if err != nil {
		return "", false
	}
	root, err := modroot.Find(cwd)
	if err != nil {
		return "", false
	}
	return root, true
}

func inModCache(dir string) bool {
	out, err := exec.Command(goBinary(), "env", "GOMODCACHE").Output()
	mc := strings.TrimSpace(string(out))
	if err != nil || mc == "" {
		return false
	}
	rel, err := filepath.Rel(mc, dir)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func samePath(a, b string) bool {
	ea, err1 := filepath.EvalSymlinks(a)
	eb, err2 := filepath.EvalSymlinks(b)
	if err1 != nil || err2 != nil {
		return filepath.Clean(a) == filepath.Clean(b)
	}
	return ea == eb
}
