package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/presoak/presoak/engine/config"
	"gopkg.in/yaml.v3"
)

// fuzzSecret is the value every ${VAR} resolves to while fuzzing: it must
// never reach a message or the redacted view.
const fuzzSecret = "fz-env-s3cr3t-q9"

var fuzzOpts = config.Options{LookupEnv: func(name string) (string, bool) {
	if strings.HasPrefix(name, "UNSET") {
		return "", false
	}
	return fuzzSecret, true
}}

var hexHash = regexp.MustCompile(`^[0-9a-f]{64}$`)

// FuzzLoad loads arbitrary bytes as a config file, alone and as an override
// on the base fixture. Load must never panic, must return either a usable
// config or an *Error whose problems are one line each, and must never show
// a value read from the environment. The seed corpus is testdata/fuzz/FuzzLoad
// plus every file under fixtures/.
func FuzzLoad(f *testing.F) {
	base := fixture(f, "config.yaml")
	seeds, _ := filepath.Glob(fixture(f, "bad/*.yaml"))
	seeds = append(seeds, base, fixture(f, "config.soak_overrides.yaml"))
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatalf("read seed: %v", err)
		}
		f.Add(data)
	}
	// One file per worker process, rewritten for each input: a fuzz function
	// runs one input at a time within a process.
	path := filepath.Join(f.TempDir(), "fuzz.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		checkFuzzLoad(t, data, path)
		checkFuzzLoad(t, data, base, path)
	})
}

func checkFuzzLoad(t *testing.T, input []byte, paths ...string) {
	l, err := fuzzOpts.Load(paths...)
	planted := !strings.Contains(string(input), fuzzSecret)
	if err != nil {
		var cerr *config.Error
		if !errors.As(err, &cerr) || len(cerr.Problems) == 0 {
			t.Fatalf("Load error %T %q, want a *config.Error with problems", err, err)
		}
		for _, p := range cerr.Problems {
			if p.File == "" || p.Msg == "" || strings.ContainsAny(p.String(), "\n\r") {
				t.Fatalf("malformed problem %q", p.String())
			}
		}
		if planted && strings.Contains(err.Error(), fuzzSecret) {
			t.Fatalf("error shows an environment value:\n%s", err)
		}
		return
	}
	if h := l.Hash(); !hexHash.MatchString(h) {
		t.Fatalf("Hash() = %q", h)
	}
	out, err := l.Redacted()
	if err != nil {
		t.Fatalf("Redacted: %v", err)
	}
	var shown config.Config
	if err := yaml.Unmarshal(out, &shown); err != nil {
		t.Fatalf("Redacted is not YAML: %v", err)
	}
	for _, v := range []string{shown.Venue.APIKey, shown.Venue.APISecret} {
		if v != "" && v != config.RedactedValue {
			t.Fatalf("Redacted shows a secret:\n%s", out)
		}
	}
	if got, want := len(l.Leaves()), len(config.KnownKeys()); got != want {
		t.Fatalf("len(Leaves()) = %d, want %d", got, want)
	}
}
