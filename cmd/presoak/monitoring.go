package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/presoak/presoak/harness/monitoring"
	"github.com/presoak/presoak/internal/home"
)

func init() {
	register("monitoring", "write Prometheus rules, a Grafana dashboard and the soak dashboard checklist from the criteria", runMonitoring)
}

// runMonitoring generates the monitoring assets from CRITERIA, BUDGETS,
// METRIC_NAMES, SELECTOR and BASELINE (see `go doc ./harness/monitoring`),
// writes them under artifacts/, and checks the rules with promtool.
func runMonitoring(args []string) int {
	fs := flag.NewFlagSet("monitoring", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: presoak monitoring\n\nWrites "+monitoring.RulesPath+", "+monitoring.DashboardPath+" and "+monitoring.ChecklistPath+
			"\nfrom CRITERIA, BUDGETS, PROFILE (a bot profile: the expressions are its signals) or METRIC_NAMES (a metric-name mapping file), SELECTOR and BASELINE.")
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	// The team's tree (home.Tree): where the checklist reads the assets; with
	// a bot profile, the profile's repository, whatever the working directory.
	root, _, err := home.Tree(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "presoak monitoring:", err)
		return 1
	}
	env := monitoring.EnvFrom(root, os.Getenv)
	in, err := env.Load()
	if err != nil {
		fmt.Fprintln(os.Stderr, "presoak monitoring:", err)
		return 1
	}
	assets, err := monitoring.Render(in)
	if err != nil {
		fmt.Fprintln(os.Stderr, "presoak monitoring:", err)
		return 1
	}
	wrote, err := assets.Write(root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "presoak monitoring:", err)
		return 1
	}
	m := assets.Model
	for _, s := range in.Sources {
		fmt.Println("from   ", s)
	}
	counts := []string{
		fmt.Sprintf("%d recording rules, %d alerting rules", len(m.Recordings), len(m.Alerts)),
		fmt.Sprintf("%d signal panels, %d stage panels, breakers, alerts", len(m.Signals), len(m.Stages)),
		fmt.Sprintf("%d criteria, %d panels' PromQL", len(m.Alerts), len(m.Signals)+len(m.Stages)+1),
		fmt.Sprintf("promtool rule tests for the %d alerts: promtool test rules %s", len(m.Alerts), monitoring.RuleTestsPath),
	}
	for i, p := range wrote {
		fmt.Printf("wrote   %s (%s)\n", p, counts[i])
	}
	if assets.RuleTestsErr != nil {
		fmt.Println("warning: no rule tests written:", assets.RuleTestsErr)
	}
	for _, n := range m.Notes {
		if strings.HasPrefix(n, "No frozen baseline") {
			fmt.Println("note   ", n)
		}
	}
	out, err := monitoring.Promtool{}.CheckRules(context.Background(), filepath.Join(root, monitoring.RulesPath))
	switch {
	case errors.Is(err, monitoring.ErrNoPromtool):
		fmt.Println("warning: rules not checked:", err)
	case err != nil:
		fmt.Fprintln(os.Stderr, "presoak monitoring:", err)
		return 1
	default:
		fmt.Println("checked promtool check rules " + monitoring.RulesPath + ": " + monLastLine(out))
	}
	return 0
}

func monLastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// monitoringMake is how a person makes the monitoring assets: `make
// monitoring`, naming PROFILE when the run reads a bot profile.
func monitoringMake() string {
	p := home.Profile(os.Getenv)
	if p == "" {
		return "make monitoring"
	}
	if tree, _, err := home.Tree(os.Getenv); err == nil {
		if rel, err := filepath.Rel(tree, p); err == nil && !strings.HasPrefix(rel, "..") {
			p = rel
		}
	}
	return "make monitoring PROFILE=" + filepath.ToSlash(p)
}
