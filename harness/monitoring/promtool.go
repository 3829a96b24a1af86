package monitoring

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/presoak/presoak/harness/monitoring/prombin"
)

// ErrNoPromtool is returned when the pinned promtool is not built (or is
// not the pinned release); the error says to run `make deps`.
var ErrNoPromtool = errors.New("no pinned promtool")

// PromtoolTimeout bounds one promtool run. A rule-test run of the default
// criteria simulates hours at 15s evaluations: about 5s of CPU, several
// times that on a loaded machine.
const PromtoolTimeout = 3 * time.Minute

// Promtool runs Prometheus's promtool. The zero value runs the pinned one
// (package prombin: built by `make deps` from the release in tools/go.mod);
// nothing else on PATH is used.
type Promtool struct {
	// Path is a promtool binary to run instead of the pinned one (tests of
	// this package); empty means the pinned one.
	Path string
}

// Find returns the promtool binary's path, or an error wrapping
// ErrNoPromtool that says to run `make deps`.
func (p Promtool) Find() (string, error) {
	if p.Path != "" {
		path, err := exec.LookPath(p.Path)
		if err != nil {
			return "", fmt.Errorf("find promtool %s: %w: %w", p.Path, ErrNoPromtool, err)
		}
		return path, nil
	}
	path, _, err := prombin.Find("", prombin.Promtool)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrNoPromtool, err)
	}
	return path, nil
}

// Version is promtool's first version line ("promtool, version 3.16.0 ...").
func (p Promtool) Version(ctx context.Context) (string, error) {
	out, err := p.run(ctx, "--version")
	if err != nil {
		return "", fmt.Errorf("promtool version: %w", err)
	}
	line, _, _ := strings.Cut(strings.TrimSpace(out), "\n")
	return line, nil
}

// CheckRules runs `promtool check rules` on the files; the error carries
// promtool's output.
func (p Promtool) CheckRules(ctx context.Context, files ...string) (string, error) {
	out, err := p.run(ctx, append([]string{"check", "rules"}, files...)...)
	if err != nil {
		return out, fmt.Errorf("promtool check rules: %w", err)
	}
	return out, nil
}

// TestRules runs `promtool test rules` on the rule-test files; the error
// carries promtool's output (which names each failing alert and time).
func (p Promtool) TestRules(ctx context.Context, files ...string) (string, error) {
	out, err := p.run(ctx, append([]string{"test", "rules"}, files...)...)
	if err != nil {
		return out, fmt.Errorf("promtool test rules: %w", err)
	}
	return out, nil
}

func (p Promtool) run(ctx context.Context, args ...string) (string, error) {
	return p.runIn(ctx, "", args...)
}

// runIn runs promtool in dir (empty: the current directory).
func (p Promtool) runIn(ctx context.Context, dir string, args ...string) (string, error) {
	path, err := p.Find()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, PromtoolTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%w: %s", err, strings.TrimSpace(out.String()))
	}
	return out.String(), nil
}
