package target

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/presoak/presoak/harness/profile"
)

// Kind is which target the harness reads signals from.
type Kind string

// The target kinds (fixtures/presoak.yaml target.kind, env TARGET).
const (
	KindEmbedded   Kind = "embedded"
	KindScrape     Kind = "scrape"
	KindPrometheus Kind = "prometheus"
)

// HarnessFile is the default harness config, relative to the module root;
// env HARNESS names another.
const HarnessFile = "fixtures/presoak.yaml"

// The environment variables that override the harness file.
const (
	EnvHarness       = "HARNESS"
	EnvTarget        = "TARGET"
	EnvScrapeURL     = "SCRAPE_URL"
	EnvPrometheusURL = "PROMETHEUS_URL"
	EnvSelector      = "SELECTOR"
	// EnvProfile names a bot profile (harness/profile); it replaces the
	// harness file.
	EnvProfile = "PROFILE"
	// EnvTeamProfile is the same for presoak readiness -profile (a team's
	// module: internal/home reads it too).
	EnvTeamProfile = "PRESOAK_PROFILE"
)

// Harness is the validated harness config: which target, how to reach it,
// and the bot's profile (its signals). Build it with LoadHarness (or LoadHarnessEnv),
// never by hand without calling Validate.
type Harness struct {
	// File is the harness file it was loaded from.
	File string
	// Kind is the target.
	Kind Kind
	// Scrape is target.scrape (used when Kind is scrape).
	Scrape ScrapeSettings
	// Prometheus is target.prometheus (used when Kind is prometheus).
	Prometheus PrometheusSettings
	// Profile is the bot profile: the file named by env PROFILE, or the
	// reference profile with the harness file's old metric_names: section
	// folded in (profile.FromNames). Its signals are what the targets
	// evaluate, and the only metric names anything reads.
	Profile *profile.Profile
	// names is the harness file's metric_names: section, the input of
	// profile.FromNames (empty fields keep the reference engine's names).
	names profile.MetricNames
	// Sources says where each dotted key's value came from ("presoak.yaml:7",
	// "env TARGET"); keys left at their default are absent.
	Sources map[string]string
}

// ScrapeSettings are target.scrape.
type ScrapeSettings struct {
	URL          string        // the bot's /metrics (env SCRAPE_URL)
	Interval     time.Duration // how often to scrape
	Timeout      time.Duration // one scrape's bound; <= Interval
	MaxBodyBytes int64         // a larger page is a fault
}

// PrometheusSettings are target.prometheus.
type PrometheusSettings struct {
	URL           string        // the server (env PROMETHEUS_URL)
	Selector      string        // PromQL label selector (env SELECTOR)
	InstanceLabel string        // the label naming a bot
	Interval      time.Duration // how often to query
	Timeout       time.Duration // one round of queries' bound; <= Interval
}

// DefaultHarness is the harness with no file: the embedded target and the
// reference profile.
func DefaultHarness() Harness {
	return Harness{
		Kind:       KindEmbedded,
		Scrape:     ScrapeSettings{Interval: time.Second, Timeout: 900 * time.Millisecond, MaxBodyBytes: DefaultMaxBodyBytes},
		Prometheus: PrometheusSettings{InstanceLabel: "instance", Interval: 15 * time.Second, Timeout: DefaultPrometheusTimeout},
		Profile:    profile.Default(),
		Sources:    map[string]string{},
	}
}

// Interval is how often the chosen target should be sampled (0 for the
// embedded target: the runner's own interval applies).
func (h *Harness) Interval() time.Duration {
	switch h.Kind {
	case KindScrape:
		return h.Scrape.Interval
	case KindPrometheus:
		return h.Prometheus.Interval
	}
	return 0
}

// LoadHarnessEnv loads the harness file named by env HARNESS (default
// HarnessFile under root; a relative HARNESS is taken against root too),
// applies the env overrides TARGET, SCRAPE_URL, PROMETHEUS_URL and SELECTOR,
// and validates the result. getenv nil means os.Getenv.
func LoadHarnessEnv(root string, getenv func(string) string) (*Harness, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	pf := getenv(EnvProfile)
	if pf == "" {
		pf = getenv(EnvTeamProfile)
	}
	if pf != "" {
		if !filepath.IsAbs(pf) {
			pf = filepath.Join(root, pf)
		}
		return LoadProfileHarness(pf, getenv)
	}
	path := getenv(EnvHarness)
	if path == "" {
		path = HarnessFile
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(root, path)
	}
	return LoadHarness(path, getenv)
}

// LoadHarness reads path, applies the env overrides from getenv (nil: none)
// and validates: every problem (unknown key, wrong type, bad value) in one
// *HarnessError naming file:line and key.
func LoadHarness(path string, getenv func(string) string) (*Harness, error) {
	h := DefaultHarness()
	h.File = path
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load harness: %w", err)
	}
	probs := h.decode(filepath.Base(path), data)
	if getenv != nil {
		h.applyEnv(getenv)
	}
	probs = append(probs, h.validate(filepath.Base(path))...)
	if len(probs) > 0 {
		sortProblems(probs)
		return nil, &HarnessError{Problems: probs}
	}
	h.Profile = profile.FromNames(h.names)
	return &h, nil
}

// applyEnv overrides the file with the environment.
func (h *Harness) applyEnv(getenv func(string) string) {
	set := func(env, key string, dst *string) {
		if v := strings.TrimSpace(getenv(env)); v != "" {
			*dst = v
			h.Sources[key] = "env " + env
		}
	}
	kind := string(h.Kind)
	set(EnvTarget, "target.kind", &kind)
	h.Kind = Kind(kind)
	set(EnvScrapeURL, "target.scrape.url", &h.Scrape.URL)
	set(EnvPrometheusURL, "target.prometheus.url", &h.Prometheus.URL)
	set(EnvSelector, "target.prometheus.selector", &h.Prometheus.Selector)
}

// HarnessProblem is one thing wrong with the harness config.
type HarnessProblem struct {
	// Where is "file:line", "file" or "env NAME".
	Where string
	Key   string
	Msg   string
}

func (p HarnessProblem) String() string {
	if p.Key == "" {
		return p.Where + ": " + p.Msg
	}
	return p.Where + ": " + p.Key + ": " + p.Msg
}

// HarnessError is every problem found in a harness config.
type HarnessError struct{ Problems []HarnessProblem }

// ErrHarness is matched (errors.Is) by every *HarnessError.
var ErrHarness = errors.New("invalid harness config")

func (e *HarnessError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	if len(lines) == 1 {
		return "load harness: " + lines[0]
	}
	return fmt.Sprintf("load harness: %d problems:\n  %s", len(lines), strings.Join(lines, "\n  "))
}

// Is makes errors.Is(err, ErrHarness) true.
func (e *HarnessError) Is(target error) bool { return target == ErrHarness }

// sortProblems orders problems as a reader meets them: the file's by line
// (a problem with the whole file first), then the environment's.
func sortProblems(probs []HarnessProblem) {
	rank := func(p HarnessProblem) (int, int) {
		if strings.HasPrefix(p.Where, "env ") {
			return 2, 0
		}
		if i := strings.LastIndexByte(p.Where, ':'); i >= 0 {
			if n, err := strconv.Atoi(p.Where[i+1:]); err == nil {
				return 1, n
			}
		}
		return 0, 0
	}
	sort.SliceStable(probs, func(i, j int) bool {
		gi, li := rank(probs[i])
		gj, lj := rank(probs[j])
		return gi < gj || (gi == gj && li < lj)
	})
}
