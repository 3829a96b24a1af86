package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/safety"
	report "github.com/presoak/presoak/reports/readiness"
)

// junitDoc is the part of gotestsum's JUnit the tests read.
type junitDoc struct {
	XMLName xml.Name `xml:"testsuites"`
	Suites  []struct {
		Name      string `xml:"name,attr"`
		Testcases []struct {
			Name       string `xml:"name,attr"`
			Properties []struct {
				Name  string `xml:"name,attr"`
				Value string `xml:"value,attr"`
			} `xml:"properties>property"`
			Failure *struct {
				Message string `xml:"message,attr"`
			} `xml:"failure"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func readJUnit(t *testing.T, path string) junitDoc {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read JUnit: %v", err)
	}
	var doc junitDoc
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("JUnit is not well-formed XML: %v", err)
	}
	if len(doc.Suites) == 0 {
		t.Fatalf("JUnit has no testsuite:\n%s", data)
	}
	return doc
}

// syncBuffer is a bytes.Buffer safe for the runner's output copier and our own lines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newRun is a readinessRun writing into a temp dir, with output captured.
func newRun(t *testing.T, runner []string, config string, testArgs ...string) (readinessRun, *syncBuffer) {
	t.Helper()
	root, err := checklist.ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	out := &syncBuffer{}
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CONFIG=") {
			env = append(env, kv)
		}
	}
	return readinessRun{
		root: root, reportsDir: t.TempDir(), runner: runner, testArgs: testArgs,
		env:    append(env, "CONFIG="+config),
		now:    func() time.Time { return time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC) },
		stdout: out, stderr: out, checkConfig: true,
	}, out
}

func readReport(t *testing.T, r readinessRun) string {
	t.Helper()
	md, err := os.ReadFile(filepath.Join(r.reportsDir, markdownName))
	if err != nil {
		t.Fatalf("read report: %v", err)
	}
	return string(md)
}

// The real thing: gotestsum on the real checklist (the Config & Flags and Logs
// areas), base only and with the soak overrides.
func TestReadinessEndToEnd(t *testing.T) {
	root, err := checklist.ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	runArgs := []string{"-count=1", "-run", "^(TestConfigAndFlags|TestLogs)$", "./readiness/"}
	cases := []struct {
		name, config string
		code         int
		want         []string
	}{
		{"base_only", "fixtures/config.yaml", exitBlocking, []string{
			"**Verdict: ❌ ACTION REQUIRED** — 3 blocking items failed",
			"### ❌ Config & Flags — pipeline_enabled",
			"### ❌ Config & Flags — md_cache_enabled",
			"### ❌ Config & Flags — taker_cap_max_taker_share_pct",
			"- **Fix:** lower it to 9 or less in an override (e.g. fixtures/config.soak_overrides.yaml)",
			"| Config layers | fixtures/config.yaml |",
		}},
		{"with_overrides", checklist.DefaultConfig, exitReady, []string{
			"**Verdict: ✅ READY**",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if ws := (safety.Workspace{Root: root}); c.code == exitReady && ws.RollbackActive() {
				t.Skipf("a rollback is applied in this workspace (%s): the checklist rightly is not READY; make restore, then run again", safety.RollbackLayerFile)
			}
			r, out := newRun(t, []string{"go", "tool", "gotestsum"}, c.config, runArgs...)
			if code := r.execute(); code != c.code {
				t.Fatalf("exit %d, want %d; output:\n%s", code, c.code, out)
			}
			md := readReport(t, r)
			for _, w := range c.want {
				if !strings.Contains(md, w) {
					t.Errorf("report lacks %q:\n%s", w, md)
				}
			}
			if n := strings.Count(md, "### ❌"); (n == 3) != (c.code == exitBlocking) {
				t.Errorf("report lists %d failed items", n)
			}
			if _, err := os.Stat(filepath.Join(r.reportsDir, jsonName)); err != nil {
				t.Errorf("no %s: %v", jsonName, err)
			}
			doc := readJUnit(t, filepath.Join(r.reportsDir, junitName))
			cases := 0
			for _, s := range doc.Suites {
				for _, tc := range s.Testcases {
					cases++
					props := map[string]string{}
					for _, p := range tc.Properties {
						props[p.Name] = p.Value
					}
					if props["area"] == "" || (props["severity"] != "blocking" && props["severity"] != "warning") {
						t.Errorf("testcase %s lacks area/severity properties: %v", tc.Name, props)
					}
				}
			}
			if cases < 10 {
				t.Errorf("JUnit has %d testcases, want the checklist's", cases)
			}
			entries, _ := os.ReadDir(r.reportsDir)
			for _, e := range entries {
				if strings.HasSuffix(e.Name(), ".tmp") {
					t.Errorf("temp file left behind: %s", e.Name())
				}
			}
			if !strings.Contains(out.String(), "wrote "+filepath.Join(r.reportsDir, markdownName)) {
				t.Errorf("output does not say where it wrote:\n%s", out)
			}
		})
	}
}

func TestReadinessRunnerMissing(t *testing.T) {
	r, out := newRun(t, []string{filepath.Join(t.TempDir(), "no-gotestsum")}, "fixtures/config.yaml", "./readiness/")
	if code := r.execute(); code != exitNotRun {
		t.Fatalf("exit %d, want %d:\n%s", code, exitNotRun, out)
	}
	md := readReport(t, r)
	if !strings.Contains(md, "**Verdict: ⛔ NOT RUN** — the checklist could not run: cannot start") {
		t.Errorf("report does not say it could not run:\n%s", md)
	}
	data, err := os.ReadFile(filepath.Join(r.reportsDir, junitName))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := report.ReadJUnit(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Suites) != 1 || len(rep.Suites[0].Cases) != 1 {
		t.Fatalf("fallback JUnit = %s, want one testcase", data)
	}
	tc := rep.Suites[0].Cases[0]
	if tc.Error == nil || !strings.Contains(tc.Error.Message, "cannot start") || tc.Property("area") == "" || tc.Property("severity") != "blocking" {
		t.Errorf("fallback testcase = %+v, want an error saying why, with area and severity", tc)
	}
	for _, attr := range []string{`tests="1"`, `failures="0"`, `errors="1"`, `time="`, `timestamp="2026-11-29T12:00:00Z"`} {
		if !bytes.Contains(data, []byte("<testsuites name=\"presoak readiness\" ")) || !bytes.Contains(data, []byte(attr)) {
			t.Errorf("fallback JUnit lacks %s:\n%s", attr, data)
		}
	}
}

// fakeRunner writes a shell script standing in for gotestsum: it copies
// stream into the --jsonfile, then runs body.
func fakeRunner(t *testing.T, stream, body string) []string {
	t.Helper()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Fatalf("need sh: %v", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "stream.json"), []byte(stream), 0o644); err != nil {
		t.Fatal(err)
	}
	script := `#!/bin/sh
while [ $# -gt 0 ]; do case "$1" in --jsonfile) json=$2; shift;; esac; shift; done
cp "` + filepath.Join(dir, "stream.json") + `" "$json.part" && mv "$json.part" "$json"
` + body + "\n"
	path := filepath.Join(dir, "gotestsum")
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return []string{path}
}

const passingStream = `{"Action":"run","Package":"p","Test":"TestLogs"}
{"Action":"attr","Package":"p","Test":"TestLogs","Key":"area","Value":"Logs"}
{"Action":"pass","Package":"p","Test":"TestLogs"}
{"Action":"pass","Package":"p"}
`

func TestReadinessRunnerFailsWithoutFailedItem(t *testing.T) {
	r, out := newRun(t, fakeRunner(t, passingStream, "exit 3"), "fixtures/config.yaml")
	if code := r.execute(); code != exitNotRun {
		t.Fatalf("exit %d, want %d:\n%s", code, exitNotRun, out)
	}
	if md := readReport(t, r); !strings.Contains(md, "exited with status 3 but no checklist item failed") {
		t.Errorf("report does not explain:\n%s", md)
	}
}

func TestReadinessInterrupted(t *testing.T) {
	partial := `{"Action":"run","Package":"p","Test":"TestLogs"}
{"Action":"attr","Package":"p","Test":"TestLogs","Key":"area","Value":"Logs"}
`
	runner := fakeRunner(t, partial, "trap 'kill $!; exit 130' INT TERM\nsleep 30 &\nwait")
	r, out := newRun(t, runner, "fixtures/config.yaml")
	sig := make(chan os.Signal, 1)
	r.signals = sig
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		// Interrupt once the fake runner has written its partial stream.
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			matches, _ := filepath.Glob(filepath.Join(r.reportsDir, ".readiness.json.*.tmp"))
			if len(matches) > 0 {
				if fi, err := os.Stat(matches[0]); err == nil && fi.Size() > 0 {
					sig <- os.Interrupt
					return
				}
			}
		}
	}()
	defer wg.Wait()
	defer close(stop)
	start := time.Now()
	code := r.execute()
	if code != exitNotRun {
		t.Fatalf("exit %d, want %d:\n%s", code, exitNotRun, out)
	}
	if d := time.Since(start); d > killGrace {
		t.Errorf("took %v to stop after the interrupt", d)
	}
	md := readReport(t, r)
	if !strings.Contains(md, "**Verdict: ⏸ INTERRUPTED**") || !strings.Contains(md, "`TestLogs`") {
		t.Errorf("report not marked INTERRUPTED:\n%s", md)
	}
	readJUnit(t, filepath.Join(r.reportsDir, junitName))
}

// Readiness of a running bot, end to end: the real checklist (go test -json
// through gotestsum) with TARGET=scrape against a bot on loopback and CONFIG
// empty reads the flags off the bot's /metrics; the report names the metric
// and the instance as each flag's source, and what only the config files can
// say (taker cap, config loads) fails as not evaluated.
func TestReadinessRunningBot(t *testing.T) {
	root, err := checklist.ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(root, "harness/checklist/testdata/bot_flags_on.prom"))
	if err != nil {
		t.Fatal(err)
	}
	// pipeline on, md_cache off.
	page = bytes.Replace(page, []byte(`{flag="md_cache.enabled"} 1`), []byte(`{flag="md_cache.enabled"} 0`), 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(page) }))
	defer srv.Close()
	inst := strings.TrimPrefix(srv.URL, "http://")

	r, out := newRun(t, []string{"go", "tool", "gotestsum"}, "", "-count=1", "-run", "^TestConfigAndFlags$", "./readiness/")
	r.env = append(r.env, "TARGET=scrape", "SCRAPE_URL="+srv.URL+"/metrics", "HARNESS=")
	if code := r.execute(); code != exitBlocking {
		t.Fatalf("exit %d, want %d; output:\n%s", code, exitBlocking, out)
	}
	md := readReport(t, r)
	for _, w := range []string{
		"| Config layers | none (CONFIG is empty): flags read from the running bot: scrape " + srv.URL + "/metrics every 1s",
		"| Config & Flags | `TestConfigAndFlags/pipeline_enabled` | blocking | ✅ | 1 (true) | mm_feature_flag_enabled{flag=\"pipeline.enabled\"} @ " + inst + " |",
		"### ❌ Config & Flags — md_cache_enabled",
		"- **Where:** mm_feature_flag_enabled{flag=\"md_cache.enabled\"} @ " + inst,
		"- **Got:** 0 (false) @ " + inst,
		"### ❌ Config & Flags — taker_cap_max_taker_share_pct",
		"- **Fix:** set CONFIG to the bot's config layers to check taker_cap.max_taker_share_pct",
		"- **Where:** no config files (CONFIG is empty)",
		"### ❌ Config & Flags — config_loads",
		"**Verdict: ❌ ACTION REQUIRED** — 3 blocking items failed",
	} {
		if !strings.Contains(md, w) {
			t.Errorf("report lacks %q", w)
		}
	}
	if t.Failed() {
		t.Logf("report:\n%s", md)
	}
}

// A config that does not load is reported before go test runs (the runner is
// never started), in well under 5 s, with all three reports: ACTION REQUIRED,
// config_loads failed naming file, line and key.
func TestReadinessConfigDoesNotLoadFailsFast(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "runner-started")
	runner := fakeRunner(t, passingStream, "touch "+marker)
	r, out := newRun(t, runner, "fixtures/config.yaml,fixtures/bad/typo_key.yaml", "./readiness/")
	start := time.Now()
	code := r.execute()
	took := time.Since(start)
	if code != exitBlocking {
		t.Fatalf("exit %d, want %d:\n%s", code, exitBlocking, out)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the checklist runner started: the config check must come before any test")
	}
	if took > 5*time.Second {
		t.Errorf("took %v, want the config reported in <= 5s", took)
	}
	md := readReport(t, r)
	for _, w := range []string{
		"**Verdict: ❌ ACTION REQUIRED**",
		"### ❌ Config & Flags — config_loads",
		"fixtures/bad/typo_key.yaml:3: md_cache.enabeld",
	} {
		if !strings.Contains(md, w) {
			t.Errorf("report lacks %q:\n%s", w, md)
		}
	}
	if _, err := os.Stat(filepath.Join(r.reportsDir, jsonName)); err != nil {
		t.Errorf("no %s: %v", jsonName, err)
	}
	doc := readJUnit(t, filepath.Join(r.reportsDir, junitName))
	found := false
	for _, s := range doc.Suites {
		for _, tc := range s.Testcases {
			if tc.Name == "TestConfigAndFlags/config_loads" && tc.Failure != nil &&
				strings.Contains(tc.Failure.Message, "fixtures/bad/typo_key.yaml:3: md_cache.enabeld") {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("JUnit has no failed config_loads naming the file, line and key:\n%+v", doc)
	}
	if !strings.Contains(out.String(), "config_loads") {
		t.Errorf("output does not name the failed item:\n%s", out)
	}
}

// The config check reports what the checklist itself would: the same items,
// statuses, attributes and messages as `go test -run TestConfigAndFlags
// ./readiness/` on the same broken config (embedded and a running bot).
func TestReadinessConfigCheckMatchesTheChecklist(t *testing.T) {
	root, err := checklist.ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		env  []string
	}{
		{"embedded", nil},
		{"scrape", []string{"TARGET=scrape", "SCRAPE_URL=http://127.0.0.1:1/metrics"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, _ := newRun(t, nil, "fixtures/config.yaml,fixtures/bad/typo_key.yaml")
			r.env = append(r.env, c.env...)
			stream, ok := r.configCheck(modulePath(root))
			if ok {
				t.Fatal("configCheck: ok for a config that does not load")
			}
			fromCheck, err := report.Parse(bytes.NewReader(stream))
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("go", "test", "-json", "-count=1", "-run", "^"+configAreaTest+"$", "./readiness/")
			cmd.Dir, cmd.Env = root, r.env
			out, _ := cmd.Output() // exit 1: the items fail
			fromTest, err := report.Parse(bytes.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			if len(fromTest.Items) == 0 {
				t.Fatalf("the checklist ran no item:\n%s", out)
			}
			if len(fromCheck.Items) != len(fromTest.Items) {
				t.Fatalf("config check has %d items, the checklist %d", len(fromCheck.Items), len(fromTest.Items))
			}
			for i, want := range fromTest.Items {
				got := fromCheck.Items[i]
				if got.Package != want.Package || got.Test != want.Test || got.Status != want.Status || got.Area != want.Area || got.Severity != want.Severity {
					t.Errorf("item %d = %s %s %s, the checklist's %s %s %s", i, got.Package, got.Test, got.Status, want.Package, want.Test, want.Status)
				}
				if fmt.Sprint(got.Attrs) != fmt.Sprint(want.Attrs) {
					t.Errorf("%s attrs = %v, the checklist's %v", got.Test, got.Attrs, want.Attrs)
				}
				if strings.Join(got.Messages, "\n") != strings.Join(want.Messages, "\n") {
					t.Errorf("%s messages = %q, the checklist's %q", got.Test, got.Messages, want.Messages)
				}
			}
			if want := configAreaTest + "/" + checklist.ItemBotMatchesConfig; c.env != nil && fromCheck.Items[len(fromCheck.Items)-1].Test != want {
				t.Errorf("a running bot's config check lacks %s", want)
			}
			if fmt.Sprint(fromCheck.Attrs) != fmt.Sprint(fromTest.Attrs) {
				t.Errorf("run attrs = %v, the checklist's %v", fromCheck.Attrs, fromTest.Attrs)
			}
		})
	}
}

// A first-run step that fails (the snapshot cannot be taken) does not stop
// the run: the checklist still runs and all three reports are written, with
// a note saying what could not be made.
func TestReadinessFirstRunFailureStillReports(t *testing.T) {
	dir := t.TempDir()
	failing := filepath.Join(dir, "presoak")
	if err := os.WriteFile(failing, []byte("#!/bin/sh\necho \"presoak snapshot: boom\" >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	r, out := newRun(t, fakeRunner(t, passingStream, "exit 0"), checklist.DefaultConfig)
	r.evidence = []evidenceStep{{What: "flag snapshot", Path: filepath.Join(dir, "missing.json"), Command: []string{failing, "snapshot"}, Make: "make snapshot"}}
	if code := r.execute(); code != exitReady {
		t.Fatalf("exit %d, want %d (the fake checklist passes):\n%s", code, exitReady, out)
	}
	md := readReport(t, r)
	if !strings.Contains(md, "first run: could not make the flag snapshot (make snapshot: exit status 1: presoak snapshot: boom)") {
		t.Errorf("report does not say the first-run step failed:\n%s", md)
	}
	for _, name := range []string{junitName, jsonName} {
		if _, err := os.Stat(filepath.Join(r.reportsDir, name)); err != nil {
			t.Errorf("no %s: %v", name, err)
		}
	}
	// And a step whose file exists is not run.
	r2, out2 := newRun(t, fakeRunner(t, passingStream, "exit 0"), checklist.DefaultConfig)
	r2.evidence = []evidenceStep{{What: "flag snapshot", Path: failing, Command: []string{failing}, Make: "make snapshot"}}
	if code := r2.execute(); code != exitReady || strings.Contains(out2.String(), "first run") {
		t.Errorf("exit %d, output:\n%s\nwant 0 and no first-run step for an existing file", code, out2)
	}
}

// presoak report renders the stream it is given: a config in the
// environment that does not load does not replace it (no config check).
func TestReadinessWithoutConfigCheckRendersTheStream(t *testing.T) {
	r, out := newRun(t, fakeRunner(t, passingStream, "exit 0"), "fixtures/config.yaml,fixtures/bad/typo_key.yaml")
	r.checkConfig = false
	if code := r.execute(); code != exitReady {
		t.Fatalf("exit %d, want %d (the stream passes):\n%s", code, exitReady, out)
	}
	if md := readReport(t, r); strings.Contains(md, "config_loads") {
		t.Errorf("the report shows a config check:\n%s", md)
	}
}
