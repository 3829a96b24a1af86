package safety_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/presoak/presoak/harness/safety"
)

func TestValidateJSON(t *testing.T) {
	const schema = `{
	  "type": "object",
	  "required": ["name", "hash"],
	  "additionalProperties": false,
	  "properties": {
	    "name": {"type": "string", "pattern": "^[a-z]+$"},
	    "hash": {"type": "string", "pattern": "^[0-9a-f]{4}$"},
	    "n": {"type": "integer"},
	    "tags": {"type": "array", "minItems": 1, "items": {"type": "string"}},
	    "mode": {"enum": ["a", "b"]},
	    "v": {"const": 1},
	    "m": {"type": "object", "minProperties": 1, "propertyNames": {"pattern": "^k"}, "additionalProperties": {"$ref": "#/$defs/e"}}
	  },
	  "$defs": {"e": {"type": ["boolean", "null"]}}
	}`
	tests := []struct {
		name, doc string
		want      []string // each a substring of the error; none means valid
	}{
		{"valid", `{"name": "ab", "hash": "00ff", "n": 3, "tags": ["x"], "mode": "a", "v": 1, "m": {"k1": true, "k2": null}}`, nil},
		{"missing required", `{"name": "ab"}`, []string{`/: required property "hash" missing`}},
		{"extra property", `{"name": "ab", "hash": "00ff", "x": 1}`, []string{`property "x" not allowed`}},
		{"wrong type", `{"name": 1, "hash": "00ff"}`, []string{"/name: got number, want type string"}},
		{"pattern", `{"name": "AB", "hash": "00ff"}`, []string{`/name: "AB" does not match pattern`}},
		{"integer", `{"name": "ab", "hash": "00ff", "n": 1.5}`, []string{"/n: got number, want type integer"}},
		{"items and minItems", `{"name": "ab", "hash": "00ff", "tags": []}`, []string{"/tags: 0 items, want at least 1"}},
		{"item type", `{"name": "ab", "hash": "00ff", "tags": [1]}`, []string{"/tags/0: got number"}},
		{"enum", `{"name": "ab", "hash": "00ff", "mode": "c"}`, []string{`"c" is not one of`}},
		{"const", `{"name": "ab", "hash": "00ff", "v": 2}`, []string{"/v: 2, want 1"}},
		{"ref and names", `{"name": "ab", "hash": "00ff", "m": {"x": 1}}`, []string{"/m/x (name)", "/m/x: got number, want type boolean or null"}},
		{"minProperties", `{"name": "ab", "hash": "00ff", "m": {}}`, []string{"/m: 0 properties"}},
		{"every problem at once", `{"name": 1, "x": 2}`, []string{"hash", `"x" not allowed`, "/name: got number"}},
		{"not json", `{"name": `, []string{"parse document"}},
		{"trailing data", `{"name": "ab", "hash": "00ff"} {}`, []string{"data after the JSON value"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := safety.ValidateJSON([]byte(schema), []byte(tt.doc))
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("got %v, want valid", err)
				}
				return
			}
			if err == nil {
				t.Fatal("got valid, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestValidateJSONRefusesKeywordsItDoesNotImplement(t *testing.T) {
	for _, schema := range []string{
		`{"type": "object", "oneOf": [{"type": "object"}]}`,
		`{"$ref": "other.json#/x"}`,
		`{"$ref": "#/$defs/missing"}`,
	} {
		err := safety.ValidateJSON([]byte(schema), []byte(`{}`))
		if err == nil || !errors.Is(err, safety.ErrSchema) {
			t.Errorf("schema %s: got %v, want a schema error naming what is unsupported", schema, err)
		}
	}
}
