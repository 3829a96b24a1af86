package safety

import (
	"errors"
	"fmt"
	"github.com/presoak/presoak/internal/atomicfile"
	"io/fs"
	"os"
	"strings"
)

// Options say where the safety net works and on which config.
type Options struct {
	// Workspace is where artifacts/release lives; zero is the working directory.
	Workspace Workspace
	// ConfigLayers are CONFIG's layers, base first; the rollback layer, if
	// listed, is ignored here (EffectiveLayers adds it where it applies).
	ConfigLayers []string
	// TargetsFile is the rollback targets file; "" is TargetsFile.
	TargetsFile string
	// Load loads layers; nil is LoadConfig.
	Load Loader
	// Meta is recorded in a snapshot.
	Meta Meta
}

func (o Options) loader() Loader {
	if o.Load != nil {
		return o.Load
	}
	return LoadConfig
}

// layers are CONFIG's layers without the rollback layer, whether or not the
// caller included it.
func (o Options) layers() []string { return o.Workspace.WithoutRollback(o.ConfigLayers) }

func (o Options) targets() (*Targets, error) {
	f := o.TargetsFile
	if f == "" {
		f = TargetsFile
	}
	return LoadTargets(f)
}

// ErrRollbackActive: the rollback layer exists where the operation needs the
// config without it.
var ErrRollbackActive = errors.New("rollback layer is active")

// TakeSnapshot loads CONFIG's layers, records the snapshot and writes it
// atomically to the workspace. It refuses while the rollback layer exists:
// the snapshot is the pre-rollback state that Restore returns to.
func TakeSnapshot(o Options) (*Snapshot, error) {
	if o.Workspace.RollbackActive() {
		return nil, fmt.Errorf("take snapshot: %w (%s): the snapshot must record the config without it; run `make restore` first (or delete that file)", ErrRollbackActive, o.Workspace.RollbackLayerPath())
	}
	t, err := o.targets()
	if err != nil {
		return nil, fmt.Errorf("take snapshot: %w", err)
	}
	eff, err := o.loader()(o.layers()...)
	if err != nil {
		return nil, fmt.Errorf("take snapshot: %w", err)
	}
	s, err := BuildSnapshot(eff, t, o.Meta)
	if err != nil {
		return nil, fmt.Errorf("take snapshot: %w", err)
	}
	data, err := s.Marshal()
	if err != nil {
		return nil, fmt.Errorf("take snapshot: %w", err)
	}
	if err := atomicfile.WriteFile(o.Workspace.SnapshotPath(), data); err != nil {
		return nil, fmt.Errorf("take snapshot: %w", err)
	}
	return s, nil
}

// DryRun computes and proves the rollback of CONFIG's layers (without the
// rollback layer) and writes nothing to the workspace.
func DryRun(o Options) (*Plan, error) {
	t, err := o.targets()
	if err != nil {
		return nil, fmt.Errorf("rollback dry run: %w", err)
	}
	before, err := o.loader()(o.layers()...)
	if err != nil {
		return nil, fmt.Errorf("rollback dry run: %w", err)
	}
	p, err := NewPlan(before, t, o.loader())
	if err != nil {
		return nil, fmt.Errorf("rollback dry run: %w", err)
	}
	return p, nil
}

// Applied is what Apply did.
type Applied struct {
	// Plan is the rollback that was applied.
	Plan *Plan
	// Path is the rollback layer written.
	Path string
	// Effective is the config reloaded with the rollback layer.
	Effective *Effective
}

// Apply rolls back: it checks that the snapshot matches CONFIG's layers (so
// Restore can return to it), writes the rollback layer atomically, reloads
// the effective layers and verifies every target took effect and nothing else
// changed. On any failure the workspace is left as it was. Applying twice
// writes the same layer.
func Apply(o Options) (*Applied, error) {
	t, err := o.targets()
	if err != nil {
		return nil, fmt.Errorf("apply rollback: %w", err)
	}
	load := o.loader()
	before, err := load(o.layers()...)
	if err != nil {
		return nil, fmt.Errorf("apply rollback: %w", err)
	}
	if err := snapshotMatches(o.Workspace, before); err != nil {
		return nil, fmt.Errorf("apply rollback: %w", err)
	}
	p, err := NewPlan(before, t, load)
	if err != nil {
		return nil, fmt.Errorf("apply rollback: %w", err)
	}
	path := o.Workspace.RollbackLayerPath()
	previous, readErr := os.ReadFile(path)
	if readErr != nil && !errors.Is(readErr, fs.ErrNotExist) {
		return nil, fmt.Errorf("apply rollback: %w", readErr)
	}
	if err := atomicfile.WriteFile(path, p.Layer); err != nil {
		return nil, fmt.Errorf("apply rollback: %w", err)
	}
	after, err := load(o.Workspace.EffectiveLayers(o.ConfigLayers)...)
	if err == nil {
		err = VerifyRollback(before, after, t)
	}
	if err != nil {
		var undo error
		if readErr == nil {
			undo = atomicfile.WriteFile(path, previous) // put the earlier layer back
		} else {
			undo = os.Remove(path)
		}
		if undo != nil {
			return nil, fmt.Errorf("apply rollback: %w (and undoing the write failed: %w)", err, undo)
		}
		return nil, fmt.Errorf("apply rollback: %w (the rollback layer was not kept)", err)
	}
	return &Applied{Plan: p, Path: path, Effective: after}, nil
}

// snapshotMatches reads the workspace's snapshot and checks that it was taken
// from eff.
func snapshotMatches(w Workspace, eff *Effective) error {
	s, err := ReadSnapshot(w.SnapshotPath())
	if errors.Is(err, ErrNoSnapshot) {
		return fmt.Errorf("%w: take one first (make snapshot) so the rollback can be undone and verified", err)
	}
	if err != nil {
		return err
	}
	if s.ConfigHash != eff.Hash {
		return staleError(s, eff)
	}
	return nil
}

func staleError(s *Snapshot, eff *Effective) error {
	return fmt.Errorf("%w: the snapshot (taken %s from %s) has config hash %s, the config (%s) has %s: take a new snapshot of the current config (make snapshot)",
		ErrStaleSnapshot, s.GeneratedAt, strings.Join(s.ConfigLayers, ","), short(s.ConfigHash), strings.Join(eff.Layers, ","), short(eff.Hash))
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// Restored is what Restore did.
type Restored struct {
	// Removed is the rollback layer removed; "" when none existed.
	Removed string
	// Hash is the effective config hash after the restore (the snapshot's).
	Hash string
}

// Restore returns to the snapshot's state: it checks that CONFIG's layers
// (without the rollback layer) are the snapshot's config, removes the rollback
// layer, reloads the effective layers and verifies the hash equals the
// snapshot's. A missing, corrupt or foreign snapshot is refused with the
// rollback layer left in place.
func Restore(o Options) (*Restored, error) {
	s, err := ReadSnapshot(o.Workspace.SnapshotPath())
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	load := o.loader()
	before, err := load(o.layers()...)
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	if s.ConfigHash != before.Hash {
		return nil, fmt.Errorf("restore: %w", staleError(s, before))
	}
	r := &Restored{}
	path := o.Workspace.RollbackLayerPath()
	if fi, err := os.Lstat(path); err == nil {
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("restore: %s is not a regular file; remove it by hand", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("restore: %w", err)
		}
		r.Removed = path
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("restore: %w", err)
	}
	after, err := load(o.Workspace.EffectiveLayers(o.ConfigLayers)...)
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	if after.Hash != s.ConfigHash {
		return nil, fmt.Errorf("restore: effective config hash %s, want the snapshot's %s", short(after.Hash), short(s.ConfigHash))
	}
	r.Hash = after.Hash
	return r, nil
}

// Check is the Safety area's snapshot check: the workspace's snapshot exists,
// is valid and was taken from the effective config (CONFIG's layers plus the
// rollback layer when present). Its error says what to do.
func Check(o Options) (*Snapshot, *Effective, error) {
	layers := o.Workspace.EffectiveLayers(o.ConfigLayers)
	eff, err := o.loader()(layers...)
	if err != nil {
		return nil, nil, fmt.Errorf("check snapshot: %w", err)
	}
	s, err := ReadSnapshot(o.Workspace.SnapshotPath())
	if err != nil {
		return nil, eff, fmt.Errorf("check snapshot: %w", err)
	}
	if s.ConfigHash != eff.Hash {
		if o.Workspace.RollbackActive() {
			return s, eff, fmt.Errorf("check snapshot: %w: the rollback layer %s is active (config hash %s, snapshot %s): run `make restore` before the soak",
				ErrStaleSnapshot, o.Workspace.RollbackLayerPath(), short(eff.Hash), short(s.ConfigHash))
		}
		return s, eff, fmt.Errorf("check snapshot: %w", staleError(s, eff))
	}
	return s, eff, nil
}
