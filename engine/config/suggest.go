package config

import "strings"

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

// editDistance is the Levenshtein distance between a and b (bytes), with a
// transposition of two adjacent bytes counting as one edit.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return len(a) + len(b) // not a typo; keep the cost bounded
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
