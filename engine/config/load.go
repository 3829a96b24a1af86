package config

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Source is where a value was set: a config file (as given to Load) and a
// 1-based line. The zero Source means the key was set by no layer.
type Source struct {
	File string
	Line int
}

// String renders "file:line", or "unset" for the zero Source.
func (s Source) String() string {
	if s.File == "" {
		return "unset"
	}
	if s.Line <= 0 {
		return s.File
	}
	return fmt.Sprintf("%s:%d", s.File, s.Line)
}

// Options tune Load. The zero value reads the process environment and caps
// each file at DefaultMaxFileBytes.
type Options struct {
	// LookupEnv resolves ${VAR} references; nil means os.LookupEnv.
	LookupEnv func(name string) (string, bool)
	// MaxFileBytes is the largest file read; 0 means DefaultMaxFileBytes.
	MaxFileBytes int64
}

// Loaded is a configuration loaded from its layers: the effective Config and
// where each of its values came from.
type Loaded struct {
	// Config is the effective configuration, secrets resolved from the
	// environment. Never print it: use Redacted or Leaves.
	Config Config
	// Layers are the files loaded, base first, as given to Load.
	Layers []string

	sources map[string]Source // dotted leaf key -> where it was set
	// fromEnv holds the dotted keys whose value names an environment
	// variable (${VAR}): their string values are never shown (Leaves,
	// Redacted, Hash, every message).
	fromEnv map[string]bool
}

// FromEnv reports whether the dotted leaf key's value was written as an
// environment reference (${VAR} or ${VAR:-default}): such a value is
// treated as a secret wherever it could be shown.
func (l *Loaded) FromEnv(key string) bool { return l.fromEnv[key] }

// refersToEnv reports whether a leaf's value (or an item of a list) names
// an environment variable.
func refersToEnv(lf *leaf) bool {
	nodes := []*yaml.Node{lf.value}
	if lf.value != nil && lf.value.Kind == yaml.SequenceNode {
		nodes = lf.value.Content
	}
	for _, n := range nodes {
		if n == nil || n.Kind != yaml.ScalarNode || !hasReference(n.Value) {
			continue
		}
		_, vars, _ := interpolate(n.Value, func(string) (string, bool) { return "", true })
		if len(vars) > 0 {
			return true
		}
	}
	return false
}

// Load loads the config files in paths, the base first and then each override
// (see Options.Load).
func Load(paths ...string) (*Loaded, error) { return Options{}.Load(paths...) }

// Load reads the base file and then each override in paths. Maps merge,
// scalars and lists replace, later layers win. ${VAR} references are resolved
// from the environment, the result is decoded into Config and validated.
// Every problem found in any layer is returned in one *Error (which matches
// ErrInvalid); no message carries a secret's value.
func (o Options) Load(paths ...string) (*Loaded, error) {
	if len(paths) == 0 {
		return nil, &Error{Problems: []Problem{{File: "(none)", Msg: "no config files given; want a base file and optional overrides"}}}
	}
	maxBytes := o.MaxFileBytes
	if maxBytes <= 0 {
		maxBytes = DefaultMaxFileBytes
	}
	lookup := o.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	ps := &problems{}
	merged := map[string]*leaf{}
	complete := true // every layer was read and parsed
	for _, path := range paths {
		root := readLayer(path, maxBytes, ps)
		if root == nil {
			complete = false
			continue
		}
		for key, lf := range walkLayer(path, root, ps) {
			merged[key] = lf // scalars and lists replace; maps merge key by key
		}
	}
	l := &Loaded{Layers: append([]string(nil), paths...), sources: make(map[string]Source, len(merged)), fromEnv: map[string]bool{}}
	for key, lf := range merged {
		l.sources[key] = lf.src
		if refersToEnv(lf) {
			l.fromEnv[key] = true
		}
	}
	tree := resolveLeaves(merged, lookup, ps)
	if err := tree.Decode(&l.Config); err != nil {
		ps.add(paths[0], 0, "", "cannot decode the merged config: %s", scrub(err.Error()))
	}
	validate(l, paths[0], complete, ps)
	if len(ps.list) > 0 {
		sortProblems(ps.list, paths)
		return nil, &Error{Problems: ps.list}
	}
	return l, nil
}

// ParseLayers splits a comma-separated list of config files (the CONFIG
// variable) into paths, trimming spaces and dropping empty items.
func ParseLayers(list string) []string {
	var out []string
	for _, p := range strings.Split(list, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// resolveLeaves interpolates and type-checks every effective leaf and builds
// the merged node tree that decodes into Config.
func resolveLeaves(merged map[string]*leaf, lookup func(string) (string, bool), ps *problems) *yaml.Node {
	keys := make([]string, 0, len(merged))
	for k := range merged {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	root := &yaml.Node{Kind: yaml.MappingNode}
	for _, key := range keys {
		lf := merged[key]
		node, ok := resolveLeaf(lf, lookup, ps)
		if ok {
			insert(root, strings.Split(key, "."), node)
		}
	}
	return root
}

// insert places value at the dotted path under a mapping node.
func insert(m *yaml.Node, path []string, value *yaml.Node) {
	for _, name := range path[:len(path)-1] {
		var next *yaml.Node
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == name {
				next = m.Content[i+1]
				break
			}
		}
		if next == nil {
			next = &yaml.Node{Kind: yaml.MappingNode}
			m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: name}, next)
		}
		m = next
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: path[len(path)-1]}, value)
}

// sortProblems orders problems by layer, then line, then key.
func sortProblems(list []Problem, paths []string) {
	layer := func(file string) int {
		for i, p := range paths {
			if p == file {
				return i
			}
		}
		return len(paths)
	}
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if la, lb := layer(a.File), layer(b.File); la != lb {
			return la < lb
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Key < b.Key
	})
}
