package target

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/presoak/presoak/harness/profile"
)

// LoadProfileHarness loads the bot profile at path as the harness: its
// target section (presoak's defaults where it is silent), its signals, and
// the env overrides from getenv (nil: none). A profile problem is a
// *profile.Error (file:line:key); a target problem a *HarnessError.
func LoadProfileHarness(path string, getenv func(string) string) (*Harness, error) {
	p, err := profile.Load(path)
	if err != nil {
		return nil, fmt.Errorf("load harness: %w", err)
	}
	return FromProfile(p, getenv)
}

// FromProfile is the harness a profile declares (see LoadProfileHarness).
func FromProfile(p *profile.Profile, getenv func(string) string) (*Harness, error) {
	h := DefaultHarness()
	h.File = p.File
	h.Profile = p
	t := p.Target
	if t.Kind != "" {
		h.Kind = Kind(t.Kind)
	}
	setS := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	setD := func(dst *time.Duration, v time.Duration) {
		if v > 0 {
			*dst = v
		}
	}
	setS(&h.Scrape.URL, t.Scrape.URL)
	setD(&h.Scrape.Interval, t.Scrape.Interval)
	setD(&h.Scrape.Timeout, t.Scrape.Timeout)
	if t.Scrape.MaxBodyBytes > 0 {
		h.Scrape.MaxBodyBytes = t.Scrape.MaxBodyBytes
	}
	setS(&h.Prometheus.URL, t.Prometheus.URL)
	setS(&h.Prometheus.Selector, t.Prometheus.Selector)
	setS(&h.Prometheus.InstanceLabel, t.Prometheus.InstanceLabel)
	setD(&h.Prometheus.Interval, t.Prometheus.Interval)
	setD(&h.Prometheus.Timeout, t.Prometheus.Timeout)
	for k, v := range p.Sources {
		h.Sources[k] = v
	}
	if getenv != nil {
		h.applyEnv(getenv)
	}
	probs := h.validate(filepath.Base(p.File))
	if h.Kind == KindEmbedded && p.File != profile.ReferenceFile && len(p.Config.Layers) > 0 {
		// embedded runs presoak's reference engine on CONFIG: with a
		// profile that names its bot's own config, a verdict about the
		// wrong bot. (The profile refuses kind: embedded itself; this is
		// a kind left unset, or TARGET=embedded.)
		where, ok := h.Sources["target.kind"]
		if !ok {
			where = filepath.Base(p.File) + " (not set)"
		}
		probs = append(probs, HarnessProblem{Where: where, Key: "target.kind",
			Msg: "embedded runs presoak's reference engine, not the bot this profile declares (config.layers): want scrape (target.scrape.url, the bot's /metrics) or prometheus (target.prometheus), in the profile or TARGET"})
	}
	if len(probs) > 0 {
		sortProblems(probs)
		return nil, &HarnessError{Problems: probs}
	}
	return &h, nil
}
