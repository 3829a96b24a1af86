package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/presoak/presoak/engine/marketdata"
)

func init() {
	register("record", "generate a seeded synthetic market-data recording (CSV + manifest)", runRecord)
}

// runRecord writes <out>.csv and <out>.manifest.json from the seeded
// synthetic market (engine/marketdata.Generate).
func runRecord(args []string) int {
	fs := flag.NewFlagSet("record", flag.ContinueOnError)
	symbol := fs.String("symbol", "BTCUSDT", "instrument name written to the manifest")
	span := fs.Duration("span", 5*time.Minute, "market time to record")
	seed := fs.Int64("seed", 42, "generator seed: the same seed gives the same recording")
	out := fs.String("out", "fixtures/marketdata/btcusdt-5m", "output path without extension: writes <out>.csv and <out>.manifest.json")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "record: unexpected arguments %q\n", fs.Args())
		return 2
	}
	dir, name := filepath.Split(*out)
	name = strings.TrimSuffix(strings.TrimSuffix(name, ".csv"), ".manifest.json")
	if dir == "" {
		dir = "."
	}
	rec, err := marketdata.Generate(marketdata.SyntheticOptions{Symbol: *symbol, Seed: *seed}, *span)
	if err != nil {
		fmt.Fprintf(os.Stderr, "record: %v\n", err)
		return 1
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(os.Stderr, "record: %v\n", err)
		return 1
	}
	if err := rec.Write(dir, name); err != nil {
		fmt.Fprintf(os.Stderr, "record: %v\n", err)
		return 1
	}
	m := rec.Manifest
	fmt.Printf("record: %s seed %d, %s of market time, %d rows\n", m.Symbol, m.Seed, *span, m.Rows)
	fmt.Printf("record: wrote %s (sha256 %s)\n", filepath.Join(dir, m.CSV), m.SHA256)
	fmt.Printf("record: wrote %s\n", marketdata.ManifestPath(dir, name))
	return 0
}
