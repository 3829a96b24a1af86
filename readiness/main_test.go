package readiness

import (
	"fmt"
	"os"
	"testing"

	"github.com/presoak/presoak/internal/home"
)

// TestMain finds the team's tree (home.Tree: PRESOAK_WORKDIR, or the
// directory `go test github.com/presoak/presoak/readiness/...` was started
// in) and points the defaults that name presoak's own data (HARNESS,
// CRITERIA, BUDGETS) at presoak's module directory when the tree is another
// repository. A tree that cannot be found stops the checklist before any
// item runs: the run is NOT RUN, never judged on the wrong files.
func TestMain(m *testing.M) {
	if _, err := home.Setup(); err != nil {
		fmt.Fprintf(os.Stderr, "presoak checklist: %v\n", err)
		os.Exit(2)
	}
	os.Exit(m.Run())
}
