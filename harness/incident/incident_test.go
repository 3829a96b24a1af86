package incident_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"github.com/presoak/presoak/internal/csvtable"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/incident"
	"github.com/presoak/presoak/harness/safety"
	"github.com/presoak/presoak/harness/signal"
	"github.com/presoak/presoak/harness/soak"
	"github.com/presoak/presoak/harness/target"
)

type stopRun struct {
	rep     *soak.Report
	in      *incident.Incident
	dir     string
	safety  safety.Options
	loaded  string // config hash
	bundles []string
}

// runStop runs one accelerated stop scenario through the soak runner with
// the incident hook.
func runStop(t *testing.T, plan string, action incident.Action, prepare func(safety.Options)) stopRun {
	t.Helper()
	spec := loadSpec(t)
	l := scenarioConfig(t)
	so := safetyOptions(t)
	if prepare != nil {
		prepare(so)
	}
	dir := filepath.Join(t.TempDir(), "soak")
	var log bytes.Buffer
	in, err := incident.New(incident.Options{Dir: dir, Spec: spec, Config: l, Safety: so, Action: action, KeepSamples: 50, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	sim, err := target.NewSimulated(target.EmbeddedOptions{Config: l, Faults: shiftedPlan(t, plan), Feed: scenarioFeed()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	rep, err := soak.Run(t.Context(), soak.Config{Spec: spec, Target: in.Watch(sim), Duration: 24 * time.Hour, Dir: dir, OnStop: in.OnStop})
	if err != nil {
		t.Fatal(err)
	}
	ferr := in.Finish(rep)
	if action == incident.Preview && ferr != nil {
		t.Fatalf("finish: %v", ferr)
	}
	if !strings.Contains(log.String(), "incident: ") {
		t.Errorf("no log line for the bundle: %q", log.String())
	}
	return stopRun{rep: rep, in: in, dir: dir, safety: so, loaded: l.Hash(), bundles: in.Bundles()}
}

func TestStopScenariosLeaveABundle(t *testing.T) {
	t.Parallel()
	for plan, stop := range map[string]string{
		"soak-latency-spike":      "deadline_miss_stop",
		"soak-cache-degradation":  "md_cache_hit_stop",
		"soak-aggressive-quoting": "taker_share_stop",
		"soak-memory-leak":        "memory_growth_stop",
		"soak-venue-outage":       "critical_breaker_stop",
		"soak-error-burst":        "error_rate_stop",
	} {
		t.Run(stop, func(t *testing.T) {
			t.Parallel()
			r := runStop(t, plan, incident.Preview, nil)
			if r.rep.Verdict != soak.Stopped || r.rep.Stop.Criterion != stop {
				t.Fatalf("verdict %s (%s), want stopped by %s", r.rep.Verdict, r.rep.Reason, stop)
			}
			checkBundle(t, r, stop)
			if r.safety.Workspace.RollbackActive() {
				t.Error("the default (preview) wrote the rollback layer")
			}
			if md := string(read(t, r.bundles[0], incident.BundleReport)); !strings.Contains(md, "make snapshot takes one") {
				t.Error("INCIDENT_REPORT.md does not say the workspace has no flag snapshot")
			}
		})
	}
}

// checkBundle asserts a bundle's contents.
func checkBundle(t *testing.T, r stopRun, stop string) string {
	t.Helper()
	if len(r.bundles) != 1 {
		t.Fatalf("bundles %v, want exactly one", r.bundles)
	}
	b := r.bundles[0]
	f := r.rep.Stop
	if want := "incident-" + f.At.UTC().Format("20060102T150405Z"); filepath.Base(b) != want || filepath.Dir(b) != r.dir {
		t.Errorf("bundle at %s, want %s/%s", b, r.dir, want)
	}
	entries, _ := os.ReadDir(r.dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".incident-") {
			t.Errorf("temporary bundle %s left behind", e.Name())
		}
	}
	var rec incident.Record
	if err := json.Unmarshal(read(t, b, incident.BundleJSON), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Firing.Criterion != stop || rec.Criterion.Name != stop || !rec.Firing.At.Equal(f.At) || rec.ConfigHash != r.loaded {
		t.Errorf("incident.json: firing %s at %s, hash %s; want %s at %s, %s", rec.Firing.Criterion, rec.Firing.At, rec.ConfigHash, stop, f.At, r.loaded)
	}
	for _, name := range []string{incident.BundleReport, incident.BundleJSON, incident.BundleHistoryCSV, incident.BundleHistorySVG, incident.BundleSamples,
		incident.BundleConfig, incident.BundleConfigHash, incident.BundleFlagsLive, incident.BundleRollbackPreview} {
		if !contains(rec.Files, name) {
			t.Errorf("incident.json does not list %s", name)
		}
	}
	for _, name := range rec.Files {
		if _, err := os.Stat(filepath.Join(b, name)); err != nil {
			t.Errorf("listed file missing: %v", err)
		}
	}

	// The signal history: the window before the firing, recomputed; its last
	// point is the evaluation that fired, with the value the soak reported.
	hist := readCSV(t, filepath.Join(b, incident.BundleHistoryCSV))
	if len(hist) < 10 {
		t.Fatalf("signal history has %d points, want the window before the firing", len(hist))
	}
	lastRow := hist[len(hist)-1]
	at, _ := time.Parse(time.RFC3339Nano, lastRow["time"])
	if !at.Equal(f.At) || lastRow["holds"] != "true" {
		t.Errorf("last history point %v (holds %s), want the firing at %s, holding", lastRow, lastRow["holds"], f.At)
	}
	if v, err := strconv.ParseFloat(lastRow["value"], 64); err != nil || math.Abs(v-f.Value.V) > 1e-9*math.Max(1, math.Abs(v)) {
		t.Errorf("history value at the firing %s, the soak reported %g", lastRow["value"], f.Value.V)
	}
	first, _ := time.Parse(time.RFC3339Nano, hist[0]["time"])
	c, _ := loadSpec(t).ByName(stop)
	if span := f.At.Sub(first); span < c.For {
		t.Errorf("history covers %s before the firing, want at least for: %s", span, c.For)
	}
	svg := string(read(t, b, incident.BundleHistorySVG))
	// A criterion with for: 0 (critical_breaker_stop: its window is how long
	// the breaker was open) fires at the evaluation it first holds: no
	// pending marker.
	pendingOK := c.For == 0 || strings.Contains(svg, ">pending<")
	if !strings.HasPrefix(svg, "<svg") || !strings.Contains(svg, "threshold ") || !strings.Contains(svg, ">fired<") || !pendingOK || !strings.Contains(svg, "polyline") {
		t.Errorf("signal chart is not a line against its threshold:\n%.400s", svg)
	}

	// The last samples.
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(read(t, b, incident.BundleSamples)))
	sc.Buffer(nil, 1<<20)
	var lastSample signal.Sample
	for sc.Scan() {
		if err := json.Unmarshal(sc.Bytes(), &lastSample); err != nil {
			t.Fatalf("samples.jsonl line %d: %v", n+1, err)
		}
		n++
	}
	if n != 50 || !lastSample.At.Equal(f.At) {
		t.Errorf("samples.jsonl: %d samples ending %s, want the last 50 ending at the firing %s", n, lastSample.At, f.At)
	}

	// Config, flags, rollback preview, report.
	if got := strings.TrimSpace(string(read(t, b, incident.BundleConfigHash))); got != r.loaded {
		t.Errorf("config.sha256 %s, want %s", got, r.loaded)
	}
	cfg := string(read(t, b, incident.BundleConfig))
	if !strings.Contains(cfg, "<redacted>") || !strings.Contains(cfg, "pipeline") {
		t.Errorf("config.redacted.yaml lacks the redaction or the config:\n%.300s", cfg)
	}
	var live map[string]bool
	if err := json.Unmarshal(read(t, b, incident.BundleFlagsLive), &live); err != nil || !live["pipeline.enabled"] {
		t.Errorf("flags_live.json %v (%v), want pipeline.enabled true", live, err)
	}
	if p := string(read(t, b, incident.BundleRollbackPreview)); !strings.Contains(p, "pipeline.enabled") || !strings.Contains(p, "-> false") {
		t.Errorf("rollback preview lacks the plan:\n%s", p)
	}
	md := string(read(t, b, incident.BundleReport))
	for _, want := range []string{"# Incident report (DRAFT): " + stop, "## Timeline", "## Impact", "## Next steps", c.Description, c.Action, incident.BundleHistorySVG, "criterion fired"} {
		if !strings.Contains(md, want) {
			t.Errorf("INCIDENT_REPORT.md lacks %q", want)
		}
	}
	assertNoSecret(t, b)
	return b
}

func assertNoSecret(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if data, _ := os.ReadFile(p); bytes.Contains(data, []byte(secret)) {
				t.Errorf("%s contains the planted secret", p)
			}
		}
		return nil
	})
}

func TestOnStopRollbackAppliesAndVerifies(t *testing.T) {
	t.Parallel()
	r := runStop(t, "soak-venue-outage", incident.Rollback, func(o safety.Options) {
		if _, err := safety.TakeSnapshot(o); err != nil {
			t.Fatal(err)
		}
	})
	if err := r.in.Err(); err != nil {
		t.Fatalf("rollback on stop: %v", err)
	}
	b := checkBundle(t, r, "critical_breaker_stop")
	if !r.safety.Workspace.RollbackActive() {
		t.Fatal("ON_STOP=rollback did not write the rollback layer")
	}
	eff, err := safety.LoadConfig(r.safety.Workspace.EffectiveLayers(r.safety.ConfigLayers)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"pipeline.enabled", "md_cache.enabled", "adaptive_spread.enabled", "queue_aware.enabled"} {
		if s, _ := eff.Lookup(k); safety.Display(s.Value) != "false" {
			t.Errorf("after the rollback %s = %v, want false", k, s.Value)
		}
	}
	applied := string(read(t, b, incident.BundleRollbackApplied))
	if !strings.Contains(applied, "applied and verified") || !strings.Contains(applied, "pipeline.enabled = false (want false)") {
		t.Errorf("rollback_applied.txt does not record the verified rollback:\n%s", applied)
	}
	var rec incident.Record
	if err := json.Unmarshal(read(t, b, incident.BundleJSON), &rec); err != nil {
		t.Fatal(err)
	}
	layer, _ := filepath.Rel(r.safety.Workspace.Root, r.safety.Workspace.RollbackLayerPath())
	if !rec.Rollback.Applied || rec.Rollback.Layer != layer {
		t.Errorf("incident.json rollback %+v, want applied at %s (relative to the workspace)", rec.Rollback, layer)
	}
	if strings.Contains(applied, r.safety.Workspace.Root) {
		t.Errorf("rollback_applied.txt names the workspace's absolute path:\n%s", applied)
	}
	if _, err := os.Stat(filepath.Join(b, incident.BundleFlagsSnapshot)); err != nil || !strings.HasPrefix(rec.FlagsSnapshot, "copied from") {
		t.Errorf("the flag snapshot was not copied: %v (%s)", err, rec.FlagsSnapshot)
	}
	if !strings.Contains(string(read(t, b, incident.BundleReport)), "applied and verified") {
		t.Error("INCIDENT_REPORT.md does not say the rollback was applied")
	}
}

func TestRollbackThatCannotApplyIsRecorded(t *testing.T) {
	t.Parallel()
	r := runStop(t, "soak-venue-outage", incident.Rollback, nil) // no snapshot: Apply refuses
	err := r.in.Err()
	if !errors.Is(err, safety.ErrNoSnapshot) {
		t.Errorf("Err() = %v, want the missing snapshot", err)
	}
	if len(r.bundles) != 1 {
		t.Fatalf("bundles %v: the bundle must be written even when the rollback fails", r.bundles)
	}
	if r.safety.Workspace.RollbackActive() {
		t.Error("a failed rollback left a layer")
	}
	applied := string(read(t, r.bundles[0], incident.BundleRollbackApplied))
	if !strings.Contains(applied, "NOT applied") {
		t.Errorf("rollback_applied.txt:\n%s\nwant NOT applied", applied)
	}
}

func TestFinishWritesTheBundleOfAnInterruptedPendingRun(t *testing.T) {
	t.Parallel()
	spec := loadSpec(t)
	l := scenarioConfig(t)
	dir := t.TempDir()
	var log bytes.Buffer
	in, err := incident.New(incident.Options{Dir: dir, Spec: spec, Config: l, Safety: safetyOptions(t), Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	sim, err := target.NewSimulated(target.EmbeddedOptions{Config: l, Faults: shiftedPlan(t, "soak-latency-spike"), Feed: scenarioFeed()})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	// Interrupted 5 minutes into the spike: deadline_miss_stop is pending (for: 10m).
	rep, err := soak.Run(t.Context(), soak.Config{Spec: spec, Target: in.Watch(sim), Duration: 35 * time.Minute, OnStop: in.OnStop})
	if err != nil {
		t.Fatal(err)
	}
	rep.Verdict, rep.InterruptedBy = soak.Interrupted, "signal terminated" // as SIGTERM leaves it
	pending := false
	for _, c := range rep.Criteria {
		pending = pending || (c.Name == "deadline_miss_stop" && c.State == criteria.Pending)
	}
	if !pending {
		t.Fatalf("deadline_miss_stop is not pending at the end: %+v", rep.Criteria)
	}
	if err := in.Finish(rep); err != nil {
		t.Fatal(err)
	}
	bs := in.Bundles()
	if len(bs) != 1 {
		t.Fatalf("bundles %v, want one for the pending stop criterion", bs)
	}
	md := string(read(t, bs[0], incident.BundleReport))
	if !strings.Contains(md, "interrupted (signal terminated) while deadline_miss_stop was pending") {
		t.Errorf("report does not say it was interrupted while pending:\n%.600s", md)
	}
	if l := log.String(); !strings.Contains(l, "deadline_miss_stop was pending;") || strings.Contains(l, "fired") {
		t.Errorf("log line %q: want it to say the criterion was pending, not that it fired", l)
	}
}

func TestFinishAfterAStopWithoutTheHook(t *testing.T) {
	t.Parallel()
	in, err := incident.New(incident.Options{Dir: t.TempDir(), Spec: loadSpec(t), Safety: safetyOptions(t)})
	if err != nil {
		t.Fatal(err)
	}
	rep := &soak.Report{Verdict: soak.Stopped, Stop: &soak.Firing{Criterion: "target_down_stop", Signal: signal.TargetDown, Op: ">", Threshold: 0, At: time.Unix(1767225600, 0)}}
	if err := in.Finish(rep); err != nil {
		t.Fatal(err)
	}
	if bs := in.Bundles(); len(bs) != 1 || filepath.Base(bs[0]) != "incident-20260101T000000Z" {
		t.Fatalf("bundles %v, want incident-20260101T000000Z", bs)
	}
	if err := in.Finish(rep); err != nil || len(in.Bundles()) != 1 {
		t.Errorf("a second Finish: %v, %d bundles; want the stop bundled once", err, len(in.Bundles()))
	}
}

func TestParseActionAndOptions(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]incident.Action{"": incident.Preview, "preview": incident.Preview, "ROLLBACK": incident.Rollback, " rollback ": incident.Rollback} {
		if got, err := incident.ParseAction(in); err != nil || got != want {
			t.Errorf("ParseAction(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := incident.ParseAction("apply"); !errors.Is(err, incident.ErrAction) {
		t.Errorf("ParseAction(apply) = %v, want ErrAction", err)
	}
	if _, err := incident.New(incident.Options{}); err == nil || !strings.Contains(err.Error(), "no bundle directory") || !strings.Contains(err.Error(), "no criteria") {
		t.Errorf("New with nothing: %v, want every missing option named", err)
	}
}

func read(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	rows, err := csvtable.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func TestForSoakWiresTheModuleRoot(t *testing.T) {
	t.Parallel()
	spec := loadSpec(t)
	if _, err := incident.ForSoak(t.TempDir(), nil, nil, spec, signal.Options{}, "apply", nil); !errors.Is(err, incident.ErrAction) {
		t.Errorf("ON_STOP=apply: %v, want ErrAction", err)
	}
	ws := t.TempDir()
	var log bytes.Buffer
	in, err := incident.ForSoak(ws, layers(t), scenarioConfig(t), spec, signal.Options{}, "", &log)
	if err != nil {
		t.Fatal(err)
	}
	rep := &soak.Report{Verdict: soak.Stopped, Stop: &soak.Firing{Criterion: "target_down_stop", Signal: signal.TargetDown, Op: ">", At: time.Unix(1767225600, 0)}}
	if err := in.Finish(rep); err != nil {
		t.Fatal(err)
	}
	bs := in.Bundles()
	if len(bs) != 1 || filepath.Dir(bs[0]) != filepath.Join(ws, "artifacts", "soak") {
		t.Fatalf("bundles %v, want one under %s/artifacts/soak", bs, ws)
	}
	if l := log.String(); !strings.Contains(l, "bundle artifacts/soak/incident-20260101T000000Z ") || strings.Contains(l, "bundle "+ws) {
		t.Errorf("log line %q: want the bundle relative to the module root", l)
	}
	// The workspace root (a team's tree) has no fixtures/rollback.yaml: the
	// preview uses presoak's own (internal/home.Data), never "missing".
	p := string(read(t, bs[0], incident.BundleRollbackPreview))
	if strings.Contains(p, "rollback dry run failed") || !strings.Contains(p, "pipeline.enabled") {
		t.Errorf("preview in a tree without a targets file, want presoak's targets previewed:\n%s", p)
	}
	if strings.Contains(p, ws) {
		t.Errorf("preview names the tree's absolute path:\n%s", p)
	}
}

func TestBundleWithoutConfigFilesSaysSo(t *testing.T) {
	t.Parallel()
	for _, action := range []incident.Action{incident.Preview, incident.Rollback} {
		so := safetyOptions(t)
		so.ConfigLayers = nil
		in, err := incident.New(incident.Options{Dir: t.TempDir(), Spec: loadSpec(t), Safety: so, Action: action})
		if err != nil {
			t.Fatal(err)
		}
		rep := &soak.Report{Verdict: soak.Stopped, Stop: &soak.Firing{Criterion: "target_down_stop", Signal: signal.TargetDown, Op: ">", At: time.Unix(1767225600, 0)}}
		ferr := in.Finish(rep)
		if action == incident.Preview && ferr != nil {
			t.Fatalf("preview without config: %v", ferr)
		}
		if action == incident.Rollback && (ferr == nil || !strings.Contains(ferr.Error(), "no config files given")) {
			t.Errorf("ON_STOP=rollback without config: %v, want an error saying no config files were given", ferr)
		}
		bs := in.Bundles()
		if len(bs) != 1 {
			t.Fatalf("%s: bundles %v, want one", action, bs)
		}
		for _, name := range []string{incident.BundleReport, incident.BundleConfig, incident.BundleRollbackPreview, incident.BundleJSON} {
			if b := string(read(t, bs[0], name)); !strings.Contains(b, "no config files given") {
				t.Errorf("%s: %s does not say no config files were given:\n%.800s", action, name, b)
			}
		}
		if _, err := os.Stat(filepath.Join(bs[0], incident.BundleConfigHash)); err == nil {
			t.Errorf("%s: a config hash without a config", action)
		}
	}
}
