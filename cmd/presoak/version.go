package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"golang.org/x/mod/module"

	"github.com/presoak/presoak/internal/gitinfo"
	"github.com/presoak/presoak/internal/home"
)

func init() {
	register("version", "print presoak's module version and commit (what reports and snapshots carry)", func(args []string) int {
		fmt.Println(currentBuild().Line())
		return 0
	})
}

// build is the presoak this binary was built from.
type build struct {
	// Version is presoak's module version: a tag (v0.4.0), a pseudo-version,
	// or "(devel)" for a build inside presoak's checkout or a replace to a directory.
	Version string
	// Commit is the VCS revision: vcs.revision when the go command stamped
	// it, else the pseudo-version's revision, else "" (unknown).
	Commit string
	// Modified is true when the stamped checkout had uncommitted changes.
	Modified bool
	// Replaced names the replace target ("=> ../presoak"), when one applies.
	Replaced string
	// Go is the toolchain version.
	Go string
}

// buildOf reads presoak's version from bi: the main module when presoak is
// being built itself, else its entry among the dependencies (a team's
// `go run github.com/presoak/presoak/cmd/presoak` or `go tool presoak`,
// whose main module is the team's). ok is false when neither names presoak.
func buildOf(bi *debug.BuildInfo) (b build, ok bool) {
	b.Go = bi.GoVersion
	mod := &bi.Main
	if mod.Path != home.ModulePath {
		mod = nil
		for _, d := range bi.Deps {
			if d.Path == home.ModulePath {
				mod = d
				break
			}
		}
		if mod == nil {
			return b, false
		}
	}
	b.Version = mod.Version
	if r := mod.Replace; r != nil {
		b.Replaced = "=> " + r.Path
		if r.Version != "" {
			b.Replaced += " " + r.Version
			b.Version = r.Version
		} else {
			b.Version = "(devel)"
		}
	}
	if b.Version == "" {
		b.Version = "(devel)"
	}
	if mod == &bi.Main {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				b.Commit = s.Value
			case "vcs.modified":
				b.Modified = s.Value == "true"
			}
		}
	}
	if b.Commit == "" && module.IsPseudoVersion(b.Version) {
		b.Commit, _ = module.PseudoVersionRev(b.Version)
	}
	return b, true
}

// currentBuild is this binary's build; a commit the go command did not stamp
// (go run, a replace to a checkout) is asked of git in presoak's directory.
func currentBuild() build {
	b := build{Version: "(devel)", Go: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if got, ok := buildOf(bi); ok {
			b = got
		}
	}
	if b.Commit == "" {
		if dir, err := home.Dir(); err == nil {
			if c, modified, ok := gitinfo.Head(dir); ok {
				b.Commit, b.Modified = c, modified
			}
		}
	}
	return b
}

// Line is `presoak version`'s output: "presoak v0.4.0 (commit 1a2b3c4d5e6f, go1.26.8)".
func (b build) Line() string {
	commit := "commit unknown"
	if b.Commit != "" {
		commit = "commit " + shortRev(b.Commit)
		if b.Modified {
			commit += "+modified"
		}
	}
	s := fmt.Sprintf("presoak %s (%s", b.Version, commit)
	if b.Replaced != "" {
		s += ", " + b.Replaced
	}
	if b.Go != "" {
		s += ", " + b.Go
	}
	return s + ")"
}

// Short is what reports and snapshots carry: "v0.4.0 (commit 1a2b3c4d5e6f)".
func (b build) Short() string {
	if b.Commit == "" {
		return b.Version
	}
	s := b.Version + " (commit " + shortRev(b.Commit)
	if b.Modified {
		s += "+modified"
	}
	return s + ")"
}

func shortRev(r string) string {
	if len(r) > 12 {
		return r[:12]
	}
	return r
}

// Compact is the one-word form a snapshot's presoak_version carries:
// "v0.4.0+1a2b3c4d5e6f", "devel+1a2b3c4d5e6f", "devel"; a pseudo-version
// already names its commit.
func (b build) Compact() string {
	v := b.Version
	if v == "(devel)" || v == "" {
		v = "devel"
	}
	if b.Commit != "" && !module.IsPseudoVersion(v) {
		v += "+" + shortRev(b.Commit)
		if b.Modified {
			v += ".modified"
		}
	}
	return v
}
