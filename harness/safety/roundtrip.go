package safety

import (
	"errors"
	"fmt"
)

// RoundTripResult is what RoundTrip observed.
type RoundTripResult struct {
	// SnapshotHash is the config hash recorded in the snapshot.
	SnapshotHash string
	// RolledBackHash is the effective config hash with the rollback applied.
	RolledBackHash string
	// RestoredHash is the effective config hash after the restore.
	RestoredHash string
	// Targets is how many targets the rollback set.
	Targets int
}

// RoundTrip proves the safety net end to end in o's workspace, which must be
// a scratch directory (a test's temporary directory), never the user's: it
// takes a snapshot, applies the rollback, restores, and checks that the
// restored hash equals the snapshot's. It leaves no rollback layer behind.
func RoundTrip(o Options) (*RoundTripResult, error) {
	if o.Workspace.Root == "" {
		return nil, errors.New("round trip: needs a scratch workspace root, not the working directory")
	}
	s, err := TakeSnapshot(o)
	if err != nil {
		return nil, fmt.Errorf("round trip: %w", err)
	}
	a, err := Apply(o)
	if err != nil {
		return nil, fmt.Errorf("round trip: %w", err)
	}
	r, err := Restore(o)
	if err != nil {
		return nil, fmt.Errorf("round trip: %w", err)
	}
	res := &RoundTripResult{SnapshotHash: s.ConfigHash, RolledBackHash: a.Effective.Hash, RestoredHash: r.Hash, Targets: len(a.Plan.Changes)}
	if o.Workspace.RollbackActive() {
		return res, fmt.Errorf("round trip: the rollback layer is still there after the restore")
	}
	if r.Hash != s.ConfigHash {
		return res, fmt.Errorf("round trip: restored hash %s, want the snapshot's %s", short(r.Hash), short(s.ConfigHash))
	}
	return res, nil
}
