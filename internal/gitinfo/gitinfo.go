// Package gitinfo says which commit an artifact was made from: the one
// helper every baseline, snapshot, bench table and launch record uses, so
// they all write the same thing.
package gitinfo

import (
	"bytes"
	"os/exec"
	"regexp"
)

// Unknown is the commit outside a git work tree (or without git).
const Unknown = "unknown"

// DirtySuffix follows the commit when tracked files have uncommitted changes.
const DirtySuffix = "-dirty"

var hash = regexp.MustCompile(`^[0-9a-f]{40}([0-9a-f]{24})?$`)

// Head is the full hash of HEAD of the work tree at dir and whether
// tracked files have uncommitted changes; ok is false outside a git work
// tree (or without git). No shell is involved.
func Head(dir string) (commit string, modified, ok bool) {
	out, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD").Output()
	if err != nil {
		return "", false, false
	}
	c := string(bytes.TrimSpace(out))
	if !hash.MatchString(c) {
		return "", false, false
	}
	st, err := exec.Command("git", "-C", dir, "status", "--porcelain", "--untracked-files=no").Output()
	return c, err == nil && len(bytes.TrimSpace(st)) > 0, true
}

// Commit is Head as one string: the full hash, with DirtySuffix when
// tracked files are modified, or Unknown.
func Commit(dir string) string {
	c, modified, ok := Head(dir)
	switch {
	case !ok:
		return Unknown
	case modified:
		return c + DirtySuffix
	}
	return c
}
