// Package prombin finds the Prometheus binaries presoak's rules are proven
// on: promtool and the Prometheus server, built by `make deps` from the
// release pinned in tools/go.mod (a module of its own, so that Prometheus's
// dependency tree stays out of presoak's build). It is the one place that
// says where they are; every caller (the rule proofs, the local stack, the
// integration tests, `presoak monitor`) asks it.
//
// A binary is accepted only when its Go build information names the pinned
// github.com/prometheus/prometheus version: a stale build (tools/go.mod
// changed since) or another Prometheus on PATH is never used silently, and
// the error says how to build the pinned one: `make deps` in presoak's
// checkout, the go install command and PRESOAK_PROMTOOL/PRESOAK_PROMETHEUS
// in a team's module (TeamHint), which has neither presoak's Makefile nor
// its tools/go.mod.
package prombin

import (
	"debug/buildinfo"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/presoak/presoak/internal/modroot"
)

// Module is the Go module Prometheus is built from.
const Module = "github.com/prometheus/prometheus"

// ToolsModFile is the tools module's go.mod, relative to the module root:
// the one place the Prometheus version is pinned.
const ToolsModFile = "tools/go.mod"

// BinDir is where `make deps` builds the binaries, relative to the module root.
const BinDir = "bin"

// The binaries.
const (
	Promtool   = "promtool"
	Prometheus = "prometheus"
)

// EnvPromtool and EnvPrometheus name a binary to use instead of the one
// under the module root: for a module that uses presoak as a library and has
// no tools/go.mod of its own. The binary must still be a Prometheus 3 built
// from github.com/prometheus/prometheus.
const (
	EnvPromtool   = "PRESOAK_PROMTOOL"
	EnvPrometheus = "PRESOAK_PROMETHEUS"
)

// ErrNotBuilt is matched (errors.Is) when a binary is missing, or is not the
// pinned release; its text says to run `make deps` (presoak's checkout), a
// team's module gets TeamHint instead.
var ErrNotBuilt = errors.New("run `make deps`: it builds promtool and prometheus from the release pinned in " + ToolsModFile + " (Go alone, no root)")

// PinnedModuleVersion is the Prometheus module version tools/go.mod pins,
// for the hint in a team's module, which has no tools/go.mod of its own
// (nor has presoak's module download: a nested module is not in its zip).
// TestTheRepositoryPinsPrometheus3 keeps the two equal.
const PinnedModuleVersion = "v0.316.0"

// TeamHint is how a team's module (presoak a dependency: no presoak
// Makefile, no tools/go.mod) gets the pinned binaries: built with the go
// command alone, then named by EnvPromtool and EnvPrometheus.
const TeamHint = "this module has no tools/go.mod pinning Prometheus (presoak is a dependency here, its Makefile is not): " +
	"build the pinned binaries with Go alone, `GOBIN=\"$PWD/bin\" go install github.com/prometheus/prometheus/cmd/promtool@" + PinnedModuleVersion +
	" github.com/prometheus/prometheus/cmd/prometheus@" + PinnedModuleVersion + "`, then set " +
	EnvPromtool + "=\"$PWD/bin/promtool\" " + EnvPrometheus + "=\"$PWD/bin/prometheus\" (README, section Prometheus)"

// teamNotBuilt is ErrNotBuilt in a team's module: same sentinel, the
// team's hint instead of `make deps`.
type teamNotBuilt struct{}

func (teamNotBuilt) Error() string        { return TeamHint }
func (teamNotBuilt) Is(target error) bool { return target == ErrNotBuilt }

// notBuilt is the ErrNotBuilt that fits the tree holding dir: `make deps`
// in presoak's checkout (a root with tools/go.mod), the team's hint in a
// module without one.
func notBuilt(dir string) error {
	if dir == "" {
		dir = "."
	}
	root, err := Root(dir)
	if err != nil {
		return ErrNotBuilt
	}
	if _, err := os.Stat(filepath.Join(root, ToolsModFile)); errors.Is(err, fs.ErrNotExist) {
		return teamNotBuilt{}
	}
	return ErrNotBuilt
}

// Pin is the pinned Prometheus release.
type Pin struct {
	// ModuleVersion is the Go module version, e.g. v0.316.0.
	ModuleVersion string
	// Release is the Prometheus release it is, e.g. 3.16.0.
	Release string
}

func (p Pin) String() string {
	return fmt.Sprintf("Prometheus %s (%s %s)", p.Release, Module, p.ModuleVersion)
}

// PinIn reads the pinned version from root's tools/go.mod.
func PinIn(root string) (Pin, error) {
	path := filepath.Join(root, ToolsModFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return Pin{}, fmt.Errorf("read prometheus pin: %s: %w", ToolsModFile, errors.Unwrap(err))
	}
	f, err := modfile.ParseLax(ToolsModFile, data, nil)
	if err != nil {
		return Pin{}, fmt.Errorf("read prometheus pin: %w", err)
	}
	for _, r := range f.Require {
		if r.Mod.Path == Module {
			rel, err := Release(r.Mod.Version)
			if err != nil {
				return Pin{}, fmt.Errorf("read prometheus pin: %s:%d: %w", ToolsModFile, r.Syntax.Start.Line, err)
			}
			return Pin{ModuleVersion: r.Mod.Version, Release: rel}, nil
		}
	}
	return Pin{}, fmt.Errorf("read prometheus pin: %s requires no %s", ToolsModFile, Module)
}

// Release maps a Prometheus Go module version to its release:
// v0.MMmm.p is release M.mm.p (v0.316.0 is 3.16.0, v0.305.1 is 3.5.1).
func Release(moduleVersion string) (string, error) {
	v := strings.TrimPrefix(moduleVersion, "v")
	v, _, _ = strings.Cut(v, "-") // a pre-release keeps its base
	parts := strings.Split(v, ".")
	if len(parts) != 3 || parts[0] != "0" {
		return "", fmt.Errorf("prometheus module version %q: got no v0.MMM.P form, want e.g. v0.316.0", moduleVersion)
	}
	mm, err1 := strconv.Atoi(parts[1])
	patch, err2 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil || mm < 100 {
		return "", fmt.Errorf("prometheus module version %q: got no v0.MMM.P form, want e.g. v0.316.0", moduleVersion)
	}
	return fmt.Sprintf("%d.%d.%d", mm/100, mm%100, patch), nil
}

// Find returns the path of the pinned binary name (Promtool or Prometheus)
// under the module root that holds dir (empty: the working directory), or
// the one EnvPromtool/EnvPrometheus names.
func Find(dir, name string) (string, Pin, error) {
	env := EnvPromtool
	if name == Prometheus {
		env = EnvPrometheus
	}
	if path := os.Getenv(env); path != "" {
		v, err := ModuleVersionOf(path)
		if err != nil {
			return "", Pin{}, fmt.Errorf("find %s: %s=%s: %v: %w", name, env, filepath.Base(path), err, notBuilt(dir))
		}
		rel, err := Release(v)
		if err != nil || !strings.HasPrefix(rel, "3.") {
			return "", Pin{}, fmt.Errorf("find %s: %s=%s is built from %s %s, want a Prometheus 3 release: %w", name, env, filepath.Base(path), Module, v, notBuilt(dir))
		}
		return path, Pin{ModuleVersion: v, Release: rel}, nil
	}
	if dir == "" {
		dir = "."
	}
	root, err := Root(dir)
	if err != nil {
		return "", Pin{}, fmt.Errorf("find %s: %w", name, err)
	}
	if nb := notBuilt(root); nb != ErrNotBuilt {
		return "", Pin{}, fmt.Errorf("find %s: %w", name, nb)
	}
	pin, err := PinIn(root)
	if err != nil {
		return "", Pin{}, fmt.Errorf("find %s: %w", name, err)
	}
	path := filepath.Join(root, BinDir, name)
	if err := Check(path, pin); err != nil {
		return "", pin, fmt.Errorf("find %s: %w", name, err)
	}
	return path, pin, nil
}

// Check verifies that the binary at path was built from the pinned
// Prometheus module version.
func Check(path string, pin Pin) error {
	rel := filepath.Join(BinDir, filepath.Base(path))
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("%s is not built (want %s): %w", rel, pin, ErrNotBuilt)
	}
	got, err := ModuleVersionOf(path)
	if err != nil {
		return fmt.Errorf("%s: %v; want %s: %w", rel, err, pin, ErrNotBuilt)
	}
	if got != pin.ModuleVersion {
		return fmt.Errorf("%s is built from %s %s, %s pins %s: %w", rel, Module, got, ToolsModFile, pin.ModuleVersion, ErrNotBuilt)
	}
	return nil
}

// ModuleVersionOf reads the Prometheus module version a Go binary was
// built from (its main module or a dependency).
func ModuleVersionOf(path string) (string, error) {
	bi, err := buildinfo.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("no Go build information: %w", errors.Unwrap(err))
	}
	if bi.Main.Path == Module {
		return bi.Main.Version, nil
	}
	for _, d := range bi.Deps {
		if d.Path == Module {
			if d.Replace != nil {
				return "", fmt.Errorf("built with %s replaced by %s", Module, d.Replace.Path)
			}
			return d.Version, nil
		}
	}
	return "", fmt.Errorf("not built from %s", Module)
}

// Root is the presoak module root at or above dir: the nearest directory
// with a go.mod, or its parent when dir is inside tools/ (the tools module).
func Root(dir string) (string, error) {
	root, err := modroot.Find(dir)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(root, ToolsModFile)); err != nil {
		if parent := filepath.Dir(root); filepath.Base(root) == "tools" {
			if _, err := os.Stat(filepath.Join(parent, ToolsModFile)); err == nil {
				return parent, nil
			}
		}
	}
	return root, nil // PinIn names a missing tools/go.mod
}
