package config

import (
	"reflect"
	"sort"
	"strings"
	"time"
)

// The circuit breakers a configuration may name under circuit_breakers.
const (
	// BreakerVenueMD guards the venue's market-data feed.
	BreakerVenueMD = "venue_md"
	// BreakerOrderEntry guards order submission and cancels.
	BreakerOrderEntry = "order_entry"
)

// BreakerNames are the circuit breakers a configuration may (and must) name.
func BreakerNames() []string { return []string{BreakerOrderEntry, BreakerVenueMD} }

// kind is the shape of a value in the schema.
type kind int

const (
	kindStruct   kind = iota // a mapping of known keys
	kindBreakers             // a mapping of breaker name to a struct
	kindBool
	kindInt
	kindFloat
	kindString
	kindDuration
	kindStrings // a list of strings
)

// field is one key of the schema derived from Config's yaml tags.
type field struct {
	name     string
	kind     kind
	secret   bool
	children []*field // kindStruct, and the element of kindBreakers
}

func (f *field) child(name string) *field {
	for _, c := range f.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

func (f *field) childNames() []string {
	names := make([]string, len(f.children))
	for i, c := range f.children {
		names[i] = c.name
	}
	return names
}

var (
	durationType = reflect.TypeOf(time.Duration(0))
	// schema is the root of Config's key tree.
	schema = buildField("", reflect.TypeOf(Config{}))
)

func buildField(name string, t reflect.Type) *field {
	f := &field{name: name, secret: isSecretName(name)}
	switch {
	case t == durationType:
		f.kind = kindDuration
	case t.Kind() == reflect.Struct:
		f.kind = kindStruct
		f.children = structChildren(t)
	case t.Kind() == reflect.Map:
		f.kind = kindBreakers
		f.children = structChildren(t.Elem())
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		f.kind = kindStrings
	case t.Kind() == reflect.Bool:
		f.kind = kindBool
	case t.Kind() == reflect.Int || t.Kind() == reflect.Int64:
		f.kind = kindInt
	case t.Kind() == reflect.Float64:
		f.kind = kindFloat
	case t.Kind() == reflect.String:
		f.kind = kindString
	default:
		panic("config: schema: unsupported field type " + t.String() + " for key " + name)
	}
	return f
}

func structChildren(t reflect.Type) []*field {
	var out []*field
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		out = append(out, buildField(name, sf.Type))
	}
	return out
}

func joinKey(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

// secretWords are the key-name fragments that mark a value as a secret.
var secretWords = []string{"api_key", "apikey", "secret", "token", "password", "passwd", "passphrase"}

// isSecretName reports whether a key named name holds a secret: api_key,
// api_secret, and anything named like a secret, token, password or passphrase.
func isSecretName(name string) bool {
	n := strings.ToLower(name)
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// IsSecretKey reports whether the dotted key's value is a secret that must be
// written as a ${VAR} reference and is never shown.
func IsSecretKey(key string) bool {
	return isSecretName(key[strings.LastIndex(key, ".")+1:])
}

// KnownKeys returns every dotted leaf key a configuration may set, sorted.
// Breaker keys are listed for each name in BreakerNames.
func KnownKeys() []string {
	var keys []string
	var walk func(f *field, path string)
	walk = func(f *field, path string) {
		switch f.kind {
		case kindStruct:
			for _, c := range f.children {
				walk(c, joinKey(path, c.name))
			}
		case kindBreakers:
			for _, b := range BreakerNames() {
				for _, c := range f.children {
					walk(c, joinKey(joinKey(path, b), c.name))
				}
			}
		default:
			keys = append(keys, path)
		}
	}
	walk(schema, "")
	sort.Strings(keys)
	return keys
}
