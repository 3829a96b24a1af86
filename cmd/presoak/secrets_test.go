package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 17, item 4, as reported: quoting.fair_value: ${PRESOAK_VENUE_API_KEY}
// printed `got "<the secret>", want one of mid, microprice` and a repeated
// symbol `"<the secret>" is listed twice` on the terminal and into
// PRE_SOAK_REPORT.md, readiness.junit.xml and readiness.json. After: the
// real readiness command (its config check, which reports a config that
// does not load without running go test) shows neither, anywhere.
func TestReadinessNeverShowsAValueFromTheEnvironment(t *testing.T) {
	const secret = "zq7-READINESS-SENTINEL"
	t.Setenv("PRESOAK_VENUE_API_KEY", secret) // the config loads with the process environment
	for name, body := range map[string]string{
		"fair_value": "quoting:\n  fair_value: ${PRESOAK_VENUE_API_KEY}\n",
		"symbols":    "symbols: [\"${PRESOAK_VENUE_API_KEY}\", \"${PRESOAK_VENUE_API_KEY}\"]\n",
	} {
		t.Run(name, func(t *testing.T) {
			override := filepath.Join(t.TempDir(), "secret.yaml")
			if err := os.WriteFile(override, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			r, out := newRun(t, fakeRunner(t, passingStream, ""), "fixtures/config.yaml,"+override, "./readiness/")
			if code := r.execute(); code != exitBlocking {
				t.Fatalf("exit %d, want %d (the config does not load):\n%s", code, exitBlocking, out)
			}
			if strings.Contains(out.String(), secret) {
				t.Errorf("the output shows the value:\n%s", out)
			}
			ents, err := os.ReadDir(r.reportsDir)
			if err != nil || len(ents) < 3 {
				t.Fatalf("reports: %v, %v; want the three", ents, err)
			}
			for _, e := range ents {
				b, _ := os.ReadFile(filepath.Join(r.reportsDir, e.Name()))
				if strings.Contains(string(b), secret) {
					t.Errorf("%s shows the value", e.Name())
				}
			}
			if md := readReport(t, r); !strings.Contains(md, "a value from the environment (not shown)") {
				t.Errorf("the report does not say the value is hidden:\n%s", md)
			}
		})
	}
}
