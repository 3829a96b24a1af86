package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/monitoring"
	"github.com/presoak/presoak/harness/monitoring/prombin"
	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/soak"
	"github.com/presoak/presoak/internal/home"
)

// The example bots of fixtures/bots, bots presoak did not write, each
// declared by its profile, run through the commands a newcomer types — the
// presoak binary (presoak readiness, presoak monitoring, presoak junit) and
// what make shadow and make soak run (go tool gotestsum -- go test -tags
// shadow|soak -run ... ./readiness/), with the Makefile's environment — on
// the stand-in processes (go run ./fixtures/bots/<bot>/cmd/<standin>: real
// clock, -slow SYMBOL, -kill-switch), read through the profile's own target
// (scrape) and through a real Prometheus server scraping the stand-in
// (TARGET=prometheus, the profile's selector). Each run has a team tree of
// its own in a temporary directory (the profile, the bot's config and
// budgets, copied), found from the profile (PRESOAK_PROFILE): nothing is
// written into the checkout.

// exampleBot is one example bot of fixtures/bots.
type exampleBot struct {
	name    string // its directory under fixtures/bots
	standin string // its stand-in's command package
	config  string // its config file (the profile's config layer)
	// healthy is the taker cap's line in config; broken the same at 12 %;
	// line its line number.
	healthy, broken string
	line            int
}

var exampleBots = []exampleBot{
	{name: "bbgo", standin: "./fixtures/bots/bbgo/cmd/bbgostandin", config: "xmaker.yaml",
		healthy: "maxTakerShare: 0.08", broken: "maxTakerShare: 0.12", line: 43},
	{name: "hummingbot", standin: "./fixtures/bots/hummingbot/cmd/hbstandin", config: "conf_pure_mm.yml",
		healthy: "max_taker_volume_pct: 8.0", broken: "max_taker_volume_pct: 12.0", line: 54},
}

// quickCriteria are the criteria of these runs: the short fixture's stop
// criteria with windows that give each of them data within soakDuration.
const quickCriteria = "fixtures/bots/criteria.quick.yaml"

// The run lengths: DURATION of the short shadow and of the short soak
// (every stop criterion of quickCriteria has data within it), and
// READINESS_SAMPLE, the readiness runs' Baseline/MD-Cache sample.
const (
	shadowDuration  = "5s"
	soakDuration    = 20 * time.Second
	readinessSample = "6s"
)

// takerCapItem is the checklist item a bot profile's taker_cap_pct is
// reported as (the seed's id).
const takerCapItem = "taker_cap_max_taker_share_pct"

// botRun is one command run on an example bot, checked after all ran.
type botRun struct {
	name    string // e.g. "prometheus/readiness_taker_cap_12pct"
	tree    string // the team tree it ran in
	reports string // where its reports went
	out     string
	code    int
	err     error
	took    time.Duration
}

// TestExampleBots runs, for each example bot and each target (the profile's
// scrape, and a real Prometheus):
//   - presoak readiness: READY on the healthy stand-in; ACTION REQUIRED with
//     the taker cap at 12 % in a copy of the bot's config, failing exactly
//     taker_cap_max_taker_share_pct (the profile's taker_cap_pct) naming the
//     config file and line; ACTION REQUIRED on a stand-in with one slow
//     symbol (-slow ETHUSDT), failing exactly tick_total_p95, naming
//     symbol="ETHUSDT";
//   - a short make shadow (DURATION=5s) that passes and writes its JUnit;
//   - a short make soak under fixtures/bots/criteria.quick.yaml: healthy it
//     passes (not inconclusive: it ran, ticks > 0, every stop criterion had
//     data); with the kill switch engaged it stops by critical_breaker_stop;
//
// and, once per bot, presoak monitoring from the profile: rules on the
// bot's own names that pass the pinned promtool's check rules and test
// rules, loaded into the real Prometheus servers, where
// critical_breaker_stop FIRES on the server scraping the kill-switch
// stand-in and no alert fires on the one scraping the healthy stand-in.
func TestExampleBots(t *testing.T) {
	t.Parallel()
	requirePrometheus(t)
	promtool, _, err := prombin.Find("", prombin.Promtool)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skipf("SKIPPED, NOT TESTED: %v: the example bots' monitoring needs the pinned promtool", err)
	}
	for _, b := range exampleBots {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			testExampleBot(t, b, promtool)
		})
	}
}

func testExampleBot(t *testing.T, b exampleBot, promtool string) {
	start := time.Now()
	root := moduleRoot(t)
	presoak := buildCmd(t, "presoak")
	standin := buildPkg(t, b.standin)
	job := b.job(t)

	// presoak monitoring from the profile, in a tree of its own: the rules
	// the servers below load.
	mon := b.newTree(t)
	out, code := runCmd(t, root, b.env(mon), 2*time.Minute, presoak, "monitoring")
	if code != 0 {
		t.Fatalf("presoak monitoring: exit %d, want 0:\n%s", code, out)
	}
	rules := filepath.Join(mon, monitoring.RulesPath)
	t.Run("monitoring/rules_promtool", func(t *testing.T) { b.checkRules(t, promtool, mon, out) })

	healthy := startStandin(t, standin)
	slow := startStandin(t, standin, "-slow", "ETHUSDT")
	kill := startStandin(t, standin, "-kill-switch")
	prom := map[*proc]string{}
	for _, p := range []*proc{healthy, slow, kill} {
		prom[p], _ = startPrometheusWith(t, promSetup{Jobs: map[string][]string{job: {p.addr}}, Rules: []string{rules}})
	}
	for _, u := range prom {
		waitScrapedJob(t, u, job, 1, 3, 30*time.Second)
	}
	t.Logf("%s: set up in %v (stand-ins, 3 Prometheus servers, monitoring)", b.name, time.Since(start).Round(100*time.Millisecond))

	// Every run at once (they mostly wait on the real clock); checked after.
	var (
		mu   sync.Mutex
		runs []*botRun
		wg   sync.WaitGroup
	)
	launch := func(name string, f func(r *botRun)) {
		r := &botRun{name: name}
		mu.Lock()
		runs = append(runs, r)
		mu.Unlock()
		wg.Go(func() {
			t0 := time.Now()
			f(r)
			r.took = time.Since(t0)
		})
	}
	for _, kind := range []string{"scrape", "prometheus"} {
		targetEnv := func(p *proc) []string {
			if kind == "scrape" { // the profile's own kind; its URL at the stand-in
				return []string{"SCRAPE_URL=http://" + p.addr + "/metrics"}
			}
			return []string{"TARGET=prometheus", "PROMETHEUS_URL=" + prom[p]} // the profile's selector
		}
		readiness := func(name string, p *proc, breakConfig bool) {
			launch(kind+"/"+name, func(r *botRun) {
				r.tree, r.err = b.makeTree(breakConfig)
				if r.err != nil {
					return
				}
				r.reports = filepath.Join(r.tree, "reports")
				env := append(b.env(r.tree, targetEnv(p)...), "READINESS_SAMPLE="+readinessSample)
				r.out, r.code, r.err = execCmd(root, env, 5*time.Minute, presoak, "readiness", "-reports", r.reports)
			})
		}
		readiness("readiness_healthy", healthy, false)
		readiness("readiness_taker_cap_12pct", healthy, true)
		readiness("readiness_slow_ETHUSDT", slow, false)
		launch(kind+"/shadow", func(r *botRun) {
			r.tree, r.err = b.makeTree(false)
			if r.err == nil {
				r.out, r.code, r.err = makeGoTest(r, presoak, b.env(r.tree, targetEnv(healthy)...), "shadow", shadowDuration)
			}
		})
		for name, p := range map[string]*proc{"soak_healthy": healthy, "soak_kill_switch": kill} {
			launch(kind+"/"+name, func(r *botRun) {
				r.tree, r.err = b.makeTree(false)
				if r.err == nil {
					env := append(b.env(r.tree, targetEnv(p)...), "RESUME=", "FAULTS=", "ON_STOP=")
					r.out, r.code, r.err = makeGoTest(r, presoak, env, "soak", soakDuration.String())
				}
			})
		}
	}
	var alertErr, quietErr error
	var alerts []promAlert
	wg.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		alerts, alertErr = waitAlertFiring(ctx, prom[kill], "critical_breaker_stop")
		if alertErr == nil {
			quietErr = noAlerts(ctx, prom[healthy], time.Now())
		}
	})
	wg.Wait()
	t.Logf("%s: every run done in %v", b.name, time.Since(start).Round(100*time.Millisecond))

	t.Run("monitoring/alert_fires_on_prometheus", func(t *testing.T) {
		if alertErr != nil {
			t.Fatalf("kill switch engaged: %v", alertErr)
		}
		for _, a := range alerts {
			if a.Labels["criterion"] == "critical_breaker_stop" && a.State == "firing" && a.Labels["instance"] != kill.addr {
				t.Errorf("critical_breaker_stop fires on instance %q, want the kill-switch stand-in %s", a.Labels["instance"], kill.addr)
			}
		}
		if quietErr != nil {
			t.Errorf("healthy stand-in: %v", quietErr)
		}
	})
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			t.Logf("took %v", r.took.Round(100*time.Millisecond))
			if r.err != nil {
				t.Fatalf("%v\n%s", r.err, tail(r.out, 40))
			}
			b.check(t, r, slow.addr)
		})
	}
}

// job is the job the profile's prometheus selector names ({job="<job>"}):
// the servers scrape the stand-in under it, so the selector is the
// profile's own.
func (b exampleBot) job(t *testing.T) string {
	t.Helper()
	p, err := profile.Load(filepath.Join(moduleRoot(t), "fixtures", "bots", b.name, "profile.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`^\{job="([^"]+)"\}$`).FindStringSubmatch(p.Target.Prometheus.Selector)
	if m == nil {
		t.Fatalf("%s profile: target.prometheus.selector %q, want {job=\"...\"}", b.name, p.Target.Prometheus.Selector)
	}
	return m[1]
}

// makeTree copies the bot's profile, config and budgets into a new
// temporary directory (outside any module: the team's tree is the
// profile's directory); breakConfig raises the taker cap to 12 %.
func (b exampleBot) makeTree(breakConfig bool) (string, error) {
	root, err := home.Dir()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp(binDir, b.name+"-tree-")
	if err != nil {
		return "", err
	}
	for _, name := range []string{"profile.yaml", b.config, "budgets.yaml"} {
		data, err := os.ReadFile(filepath.Join(root, "fixtures", "bots", b.name, name))
		if err != nil {
			return "", err
		}
		if name == b.config && breakConfig {
			broken := strings.Replace(string(data), b.healthy, b.broken, 1)
			if broken == string(data) {
				return "", fmt.Errorf("%s: %q not found", name, b.healthy)
			}
			data = []byte(broken)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return "", err
		}
	}
	return dir, nil
}

func (b exampleBot) newTree(t *testing.T) string {
	t.Helper()
	dir, err := b.makeTree(false)
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// env is the Makefile's environment for the bot's profile in tree
// (TestMakefileExportsTheProfile): PROFILE, PRESOAK_PROFILE (absolute: the
// team's tree is the profile's directory) and CONFIG empty (the profile
// names the bot's config); then the quick criteria and extra. BUDGETS is
// not set: the profile's budgets: names the bot's.
func (b exampleBot) env(tree string, extra ...string) []string {
	env := make([]string, 0, len(os.Environ())+8)
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k == "GITHUB_STEP_SUMMARY" { // never the CI job's summary
			continue
		}
		env = append(env, kv)
	}
	prof := filepath.Join(tree, "profile.yaml")
	root, _ := home.Dir()
	env = append(env, "PROFILE="+prof, home.EnvProfile+"="+prof, "CONFIG=",
		"CRITERIA="+filepath.Join(root, filepath.FromSlash(quickCriteria)),
		"BUDGETS=") // empty: unset for presoak, so the profile's budgets: decides
	return append(env, extra...)
}

// checkRules checks presoak monitoring's output in tree: rules whose
// expressions use the bot's names (never the reference engine's mm_), a
// dashboard and rule tests, and the pinned promtool's check rules and test
// rules pass on them.
func (b exampleBot) checkRules(t *testing.T, promtool, tree, out string) {
	t.Helper()
	for _, rel := range []string{monitoring.RulesPath, monitoring.RuleTestsPath, monitoring.DashboardPath, monitoring.ChecklistPath} {
		if _, err := os.Stat(filepath.Join(tree, rel)); err != nil {
			t.Errorf("presoak monitoring did not write %s in the profile's tree: %v\n%s", rel, err, out)
		}
	}
	if !strings.Contains(out, "checked promtool check rules") {
		t.Errorf("presoak monitoring did not check its rules with promtool:\n%s", out)
	}
	data, err := os.ReadFile(filepath.Join(tree, monitoring.RulesPath))
	if err != nil {
		t.Fatal(err)
	}
	prefix := map[string]string{"bbgo": "bbgo_", "hummingbot": "hb_"}[b.name]
	exprs := 0
	for _, line := range strings.Split(string(data), "\n") {
		e, ok := strings.CutPrefix(strings.TrimSpace(line), "expr: ")
		if !ok {
			continue
		}
		exprs++
		if regexp.MustCompile(`\bmm_`).MatchString(e) {
			t.Errorf("an expression uses the reference engine's mm_ names: %s", e)
		}
	}
	if exprs == 0 || !strings.Contains(string(data), prefix) || !strings.Contains(string(data), "criterion: critical_breaker_stop") {
		t.Errorf("rules: %d expressions, want the bot's %s names and the critical_breaker_stop alert", exprs, prefix)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	for _, args := range [][]string{{"check", "rules", monitoring.RulesPath}, {"test", "rules", monitoring.RuleTestsPath}} {
		cmd := exec.CommandContext(ctx, promtool, args...)
		cmd.Dir = tree
		got, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(got), "SUCCESS") {
			t.Errorf("promtool %s: %v, want SUCCESS:\n%s", strings.Join(args, " "), err, got)
		}
	}
}

// check checks one run: exit code, verdict, the failed items or the stop,
// and the files it wrote.
func (b exampleBot) check(t *testing.T, r *botRun, slowAddr string) {
	t.Helper()
	_, what, _ := strings.Cut(r.name, "/")
	switch what {
	case "readiness_healthy":
		b.checkReadiness(t, r, 0, "READY", "")
	case "readiness_taker_cap_12pct":
		md := b.checkReadiness(t, r, 1, "ACTION REQUIRED", "Config & Flags — "+takerCapItem)
		sec := failedSection(md, takerCapItem)
		for _, want := range []string{fmt.Sprintf("%s:%d", b.config, b.line), "taker_cap_pct", "12"} {
			if !strings.Contains(sec, want) {
				t.Errorf("the failed %s does not name %q:\n%s", takerCapItem, want, sec)
			}
		}
		t.Logf("failed as it should:\n%s", sec)
	case "readiness_slow_ETHUSDT":
		md := b.checkReadiness(t, r, 1, "ACTION REQUIRED", "Baseline — tick_total_p95")
		sec := failedSection(md, "tick_total_p95")
		if !strings.Contains(sec, `symbol="ETHUSDT"`) || !strings.Contains(sec, "@ "+slowAddr+" (") {
			t.Errorf("tick_total_p95 does not name the slow symbol ETHUSDT on the slow stand-in %s:\n%s", slowAddr, sec)
		}
		t.Logf("failed as it should:\n%s", sec)
	case "shadow":
		if r.code != 0 {
			t.Fatalf("make shadow: exit %d, want 0:\n%s", r.code, tail(r.out, 40))
		}
		junit := readFile(t, filepath.Join(r.reports, "shadow.junit.xml"))
		for _, want := range []string{"TestShadowBaseline/tick_total_p95", "TestShadowBaseline/hit_ratio"} {
			if !strings.Contains(junit, want) {
				t.Errorf("shadow.junit.xml has no testcase %s", want)
			}
		}
		if strings.Contains(junit, "<failure") {
			t.Errorf("shadow.junit.xml has a failure:\n%s", tail(junit, 30))
		}
		var budgets []string // artifacts/baseline/ (scrape) or artifacts/baseline/instances/<bot>/ (prometheus: a fleet of one)
		_ = filepath.WalkDir(filepath.Join(r.tree, "artifacts", "baseline"), func(p string, d os.DirEntry, err error) error {
			if err == nil && d.Name() == "stage_budgets.json" {
				budgets = append(budgets, p)
			}
			return nil
		})
		if len(budgets) != 1 {
			t.Fatalf("stage_budgets.json under the tree's artifacts/baseline: got %v, want one", budgets)
		}
		// its provenance is the bot's config, read through the profile
		var prov struct {
			ConfigHash   string   `json:"config_hash"`
			ConfigLayers []string `json:"config_layers"`
		}
		if err := json.Unmarshal([]byte(readFile(t, budgets[0])), &prov); err != nil {
			t.Fatal(err)
		}
		if strings.Join(prov.ConfigLayers, ",") != b.config || !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(prov.ConfigHash) {
			t.Errorf("stage_budgets.json: config layers %q, hash %q; want [%s] and its sha256", prov.ConfigLayers, prov.ConfigHash, b.config)
		}
		for _, want := range []string{`name="config_layers" value="` + b.config + `"`, `name="config_hash" value="` + prov.ConfigHash + `"`} {
			if !strings.Contains(junit, want) {
				t.Errorf("shadow.junit.xml has no property %s", want)
			}
		}
	case "soak_healthy", "soak_kill_switch":
		rep, err := readSoakReport(r.tree)
		if err != nil {
			t.Fatalf("make soak: exit %d: %v:\n%s", r.code, err, tail(r.out, 60))
		}
		junit := readFile(t, filepath.Join(r.reports, "soak.junit.xml"))
		if !strings.Contains(junit, "TestSoak/critical_breaker_stop") {
			t.Errorf("soak.junit.xml has no critical_breaker_stop testcase")
		}
		if what == "soak_healthy" {
			if r.code != 0 || rep.Verdict != soak.Pass {
				t.Fatalf("healthy soak: exit %d, verdict %s (%s), want 0 and pass:\n%s", r.code, rep.Verdict, rep.Reason, tail(r.out, 30))
			}
			// it really ran: its whole duration, reading ticks at (at least
			// half) the evaluation interval even on a loaded machine
			if rep.EvaluationInterval <= 0 || rep.Elapsed < soakDuration-time.Second || rep.Ticks <= 0 || rep.Samples < int(soakDuration/rep.EvaluationInterval)/2 {
				t.Errorf("healthy soak: elapsed %v, %g ticks, %d samples every %v: want it ran %v reading ticks", rep.Elapsed, rep.Ticks, rep.Samples, rep.EvaluationInterval, soakDuration)
			}
			t.Logf("ran %v: %g ticks, %d samples, %d evaluations", rep.Elapsed.Round(time.Millisecond), rep.Ticks, rep.Samples, rep.Evaluations)
			for _, c := range rep.Criteria {
				if c.Severity == "stop" && c.Evaluated == 0 {
					t.Errorf("healthy soak: stop criterion %s had no data", c.Name)
				}
			}
			return
		}
		if r.code != 1 || rep.Verdict != soak.Stopped || rep.Stop == nil || rep.Stop.Criterion != "critical_breaker_stop" {
			t.Fatalf("kill switch engaged: exit %d, verdict %s (%s), want exit 1 and a stop by critical_breaker_stop:\n%s", r.code, rep.Verdict, rep.Reason, tail(r.out, 30))
		}
		if got := failedTests(t, filepath.Join(r.reports, "soak.json")); strings.Join(got, ",") != "TestSoak,TestSoak/critical_breaker_stop" {
			t.Errorf("failed testcases: got %v, want exactly TestSoak/critical_breaker_stop (and TestSoak)", got)
		}
		if !strings.Contains(junit, "<failure") {
			t.Errorf("soak.junit.xml has no failure for the stopped soak")
		}
		if rep.Ticks <= 0 {
			t.Errorf("kill switch engaged: %g ticks, want the soak to have read the bot", rep.Ticks)
		}
	default:
		t.Fatalf("unknown run %s", r.name)
	}
}

// checkReadiness checks a presoak readiness run: its exit code, the verdict
// of PRE_SOAK_REPORT.md and its failed items (exactly failed, "" none);
// it returns the Markdown.
func (b exampleBot) checkReadiness(t *testing.T, r *botRun, code int, verdict, failed string) string {
	t.Helper()
	md := readFile(t, filepath.Join(r.reports, "PRE_SOAK_REPORT.md"))
	if r.code != code || !strings.Contains(md, "**Verdict: ") || !strings.Contains(md, verdict) {
		t.Fatalf("exit %d, want %d with %s:\n%s\n---\n%s", r.code, code, verdict, tail(md, 40), tail(r.out, 40))
	}
	var got []string
	for _, line := range strings.Split(md, "\n") {
		if h, ok := strings.CutPrefix(line, "### ❌ "); ok {
			got = append(got, h)
		}
	}
	if strings.Join(got, "; ") != failed {
		t.Errorf("failed items: got [%s], want [%s]\n%s", strings.Join(got, "; "), failed, tail(md, 60))
	}
	if !strings.Contains(md, "| Config layers | "+b.config+" |") || strings.Contains(md, "could not make") ||
		!regexp.MustCompile("\\| Config hash \\| `[0-9a-f]{64}` \\|").MatchString(md) {
		t.Errorf("report: want the bot's config layers (%s) and their hash, and no first-run step that failed:\n%s", b.config, tail(md, 60))
	}
	if _, err := os.Stat(filepath.Join(r.tree, monitoring.RulesPath)); err != nil {
		t.Errorf("the first-run step did not make the rules in the profile's tree: %v", err)
	}
	return md
}

// failedSection is the failed item's section of a readiness Markdown report.
func failedSection(md, item string) string {
	for _, sec := range strings.Split(md, "\n### ") {
		if head, _, _ := strings.Cut(sec, "\n"); strings.HasPrefix(head, "❌ ") && strings.Contains(head, item) {
			return sec
		}
	}
	return ""
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("read %s: %v", filepath.Base(p), err)
	}
	return string(b)
}

// failedTests are the tests that failed in a go test -json stream, sorted.
func failedTests(t *testing.T, stream string) []string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(readFile(t, stream), "\n") {
		var ev struct{ Action, Test string }
		if json.Unmarshal([]byte(line), &ev) == nil && ev.Action == "fail" && ev.Test != "" {
			out = append(out, ev.Test)
		}
	}
	slices.Sort(out)
	return out
}

func readSoakReport(tree string) (soak.Report, error) {
	var rep soak.Report
	data, err := os.ReadFile(filepath.Join(tree, "artifacts", "soak", soak.ReportJSONFile))
	if err == nil {
		err = json.Unmarshal(data, &rep)
	}
	return rep, err
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

var standinAddr = regexp.MustCompile(`serving http://([^/\s]+)/metrics`)

// startStandin starts an example bot's stand-in (its built command) on a
// free loopback port with extra flags.
func startStandin(t *testing.T, bin string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	return startProc(t, cmd, standinAddr, "/metrics")
}

// makeGoTest runs what `make shadow` and `make soak` run (tag: shadow or
// soak), in the checkout with env: presoak baseline timeout DURATION, then
// go tool gotestsum --jsonfile <reports>/<tag>.json -- -tags <tag> -count=1
// -run '^Test(ShadowBaseline|Soak)$' -timeout <that> ./readiness/, then
// presoak junit into <reports>/<tag>.junit.xml. It returns gotestsum's
// output and exit code.
func makeGoTest(r *botRun, presoak string, env []string, tag, duration string) (string, int, error) {
	root, err := home.Dir()
	if err != nil {
		return "", 0, err
	}
	r.reports = filepath.Join(r.tree, "reports")
	if err := os.MkdirAll(r.reports, 0o755); err != nil {
		return "", 0, err
	}
	to, code, err := execCmd(root, env, time.Minute, presoak, "baseline", "timeout", duration)
	if err != nil || code != 0 {
		return to, code, errors.Join(fmt.Errorf("presoak baseline timeout %s: exit %d", duration, code), err)
	}
	test := map[string]string{"shadow": "^TestShadowBaseline$", "soak": "^TestSoak$"}[tag]
	stream := filepath.Join(r.reports, tag+".json")
	env = append(env, "DURATION="+duration)
	out, code, err := execCmd(root, env, 5*time.Minute, "go", "tool", "gotestsum", "--format", "standard-verbose", "--jsonfile", stream, "--",
		"-tags", tag, "-count=1", "-run", test, "-timeout", strings.TrimSpace(to), "./readiness/")
	if err != nil {
		return out, code, err
	}
	if jout, jcode, jerr := execCmd(root, env, time.Minute, presoak, "junit", "-name", tag, "-in", stream, "-out", filepath.Join(r.reports, tag+".junit.xml")); jerr != nil || jcode > 1 {
		return out + jout, code, errors.Join(fmt.Errorf("presoak junit: exit %d", jcode), jerr)
	}
	return out, code, nil
}

// runCmd is execCmd for the test goroutine: a command that cannot run fails the test.
func runCmd(t *testing.T, dir string, env []string, timeout time.Duration, bin string, args ...string) (string, int) {
	t.Helper()
	out, code, err := execCmd(dir, env, timeout, bin, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
	}
	return out, code
}

// execCmd runs bin with args in dir with env, in its own process group
// (killed whole after timeout, so no go test binary outlives it); its
// combined output and exit code. err is set when it could not run or was
// killed.
func execCmd(dir string, env []string, timeout time.Duration, bin string, args ...string) (string, int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir, cmd.Env = dir, env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return string(out), -1, fmt.Errorf("%s %s: killed after %v", filepath.Base(bin), strings.Join(args, " "), timeout)
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(out), ee.ExitCode(), nil
	}
	return string(out), 0, err
}

// promAlert is one alert of Prometheus's /api/v1/alerts.
type promAlert struct {
	Labels map[string]string `json:"labels"`
	State  string            `json:"state"`
}

func getAlerts(promURL string) ([]promAlert, error) {
	var resp struct {
		Status string `json:"status"`
		Data   struct {
			Alerts []promAlert `json:"alerts"`
		} `json:"data"`
	}
	body := getBody(nil, promURL+"/api/v1/alerts")
	if err := json.Unmarshal([]byte(body), &resp); err != nil || resp.Status != "success" {
		return nil, fmt.Errorf("/api/v1/alerts: %v: %.200s", err, body)
	}
	return resp.Data.Alerts, nil
}

// waitAlertFiring polls the server's /api/v1/alerts until the alert of
// criterion name is firing; it returns the alerts then.
func waitAlertFiring(ctx context.Context, promURL, name string) ([]promAlert, error) {
	var last []promAlert
	for {
		as, err := getAlerts(promURL)
		if err == nil {
			last = as
			if slices.ContainsFunc(as, func(a promAlert) bool { return a.Labels["criterion"] == name && a.State == "firing" }) {
				return as, nil
			}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("alert %s not firing on the real server before %v: got %+v (last error %v)", name, ctx.Err(), last, err)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// noAlerts checks that the server has evaluated every rule group since
// after (when the other server's alert fired: the same data) and that no
// alert is pending or firing.
func noAlerts(ctx context.Context, promURL string, after time.Time) error {
	for {
		var resp struct {
			Data struct {
				Groups []struct {
					Name           string    `json:"name"`
					LastEvaluation time.Time `json:"lastEvaluation"`
				} `json:"groups"`
			} `json:"data"`
		}
		body := getBody(nil, promURL+"/api/v1/rules")
		err := json.Unmarshal([]byte(body), &resp)
		done := err == nil && len(resp.Data.Groups) > 0
		for _, g := range resp.Data.Groups {
			done = done && g.LastEvaluation.After(after)
		}
		if done {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the server did not evaluate its rules after %s: %.300s", after.Format(time.RFC3339), body)
		case <-time.After(500 * time.Millisecond):
		}
	}
	as, err := getAlerts(promURL)
	if err != nil {
		return err
	}
	if len(as) > 0 {
		return fmt.Errorf("got %+v, want no alert", as)
	}
	return nil
}
