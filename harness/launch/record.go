package launch

import (
	"fmt"
	"github.com/presoak/presoak/internal/atomicfile"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// RecordPath is where the launch record goes, relative to the module root.
const RecordPath = "artifacts/release/LAUNCH.md"

// Record is the launch record, rendered to LAUNCH.md.
type Record struct {
	// Root is the module root (paths are shown relative to it).
	Root string
	// Started and Finished bound the launch; Outcome is "launched",
	// "failed" or "interrupted".
	Started, Finished time.Time
	Outcome           string
	// Results are every step's result, in order (NOT RUN after a failure).
	Results []Result
	// Stopped lists what the runner stopped after a failure or interrupt.
	Stopped []string
	// Commit is the work tree's commit (and "+dirty" when it has changes).
	Commit string
	// ConfigLayers and ConfigHash are the bot's config layers and the
	// effective config's hash; SnapshotHash is the flag snapshot's.
	ConfigLayers []string
	ConfigHash   string
	SnapshotHash string
	// Soak says how the soak runs: duration, target, criteria.
	Soak string
	// URLs are the named URLs (prometheus, bot metrics).
	URLs map[string]string
	// Running lists what the launch left running (role, pid, log).
	Running []string
	// StopHow and RollbackHow are the commands to stop the launch and to
	// roll the bot's flags back.
	StopHow, RollbackHow []string
}

// Display names path relative to the root when it is inside it.
func (r *Record) Display(path string) string {
	if r.Root != "" {
		if rel, err := filepath.Rel(r.Root, path); err == nil && !strings.HasPrefix(rel, "..") {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.Base(path)
}

// Markdown renders the record.
func (r *Record) Markdown() string {
	var b strings.Builder
	w := func(f string, a ...any) { fmt.Fprintf(&b, f, a...) }
	w("# Soak launch — %s\n\n", r.Outcome)
	w("| | |\n|---|---|\n")
	w("| started | %s |\n| finished | %s |\n", stamp(r.Started), stamp(r.Finished))
	w("| commit | `%s` |\n", orDash(r.Commit))
	w("| config layers | %s |\n", orDash(strings.Join(r.ConfigLayers, ", ")))
	w("| config hash | `%s` |\n", orDash(r.ConfigHash))
	w("| flag snapshot hash | `%s` |\n", orDash(r.SnapshotHash))
	w("| soak | %s |\n", orDash(r.Soak))
	names := make([]string, 0, len(r.URLs))
	for n := range r.URLs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w("| %s | %s |\n", n, r.URLs[n])
	}
	w("\n## Steps\n\n| # | step | result | took | evidence |\n|---|---|---|---|---|\n")
	for i, res := range r.Results {
		ev := res.Evidence
		if res.Err != "" {
			ev = "**" + res.Err + "**" + sep(ev)
		}
		took := ""
		if !res.Started.IsZero() {
			took = res.Took.Round(time.Millisecond).String()
		}
		w("| %d | %s | %s | %s | %s |\n", i+1, res.Step, res.Status(), took, cell(ev))
	}
	if len(r.Stopped) > 0 {
		w("\n## Stopped after the failure\n\n")
		for _, s := range r.Stopped {
			w("- %s\n", s)
		}
	}
	if len(r.Running) > 0 {
		w("\n## Left running\n\n")
		for _, s := range r.Running {
			w("- %s\n", s)
		}
	}
	if len(r.StopHow) > 0 && r.Outcome == "launched" {
		w("\n## How to stop\n\n")
		for _, s := range r.StopHow {
			w("- %s\n", s)
		}
	}
	if len(r.RollbackHow) > 0 {
		w("\n## How to roll back\n\n")
		for _, s := range r.RollbackHow {
			w("- %s\n", s)
		}
	}
	return b.String()
}

// Write writes the Markdown to path atomically.
func (r *Record) Write(path string) error {
	if err := atomicfile.WriteFile(path, []byte(r.Markdown())); err != nil {
		return fmt.Errorf("write launch record: %w", err)
	}
	return nil
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

func sep(s string) string {
	if s == "" {
		return ""
	}
	return "; " + s
}

// cell makes s fit a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(strings.TrimSpace(s), "\n", "<br>")
	return s
}
