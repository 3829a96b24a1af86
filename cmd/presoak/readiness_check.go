package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/monitoring"
	"github.com/presoak/presoak/harness/safety"
	"github.com/presoak/presoak/internal/home"
	report "github.com/presoak/presoak/reports/readiness"
)

// What `presoak readiness` does itself before it starts go test: the config
// check (a config that does not load is the whole answer, in a second) and
// the first-run evidence (files a clean clone has not made yet).

// configAreaTest is the Config & Flags area's top-level test
// (readiness/config_flags_test.go); the config check reports under its name,
// so the item's id is the same whether the check or the checklist found it.
const configAreaTest = "TestConfigAndFlags"

// configCheck loads the config as the checklist does (checklist.LoadRunEnvAt
// on the run's environment). When it loads, ok is true and nothing is
// written. When it does not, stream is the Config & Flags area exactly as its
// test records it (checklist.Group, config_layers, every item of
// checklist.ConfigAndFlagsItems, config_loads failed with each problem's
// file, line and key), as a `go test -json` stream of module/readiness.
func (r readinessRun) configCheck(module string) (stream []byte, ok bool) {
	env := checklist.LoadRunEnvAt(r.root, envLookup(r.env))
	if env.LoadErr == nil || env.NoConfig || env.BotProfile() != nil {
		// A bot profile's config is the bot's own files, read (and its
		// problems reported, file:line) by the checklist's Config & Flags.
		return nil, true
	}
	pkg := report.GatePackage
	if module != "" {
		pkg = module + "/" + report.GatePackage
	}
	rec := &report.Recorder{Package: pkg, Now: r.now}
	top := rec.Run(configAreaTest)
	checklist.Group(top, checklist.AreaConfigFlags)
	top.Attr(report.AttrConfigLayers, env.LayersAttr())
	var bot *checklist.Bot
	if checklist.Running(env.Kind) {
		// Its items are "not evaluated: the config did not load" whatever
		// the bot says, so the bot is not read.
		bot = &checklist.Bot{}
	}
	for _, n := range checklist.ConfigAndFlagsItems(env, bot) {
		sub := top.Run(n.Name)
		checklist.Record(sub, n.Item)
		sub.End()
	}
	top.End()
	rec.End()
	var buf bytes.Buffer
	if _, err := rec.WriteTo(&buf); err != nil {
		// Cannot happen with a bytes.Buffer; the run goes on and the
		// checklist reports the config itself.
		return nil, true
	}
	return buf.Bytes(), false
}

// envLookup is os.LookupEnv over env (KEY=VALUE lines; the last one wins).
func envLookup(env []string) func(string) (string, bool) {
	m := map[string]string{}
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// modulePath is the module path in root/go.mod, "" when it cannot be read.
func modulePath(root string) string {
	f, err := os.Open(filepath.Join(root, "go.mod"))
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

// evidenceStep is one first-run step: the presoak subcommand Args makes
// Path (absolute) when it is missing.
type evidenceStep struct {
	// What names the evidence in the output and the report.
	What string
	// Path is the file the step makes; the step runs only when it is missing.
	Path string
	// Command is the command line that makes it (presoak's own subcommand).
	Command []string
	// Make is how a person makes it ("make snapshot").
	Make string
}

// evidenceTimeout bounds one first-run step.
const evidenceTimeout = 2 * time.Minute

// evidenceSteps are the first-run steps under root, run with the presoak
// binary self: the flag snapshot (Safety) and the monitoring rules
// (Monitoring). A stale file is left alone: the checklist reports it with
// its fix. The rules are looked for in the team's tree (home.Tree), where
// presoak monitoring writes them and the checklist reads them: with a bot
// profile outside root, that is the profile's repository.
func evidenceSteps(root, self string) []evidenceStep {
	tree, _, err := home.Tree(os.Getenv)
	if err != nil {
		tree = root
	}
	return []evidenceStep{
		{What: "flag snapshot", Path: filepath.Join(root, safety.SnapshotFile), Command: []string{self, "snapshot"}, Make: "make snapshot"},
		{What: "monitoring rules", Path: filepath.Join(tree, monitoring.RulesPath), Command: []string{self, "monitoring"}, Make: monitoringMake()},
	}
}

// makeEvidence runs each evidence step whose file is missing, in the module
// root with the run's environment, and returns report notes: what it made,
// and what it could not make and why. A step that fails does not stop the
// run: the checklist item that reads the file fails with its own fix.
func (r readinessRun) makeEvidence() []string {
	var notes []string
	for _, st := range r.evidence {
		if _, err := os.Stat(st.Path); err == nil {
			continue
		}
		fmt.Fprintf(r.stdout, "presoak readiness: first run: no %s yet, making it (%s)\n", st.What, st.Make)
		ctx, cancel := context.WithTimeout(context.Background(), evidenceTimeout)
		cmd := exec.CommandContext(ctx, st.Command[0], st.Command[1:]...)
		cmd.Dir, cmd.Env = r.root, r.env
		tail := &lastLine{}
		cmd.Stdout, cmd.Stderr = r.stdout, io.MultiWriter(r.stderr, tail)
		err := cmd.Run()
		cancel()
		if err != nil {
			why := err.Error()
			if l := tail.last(); l != "" {
				why += ": " + l
			}
			fmt.Fprintf(r.stdout, "presoak readiness: first run: could not make the %s (%s); the checklist runs anyway and reports it\n", st.What, why)
			notes = append(notes, fmt.Sprintf("first run: could not make the %s (%s: %s); its checklist item reports what is missing", st.What, st.Make, why))
			continue
		}
		notes = append(notes, fmt.Sprintf("first run: made the %s (%s)", st.What, st.Make))
	}
	return notes
}
