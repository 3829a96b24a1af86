package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/internal/atomicfile"
	"github.com/presoak/presoak/internal/home"
	report "github.com/presoak/presoak/reports/readiness"
)

func init() {
	register("junit", "write the JUnit of a `go test -json` stream (make shadow and make soak): one testcase per item, the item vocabulary, the failure's one-line reason", func(args []string) int {
		return runJUnit(args, os.Stderr)
	})
}

// runJUnit converts a shadow or soak run's `go test -json` stream into the
// JUnit presoak writes for every run (report.BuildJUnit): the same classnames,
// property vocabulary and failure messages as readiness.junit.xml. A stream
// that is missing or empty still gives a JUnit, with an error testcase.
func runJUnit(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("junit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "the go test -json stream (gotestsum --jsonfile)")
	out := fs.String("out", "", "the JUnit file to write")
	name := fs.String("name", "run", "what ran (shadow, soak): the document's name")
	if err := fs.Parse(args); err != nil || *in == "" || *out == "" {
		fmt.Fprintln(stderr, "usage: presoak junit -in run.json -out run.junit.xml [-name soak]")
		return 2
	}
	data, rerr := os.ReadFile(*in)
	run, err := report.Parse(bytes.NewReader(data))
	if err != nil {
		run, _ = report.Parse(bytes.NewReader(nil))
	}
	opts := report.Options{Now: time.Now(), OtherModules: []string{home.ModulePath}}
	if wd, werr := os.Getwd(); werr == nil {
		if root, rerr := checklist.ModuleRoot(wd); rerr == nil {
			opts.Module = modulePath(root)
		}
	}
	switch {
	case rerr != nil:
		opts.RunError = fmt.Sprintf("no test stream: %v", rerr)
	case err != nil:
		opts.RunError = err.Error()
	}
	rep := runJUnitReport(run, opts, *name)
	var buf bytes.Buffer
	if err := report.EncodeJUnit(&buf, rep); err != nil {
		fmt.Fprintf(stderr, "presoak junit: %v\n", err)
		return 1
	}
	if err := atomicfile.WriteFile(*out, buf.Bytes()); err != nil {
		fmt.Fprintf(stderr, "presoak junit: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "presoak junit: wrote %s (%d testcases, %d failed, %d errors)\n", filepath.Clean(*out), rep.Tests, rep.Failures, rep.Errors)
	return 0
}

// runJUnitReport is report.BuildJUnit for a run that is not the readiness
// checklist: named after it, without the readiness verdict and percentage.
func runJUnitReport(run *report.Run, opts report.Options, name string) report.JUnitReport {
	rep := report.BuildJUnit(run, opts)
	rep.Name = "presoak " + name
	for i := range rep.Suites {
		var keep []report.JUnitProperty
		for _, p := range rep.Suites[i].Properties {
			if p.Name != "verdict" && p.Name != "readiness" {
				keep = append(keep, p)
			}
		}
		rep.Suites[i].Properties = keep
	}
	return rep
}
