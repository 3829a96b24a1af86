package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/presoak/presoak/engine/config"
)

// plantedSecret is a value that must never appear in any message.
const plantedSecret = "PLANTED-SECRET-VALUE"

// testEnv is the environment every test loads with: deterministic, with
// planted secrets, and without PRESOAK_TEST_UNSET_VARIABLE.
func testEnv(name string) (string, bool) {
	switch name {
	case "PRESOAK_VENUE_API_KEY":
		return plantedSecret + "-key", true
	case "PRESOAK_VENUE_API_SECRET":
		return plantedSecret + "-secret", true
	case "PRESOAK_TEST_SEED":
		return "7", true
	case "PRESOAK_TEST_NOT_A_NUMBER":
		return plantedSecret + "-env", true
	case "PRESOAK_TEST_EMPTY":
		return "", true
	}
	return "", false
}

var opts = config.Options{LookupEnv: testEnv}

// fixture returns the path of a file under the module's fixtures/ folder.
func fixture(t testing.TB, rel string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("getwd: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "fixtures", rel)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// writeFile writes a config file in a fresh temp dir and returns its path.
func writeFile(t testing.TB, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
	return path
}

// loadErr loads paths, wanting a *config.Error, and returns it.
func loadErr(t testing.TB, paths ...string) *config.Error {
	t.Helper()
	l, err := opts.Load(paths...)
	if err == nil {
		t.Fatalf("Load(%v) = ok with hash %s, want an error", paths, l.Hash())
	}
	cerr, ok := err.(*config.Error)
	if !ok {
		t.Fatalf("Load(%v) error is %T (%v), want *config.Error", paths, err, err)
	}
	return cerr
}

// mustLoad loads paths, wanting success.
func mustLoad(t testing.TB, paths ...string) *config.Loaded {
	t.Helper()
	l, err := opts.Load(paths...)
	if err != nil {
		t.Fatalf("Load(%v): %v", paths, err)
	}
	return l
}
