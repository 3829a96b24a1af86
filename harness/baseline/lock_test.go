package baseline

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/internal/runlock"
)

// Issue 17, item 5 (shadow): a second shadow into one baseline directory
// refuses at once, naming the first.
func TestRunShadowRefusesWhileAnotherRuns(t *testing.T) {
	t.Parallel()
	f := newFixture(t, defaultLayers)
	dir := t.TempDir()
	l, err := runlock.Acquire(dir, "shadow")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, err = RunShadow(context.Background(), ShadowSpec{Env: checklist.Env{Layers: f.layers, Loaded: f.loaded}, Duration: time.Second, Dir: dir, DatasetsRoot: t.TempDir()})
	if !errors.Is(err, runlock.ErrBusy) || !strings.Contains(err.Error(), "shadow (pid ") {
		t.Fatalf("got %v, want ErrBusy naming the running shadow", err)
	}
}
