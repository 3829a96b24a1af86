package marketdata

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestStreamMatchesReplay: streaming the committed recording from its CSV
// gives the same books and trades as replaying it pre-parsed.
func TestStreamMatchesReplay(t *testing.T) {
	t.Parallel()
	path := fixtureManifest(t)
	rec, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	s := openStream(t, path)
	r := rec.Replay()
	ticks := 0
	for ts := rec.Manifest.StartNs; !r.Done(); ts += 100e6 {
		b1, tr1 := r.AdvanceTo(ts)
		want := fmt.Sprint(*b1, tr1)
		b2, tr2 := s.AdvanceTo(ts)
		if got := fmt.Sprint(*b2, tr2); got != want {
			t.Fatalf("tick %d: stream got %s\nreplay has %s", ticks, got, want)
		}
		ticks++
	}
	if !s.Done() || s.Err() != nil {
		t.Errorf("stream at the end: done %v, err %v; want done, no error", s.Done(), s.Err())
	}
}

func openStream(t testing.TB, path string) *Stream {
	t.Helper()
	s, err := OpenStream(path)
	if err != nil {
		t.Fatalf("open stream %s: %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func drain(s *Stream) {
	for ts := s.Manifest().StartNs; !s.Done(); ts += 100e6 {
		s.AdvanceTo(ts)
	}
}

func TestStreamRejectsBadRecordings(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("testdata", "bad")
	for _, tc := range []struct {
		name string
		want error
	}{
		{"off_tick", ErrOffTick}, {"crossed", ErrCrossedBook}, {"crossed_at_end", ErrCrossedBook},
		{"non_monotonic", ErrNonMonotonic}, {"checksum", ErrChecksum}, {"row_count", ErrRowCount},
	} {
		s := openStream(t, ManifestPath(dir, tc.name))
		drain(s)
		if !errors.Is(s.Err(), tc.want) {
			t.Errorf("stream %s: got %v, want %v", tc.name, s.Err(), tc.want)
		}
	}
	if _, err := OpenStream(ManifestPath(dir, "bad_header")); !errors.Is(err, ErrHeader) {
		t.Errorf("stream bad_header: got %v, want ErrHeader at open", err)
	}
}

func TestStreamDetectsTampering(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := writeRecording(t, dir, "r", replayCSV, nil)
	b, _ := os.ReadFile(filepath.Join(dir, "r.csv"))
	b[len(b)-2] = '2' // the last size 1.000 -> 1.002: a valid row
	os.WriteFile(filepath.Join(dir, "r.csv"), b, 0o644)
	s := openStream(t, path)
	drain(s)
	if !errors.Is(s.Err(), ErrChecksum) {
		t.Errorf("tampered stream: got %v, want ErrChecksum", s.Err())
	}
}

func TestStreamAdvanceAllocatesNothing(t *testing.T) {
	s := openStream(t, fixtureManifest(t))
	ts := s.Manifest().StartNs
	for i := 0; i < 100; i++ {
		ts += 100e6
		s.AdvanceTo(ts)
	}
	allocs := testing.AllocsPerRun(1000, func() {
		ts += 100e6
		s.AdvanceTo(ts)
	})
	if allocs != 0 || s.Err() != nil {
		t.Errorf("stream AdvanceTo: got %v allocations per call (err %v), want 0", allocs, s.Err())
	}
}
