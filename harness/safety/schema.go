package safety

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// ErrSchema is what a document that does not validate matches with errors.Is.
var ErrSchema = errors.New("does not match the schema")

// ValidateJSON validates doc against a JSON Schema, reporting every problem
// (with its JSON pointer) in one error. It implements the subset the snapshot
// schema uses: type (a name or a list), required, properties,
// additionalProperties (false or a schema), propertyNames, pattern, items,
// minItems, minProperties, enum, const, $defs and local "#/$defs/..." $ref,
// plus the annotations $schema, $id, title, description. Any other keyword is
// an error, so a schema never relies on a rule this validator would ignore.
func ValidateJSON(schema, doc []byte) error {
	var s map[string]any
	if err := decodeJSON(schema, &s); err != nil {
		return fmt.Errorf("validate json: parse schema: %w", err)
	}
	var d any
	if err := decodeJSON(doc, &d); err != nil {
		return fmt.Errorf("validate json: parse document: %w", err)
	}
	v := &validator{root: s}
	v.check(s, d, "")
	if len(v.problems) > 0 {
		return fmt.Errorf("validate json: %w:\n%s", ErrSchema, strings.Join(v.problems, "\n"))
	}
	return nil
}

func decodeJSON(data []byte, out any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the JSON value")
	}
	return nil
}

type validator struct {
	root     map[string]any
	problems []string
}

func (v *validator) fail(at, format string, args ...any) {
	if at == "" {
		at = "/"
	}
	v.problems = append(v.problems, at+": "+fmt.Sprintf(format, args...))
}

var annotations = map[string]bool{"$schema": true, "$id": true, "title": true, "description": true, "$defs": true, "$comment": true}

func (v *validator) check(s map[string]any, d any, at string) {
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if ref, ok := s["$ref"].(string); ok {
		target, err := v.resolve(ref)
		if err != nil {
			v.fail(at, "%v", err)
			return
		}
		v.check(target, d, at)
	}
	for _, k := range keys {
		rule := s[k]
		switch k {
		case "$ref":
		case "type":
			v.checkType(rule, d, at)
		case "required":
			obj, ok := d.(map[string]any)
			if !ok {
				continue
			}
			for _, name := range asList(rule) {
				if n, _ := name.(string); n != "" {
					if _, present := obj[n]; !present {
						v.fail(at, "required property %q missing", n)
					}
				}
			}
		case "properties":
			obj, ok := d.(map[string]any)
			props, _ := rule.(map[string]any)
			if !ok {
				continue
			}
			for name, sub := range props {
				if val, present := obj[name]; present {
					v.check(asSchema(sub), val, at+"/"+name)
				}
			}
		case "additionalProperties":
			obj, ok := d.(map[string]any)
			if !ok {
				continue
			}
			props, _ := s["properties"].(map[string]any)
			for _, name := range sortedKeys(obj) {
				if _, declared := props[name]; declared {
					continue
				}
				switch r := rule.(type) {
				case bool:
					if !r {
						v.fail(at, "property %q not allowed", name)
					}
				default:
					v.check(asSchema(r), obj[name], at+"/"+name)
				}
			}
		case "propertyNames":
			obj, ok := d.(map[string]any)
			if !ok {
				continue
			}
			for _, name := range sortedKeys(obj) {
				v.check(asSchema(rule), name, at+"/"+name+" (name)")
			}
		case "pattern":
			str, ok := d.(string)
			if !ok {
				continue
			}
			p, _ := rule.(string)
			re, err := regexp.Compile(p)
			if err != nil {
				v.fail(at, "schema pattern %q: %v", p, err)
				continue
			}
			if !re.MatchString(str) {
				v.fail(at, "%q does not match pattern %q", str, p)
			}
		case "items":
			arr, ok := d.([]any)
			if !ok {
				continue
			}
			for i, item := range arr {
				v.check(asSchema(rule), item, fmt.Sprintf("%s/%d", at, i))
			}
		case "minItems":
			if arr, ok := d.([]any); ok && float64(len(arr)) < number(rule) {
				v.fail(at, "%d items, want at least %s", len(arr), rule)
			}
		case "minProperties":
			if obj, ok := d.(map[string]any); ok && float64(len(obj)) < number(rule) {
				v.fail(at, "%d properties, want at least %s", len(obj), rule)
			}
		case "enum":
			found := false
			for _, e := range asList(rule) {
				if equalJSON(e, d) {
					found = true
				}
			}
			if !found {
				v.fail(at, "%s is not one of %s", show(d), show(rule))
			}
		case "const":
			if !equalJSON(rule, d) {
				v.fail(at, "%s, want %s", show(d), show(rule))
			}
		default:
			if !annotations[k] {
				v.fail(at, "schema keyword %q is not supported by this validator", k)
			}
		}
	}
}

func (v *validator) checkType(rule, d any, at string) {
	want := asList(rule)
	for _, w := range want {
		if name, _ := w.(string); isType(name, d) {
			return
		}
	}
	names := make([]string, len(want))
	for i, w := range want {
		names[i] = fmt.Sprint(w)
	}
	v.fail(at, "got %s, want type %s", typeName(d), strings.Join(names, " or "))
}

func (v *validator) resolve(ref string) (map[string]any, error) {
	name, ok := strings.CutPrefix(ref, "#/$defs/")
	if !ok {
		return nil, fmt.Errorf("$ref %q: only local #/$defs/... references are supported", ref)
	}
	defs, _ := v.root["$defs"].(map[string]any)
	target, ok := defs[name].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("$ref %q: no such definition", ref)
	}
	return target, nil
}

func isType(name string, d any) bool {
	switch name {
	case "object":
		_, ok := d.(map[string]any)
		return ok
	case "array":
		_, ok := d.([]any)
		return ok
	case "string":
		_, ok := d.(string)
		return ok
	case "boolean":
		_, ok := d.(bool)
		return ok
	case "null":
		return d == nil
	case "number":
		_, ok := d.(json.Number)
		return ok
	case "integer":
		n, ok := d.(json.Number)
		if !ok {
			return false
		}
		_, err := n.Int64()
		return err == nil
	}
	return false
}

func typeName(d any) string {
	switch d.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	case nil:
		return "null"
	case json.Number:
		return "number"
	}
	return fmt.Sprintf("%T", d)
}

func asSchema(r any) map[string]any {
	if m, ok := r.(map[string]any); ok {
		return m
	}
	if b, ok := r.(bool); ok && !b {
		return map[string]any{"not": true} // unsupported keyword: reported
	}
	return map[string]any{}
}

func asList(r any) []any {
	if l, ok := r.([]any); ok {
		return l
	}
	return []any{r}
}

func number(r any) float64 {
	if n, ok := r.(json.Number); ok {
		f, _ := n.Float64()
		return f
	}
	return 0
}

func equalJSON(a, b any) bool {
	if na, ok := a.(json.Number); ok {
		nb, ok := b.(json.Number)
		if !ok {
			return false
		}
		fa, _ := na.Float64()
		fb, _ := nb.Float64()
		return fa == fb
	}
	return show(a) == show(b)
}

func show(d any) string {
	b, err := json.Marshal(d)
	if err != nil {
		return fmt.Sprint(d)
	}
	return string(b)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
