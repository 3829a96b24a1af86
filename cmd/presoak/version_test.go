package main

import (
	"runtime/debug"
	"testing"
)

// buildOf names presoak's own version, never the main module's: in a team's
// `go run github.com/presoak/presoak/cmd/presoak` the main module is the
// team's (before, reports and snapshots carried the team's version).
func TestBuildOf(t *testing.T) {
	cases := []struct {
		name            string
		bi              debug.BuildInfo
		version, commit string
		compact         string
		line            string
	}{
		{
			name: "presoak's own checkout, stamped",
			bi: debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/presoak/presoak", Version: "(devel)"},
				Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"}, {Key: "vcs.modified", Value: "true"}}},
			version: "(devel)", commit: "0123456789abcdef0123456789abcdef01234567",
			compact: "devel+0123456789ab.modified",
			line:    "presoak (devel) (commit 0123456789ab+modified, go1.26.8)",
		},
		{
			name: "a team's module requiring a tag",
			bi: debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "example.com/team", Version: "v9.9.9"},
				Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "ffffffffffffffffffffffffffffffffffffffff"}},
				Deps:     []*debug.Module{{Path: "gotest.tools/gotestsum", Version: "v1.13.0"}, {Path: "github.com/presoak/presoak", Version: "v0.4.0"}}},
			version: "v0.4.0", commit: "", compact: "v0.4.0",
			line: "presoak v0.4.0 (commit unknown, go1.26.8)",
		},
		{
			name: "a team's module requiring a pseudo-version",
			bi: debug.BuildInfo{Main: debug.Module{Path: "example.com/team"},
				Deps: []*debug.Module{{Path: "github.com/presoak/presoak", Version: "v0.0.0-20261206120000-abcdefabcdef"}}},
			version: "v0.0.0-20261206120000-abcdefabcdef", commit: "abcdefabcdef", compact: "v0.0.0-20261206120000-abcdefabcdef",
			line: "presoak v0.0.0-20261206120000-abcdefabcdef (commit abcdefabcdef)",
		},
		{
			name: "a team's module with a replace to a checkout",
			bi: debug.BuildInfo{Main: debug.Module{Path: "example.com/team"},
				Deps: []*debug.Module{{Path: "github.com/presoak/presoak", Version: "v0.0.0", Replace: &debug.Module{Path: "../presoak"}}}},
			version: "(devel)", compact: "devel",
			line: "presoak (devel) (commit unknown, => ../presoak)",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, ok := buildOf(&c.bi)
			if !ok {
				t.Fatal("buildOf: presoak not found")
			}
			if b.Version != c.version || b.Commit != c.commit {
				t.Errorf("got version %q commit %q, want %q %q", b.Version, b.Commit, c.version, c.commit)
			}
			if got := b.Compact(); got != c.compact {
				t.Errorf("Compact: got %q, want %q", got, c.compact)
			}
			if got := b.Line(); got != c.line {
				t.Errorf("Line: got %q, want %q", got, c.line)
			}
		})
	}
	if _, ok := buildOf(&debug.BuildInfo{Main: debug.Module{Path: "example.com/other"}}); ok {
		t.Error("buildOf: a binary without presoak reported presoak's version")
	}
}
