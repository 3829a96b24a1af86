package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/presoak/presoak/harness/checklist"
)

func init() {
	register("report", "the readiness reports (PRE_SOAK_REPORT.md, readiness.junit.xml) from a go test -json stream of the checklist, e.g. `go test -json github.com/presoak/presoak/readiness/...`", runReport)
}

// runReport renders the reports of a checklist run that `go test -json`
// made (the gate run as plain go test): it replays the stream through the
// built-in gotestsum (--raw-command), so the JUnit, the Markdown, the exit
// code and the job summary are exactly presoak readiness's.
func runReport(args []string) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	reports := fs.String("reports", "artifacts/reports", "directory for the reports (relative to the module root)")
	stream := fs.String("json", "", "the go test -json stream (default <reports>/"+jsonName+"; - for standard input)")
	cat := fs.String("cat", "", "")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: presoak report [flags]\n\nRenders "+markdownName+" and "+junitName+" from a go test -json stream of the checklist:\n\n  go test -json github.com/presoak/presoak/readiness/... > artifacts/reports/readiness.json\n  go tool presoak report\n\nExit 0 ready, 1 a blocking item failed, 2 the checklist did not run.\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitNotRun
	}
	if *cat != "" { // the raw command gotestsum replays: the stream on stdout
		return catFile(*cat, os.Stdout)
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
	in := *stream
	switch {
	case in == "":
		in = filepath.Join(dir, jsonName)
	case in == "-":
		tmp, err := os.CreateTemp("", "presoak-stream-*.json")
		if err != nil {
			fmt.Fprintf(os.Stderr, "presoak report: %v\n", err)
			return exitNotRun
		}
		defer os.Remove(tmp.Name())
		_, cerr := io.Copy(tmp, os.Stdin)
		if err := tmp.Close(); cerr == nil {
			cerr = err
		}
		if cerr != nil {
			fmt.Fprintf(os.Stderr, "presoak report: read standard input: %v\n", cerr)
			return exitNotRun
		}
		in = tmp.Name()
	case !filepath.IsAbs(in):
		in = filepath.Join(wd, in)
	}
	if _, err := os.Stat(in); err != nil {
		fmt.Fprintf(os.Stderr, "presoak report: the go test -json stream: %v\n", err)
		return exitNotRun
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "presoak report: %v\n", err)
		return exitNotRun
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	r := readinessRun{
		root: root, reportsDir: dir,
		runner:   []string{exe, "gotestsum", "--raw-command"},
		testArgs: []string{exe, "report", "-cat", in},
		env:      os.Environ(),
		now:      time.Now, signals: sig,
		stdout: os.Stdout, stderr: os.Stderr,
	}
	return r.execute()
}

func catFile(path string, w io.Writer) int {
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "presoak report: %v\n", err)
		return exitNotRun
	}
	defer f.Close()
	if _, err := io.Copy(w, f); err != nil {
		fmt.Fprintf(os.Stderr, "presoak report: %v\n", err)
		return exitNotRun
	}
	return 0
}
