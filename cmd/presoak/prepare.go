package main

import (
	"io"
	"os"

	"github.com/presoak/presoak/harness/safety/prepare"
)

func init() {
	register("prepare-soak", "the seed's quick-fix script: config layers, soak criteria, snapshot, rollback dry run, directories", func(args []string) int {
		return runPrepareSoak(args, os.Stdout, os.Stderr)
	})
}

// runPrepareSoak runs the five preparation steps; exit 1 when any failed.
func runPrepareSoak(args []string, stdout, stderr io.Writer) int {
	fs, f := newSafetyFlagSet("prepare-soak", stderr)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	res := prepare.Run(stdout, prepare.Options{Safety: f.options(), ConfigList: f.config})
	if !res.OK() {
		return 1
	}
	return 0
}
