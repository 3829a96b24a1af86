package config

import (
	"fmt"
	"strings"
)

// Interpolation. A string value may name environment variables:
//
//	${NAME}           the value of NAME; an error when NAME is not set
//	${NAME:-default}  the value of NAME, or default when NAME is unset or empty
//	$${               a literal "${"
//
// NAME is letters, digits and '_' and does not start with a digit. A "$" not
// followed by "{" is kept as it is. Secrets (api_key, api_secret, ...) must be
// written this way; the fixtures use ${PRESOAK_VENUE_API_KEY:-shadow-no-key} so
// a shadow run works on a machine with no credentials.

// reference is one ${...} found in a value.
type reference struct {
	name, def  string
	hasDefault bool
}

// scanReferences walks s, calling lit for literal text and ref for each
// reference. It returns a message (no value in it) for malformed input.
func scanReferences(s string, lit func(string), ref func(reference)) string {
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			lit(s)
			return ""
		}
		if i > 0 && s[i-1] == '$' {
			lit(s[:i-1] + "${")
			s = s[i+2:]
			continue
		}
		lit(s[:i])
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "unterminated ${ (want ${NAME} or ${NAME:-default})"
		}
		body := s[i+2 : i+end]
		s = s[i+end+1:]
		r := reference{name: body}
		if name, def, ok := strings.Cut(body, ":-"); ok {
			r = reference{name: name, def: def, hasDefault: true}
		}
		if !validVarName(r.name) {
			return "invalid variable reference ${...}; want ${NAME} or ${NAME:-default} with NAME of letters, digits and _"
		}
		ref(r)
	}
}

func validVarName(name string) bool {
	if name == "" {
		return false
	}
	for i, c := range name {
		switch {
		case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// stripReferences returns s with every well-formed reference removed; ok is
// false when s holds a malformed one.
func stripReferences(s string) (rest string, ok bool) {
	var b strings.Builder
	msg := scanReferences(s, func(l string) { b.WriteString(l) }, func(reference) {})
	return b.String(), msg == ""
}

// hasReference reports whether s names an environment variable (or escapes "${").
func hasReference(s string) bool { return strings.Contains(s, "${") }

// interpolate expands the references in s with lookup. It returns the names
// of the variables it read, and one message per problem, none holding a value.
func interpolate(s string, lookup func(string) (string, bool)) (out string, vars []string, msgs []string) {
	var b strings.Builder
	bad := scanReferences(s, func(l string) { b.WriteString(l) }, func(r reference) {
		vars = append(vars, r.name)
		v, set := lookup(r.name)
		switch {
		case set && (v != "" || !r.hasDefault):
			b.WriteString(v)
		case r.hasDefault:
			b.WriteString(r.def)
		default:
			msgs = append(msgs, fmt.Sprintf("environment variable %s is not set (referenced as ${%s}); set it, or write ${%s:-default}", r.name, r.name, r.name))
		}
	})
	if bad != "" {
		msgs = append(msgs, bad)
	}
	return b.String(), vars, msgs
}
