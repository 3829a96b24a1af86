package marketdata

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"github.com/presoak/presoak/internal/modroot"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// moduleRoot returns the directory holding go.mod.
func moduleRoot(t testing.TB) string {
	t.Helper()
	root, err := modroot.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// fixtureManifest is the committed BTCUSDT recording's manifest path.
func fixtureManifest(t testing.TB) string {
	t.Helper()
	return filepath.Join(moduleRoot(t), "fixtures", "marketdata", "btcusdt-5m.manifest.json")
}

// testManifest is the manifest the hand-written test recordings use.
func testManifest() Manifest {
	return Manifest{FormatVersion: FormatVersion, Symbol: "BTCUSDT", TickSize: 0.1, LotSize: 0.001,
		StartNs: 1767225600000000000, EndNs: 1767225660000000000, CSV: "x.csv", SHA256: strings.Repeat("0", 64)}
}

// writeRecording writes csv and a manifest with its true sha256 and rows
// (adjusted by tweak) to dir, and returns the manifest's path.
func writeRecording(t testing.TB, dir, name, csv string, tweak func(*Manifest)) string {
	t.Helper()
	m := testManifest()
	m.CSV = name + ".csv"
	sum := sha256.Sum256([]byte(csv))
	m.SHA256 = hex.EncodeToString(sum[:])
	m.Rows = max(strings.Count(strings.TrimSuffix(csv, "\n"), "\n"), 0)
	if tweak != nil {
		tweak(&m)
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, m.CSV), []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	path := ManifestPath(dir, name)
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// parseString parses a hand-written recording with testManifest.
func parseString(t testing.TB, csv string) *Recording {
	t.Helper()
	rec, err := Parse("test.csv", strings.NewReader(csv), testManifest())
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return rec
}
