package config

import (
	"strings"

	"github.com/presoak/presoak/internal/editdist"
)

// suggest returns the "did you mean" hint for an unknown key name found under
// parent (dotted, "" at the top): the closest sibling key when one is close,
// else a known key elsewhere that ends in the same name. It returns "" when
// nothing is close.
func suggest(name string, siblings []string, parent string) string {
	best, bestDist := "", -1
	for _, s := range siblings {
		d := editDistance(strings.ToLower(name), s)
		if bestDist < 0 || d < bestDist {
			best, bestDist = s, d
		}
	}
	if best != "" && bestDist <= maxTypos(name) {
		return joinKey(parent, best)
	}
	for _, k := range KnownKeys() {
		if k == name || strings.HasSuffix(k, "."+name) {
			return k
		}
	}
	return ""
}

// maxTypos is how many edits still count as a typo of a name this long.
func maxTypos(name string) int {
	switch n := len(name); {
	case n <= 3:
		return 1
	case n <= 8:
		return 2
	default:
		return 3
	}
}

// editDistance is the edit distance between a and b (editdist.Distance),
// bounded: names over 64 bytes are not typos of each other.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return len(a) + len(b) // not a typo; keep the cost bounded
	}
	return editdist.Distance(a, b)
}
