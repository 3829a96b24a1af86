package config_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/presoak/presoak/engine/config"
)

func TestInterpolation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body string
		check      func(c config.Config) bool
		want       string
	}{
		{"integer from env", "venue: {seed: \"${PRESOAK_TEST_SEED}\"}", func(c config.Config) bool { return c.Venue.Seed == 7 }, "seed 7"},
		{"unquoted reference", "venue:\n  seed: ${PRESOAK_TEST_SEED}", func(c config.Config) bool { return c.Venue.Seed == 7 }, "seed 7"},
		{"default when unset", "venue: {name: \"${PRESOAK_TEST_UNSET_VARIABLE:-fallback}\"}", func(c config.Config) bool { return c.Venue.Name == "fallback" }, "name fallback"},
		{"default when empty", "venue: {name: \"${PRESOAK_TEST_EMPTY:-fallback}\"}", func(c config.Config) bool { return c.Venue.Name == "fallback" }, "name fallback"},
		{"text around a reference", "venue: {name: \"sim-${PRESOAK_TEST_SEED}-b\"}", func(c config.Config) bool { return c.Venue.Name == "sim-7-b" }, "name sim-7-b"},
		{"escaped dollar", "venue: {name: \"$${NOT_A_VAR}\"}", func(c config.Config) bool { return c.Venue.Name == "${NOT_A_VAR}" }, "name ${NOT_A_VAR}"},
		{"lone dollar kept", "venue: {name: \"sim$1\"}", func(c config.Config) bool { return c.Venue.Name == "sim$1" }, "name sim$1"},
		{"list items", "symbols: [\"${PRESOAK_TEST_UNSET_VARIABLE:-ETHUSDT}\", BTCUSDT]", func(c config.Config) bool {
			return slices.Equal(c.Symbols, []string{"ETHUSDT", "BTCUSDT"})
		}, "symbols [ETHUSDT BTCUSDT]"},
		{"secrets resolved into Config", "venue: {api_key: \"${PRESOAK_VENUE_API_KEY}\"}", func(c config.Config) bool {
			return c.Venue.APIKey == plantedSecret+"-key"
		}, "the env value"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := mustLoad(t, fixture(t, "config.yaml"), writeFile(t, "o.yaml", tc.body+"\n"))
			if !tc.check(l.Config) {
				t.Errorf("%s: got venue %q seed %d symbols %v, want %s", tc.body, l.Config.Venue.Name, l.Config.Venue.Seed, l.Config.Symbols, tc.want)
			}
		})
	}
}

func TestInterpolationErrors(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, body, key, phrase string }{
		{"unset variable", "venue: {name: \"${PRESOAK_TEST_UNSET_VARIABLE}\"}", "venue.name", "environment variable PRESOAK_TEST_UNSET_VARIABLE is not set"},
		{"bad name", "venue: {name: \"${1BAD}\"}", "venue.name", "invalid variable reference"},
		{"empty name", "venue: {name: \"${}\"}", "venue.name", "invalid variable reference"},
		{"env value of the wrong type is not shown", "venue: {seed: \"${PRESOAK_TEST_NOT_A_NUMBER}\"}", "venue.seed", "want a whole number, got a string (value not shown)"},
		{"unset secret", "venue: {api_secret: \"${PRESOAK_TEST_UNSET_VARIABLE}\"}", "venue.api_secret", "PRESOAK_TEST_UNSET_VARIABLE is not set"},
		{"secret as a number", "venue: {api_key: 12345}", "venue.api_key", "secret written inline (value not shown)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			over := writeFile(t, "o.yaml", tc.body+"\n")
			err := loadErr(t, fixture(t, "config.yaml"), over)
			checkOneProblem(t, err, over, 1, tc.key, tc.phrase)
			if strings.Contains(err.Error(), "12345") {
				t.Errorf("error shows the inline secret: %v", err)
			}
		})
	}
}

func TestRedaction(t *testing.T) {
	t.Parallel()
	l := mustLoad(t, fixture(t, "config.yaml"), fixture(t, "config.soak_overrides.yaml"))
	if l.Config.Venue.APIKey != plantedSecret+"-key" || l.Config.Venue.APISecret != plantedSecret+"-secret" {
		t.Fatalf("secrets not resolved into Config")
	}
	out, err := l.Redacted()
	if err != nil {
		t.Fatalf("Redacted: %v", err)
	}
	if strings.Contains(string(out), plantedSecret) {
		t.Errorf("Redacted() shows a secret:\n%s", out)
	}
	for _, want := range []string{"api_key: <redacted>", "api_secret: <redacted>", "enabled: true", "ttl: 100ms", "max_taker_share_pct: 9"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("Redacted() lacks %q:\n%s", want, out)
		}
	}
	if l.Config.Venue.APIKey != plantedSecret+"-key" {
		t.Errorf("Redacted() changed the live Config")
	}
	var secrets []string
	for _, lf := range l.Leaves() {
		if strings.Contains(lf.String(), plantedSecret) {
			t.Errorf("leaf %s shows a secret", lf.Key)
		}
		if lf.Secret {
			secrets = append(secrets, lf.Key)
			if lf.Value != config.RedactedValue {
				t.Errorf("secret leaf %s value is not %s", lf.Key, config.RedactedValue)
			}
		}
	}
	if want := []string{"venue.api_key", "venue.api_secret"}; !slices.Equal(secrets, want) {
		t.Errorf("secret leaves %v, want %v", secrets, want)
	}
}

// TestRedactionWithoutEnv: the fixtures load with no credentials in the
// environment, through the ${VAR:-default} form.
func TestRedactionWithoutEnv(t *testing.T) {
	t.Parallel()
	noEnv := config.Options{LookupEnv: func(string) (string, bool) { return "", false }}
	l, err := noEnv.Load(fixture(t, "config.yaml"), fixture(t, "config.soak_overrides.yaml"))
	if err != nil {
		t.Fatalf("Load with an empty environment: %v", err)
	}
	if l.Config.Venue.APIKey != "shadow-no-key" {
		t.Errorf("api_key = the default? got %d bytes, want shadow-no-key", len(l.Config.Venue.APIKey))
	}
}

func TestIsSecretKey(t *testing.T) {
	t.Parallel()
	for key, want := range map[string]bool{
		"venue.api_key":     true,
		"venue.api_secret":  true,
		"x.auth_token":      true,
		"db.password":       true,
		"wallet.PASSPHRASE": true,
		"venue.apikey":      true,
		"venue.name":        false,
		"md_cache.ttl":      false,
		"tick.deadline":     false,
	} {
		if got := config.IsSecretKey(key); got != want {
			t.Errorf("IsSecretKey(%q) = %v, want %v", key, got, want)
		}
	}
}
