// Package csvtable reads a CSV file with a header row into rows keyed by
// column name. Tests use it to check the datasets presoak writes (quotes,
// fills, markouts, signal histories) independently of the code that reads
// them in production (reports/edge), so a bug there cannot hide itself.
package csvtable

import (
	"encoding/csv"
	"fmt"
	"os"
)

// Read returns every row after the header of the CSV file at path as a map
// from column name to value. A file with no header, or rows whose field count
// differs from the header's, is an error naming path.
func Read(path string) ([]map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read csv table: %w", err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read csv table %s: %w", path, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("read csv table %s: no header row", path)
	}
	header := recs[0]
	rows := make([]map[string]string, 0, len(recs)-1)
	for _, r := range recs[1:] {
		m := make(map[string]string, len(header))
		for i, h := range header {
			m[h] = r[i]
		}
		rows = append(rows, m)
	}
	return rows, nil
}
