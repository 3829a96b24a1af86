package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// RedactedValue stands in for a secret in Redacted, Leaves and Hash.
const RedactedValue = "<redacted>"

// Leaf is one effective value of a configuration: its dotted key, its value
// (bool, int, int64, float64, string, time.Duration or []string), where it was
// set (the zero Source when no layer set it and it is the zero value) and
// whether it is a secret. A secret's Value is RedactedValue when set.
type Leaf struct {
	Key    string
	Value  any
	Source Source
	Secret bool
}

// String renders "key = value (source)".
func (lf Leaf) String() string {
	return fmt.Sprintf("%s = %s (%s)", lf.Key, formatValue(lf.Value), lf.Source)
}

// Source returns where the dotted leaf key (e.g. "pipeline.enabled") was set,
// and false when no layer set it.
func (l *Loaded) Source(key string) (Source, bool) {
	s, ok := l.sources[key]
	return s, ok
}

// Lookup returns the effective leaf for a dotted key, and false for a key
// that is not a leaf of the configuration.
func (l *Loaded) Lookup(key string) (Leaf, bool) {
	for _, lf := range l.Leaves() {
		if lf.Key == key {
			return lf, true
		}
	}
	return Leaf{}, false
}

// Leaves returns every effective leaf, sorted by key: each key of the schema
// (breakers: each configured breaker), set by a layer or not.
func (l *Loaded) Leaves() []Leaf {
	var out []Leaf
	var walk func(f *field, v reflect.Value, path string)
	walk = func(f *field, v reflect.Value, path string) {
		switch f.kind {
		case kindStruct:
			for i, c := range f.children {
				walk(c, v.Field(fieldIndex(v.Type(), i)), joinKey(path, c.name))
			}
		case kindBreakers:
			names := make([]string, 0, v.Len())
			for _, k := range v.MapKeys() {
				names = append(names, k.String())
			}
			sort.Strings(names)
			elem := &field{kind: kindStruct, children: f.children}
			for _, n := range names {
				walk(elem, v.MapIndex(reflect.ValueOf(n)), joinKey(path, n))
			}
		default:
			val := v.Interface()
			if s, ok := val.([]string); ok {
				val = append([]string(nil), s...)
			}
			secret := f.secret || l.hidden(path, v)
			if secret && v.Kind() == reflect.String && v.String() != "" {
				val = RedactedValue
			}
			if secret && v.Kind() == reflect.Slice {
				val = redactList(val.([]string))
			}
			out = append(out, Leaf{Key: path, Value: val, Source: l.sources[path], Secret: secret})
		}
	}
	walk(schema, reflect.ValueOf(l.Config), "")
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// fieldIndex maps the i-th schema child of a struct to its Go field index
// (fields without a yaml key are not in the schema).
func fieldIndex(t reflect.Type, i int) int {
	n := -1
	for j := 0; j < t.NumField(); j++ {
		name, _, _ := strings.Cut(t.Field(j).Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		if n++; n == i {
			return j
		}
	}
	panic("config: schema out of step with Config")
}

// Hash is the sha256 (hex) of the canonical effective configuration: one
// "key=value" line per leaf, sorted by key, secrets as RedactedValue. It does
// not depend on which layer set a value, on formatting or on comments.
func (l *Loaded) Hash() string {
	h := sha256.New()
	for _, lf := range l.Leaves() {
		fmt.Fprintf(h, "%s=%s\n", lf.Key, formatValue(lf.Value))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// formatValue renders a leaf value canonically.
func formatValue(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case time.Duration:
		return x.String()
	case []string:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return fmt.Sprint(v)
}

// Redacted returns the effective configuration as YAML with every secret
// replaced by RedactedValue: the only form of it fit to print or store.
func (l *Loaded) Redacted() ([]byte, error) {
	c := l.Config
	c.Symbols = append([]string(nil), c.Symbols...)
	if c.CircuitBreakers != nil {
		breakers := make(map[string]BreakerConfig, len(c.CircuitBreakers))
		for k, b := range c.CircuitBreakers {
			breakers[k] = b
		}
		c.CircuitBreakers = breakers
	}
	l.redactSecrets(schema, reflect.ValueOf(&c).Elem(), "")
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&c); err != nil {
		return nil, fmt.Errorf("redact config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("redact config: %w", err)
	}
	return buf.Bytes(), nil
}

// redactSecrets replaces every non-empty secret string under a struct
// value, and every string (or list of strings) whose value came from the
// environment, path being the struct's dotted key.
func (l *Loaded) redactSecrets(f *field, v reflect.Value, path string) {
	switch f.kind {
	case kindBreakers:
		elem := &field{kind: kindStruct, children: f.children}
		for _, k := range v.MapKeys() {
			b := reflect.New(v.Type().Elem()).Elem()
			b.Set(v.MapIndex(k))
			l.redactSecrets(elem, b, joinKey(path, k.String()))
			v.SetMapIndex(k, b)
		}
		return
	case kindStruct:
	default:
		return
	}
	for i, c := range f.children {
		fv := v.Field(fieldIndex(v.Type(), i))
		key := joinKey(path, c.name)
		switch {
		case c.kind == kindStruct || c.kind == kindBreakers:
			l.redactSecrets(c, fv, key)
		case (c.secret || l.fromEnv[key]) && fv.Kind() == reflect.String && fv.String() != "":
			fv.SetString(RedactedValue)
		case l.fromEnv[key] && fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.String:
			fv.Set(reflect.ValueOf(redactList(fv.Interface().([]string))))
		}
	}
}

// hidden reports whether the leaf at path is a string (or list of strings)
// whose value came from the environment. Numbers, booleans and durations
// from the environment stay visible: they are typed settings, not
// credentials, and no message quotes them when they are wrong.
func (l *Loaded) hidden(path string, v reflect.Value) bool {
	if !l.fromEnv[path] {
		return false
	}
	return v.Kind() == reflect.String || (v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.String)
}

// redactList is a list with every item replaced by RedactedValue.
func redactList(in []string) []string {
	out := make([]string, len(in))
	for i := range out {
		out[i] = RedactedValue
	}
	return out
}

// ResolvePath returns the value of a path-valued leaf (venue.latency_profile,
// venue.recording) resolved against the directory of the config file that set
// it. An empty value stays empty; an absolute path is returned as it is.
func (l *Loaded) ResolvePath(key string) string {
	lf, ok := l.Lookup(key)
	if !ok {
		return ""
	}
	p, _ := lf.Value.(string)
	if p == "" || filepath.IsAbs(p) || lf.Source.File == "" {
		return p
	}
	return filepath.Join(filepath.Dir(lf.Source.File), p)
}
