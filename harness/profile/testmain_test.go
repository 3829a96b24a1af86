package profile

import (
	"os"
	"testing"

	"github.com/presoak/presoak/harness/checklist/userenv"
)

// TestMain runs the tests without the user's CONFIG, TARGET, PROFILE, ...
// (userenv.Names): a test that needs one sets it itself.
func TestMain(m *testing.M) {
	userenv.Clear()
	os.Exit(m.Run())
}
