package marketdata

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestCommittedRecording: the BTCUSDT fixture loads, its manifest says what
// it holds, and the generator reproduces it byte for byte from its seed.
func TestCommittedRecording(t *testing.T) {
	t.Parallel()
	path := fixtureManifest(t)
	rec, err := Load(path)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	m := rec.Manifest
	if m.Symbol != "BTCUSDT" || m.Seed != 42 || m.EndNs-m.StartNs != int64(5*time.Minute) || m.Rows != len(rec.Events) {
		t.Errorf("manifest: got symbol %s seed %d span %s rows %d (%d events), want BTCUSDT, 42, 5m, rows = events",
			m.Symbol, m.Seed, time.Duration(m.EndNs-m.StartNs), m.Rows, len(rec.Events))
	}
	info, err := os.Stat(filepath.Join(filepath.Dir(path), m.CSV))
	if err != nil || info.Size() > 3<<20 {
		t.Errorf("csv: got %v bytes (%v), want <= 3 MiB", info.Size(), err)
	}
	regen, err := Generate(SyntheticOptions{Symbol: m.Symbol, Seed: m.Seed, StartNs: m.StartNs}, time.Duration(m.EndNs-m.StartNs))
	if err != nil {
		t.Fatal(err)
	}
	regen.Manifest.CSV = m.CSV
	if regen.Manifest != m {
		t.Errorf("regenerated with seed %d: got manifest %+v, want the committed %+v; if the generator changed on purpose, run: go run ./cmd/presoak record -seed 42 -span 5m -out fixtures/marketdata/btcusdt-5m", m.Seed, regen.Manifest, m)
	}
}

func TestWriteLoadRoundTrip(t *testing.T) {
	t.Parallel()
	rec, err := Generate(SyntheticOptions{Seed: 5, Symbol: "ETHUSDT", StartPrice: 3400, TickSize: 0.01, LotSize: 0.0001, Depth: 5}, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := rec.Write(dir, "eth"); err != nil {
		t.Fatal(err)
	}
	got, err := Load(ManifestPath(dir, "eth"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Manifest != rec.Manifest || !slices.Equal(got.Events, rec.Events) {
		t.Errorf("round trip: got manifest %+v and %d events, want %+v and %d events", got.Manifest, len(got.Events), rec.Manifest, len(rec.Events))
	}
	for _, e := range got.Events {
		if e.Kind != KindTrade && e.Kind != KindSnapshot && e.Kind != KindDiff {
			t.Fatalf("event kind %q", e.Kind)
		}
	}
}

func TestLoadDetectsTampering(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rec, err := Generate(SyntheticOptions{Seed: 1}, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := rec.Write(dir, "r"); err != nil {
		t.Fatal(err)
	}
	csv := filepath.Join(dir, "r.csv")
	b, _ := os.ReadFile(csv)
	b[len(b)-2]++ // last digit of the last size: still a valid row
	if b[len(b)-2] > '9' {
		b[len(b)-2] = '0'
	}
	if err := os.WriteFile(csv, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(ManifestPath(dir, "r")); !errors.Is(err, ErrChecksum) {
		t.Errorf("tampered csv: got %v, want ErrChecksum", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.manifest.json")); err == nil {
		t.Error("missing manifest: got no error")
	}
}
