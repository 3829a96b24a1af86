package marketdata

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

// Load reads a recording: the manifest at manifestPath and the CSV it names
// (next to it). It verifies the CSV's sha256 first, then parses every row
// and checks the row count. Errors wrap ErrManifest, ErrChecksum, ErrRowCount
// or, for a malformed row, a *ParseError naming the CSV's file:line.
func Load(manifestPath string) (*Recording, error) {
	m, err := ReadManifest(manifestPath)
	if err != nil {
		return nil, fmt.Errorf("load recording: %w", err)
	}
	csvPath := filepath.Join(filepath.Dir(manifestPath), m.CSV)
	data, err := os.ReadFile(csvPath)
	if err != nil {
		return nil, fmt.Errorf("load recording: %w", err)
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != m.SHA256 {
		return nil, fmt.Errorf("load recording: %s: %w: got %s, manifest %s says %s", csvPath, ErrChecksum, got, manifestPath, m.SHA256)
	}
	rec, err := parse(csvPath, bytes.NewReader(data), m)
	if err != nil {
		return nil, fmt.Errorf("load recording: %w", err)
	}
	if len(rec.Events) != m.Rows {
		return nil, fmt.Errorf("load recording: %s: %w: got %d rows, manifest %s says %d", csvPath, ErrRowCount, len(rec.Events), manifestPath, m.Rows)
	}
	return rec, nil
}
