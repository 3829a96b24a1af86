package config_test

import (
	"strings"
	"testing"

	"github.com/presoak/presoak/engine/config"
)

// Issue 17, item 4. Before: a value from the environment in a key the
// validator quotes was printed (`got "<the secret>", want one of mid,
// microprice`; `"<the secret>" is listed twice`), and one in venue.name was
// written in clear by Redacted. After: neither.
func TestValuesFromTheEnvironmentAreNeverShown(t *testing.T) {
	t.Parallel()
	secret := plantedSecret + "-key"
	for name, body := range map[string]string{
		"fair_value": "quoting: {fair_value: \"${PRESOAK_VENUE_API_KEY}\"}",
		"symbols":    "symbols: [\"${PRESOAK_VENUE_API_KEY}\", \"${PRESOAK_VENUE_API_KEY}\"]",
	} {
		_, err := opts.Load(fixture(t, "config.yaml"), writeFile(t, "o.yaml", body+"\n"))
		if err == nil || strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "value from the environment (not shown)") {
			t.Errorf("%s: got %v, want an error that does not show the value", name, err)
		}
	}
	l := mustLoad(t, fixture(t, "config.yaml"), writeFile(t, "o.yaml", "venue: {name: \"${PRESOAK_VENUE_API_KEY}\"}\nsymbols: [\"${PRESOAK_VENUE_API_KEY}\", ETHUSDT]\n"))
	if l.Config.Venue.Name != secret || !l.FromEnv("venue.name") || l.FromEnv("venue.seed") {
		t.Fatalf("venue.name %q from env %v: want the value resolved and marked", l.Config.Venue.Name, l.FromEnv("venue.name"))
	}
	y, err := l.Redacted()
	if err != nil || strings.Contains(string(y), secret) || !strings.Contains(string(y), "name: "+config.RedactedValue) {
		t.Errorf("Redacted: %v\n%s\nwant venue.name and the symbols as %s", err, y, config.RedactedValue)
	}
	for _, lf := range l.Leaves() {
		if strings.Contains(lf.String(), secret) {
			t.Errorf("leaf %s shows the value", lf)
		}
	}
	if lf, _ := l.Lookup("venue.name"); !lf.Secret {
		t.Errorf("venue.name from the environment: Secret false, want true")
	}
	if lf, _ := l.Lookup("venue.seed"); lf.Secret {
		t.Errorf("venue.seed from a file: Secret true, want false")
	}
}
