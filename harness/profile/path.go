package profile

import (
	"fmt"
	"strconv"
	"strings"
)

// Path is a parsed config path: keys and list indices, in order.
type Path struct {
	Text  string
	Steps []Step
}

// Step is one key (Index < 0) or one list index (Key "").
type Step struct {
	Key   string
	Index int
}

func (p Path) String() string { return p.Text }

// ParsePath parses a dotted path with list indices:
// crossExchangeStrategies[0].xmaker.margin. A key with a dot in it cannot
// be written (no bot config we know of has one).
func ParsePath(s string) (Path, error) {
	p := Path{Text: s}
	if s == "" {
		return p, fmt.Errorf("path: empty")
	}
	for _, part := range strings.Split(s, ".") {
		key, rest, bracket := strings.Cut(part, "[")
		if bracket && rest == "" {
			return p, fmt.Errorf("path %q: want [N] with N a list index, at %q", s, "[")
		}
		if key == "" && (len(p.Steps) == 0 || !bracket) {
			return p, fmt.Errorf("path %q: empty key", s)
		}
		if key != "" {
			p.Steps = append(p.Steps, Step{Key: key, Index: -1})
		}
		for rest != "" {
			num, after, ok := strings.Cut(rest, "]")
			i, err := strconv.Atoi(num)
			if !ok || err != nil || i < 0 {
				return p, fmt.Errorf("path %q: want [N] with N a list index, at %q", s, "["+rest)
			}
			p.Steps = append(p.Steps, Step{Index: i})
			if after == "" {
				break
			}
			if !strings.HasPrefix(after, "[") {
				return p, fmt.Errorf("path %q: want . or [ after ], got %q", s, after)
			}
			rest = after[1:]
		}
	}
	return p, nil
}
