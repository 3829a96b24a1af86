package target

import (
	"context"
	"errors"
	"fmt"
	"sort"
)

// Open builds the harness's target. The embedded target needs the bot's
// config, which only the caller has: embedded builds it (nil makes
// KindEmbedded an error).
func (h *Harness) Open(embedded func() (Target, error)) (Target, error) {
	switch h.Kind {
	case KindScrape:
		return NewScrape(ScrapeOptions{URL: h.Scrape.URL, Timeout: h.Scrape.Timeout, MaxBodyBytes: h.Scrape.MaxBodyBytes, Profile: h.Profile})
	case KindPrometheus:
		return NewPrometheus(PrometheusOptions{URL: h.Prometheus.URL, Selector: h.Prometheus.Selector, InstanceLabel: h.Prometheus.InstanceLabel, Timeout: h.Prometheus.Timeout, Profile: h.Profile})
	case KindEmbedded:
		if embedded == nil {
			return nil, errors.New("open target: embedded target asked for but no constructor given")
		}
		t, err := embedded()
		if err != nil {
			return nil, fmt.Errorf("open target: %w", err)
		}
		return t, nil
	}
	return nil, fmt.Errorf("open target: unknown kind %q", h.Kind)
}

// Describe says in one line which target and where, for progress lines and
// reports (URLs without passwords).
func (h *Harness) Describe() string {
	switch h.Kind {
	case KindScrape:
		return fmt.Sprintf("scrape %s every %v (timeout %v)", redactURL(h.Scrape.URL), h.Scrape.Interval, h.Scrape.Timeout)
	case KindPrometheus:
		sel := h.Prometheus.Selector
		if sel == "" {
			sel = "(every series)"
		}
		return fmt.Sprintf("prometheus %s selector %s every %v (timeout %v)", redactURL(h.Prometheus.URL), sel, h.Prometheus.Interval, h.Prometheus.Timeout)
	}
	return "embedded reference engine"
}

// FromEnv is the one call a runner makes: load the harness config (env
// HARNESS, default fixtures/presoak.yaml under root) with the env overrides
// TARGET, SCRAPE_URL, PROMETHEUS_URL and SELECTOR, validate it, and open its
// target. embedded builds the embedded target when TARGET is embedded (the
// default). The caller closes the target.
func FromEnv(root string, embedded func() (Target, error)) (Target, *Harness, error) {
	h, err := LoadHarnessEnv(root, nil)
	if err != nil {
		return nil, nil, err
	}
	t, err := h.Open(embedded)
	if err != nil {
		return nil, h, err
	}
	return t, h, nil
}

// ErrNoFlags is returned by ReadFlags when no bot could be read or none
// exposes a feature flag.
var ErrNoFlags = errors.New("no feature flags read")

// ReadFlags samples t once and returns each up bot's feature flags
// (mm_feature_flag_enabled{flag}), by instance: what readiness checks when
// no config files are given. A bot that is down is an error naming it.
func ReadFlags(ctx context.Context, t Target) (map[string]map[string]bool, error) {
	ss, err := t.Sample(ctx)
	if err != nil {
		return nil, fmt.Errorf("read flags: %w", err)
	}
	out := map[string]map[string]bool{}
	var down []string
	for _, s := range ss {
		if !s.Up {
			down = append(down, s.Instance+" ("+s.Fault+")")
			continue
		}
		if len(s.Flags) > 0 {
			out[s.Instance] = s.Flags
		}
	}
	sort.Strings(down)
	if len(down) > 0 {
		return out, fmt.Errorf("read flags: %w: down: %v", ErrNoFlags, down)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("read flags: %w: no bot exposes mm_feature_flag_enabled", ErrNoFlags)
	}
	return out, nil
}
