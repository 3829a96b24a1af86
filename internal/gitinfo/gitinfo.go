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

// Commit is the full hash of HEAD of the work tree at dir, with DirtySuffix
// when tracked files are modified, or Unknown. No shell is involved.
func Commit(dir string) string {
	out, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD").Output()
	if err != nil {
		return Unknown
	}
	c := string(bytes.TrimSpace(out))
	if !hash.MatchString(c) {
		return Unknown
	}
	st, err := exec.Command("git", "-C", dir, "status", "--porcelain", "--untracked-files=no").Output()
	if err == nil && len(bytes.TrimSpace(st)) > 0 {
		c += DirtySuffix
	}
	return c
}
