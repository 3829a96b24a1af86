package main

import (
	"fmt"
	"io"
	"os"

	"github.com/presoak/presoak/harness/safety"
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
	if f.profile != "" { // the bot's own config, never presoak's
		ps, err := loadProfileSafety(f)
		if err != nil {
			fmt.Fprintf(stderr, "presoak prepare-soak: %v\n", err)
			return 2
		}
		res := prepare.RunProfile(stdout, prepare.ProfileOptions{Profile: ps.p, Arg: ps.arg, Workspace: ps.ws, Meta: safety.Meta{Version: presoakVersion()}, Show: ps.show})
		if !res.OK() {
			return 1
		}
		return 0
	}
	res := prepare.Run(stdout, prepare.Options{Safety: f.options(), ConfigList: f.config})
	if !res.OK() {
		return 1
	}
	return 0
}
