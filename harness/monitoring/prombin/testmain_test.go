package prombin

import (
	"os"
	"testing"

	"github.com/presoak/presoak/harness/checklist/userenv"
)

// TestMain runs the tests without the user's CONFIG, TARGET, HARNESS, ...
func TestMain(m *testing.M) {
	userenv.Clear()
	os.Exit(m.Run())
}
