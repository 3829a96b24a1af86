package safety

import (
	"fmt"
	"github.com/presoak/presoak/internal/modroot"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"gopkg.in/yaml.v3"
)

// Change is what a rollback does to one target key.
type Change struct {
	// Key is the dotted key.
	Key string
	// Old is the effective value before the rollback (Display form).
	Old string
	// OldSource is the file and line that set Old.
	OldSource string
	// New is the value after the rollback (Display form).
	New string
}

// Changed reports whether the rollback changes the value.
func (c Change) Changed() bool { return c.Old != c.New }

// Plan is a computed and proven rollback: the rollback layer's content and
// the config loaded with it, checked key by key against the config without it.
type Plan struct {
	// Before is the config without the rollback layer.
	Before *Effective
	// After is Before's layers plus the rollback layer.
	After *Effective
	// Changes has one entry per target, in the targets file's order.
	Changes []Change
	// Layer is the rollback layer's YAML.
	Layer []byte
}

// NewPlan computes the rollback of before (a config loaded without the
// rollback layer) to t's targets and proves it: it loads before's layers plus
// the rollback layer (written to a temporary directory, never to the
// workspace) and checks that every target took effect and no other key
// changed. A target naming a key before does not have is an error.
func NewPlan(before *Effective, t *Targets, load Loader) (*Plan, error) {
	if err := t.checkKeys(before); err != nil {
		return nil, fmt.Errorf("plan rollback: %w", err)
	}
	layer, err := RollbackLayer(before, t)
	if err != nil {
		return nil, fmt.Errorf("plan rollback: %w", err)
	}
	dir, err := os.MkdirTemp("", "presoak-rollback-plan-")
	if err != nil {
		return nil, fmt.Errorf("plan rollback: %w", err)
	}
	defer os.RemoveAll(dir)
	tmp := filepath.Join(dir, filepath.Base(RollbackLayerFile))
	if err := os.WriteFile(tmp, layer, 0o644); err != nil {
		return nil, fmt.Errorf("plan rollback: %w", err)
	}
	after, err := load(append(append([]string{}, before.Layers...), tmp)...)
	if err != nil {
		return nil, fmt.Errorf("plan rollback: load with the rollback layer: %w", err)
	}
	if err := VerifyRollback(before, after, t); err != nil {
		return nil, fmt.Errorf("plan rollback: %w", err)
	}
	p := &Plan{Before: before, After: after, Layer: layer}
	for _, tg := range t.Targets {
		old, _ := before.Lookup(tg.Key)
		nw, _ := after.Lookup(tg.Key)
		p.Changes = append(p.Changes, Change{Key: tg.Key, Old: Display(old.Value), OldSource: old.Source, New: Display(nw.Value)})
	}
	return p, nil
}

// VerifyRollback checks after against before: every target has its value
// and every other key is unchanged. It names every problem.
func VerifyRollback(before, after *Effective, t *Targets) error {
	var p []string
	for _, tg := range t.Targets {
		s, ok := after.Lookup(tg.Key)
		switch {
		case !ok:
			p = append(p, fmt.Sprintf("%s: missing after the rollback", tg.Key))
		case Display(s.Value) != Display(tg.Value):
			p = append(p, fmt.Sprintf("%s = %s (%s) after the rollback, want %s", tg.Key, Display(s.Value), s.Source, Display(tg.Value)))
		}
	}
	seen := map[string]bool{}
	for _, b := range before.Settings {
		seen[b.Key] = true
		if _, targeted := t.Lookup(b.Key); targeted {
			continue
		}
		a, ok := after.Lookup(b.Key)
		switch {
		case !ok:
			p = append(p, fmt.Sprintf("%s: not targeted, but gone after the rollback", b.Key))
		case b.Secret != a.Secret:
			p = append(p, fmt.Sprintf("%s: not targeted, but its secrecy changed", b.Key))
		case !b.Secret && Display(a.Value) != Display(b.Value):
			p = append(p, fmt.Sprintf("%s: not targeted, but changed from %s to %s", b.Key, Display(b.Value), Display(a.Value)))
		}
	}
	for _, a := range after.Settings {
		if !seen[a.Key] {
			p = append(p, fmt.Sprintf("%s: not targeted, but appeared after the rollback", a.Key))
		}
	}
	if len(p) > 0 {
		return fmt.Errorf("verify rollback: %d problem(s):\n%s", len(p), strings.Join(p, "\n"))
	}
	return nil
}

// RollbackLayer renders the rollback override layer for before: each target
// key set to its value, nested as the config nests it, with a header saying
// what it is. The same input gives the same bytes.
func RollbackLayer(before *Effective, t *Targets) ([]byte, error) {
	tree := map[string]any{}
	for _, tg := range t.Targets {
		parts := strings.Split(tg.Key, ".")
		node := tree
		for _, part := range parts[:len(parts)-1] {
			next, ok := node[part].(map[string]any)
			if !ok {
				next = map[string]any{}
				node[part] = next
			}
			node = next
		}
		node[parts[len(parts)-1]] = tg.Value
	}
	body, err := yaml.Marshal(tree)
	if err != nil {
		return nil, fmt.Errorf("render rollback layer: %w", err)
	}
	var b strings.Builder
	b.WriteString("# Rollback layer written by `presoak rollback -apply` (make rollback APPLY=1).\n")
	b.WriteString("# While this file exists it is the last config layer (see safety.EffectiveLayers).\n")
	b.WriteString("# Undo with `make restore`; do not edit by hand.\n")
	fmt.Fprintf(&b, "# Rolls back config hash %s\n", before.Hash)
	layers := make([]string, len(before.Layers))
	for i, l := range before.Layers {
		layers[i] = shownPath(l)
	}
	fmt.Fprintf(&b, "# (layers: %s) to the targets in %s.\n", strings.Join(layers, ", "), shownPath(t.File))
	b.Write(body)
	return []byte(b.String()), nil
}

// Print writes the plan key by key: old -> new and where old came from.
func (p *Plan) Print(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range p.Changes {
		note := ""
		if !c.Changed() {
			note = "  (already " + c.New + ")"
		}
		fmt.Fprintf(tw, "  %s\t%s -> %s\t(set at %s)%s\n", c.Key, c.Old, c.New, c.OldSource, note)
	}
	return tw.Flush()
}

// Changed is how many targets the rollback changes.
func (p *Plan) Changed() int {
	n := 0
	for _, c := range p.Changes {
		if c.Changed() {
			n++
		}
	}
	return n
}

// shownPath is how a path appears in a file presoak writes: relative to the
// module root when it lies under it, else its last element — never a whole
// path of this machine.
func shownPath(p string) string {
	if !filepath.IsAbs(p) {
		return p
	}
	if root, err := modroot.Find("."); err == nil {
		if rel, err := filepath.Rel(root, p); err == nil && !strings.HasPrefix(rel, "..") {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.Base(p)
}
