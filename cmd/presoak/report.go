package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/presoak/presoak/harness/checklist"
	report "github.com/presoak/presoak/reports/readiness"
)

func init() {
	register("report", "the readiness reports (PRE_SOAK_REPORT.md, readiness.junit.xml) from a go test -json stream of the checklist, e.g. `go test -json github.com/presoak/presoak/readiness/...`", runReport)
}

// runReport renders the reports of a checklist run that `go test -json`
// made (the gate run as plain go test) as presoak readiness does after its
// own run (readinessRun.finish): the same JUnit, Markdown, exit code and
// job summary.
func runReport(args []string) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	reports := fs.String("reports", "artifacts/reports", "directory for the reports (relative to the module root)")
	stream := fs.String("json", "", "the go test -json stream (default <reports>/"+jsonName+"; - for standard input)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: presoak report [flags]\n\nRenders "+markdownName+" and "+junitName+" from a go test -json stream of the checklist:\n\n  go test -json github.com/presoak/presoak/readiness/... > artifacts/reports/readiness.json\n  go tool presoak report\n\nExit 0 ready, 1 a blocking item failed, 2 the checklist did not run.\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitNotRun
	}
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(os.Stderr, "presoak report: %v\n", err)
		return exitNotRun
	}
	root, err := checklist.ModuleRoot(wd)
	if err != nil {
		fmt.Fprintf(os.Stderr, "presoak report: %v\n", err)
		return exitNotRun
	}
	dir := *reports
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(root, dir)
	}
	in, from := *stream, ""
	var data []byte
	switch {
	case in == "-":
		data, err = io.ReadAll(os.Stdin)
		from = "standard input"
	default:
		if in == "" {
			in = filepath.Join(dir, jsonName)
		} else if !filepath.IsAbs(in) {
			in = filepath.Join(wd, in)
		}
		data, err = os.ReadFile(in)
		from = in
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "presoak report: the go test -json stream: %v\n", err)
		return exitNotRun
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(os.Stderr, "presoak report: create reports directory: %v\n", err)
		return exitNotRun
	}
	r := readinessRun{root: root, reportsDir: dir, env: os.Environ(), now: time.Now, stdout: os.Stdout, stderr: os.Stderr}
	if rel, err := filepath.Rel(root, from); err == nil && !strings.HasPrefix(rel, "..") {
		from = filepath.ToSlash(rel)
	}
	opts := report.Options{Now: r.now(), Version: version(), Module: modulePath(root),
		Command: "go test -json, rendered by presoak report from " + from}
	return r.finish(data, nil, opts, nil)
}
