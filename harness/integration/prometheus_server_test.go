package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/monitoring/prombin"
)

// requirePrometheus returns the pinned prometheus server (make deps), or
// fails under CI=true and skips loudly elsewhere.
func requirePrometheus(t testing.TB) string {
	t.Helper()
	p, _, err := prombin.Find("", prombin.Prometheus)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skipf("SKIPPED, NOT TESTED: %v: the integration tests need a real server", err)
	}
	return p
}

// startPrometheus starts a real Prometheus server on a free loopback port,
// scraping targets (host:port, /metrics) every second as job "mm", with its
// config and TSDB in t.TempDir(). It returns the server's URL once ready.
func startPrometheus(t testing.TB, targets ...string) (string, *proc) {
	t.Helper()
	return startPrometheusWith(t, promSetup{Jobs: map[string][]string{"mm": targets}})
}

// promSetup is what a test's Prometheus server scrapes and evaluates.
type promSetup struct {
	// Jobs are the scrape jobs: job name -> targets (host:port, /metrics),
	// each scraped every second.
	Jobs map[string][]string
	// Rules are rule files (absolute paths) evaluated every second.
	Rules []string
}

// startPrometheusWith starts a real Prometheus server on a free loopback
// port with s's jobs and rule files, its config and TSDB in t.TempDir(). It
// returns the server's URL once ready.
func startPrometheusWith(t testing.TB, s promSetup) (string, *proc) {
	t.Helper()
	bin := requirePrometheus(t)
	dir := t.TempDir()
	var cfg strings.Builder
	cfg.WriteString("global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\n  evaluation_interval: 1s\n")
	if len(s.Rules) > 0 {
		cfg.WriteString("rule_files:\n")
		for _, r := range s.Rules {
			fmt.Fprintf(&cfg, "  - %q\n", r)
		}
	}
	cfg.WriteString("scrape_configs:\n")
	jobs := make([]string, 0, len(s.Jobs))
	for j := range s.Jobs {
		jobs = append(jobs, j)
	}
	sort.Strings(jobs)
	for _, j := range jobs {
		quoted := make([]string, len(s.Jobs[j]))
		for i, a := range s.Jobs[j] {
			quoted[i] = fmt.Sprintf("%q", a)
		}
		fmt.Fprintf(&cfg, "  - job_name: %q\n    static_configs:\n      - targets: [%s]\n", j, strings.Join(quoted, ", "))
	}
	path := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(path, []byte(cfg.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	cmd := exec.Command(bin,
		"--config.file="+path,
		"--web.listen-address="+addr,
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--storage.tsdb.retention.time=1h",
		"--log.level=warn",
	)
	cmd.Dir = dir
	// Prometheus does not print its address on stdout; echo it through sh
	// would add a process, so use the known address.
	p := startKnown(t, cmd, addr, "/-/ready")
	return "http://" + addr, p
}

// startKnown starts a process that listens on a known address.
func startKnown(t testing.TB, cmd *exec.Cmd, addr, readyPath string) *proc {
	t.Helper()
	p := &proc{cmd: cmd, addr: addr, out: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", cmd.Path, err)
	}
	go func() {
		_ = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() { p.stop(t) })
	waitHTTP(t, "http://"+addr+readyPath, 30*time.Second)
	return p
}

// waitScraped waits until Prometheus has scraped every target of job "mm"
// at least n times (count_over_time(up[1m]) >= n for each).
func waitScraped(t testing.TB, promURL string, targets, n int, within time.Duration) {
	t.Helper()
	waitScrapedJob(t, promURL, "mm", targets, n, within)
}

// waitScrapedJob is waitScraped for the targets of job.
func waitScrapedJob(t testing.TB, promURL, job string, targets, n int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	q := fmt.Sprintf("count(count_over_time(up{job=%q}[1m]) >= %d)", job, n)
	re := regexp.MustCompile(`"value":\[[0-9.]+,"(\d+)"\]`)
	for {
		body := getBody(t, promURL+"/api/v1/query?query="+urlEscape(q))
		if m := re.FindStringSubmatch(body); m != nil && m[1] == fmt.Sprint(targets) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus did not scrape %d targets %d times in %v: %s", targets, n, within, body)
		}
		time.Sleep(250 * time.Millisecond)
	}
}
