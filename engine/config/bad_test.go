package config_test

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presoak/presoak/engine/config"
)

// TestBadConfigs loads each malformed config under fixtures/bad as an override
// on the good base and wants exactly one problem naming the bad file, the
// line and the dotted key, with the expected phrase and no secret value.
func TestBadConfigs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file   string
		line   int    // 0: a problem with the whole file
		key    string // "": no key can be named
		phrase string
	}{
		{"broken_yaml.yaml", 2, "symbols", "invalid YAML: did not find expected ',' or ']'"},
		{"tab_indent.yaml", 3, "md_cache.enabled", "tab in indentation"},
		{"unknown_key.yaml", 2, "turbo_mode", "unknown key"},
		{"typo_key.yaml", 3, "md_cache.enabeld", "did you mean md_cache.enabled?"},
		{"misplaced_key.yaml", 2, "ttl", "did you mean md_cache.ttl?"},
		{"wrong_type_bool.yaml", 3, "pipeline.enabled", `want true or false, got a string "yes"`},
		{"wrong_type_int.yaml", 3, "md_cache.capacity", `want a whole number, got a string "lots"`},
		{"wrong_type_float.yaml", 3, "md_cache.capacity", "want a whole number, got a number"},
		{"wrong_type_string.yaml", 3, "quoting.fair_value", "want a string, got an integer"},
		{"percent_over_100.yaml", 3, "taker_cap.max_taker_share_pct", "got 120, want a percent in 0..100"},
		{"percent_negative.yaml", 3, "taker_cap.max_taker_share_pct", "got -1, want a percent in 0..100"},
		{"percent_nan.yaml", 3, "taker_cap.max_taker_share_pct", "want a finite number"},
		{"duplicate_key.yaml", 4, "pipeline.enabled", "duplicate key (first set at line 3)"},
		{"duplicate_section.yaml", 4, "md_cache", "duplicate key (first set at line 2)"},
		{"empty.yaml", 0, "", "file is empty"},
		{"comments_only.yaml", 0, "", "file is empty"},
		{"inline_secret.yaml", 3, "venue.api_key", "secret written inline"},
		{"inline_secret_prefix.yaml", 3, "venue.api_secret", "secret written inline"},
		{"secret_named_unknown_key.yaml", 3, "venue.password", "unknown key"},
		{"missing_env.yaml", 3, "venue.api_key", "environment variable PRESOAK_TEST_UNSET_VARIABLE is not set"},
		{"unterminated_reference.yaml", 3, "venue.name", "unterminated ${"},
		{"bad_duration.yaml", 3, "tick.interval", `want a duration such as 100ms or 2s, got a string "100 parsecs"`},
		{"duration_no_unit.yaml", 3, "md_cache.ttl", "a bare number has no unit"},
		{"zero_duration.yaml", 3, "tick.deadline", "got 0s, want a duration > 0"},
		{"negative_capacity.yaml", 3, "md_cache.capacity", "got -5, want > 0"},
		{"unknown_breaker.yaml", 3, "circuit_breakers.venue_mdd", "unknown circuit breaker; want one of order_entry, venue_md (did you mean circuit_breakers.venue_md?)"},
		{"breaker_zero_threshold.yaml", 4, "circuit_breakers.order_entry.failure_threshold", "got 0, want > 0"},
		{"list_where_map.yaml", 2, "md_cache", "want a mapping of keys (enabled, ttl, capacity), got a list"},
		{"scalar_where_map.yaml", 2, "pipeline", "want a mapping of keys (enabled), got a boolean"},
		{"map_where_list.yaml", 3, "symbols", "want a list of strings such as [BTCUSDT], got a mapping"},
		{"bad_fair_value.yaml", 3, "quoting.fair_value", `got "vwap", want one of mid, microprice`},
		{"min_over_max_spread.yaml", 3, "adaptive_spread.min_spread_bps", "got 30, want <= adaptive_spread.max_spread_bps 20"},
		{"negative_queue.yaml", 3, "queue_aware.max_queue_ahead_lots", "got -1, want >= 0"},
		{"null_value.yaml", 3, "md_cache.ttl", "has no value"},
		{"top_level_list.yaml", 2, "", "want a mapping of config keys at the top level, got a list"},
		{"two_documents.yaml", 4, "", "a second YAML document"},
		{"alias.yaml", 4, "tick.deadline", "aliases"},
		{"broken_yaml_with_secret.yaml", 3, "venue.api_secret", "invalid YAML: found unexpected end of stream"},
		{"empty_symbols.yaml", 2, "symbols", "is an empty list"},
	}
	for _, tc := range cases {
		t.Run(strings.TrimSuffix(tc.file, ".yaml"), func(t *testing.T) {
			t.Parallel()
			bad := fixture(t, filepath.Join("bad", tc.file))
			err := loadErr(t, fixture(t, "config.yaml"), bad)
			checkOneProblem(t, err, bad, tc.line, tc.key, tc.phrase)
		})
	}
}

// TestBadConfigsCovered wants every file under fixtures/bad in the table.
func TestBadConfigsCovered(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(fixture(t, "bad/*.yaml"))
	if err != nil || len(files) < 22 {
		t.Fatalf("fixtures/bad holds %d configs (%v), want >= 22", len(files), err)
	}
}

func TestMissingOverrideFile(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "config.soak_overrides.yaml")
	err := loadErr(t, fixture(t, "config.yaml"), missing)
	checkOneProblem(t, err, missing, 0, "", "cannot read config file: no such file")
	if !errors.Is(err, fs.ErrNotExist) || !errors.Is(err, config.ErrInvalid) {
		t.Errorf("errors.Is(err, fs.ErrNotExist/ErrInvalid) = false, want true: %v", err)
	}
}

func TestHugeFile(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("symbols:\n")
	for b.Len() <= config.DefaultMaxFileBytes {
		fmt.Fprintf(&b, "  - SYM%08d\n", b.Len())
	}
	huge := writeFile(t, "huge.yaml", b.String())
	err := loadErr(t, fixture(t, "config.yaml"), huge)
	checkOneProblem(t, err, huge, 0, "", "over the 1048576-byte limit")
}

func TestDirectoryAsConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	checkOneProblem(t, loadErr(t, dir), dir, 0, "", "is a directory")
}

func TestNoFiles(t *testing.T) {
	t.Parallel()
	err := loadErr(t)
	if len(err.Problems) != 1 || !strings.Contains(err.Error(), "no config files given") {
		t.Errorf("Load() = %v, want one problem saying no config files given", err)
	}
}

// checkOneProblem wants err to hold exactly one problem at file:line for key,
// containing phrase, rendered "file:line: key: msg", with no secret in it.
func checkOneProblem(t *testing.T, err *config.Error, file string, line int, key, phrase string) {
	t.Helper()
	msg := err.Error()
	if strings.Contains(msg, plantedSecret) {
		t.Fatalf("error shows a secret value:\n%s", msg)
	}
	if strings.Contains(msg, "goroutine ") || strings.Contains(msg, "panic") {
		t.Fatalf("error looks like a stack trace:\n%s", msg)
	}
	if len(err.Problems) != 1 {
		t.Fatalf("got %d problems, want 1:\n%s", len(err.Problems), msg)
	}
	p := err.Problems[0]
	if p.File != file || p.Line != line || p.Key != key {
		t.Errorf("problem at %s:%d key %q, want %s:%d key %q\n%s", p.File, p.Line, p.Key, file, line, key, msg)
	}
	if !strings.Contains(p.Msg, phrase) {
		t.Errorf("problem message %q, want it to contain %q", p.Msg, phrase)
	}
	prefix := file
	if line > 0 {
		prefix += fmt.Sprintf(":%d", line)
	}
	prefix += ": "
	if key != "" {
		prefix += key + ": "
	}
	if !strings.HasPrefix(p.String(), prefix) || !strings.HasSuffix(msg, p.String()) {
		t.Errorf("problem renders %q, want it to start %q and to end the error %q", p.String(), prefix, msg)
	}
}

// TestManyProblems: every problem is kept; the message spells out the first
// hundred and counts the rest.
func TestManyProblems(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := range 150 {
		fmt.Fprintf(&b, "unknown_%03d: 1\n", i)
	}
	over := writeFile(t, "many.yaml", b.String())
	err := loadErr(t, fixture(t, "config.yaml"), over)
	if len(err.Problems) != 150 {
		t.Fatalf("got %d problems, want 150", len(err.Problems))
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 102 || lines[101] != "... and 50 more problems" {
		t.Errorf("Error() has %d lines ending %q, want 102 ending with the count of the rest", len(lines), lines[len(lines)-1])
	}
}

// TestBadConfigsAlone loads each malformed config as the only layer: still
// an *Error, one line per problem, no secret, no panic.
func TestBadConfigsAlone(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob(fixture(t, "bad/*.yaml"))
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			err := loadErr(t, file)
			if strings.Contains(err.Error(), plantedSecret) {
				t.Errorf("error shows a secret value:\n%s", err)
			}
			for _, p := range err.Problems {
				if p.File != file || strings.ContainsAny(p.String(), "\r\n") {
					t.Errorf("problem %q, want one line about %s", p, file)
				}
			}
		})
	}
}
