package stack

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os/exec"
	"path/filepath"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/presoak/presoak/harness/monitoring/prombin"
)

// ErrNoPrometheus is returned when the pinned Prometheus server is not
// built (or is not the pinned release); the error says to run `make deps`.
var ErrNoPrometheus = errors.New("no pinned prometheus server")

// FindPrometheus returns bin when set, else the pinned server (package
// prombin: built by `make deps` from the release in tools/go.mod). Another
// prometheus on PATH is never used.
func FindPrometheus(bin string) (string, error) {
	if bin != "" {
		p, err := exec.LookPath(bin)
		if err != nil {
			return "", fmt.Errorf("find prometheus %q: %w: %w", bin, ErrNoPrometheus, err)
		}
		return p, nil
	}
	p, _, err := prombin.Find("", prombin.Prometheus)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrNoPrometheus, err)
	}
	return p, nil
}

// promConfig is the part of prometheus.yml the stack writes.
type promConfig struct {
	Global struct {
		ScrapeInterval     string `yaml:"scrape_interval"`
		EvaluationInterval string `yaml:"evaluation_interval"`
	} `yaml:"global"`
	RuleFiles     []string       `yaml:"rule_files"`
	ScrapeConfigs []scrapeConfig `yaml:"scrape_configs"`
}

type scrapeConfig struct {
	JobName        string         `yaml:"job_name"`
	ScrapeInterval string         `yaml:"scrape_interval"`
	ScrapeTimeout  string         `yaml:"scrape_timeout"`
	MetricsPath    string         `yaml:"metrics_path"`
	Scheme         string         `yaml:"scheme"`
	StaticConfigs  []staticConfig `yaml:"static_configs"`
}

type staticConfig struct {
	Targets []string `yaml:"targets"`
}

// PrometheusConfig renders prometheus.yml: one scrape job for scrapeURL
// every interval, rule evaluation every interval, and the rule file at
// rulesRel (relative to the config file's directory, so that no absolute
// path is written).
func PrometheusConfig(job, scrapeURL, rulesRel string, interval time.Duration) ([]byte, error) {
	u, err := url.Parse(scrapeURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("render prometheus config: scrape URL %q is not an http(s) URL", scrapeURL)
	}
	if interval < time.Second || interval > 5*time.Second {
		return nil, fmt.Errorf("render prometheus config: scrape interval %s, want 1s..5s", interval)
	}
	var c promConfig
	iv := interval.String()
	c.Global.ScrapeInterval, c.Global.EvaluationInterval = iv, iv
	c.RuleFiles = []string{filepath.ToSlash(rulesRel)}
	path := u.EscapedPath()
	if path == "" {
		path = "/metrics"
	}
	timeout := interval
	c.ScrapeConfigs = []scrapeConfig{{
		JobName: job, ScrapeInterval: iv, ScrapeTimeout: timeout.String(),
		MetricsPath: path, Scheme: u.Scheme,
		StaticConfigs: []staticConfig{{Targets: []string{u.Host}}},
	}}
	out, err := yaml.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("render prometheus config: %w", err)
	}
	return append([]byte("# Written by presoak (make monitor). Regenerated on every start.\n"), out...), nil
}

// freeLoopbackAddr returns 127.0.0.1:<a port free right now>.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	return addr, nil
}
