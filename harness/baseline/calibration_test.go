package baseline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presoak/presoak/engine/calibration"
	"github.com/presoak/presoak/reports/edge"
)

// checkDataset asserts that a real-clock shadow run left a calibration
// dataset under root/artifacts/edge/datasets/shadow-<time>/: its manifest
// closed complete on the real clock with quotes recorded, the fills file's
// rows match fills.csv, and reports/edge renders EDGE_REPORT.md from it.
func checkDataset(t *testing.T, dir, root string) {
	t.Helper()
	want := filepath.Join(root, "artifacts", "edge", "datasets")
	if dir == "" || filepath.Dir(dir) != want || !strings.HasPrefix(filepath.Base(dir), "shadow-") {
		t.Fatalf("dataset dir %q, want %s/shadow-<time>", dir, want)
	}
	m, err := calibration.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Complete || m.Clock != "real" || m.ConfigHash == "" {
		t.Errorf("manifest: complete %v, clock %q, config hash %q", m.Complete, m.Clock, m.ConfigHash)
	}
	quotes, fills := m.Files[calibration.QuotesFile], m.Files[calibration.FillsFile]
	if quotes.Rows == 0 {
		t.Errorf("no quotes recorded: %+v", m.Files)
	}
	data, err := os.ReadFile(filepath.Join(dir, calibration.FillsFile))
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(string(data), "\n") - 1; int64(lines) != fills.Rows {
		t.Errorf("fills.csv has %d rows, manifest says %d", lines, fills.Rows)
	}
	t.Logf("dataset %s: %d quotes, %d fills", filepath.Base(dir), quotes.Rows, fills.Rows)

	sets, err := edge.LoadAll(dir)
	if err != nil {
		t.Fatalf("edge.LoadAll: %v", err)
	}
	runs := make([]edge.Run, len(sets))
	for i, d := range sets {
		runs[i] = edge.Compute(d)
	}
	if len(runs) != 1 || runs[0].Quotes != int(quotes.Rows) || runs[0].Fills != int(fills.Rows) || !runs[0].Complete {
		t.Fatalf("edge runs %+v, want one complete run of %d quotes and %d fills", runs, quotes.Rows, fills.Rows)
	}
	paths, err := edge.Write(t.TempDir(), dir, runs)
	if err != nil {
		t.Fatalf("edge.Write: %v", err)
	}
	md, err := os.ReadFile(paths[0])
	if err != nil || !strings.Contains(string(md), filepath.Base(dir)) {
		t.Errorf("%s: %v\n%s", paths[0], err, md)
	}
}
