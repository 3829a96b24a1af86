package safety

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// Targets is a rollback targets file (fixtures/rollback.yaml):
//
//	version: 1
//	targets:                 # what a rollback sets, in order
//	  - key: pipeline.enabled
//	    value: false
//	    why: back to the sequential tick loop
//	limits:                  # recorded in the snapshot besides every <section>.enabled
//	  - taker_cap.max_taker_share_pct
//	  - risk                 # a section name records every leaf under it
type Targets struct {
	// Version of the file format; 1.
	Version int
	// Targets are the keys a rollback sets, each to its value.
	Targets []Target
	// Limits are keys (or section prefixes) the snapshot records besides the
	// `<section>.enabled` flags.
	Limits []string
	// File is where the targets were read from, for messages.
	File string
}

// Target is one key a rollback sets.
type Target struct {
	// Key is the dotted config key, e.g. "md_cache.enabled".
	Key string
	// Value is what the rollback sets it to (a YAML scalar).
	Value any
	// Why says what turning it back means, for people.
	Why string
	// Line is the line of the target in its file.
	Line int
}

// ErrTargets is what every invalid targets file matches with errors.Is.
var ErrTargets = errors.New("invalid rollback targets")

// LoadTargets reads and validates a rollback targets file. Every problem is in
// the one error it returns.
func LoadTargets(path string) (*Targets, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load rollback targets: %w", err)
	}
	return ParseTargets(path, data)
}

// ParseTargets parses and validates the content of a targets file; name is
// used in messages.
func ParseTargets(name string, data []byte) (*Targets, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("load rollback targets: %s: %w: %w", name, ErrTargets, err)
	}
	t := &Targets{File: name}
	var problems []string
	add := func(line int, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s:%d: %s", name, line, fmt.Sprintf(format, args...)))
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("load rollback targets: %s:%d: %w: want a mapping with version, targets, limits", name, root.Line, ErrTargets)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if seen[k.Value] {
			add(k.Line, "duplicate key %q", k.Value)
			continue
		}
		seen[k.Value] = true
		switch k.Value {
		case "version":
			if err := v.Decode(&t.Version); err != nil || t.Version != 1 {
				add(v.Line, "version: got %q, want 1", v.Value)
			}
		case "targets":
			if v.Kind != yaml.SequenceNode {
				add(v.Line, "targets: want a list")
				continue
			}
			for _, item := range v.Content {
				tg, errs := parseTarget(item)
				for _, e := range errs {
					add(item.Line, "%s", e)
				}
				if len(errs) == 0 {
					t.Targets = append(t.Targets, tg)
				}
			}
		case "limits":
			if err := v.Decode(&t.Limits); err != nil {
				add(v.Line, "limits: want a list of dotted keys")
			}
			for j, l := range t.Limits {
				if !validKey(l) {
					add(v.Content[j].Line, "limits: %q is not a dotted key", l)
				}
			}
		default:
			add(k.Line, "unknown key %q (want version, targets, limits)", k.Value)
		}
	}
	if !seen["version"] {
		add(root.Line, "version: missing, want 1")
	}
	if len(t.Targets) == 0 && !seen["targets"] {
		add(root.Line, "targets: missing, want at least one")
	}
	keys := map[string]int{}
	for _, tg := range t.Targets {
		if first, dup := keys[tg.Key]; dup {
			add(tg.Line, "target %s: duplicate (first on line %d)", tg.Key, first)
		}
		keys[tg.Key] = tg.Line
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("load rollback targets: %w:\n%s", ErrTargets, strings.Join(problems, "\n"))
	}
	return t, nil
}

func parseTarget(n *yaml.Node) (Target, []string) {
	tg := Target{Line: n.Line}
	if n.Kind != yaml.MappingNode {
		return tg, []string{"target: want a mapping with key, value, why"}
	}
	var errs []string
	hasValue := false
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "key":
			tg.Key = v.Value
		case "value":
			hasValue = true
			if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
				errs = append(errs, fmt.Sprintf("target %s: value: want a scalar (true, false, a number, a duration)", tg.Key))
				continue
			}
			if err := v.Decode(&tg.Value); err != nil {
				errs = append(errs, fmt.Sprintf("target %s: value: %v", tg.Key, err))
			}
		case "why":
			tg.Why = v.Value
		default:
			errs = append(errs, fmt.Sprintf("target: unknown key %q (want key, value, why)", k.Value))
		}
	}
	if !validKey(tg.Key) {
		errs = append(errs, fmt.Sprintf("target: key %q is not a dotted key such as pipeline.enabled", tg.Key))
	}
	if !hasValue {
		errs = append(errs, fmt.Sprintf("target %s: value missing", tg.Key))
	}
	return tg, errs
}

// validKey reports whether k looks like a dotted config key: lowercase
// letters, digits and underscores, separated by dots.
func validKey(k string) bool {
	if k == "" {
		return false
	}
	for _, part := range strings.Split(k, ".") {
		if part == "" {
			return false
		}
		for _, r := range part {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
				return false
			}
		}
	}
	return true
}

// Lookup returns the target of key.
func (t *Targets) Lookup(key string) (Target, bool) {
	for _, tg := range t.Targets {
		if tg.Key == key {
			return tg, true
		}
	}
	return Target{}, false
}

// ErrUnknownKey is what a target or limit naming a key the config does not
// have matches with errors.Is.
var ErrUnknownKey = errors.New("key not in config")

// checkKeys reports, in one error, every target and limit that names no leaf
// of eff, and every one that names a secret.
func (t *Targets) checkKeys(eff *Effective) error {
	var problems []string
	for _, tg := range t.Targets {
		s, ok := eff.Lookup(tg.Key)
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s:%d: target %s: %v (layers %s)", t.File, tg.Line, tg.Key, ErrUnknownKey, strings.Join(eff.Layers, ",")))
		case s.Secret:
			problems = append(problems, fmt.Sprintf("%s:%d: target %s: is a secret; a rollback never writes secrets", t.File, tg.Line, tg.Key))
		}
	}
	for _, l := range t.Limits {
		if len(matchLimit(eff, l)) == 0 {
			problems = append(problems, fmt.Sprintf("%s: limit %s: %v (layers %s)", t.File, l, ErrUnknownKey, strings.Join(eff.Layers, ",")))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%w:\n%s", ErrUnknownKey, strings.Join(problems, "\n"))
}

// matchLimit returns the non-secret settings a limit entry names: the key
// itself or every leaf under it.
func matchLimit(eff *Effective, limit string) []Setting {
	var out []Setting
	for _, s := range eff.Settings {
		if s.Secret {
			continue
		}
		if s.Key == limit || strings.HasPrefix(s.Key, limit+".") {
			out = append(out, s)
		}
	}
	return out
}
