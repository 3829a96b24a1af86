package profile

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// BotConfig is a bot's config read in its own format (YAML or JSON: JSON is
// YAML to yaml.v3, with lines), without presoak's schema: a tree of nodes
// per layer, each value with its file:line.
type BotConfig struct {
	Layers []Layer
}

// Layer is one config file.
type Layer struct {
	// Name is how the file is named in messages (as the profile wrote it).
	Name string
	Root *yaml.Node
}

// Value is one config value and where it came from.
type Value struct {
	Text  string
	Tag   string // YAML tag: !!bool, !!int, !!float, !!str, !!null, or !!map/!!seq
	Where string // "file:line"
	Node  *yaml.Node
}

// ErrNotFound is wrapped when a path is in no layer.
var ErrNotFound = errors.New("not in the bot's config")

// LoadConfig reads the profile's config layers. Every unreadable or
// unparsable file is reported, naming it (and the line yaml.v3 gives).
func (p *Profile) LoadConfig() (*BotConfig, error) {
	c := &BotConfig{}
	var errs []error
	for _, name := range p.Config.Layers {
		data, err := os.ReadFile(p.Resolve(name))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		l, err := ParseLayer(name, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c.Layers = append(c.Layers, l)
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("load bot config: %w", errors.Join(errs...))
	}
	return c, nil
}

// ParseLayer parses one config file's text (YAML or JSON).
func ParseLayer(name string, data []byte) (Layer, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return Layer{}, fmt.Errorf("%s: not valid YAML or JSON: %w", name, err)
	}
	if len(doc.Content) == 0 {
		return Layer{}, fmt.Errorf("%s: empty file", name)
	}
	return Layer{Name: name, Root: doc.Content[0]}, nil
}

// Lookup finds path in the layers, the last layer that sets it winning.
func (c *BotConfig) Lookup(p Path) (Value, error) {
	var firstErr error
	for i := len(c.Layers) - 1; i >= 0; i-- {
		l := c.Layers[i]
		n, err := walk(l.Root, p)
		if err != nil {
			if firstErr == nil && !errors.Is(err, ErrNotFound) {
				firstErr = fmt.Errorf("%s: %w", l.Name, err)
			}
			continue
		}
		v := Value{Text: n.Value, Tag: n.ShortTag(), Where: l.Name + ":" + strconv.Itoa(n.Line), Node: n}
		return v, nil
	}
	if firstErr != nil {
		return Value{}, firstErr
	}
	names := make([]string, len(c.Layers))
	for i, l := range c.Layers {
		names[i] = l.Name
	}
	return Value{}, fmt.Errorf("%s: %w (%s)", p, ErrNotFound, strings.Join(names, ", "))
}

// walk follows p from n.
func walk(n *yaml.Node, p Path) (*yaml.Node, error) {
	for i, st := range p.Steps {
		for n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		at := pathPrefix(p, i)
		if st.Index < 0 {
			if n.Kind != yaml.MappingNode {
				return nil, fmt.Errorf("%s: line %d holds %s, not a mapping with key %q", at, n.Line, kindName(n), st.Key)
			}
			var next *yaml.Node
			for j := 0; j+1 < len(n.Content); j += 2 {
				if n.Content[j].Value == st.Key {
					next = n.Content[j+1]
				}
			}
			if next == nil {
				return nil, fmt.Errorf("%s.%s: %w", at, st.Key, ErrNotFound)
			}
			n = next
			continue
		}
		if n.Kind != yaml.SequenceNode {
			return nil, fmt.Errorf("%s: line %d holds %s, not a list", at, n.Line, kindName(n))
		}
		if st.Index >= len(n.Content) {
			return nil, fmt.Errorf("%s[%d]: %w (the list at line %d has %d entries)", at, st.Index, ErrNotFound, n.Line, len(n.Content))
		}
		n = n.Content[st.Index]
	}
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n, nil
}

func pathPrefix(p Path, i int) string {
	var b strings.Builder
	for _, st := range p.Steps[:i] {
		if st.Index >= 0 {
			fmt.Fprintf(&b, "[%d]", st.Index)
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(st.Key)
	}
	if b.Len() == 0 {
		return "(top)"
	}
	return b.String()
}

// Result is one config item checked against the bot's config.
type Result struct {
	Item *Item
	// Got is the value as compared; Where its file:line.
	Got, Where string
	Pass       bool
	// Msg says what is wrong ("" when Pass): got X (file:line), want Y, and
	// the fix.
	Msg string
}

// Check evaluates the item on the bot's config.
func (it *Item) Check(c *BotConfig) Result {
	r := Result{Item: it}
	v, err := c.Lookup(it.Path)
	if err != nil {
		r.Msg = fmt.Sprintf("%s: %v; want %s (profile %s)%s", it.Name, err, it.Require, it.Where, fixSuffix(it.Fix))
		return r
	}
	r.Where = v.Where
	if v.Node.Kind != yaml.ScalarNode || v.Tag == "!!null" {
		r.Msg = fmt.Sprintf("%s = %s (%s), want %s%s", it.Name, kindName(v.Node), v.Where, it.Require, fixSuffix(it.Fix))
		return r
	}
	scale := 1.0
	if it.Scale == "fraction" {
		scale = 100
	}
	got, ok, err := it.Require.Check(v.Text, v.Tag, scale)
	r.Got = got
	if err != nil {
		r.Msg = fmt.Sprintf("%s = %s (%s): %v%s", it.Name, v.Text, v.Where, err, fixSuffix(it.Fix))
		return r
	}
	r.Pass = ok
	if !ok {
		r.Msg = fmt.Sprintf("%s = %s (%s, %s), want %s%s", it.Name, got, it.Path, v.Where, it.Require, fixSuffix(it.Fix))
	}
	return r
}

func fixSuffix(fix string) string {
	if fix == "" {
		return ""
	}
	return ": " + fix
}
