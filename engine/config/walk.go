package config

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// leaf is one value a layer sets: a scalar or a list, with where it was set.
type leaf struct {
	key   string
	field *field
	src   Source
	value *yaml.Node
}

// walker checks one layer's node tree against the schema and collects the
// leaves it sets. It never stops at the first problem.
type walker struct {
	file   string
	ps     *problems
	leaves map[string]*leaf
}

func walkLayer(file string, root *yaml.Node, ps *problems) map[string]*leaf {
	w := &walker{file: file, ps: ps, leaves: map[string]*leaf{}}
	w.mapping(root, schema, "")
	return w.leaves
}

// mapping walks a mapping node whose schema is f (a struct or the breakers).
func (w *walker) mapping(n *yaml.Node, f *field, path string) {
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			w.ps.add(w.file, k.Line, path, "a key must be a plain name, got %s", describeKind(k))
			continue
		}
		name := k.Value
		key := joinKey(path, displayName(name))
		if name == "<<" {
			w.ps.add(w.file, k.Line, key, "YAML merge keys (<<) are not supported; write the keys out")
			continue
		}
		if first, dup := seen[name]; dup {
			w.ps.add(w.file, k.Line, key, "duplicate key (first set at line %d); keep one", first)
			continue
		}
		seen[name] = k.Line
		child := w.child(f, k, name, path)
		if child == nil {
			continue
		}
		w.value(k, v, child, key)
	}
}

// child returns the schema of key name under f, reporting an unknown key.
func (w *walker) child(f *field, k *yaml.Node, name, path string) *field {
	key := joinKey(path, displayName(name))
	if f.kind == kindBreakers {
		if slices.Contains(BreakerNames(), name) {
			return &field{name: name, kind: kindStruct, children: f.children}
		}
		msg := "unknown circuit breaker; want one of " + strings.Join(BreakerNames(), ", ")
		if s := suggest(name, BreakerNames(), path); s != "" {
			msg += " (did you mean " + s + "?)"
		}
		w.ps.add(w.file, k.Line, key, "%s", msg)
		return nil
	}
	if c := f.child(name); c != nil {
		return c
	}
	msg := "unknown key"
	if s := suggest(name, f.childNames(), path); s != "" {
		msg += "; did you mean " + s + "?"
	} else if path != "" {
		msg += "; known keys under " + path + ": " + strings.Join(f.childNames(), ", ")
	}
	w.ps.add(w.file, k.Line, key, "%s", msg)
	return nil
}

// value checks the shape of v against f and records the leaves it sets.
func (w *walker) value(k, v *yaml.Node, f *field, key string) {
	if v.Kind == yaml.AliasNode {
		w.ps.add(w.file, v.Line, key, "YAML aliases (*name) are not supported; write the value out")
		return
	}
	switch f.kind {
	case kindStruct, kindBreakers:
		switch {
		case v.Kind == yaml.MappingNode:
			w.mapping(v, f, key)
		case v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null":
			// An empty section sets nothing; the layers below stand.
		default:
			w.ps.add(w.file, v.Line, key, "want a mapping of keys (%s), got %s", strings.Join(childNames(f), ", "), describeKind(v))
		}
		return
	case kindStrings:
		if v.Kind != yaml.SequenceNode {
			w.ps.add(w.file, v.Line, key, "want a list of strings such as [BTCUSDT], got %s", describeKind(v))
			return
		}
		for _, item := range v.Content {
			if item.Kind != yaml.ScalarNode {
				w.ps.add(w.file, item.Line, key, "want a list of strings, got an item that is %s", describeKind(item))
				return
			}
		}
	default:
		if v.Kind != yaml.ScalarNode {
			w.ps.add(w.file, v.Line, key, "want %s, got %s", kindWant(f.kind), describeKind(v))
			return
		}
		if v.ShortTag() == "!!null" {
			w.ps.add(w.file, v.Line, key, "has no value; write %s or remove the key", kindWant(f.kind))
			return
		}
		if f.secret && !isReferenceOnly(v) {
			w.ps.add(w.file, v.Line, key, "secret written inline (value not shown); write it as ${VAR} and set VAR in the environment")
			return
		}
	}
	w.leaves[key] = &leaf{key: key, field: f, src: Source{File: w.file, Line: k.Line}, value: v}
}

func childNames(f *field) []string {
	if f.kind == kindBreakers {
		return BreakerNames()
	}
	return f.childNames()
}

// kindWant says what a value of kind k looks like, for messages.
func kindWant(k kind) string {
	switch k {
	case kindBool:
		return "true or false"
	case kindInt:
		return "a whole number"
	case kindFloat:
		return "a number"
	case kindString:
		return "a string"
	case kindDuration:
		return "a duration such as 100ms or 2s"
	case kindStrings:
		return "a list of strings"
	}
	return "a mapping"
}

// isReferenceOnly reports whether a secret's scalar is empty or made only of
// ${VAR} references, so no secret is written in the file itself.
func isReferenceOnly(v *yaml.Node) bool {
	if v.ShortTag() != "!!str" {
		return false
	}
	rest, ok := stripReferences(v.Value)
	return ok && rest == ""
}

var plainName = regexp.MustCompile(`^[A-Za-z0-9_\-]{1,64}$`)

// displayName renders a key name for a message: as written when it is a plain
// name, else quoted (and cut short) so a message stays on one line.
//
// A key that is not a plain name is not echoed beyond its plain-name start:
// a file that is not a config (a shadow file's "root:$6$...:::" line parses
// as one long key) must not have its lines copied into an error. A plain
// name over 40 characters is cut, its length stated.
func displayName(name string) string {
	if plainName.MatchString(name) {
		if len(name) > 40 {
			return fmt.Sprintf("%s... (%d characters)", name[:37], len(name))
		}
		return name
	}
	lead := 0
	for lead < len(name) && lead < 24 && plainByte(name[lead]) {
		lead++
	}
	return strconv.Quote(name[:lead]+"...") + fmt.Sprintf(" (not a plain key name; %d bytes not shown)", len(name)-lead)
}

func plainByte(c byte) bool {
	return c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
