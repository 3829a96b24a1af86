package checklist_test

import (
	"os"
	"regexp"
	"testing"

	"github.com/presoak/presoak/harness/checklist"
)

// A bot read through its profile is recorded with its own config: the hash
// of its config layers, which changes with the config and is an error (never
// a made-up hash) when a layer cannot be read.
func TestProfileConfigHash(t *testing.T) {
	healthy := exampleBot(t, "bbgo", "", "")
	broken := exampleBot(t, "bbgo", "maxTakerShare: 0.08", "maxTakerShare: 0.12")
	h1, err1 := checklist.ProfileConfigHash(healthy)
	h2, err2 := checklist.ProfileConfigHash(broken)
	again, err3 := checklist.ProfileConfigHash(healthy)
	if err1 != nil || err2 != nil || err3 != nil {
		t.Fatal(err1, err2, err3)
	}
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(h1) || h1 == h2 || h1 != again {
		t.Errorf("hashes: healthy %q (again %q), taker cap 12 %% %q: want a sha256 that changes with the config only", h1, again, h2)
	}
	if err := os.Remove(healthy.Resolve(healthy.Config.Layers[0])); err != nil {
		t.Fatal(err)
	}
	if h, err := checklist.ProfileConfigHash(healthy); err == nil {
		t.Errorf("a missing layer: got hash %q, want an error", h)
	}
}

// With a bot profile the config_layers attribute is the bot's own config
// files, never presoak's CONFIG or "none (CONFIG is empty)".
func TestLayersAttrWithProfile(t *testing.T) {
	p := exampleBot(t, "hummingbot", "", "")
	t.Setenv("PROFILE", p.File)
	t.Setenv("PRESOAK_PROFILE", p.File)
	t.Setenv("CONFIG", "")
	t.Setenv("TARGET", "")
	env, err := checklist.LoadRunEnv(os.LookupEnv)
	if err != nil {
		t.Fatal(err)
	}
	if got := env.LayersAttr(); got != "conf_pure_mm.yml" {
		t.Errorf("LayersAttr with a bot profile: got %q, want conf_pure_mm.yml", got)
	}
}
