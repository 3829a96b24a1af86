package config

import (
	"math"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// resolveLeaf interpolates a leaf's value and checks its type strictly. It
// returns the node to decode, or false after reporting why it cannot be used.
func resolveLeaf(lf *leaf, lookup func(string) (string, bool), ps *problems) (*yaml.Node, bool) {
	if lf.field.kind == kindStrings {
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		ok := true
		for _, item := range lf.value.Content {
			n, itemOK := resolveScalar(lf, item, lookup, ps)
			ok = ok && itemOK
			seq.Content = append(seq.Content, n)
		}
		return seq, ok
	}
	return resolveScalar(lf, lf.value, lookup, ps)
}

// resolveScalar resolves one scalar of lf: interpolation, then the type check
// for lf's kind. Values that are secrets or come from the environment are
// never quoted in a message.
func resolveScalar(lf *leaf, v *yaml.Node, lookup func(string) (string, bool), ps *problems) (*yaml.Node, bool) {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: v.Tag, Style: v.Style, Value: v.Value, Line: v.Line, Column: v.Column}
	hidden := lf.field.secret
	if v.ShortTag() == "!!str" && hasReference(v.Value) {
		out, vars, msgs := interpolate(v.Value, lookup)
		for _, m := range msgs {
			ps.add(lf.src.File, v.Line, lf.key, "%s", m)
		}
		if len(msgs) > 0 {
			return nil, false
		}
		n.Value, n.Style = out, 0
		n.Tag = "" // re-resolve: ${SEED} may be an integer
		if len(vars) > 0 {
			hidden = true
		}
		if lf.field.kind == kindString || lf.field.kind == kindStrings {
			n.Tag = "!!str"
		}
	}
	ok, detail := checkScalar(lf.field.kind, n)
	if ok {
		return n, true
	}
	got := describeValue(n)
	if hidden {
		got = describeKind(n) + " (value not shown)"
	}
	ps.add(lf.src.File, v.Line, lf.key, "want %s, got %s%s", kindWant(lf.field.kind), got, detail)
	return nil, false
}

// checkScalar reports whether n is a valid value of kind k; detail (which may
// be empty) is appended to the message when it is not.
func checkScalar(k kind, n *yaml.Node) (ok bool, detail string) {
	tag := n.ShortTag()
	switch k {
	case kindBool:
		return tag == "!!bool", ""
	case kindInt:
		if tag == "!!float" && strings.Trim(n.Value, "+-0123456789_") == "" {
			return false, " (out of range for an integer)"
		}
		if tag != "!!int" {
			return false, ""
		}
		var i int64
		if err := n.Decode(&i); err != nil || i != int64(int(i)) {
			return false, " (out of range for an integer)"
		}
		return true, ""
	case kindFloat:
		if tag != "!!int" && tag != "!!float" {
			return false, ""
		}
		var f float64
		if err := n.Decode(&f); err != nil {
			return false, " (not a number)"
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return false, " (NaN and infinities are not allowed; want a finite number)"
		}
		return true, ""
	case kindString, kindStrings:
		if tag != "!!str" {
			return false, " (quote it if you mean the text)"
		}
		return true, ""
	case kindDuration:
		switch tag {
		case "!!str":
			n.Value = strings.TrimSpace(n.Value)
			if _, err := time.ParseDuration(n.Value); err != nil {
				return false, " (units: ns, us, ms, s, m, h)"
			}
			return true, ""
		case "!!int", "!!float":
			return false, " (a bare number has no unit; write e.g. 100ms)"
		}
	}
	return false, ""
}

// describeValue renders a scalar for a message: its kind and a short quote.
func describeValue(n *yaml.Node) string {
	if n.ShortTag() == "!!null" {
		return "no value"
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:37] + "..."
	}
	return describeKind(n) + " " + strconv.Quote(v)
}
