package profile

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"gopkg.in/yaml.v3"
)

// Starter is what `presoak profile init` found: the starter profile's
// text, and the roles and seed items it could not guess (each a TODO in
// the text with its candidates).
type Starter struct {
	Text      []byte
	Guessed   []string
	TODO      []string
	ItemsTODO []string
}

// InitOptions say what a starter profile is written from.
type InitOptions struct {
	// Bot names the bot.
	Bot string
	// ScrapeURL is the bot's /metrics the families were read from.
	ScrapeURL string
	// Layers are the config files as the profile will name them, and
	// Configs their parsed contents (same order).
	Layers  []string
	Configs []Layer
}

// guess is one role's rule: the metric kind, words the name must hold
// (any of each group), words it must not, and how to build the expression.
type guess struct {
	role  string
	kind  dto.MetricType
	all   [][]string // every group: one of its words in the name
	not   []string
	label string // a label whose value selects (with value)
	value string
}

var guesses = []guess{
	{role: "ticks", kind: dto.MetricType_COUNTER, all: [][]string{{"tick", "loop", "cycle", "update", "iteration"}}, not: []string{"error", "fail", "miss", "overrun", "late", "deadline", "skip"}},
	{role: "deadline_misses", kind: dto.MetricType_COUNTER, all: [][]string{{"deadline", "overrun", "late", "skipped"}}},
	{role: "tick_errors", kind: dto.MetricType_COUNTER, all: [][]string{{"error", "fail", "exception"}}},
	{role: "cache_hits", kind: dto.MetricType_COUNTER, all: [][]string{{"cache"}, {"hit"}}},
	{role: "cache_misses", kind: dto.MetricType_COUNTER, all: [][]string{{"cache"}, {"miss"}}},
	{role: "cache_hits", kind: dto.MetricType_COUNTER, all: [][]string{{"cache"}}, label: "result", value: "hit"},
	{role: "cache_misses", kind: dto.MetricType_COUNTER, all: [][]string{{"cache"}}, label: "result", value: "miss"},
	{role: "maker_volume", kind: -1, all: [][]string{{"volume", "fill", "filled", "executed"}}, label: "*", value: "maker"},
	{role: "taker_volume", kind: -1, all: [][]string{{"volume", "fill", "filled", "executed"}}, label: "*", value: "taker"},
	{role: "resident_memory", kind: dto.MetricType_GAUGE, all: [][]string{{"resident", "rss"}}},
	{role: "breakers_open", kind: dto.MetricType_GAUGE, all: [][]string{{"breaker", "kill", "halt", "halted"}}},
	{role: "tick_latency", kind: dto.MetricType_HISTOGRAM, all: [][]string{{"tick", "loop", "cycle", "update"}, {"latency", "duration", "seconds", "ms", "time"}}},
	{role: "stage_latency", kind: dto.MetricType_HISTOGRAM, all: [][]string{{"stage", "phase", "step"}}},
	{role: "feature_flags", kind: dto.MetricType_GAUGE, all: [][]string{{"flag", "feature"}}, label: "flag", value: "*"},
}

// roleOrder is the order the starter lists the roles in.
var roleOrder = []string{"ticks", "deadline_misses", "tick_errors", "cache_hits", "cache_misses", "maker_volume", "taker_volume",
	"resident_memory", "breakers_open", "tick_latency", "stage_latency", "feature_flags"}

func words(name string) map[string]bool {
	w := map[string]bool{}
	for _, p := range strings.Split(name, "_") {
		w[p] = true
	}
	return w
}

// hasAny: a word of the name starts with one of group's (loops, updates),
// or the name holds a longer one anywhere.
func hasAny(w map[string]bool, name string, group []string) bool {
	for _, g := range group {
		if len(g) > 4 && strings.Contains(name, g) {
			return true
		}
		for word := range w {
			if strings.HasPrefix(word, g) {
				return true
			}
		}
	}
	return false
}

// labelValues are a family's labels and the values each takes.
func labelValues(f *dto.MetricFamily) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, m := range f.GetMetric() {
		for _, l := range m.GetLabel() {
			if out[l.GetName()] == nil {
				out[l.GetName()] = map[string]bool{}
			}
			out[l.GetName()][l.GetValue()] = true
		}
	}
	return out
}

// Init writes a starter profile from a bot's metric families and config
// files: every signal it can guess from names, types and labels, each
// other one a TODO listing the candidates of the right type; every seed
// config item it can place by key names, the others TODO with candidate
// paths. The starter validates once its TODOs are filled (ticks is the
// only signal that must be).
func Init(fams map[string]*dto.MetricFamily, o InitOptions) Starter {
	names := make([]string, 0, len(fams))
	for n := range fams {
		names = append(names, n)
	}
	sort.Strings(names)
	found := map[string]string{} // role -> line
	var st Starter
	for _, g := range guesses {
		if _, ok := found[g.role]; ok {
			continue
		}
		for _, n := range names {
			f := fams[n]
			if g.kind >= 0 && f.GetType() != g.kind {
				continue
			}
			if g.kind < 0 && f.GetType() != dto.MetricType_COUNTER && f.GetType() != dto.MetricType_GAUGE {
				continue
			}
			w := words(n)
			ok := true
			for _, grp := range g.all {
				if !hasAny(w, n, grp) {
					ok = false
				}
			}
			for _, x := range g.not {
				if w[x] || strings.Contains(n, x) {
					ok = false
				}
			}
			if !ok {
				continue
			}
			expr := n
			lv := labelValues(f)
			switch {
			case g.label == "*":
				lbl := ""
				for l, vs := range lv {
					if vs[g.value] {
						lbl = l
					}
				}
				if lbl == "" {
					continue
				}
				expr = fmt.Sprintf("%s{%s=%q}", n, lbl, g.value)
			case g.label != "" && g.value == "*":
				if lv[g.label] == nil {
					continue
				}
				expr = fmt.Sprintf("max by (%s) (%s)", g.label, n)
			case g.label != "":
				if !lv[g.label][g.value] {
					continue
				}
				expr = fmt.Sprintf("%s{%s=%q}", n, g.label, g.value)
			}
			if g.role == "stage_latency" {
				for _, l := range []string{"stage", "phase", "step"} {
					if lv[l] != nil {
						expr = fmt.Sprintf("sum by (%s) (%s)", l, n)
					}
				}
			}
			kind := strings.ToLower(f.GetType().String())
			unit := ""
			switch {
			case f.GetType() == dto.MetricType_HISTOGRAM && (w["ms"] || w["milliseconds"]):
				unit = ", unit: milliseconds"
			case f.GetType() == dto.MetricType_HISTOGRAM:
				unit = ", unit: seconds"
			case w["bytes"] || w["rss"]:
				unit = ", unit: bytes"
			}
			found[g.role] = fmt.Sprintf("  %s: {expr: %s, kind: %s%s}", g.role, quote(expr), kind, unit)
			break
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# presoak bot profile: a starter written by `presoak profile init`.\n")
	fmt.Fprintf(&b, "# Check every guess, fill every TODO, then run `presoak profile check`.\n")
	fmt.Fprintf(&b, "# Every field: `go doc ./harness/profile` and the README's profile section.\n")
	fmt.Fprintf(&b, "version: %d\n", Version)
	bot := o.Bot
	if bot == "" {
		bot = "my-bot"
	}
	fmt.Fprintf(&b, "bot: %s\n\ntarget:\n  kind: scrape\n", quote(bot))
	if o.ScrapeURL != "" {
		fmt.Fprintf(&b, "  scrape:\n    url: %s\n    interval: 1s\n    timeout: 900ms\n", quote(o.ScrapeURL))
	}
	b.WriteString("\nconfig:\n")
	if len(o.Layers) > 0 {
		b.WriteString("  layers: [" + strings.Join(quoteAll(o.Layers), ", ") + "]\n")
	} else {
		b.WriteString("  layers: []   # TODO: the bot's config files, base first\n")
	}
	st.ItemsTODO = writeItems(&b, o.Configs)
	b.WriteString("  rollback: []   # TODO: config paths of the bot's feature switches a rollback turns off\n")
	b.WriteString("  logs: []       # TODO: the bot's log directories\n")
	b.WriteString("\nsignals:\n")
	for _, role := range roleOrder {
		if line, ok := found[role]; ok {
			b.WriteString(line + "\n")
			st.Guessed = append(st.Guessed, role)
			continue
		}
		st.TODO = append(st.TODO, role)
		fmt.Fprintf(&b, "  # TODO %s: %s; candidates: %s\n", role, roleKindText(role), strings.Join(candidates(fams, names, role), ", "))
	}
	st.Text = []byte(b.String())
	return st
}

func roleKindText(role string) string { return kindsOf(roleKinds[role]) }

// candidates are up to 5 metrics of the role's kind, nearest name first.
func candidates(fams map[string]*dto.MetricFamily, names []string, role string) []string {
	var ok []string
	for _, n := range names {
		k := strings.ToLower(fams[n].GetType().String())
		if roleKinds[role][k] {
			ok = append(ok, n)
		}
	}
	if len(ok) == 0 {
		return []string{"(none of that kind on the page)"}
	}
	return Closest(role, ok, 5)
}

var itemHints = map[string][][]string{
	ItemPipelineEnabled: {{"pipeline", "parallel", "optimization"}, {"enabled", "enable", "quoting", "true"}},
	ItemMDCacheEnabled:  {{"cache"}, {"enabled", "enable"}},
	ItemMDCacheTTL:      {{"cache"}, {"ttl", "expiry", "age"}},
	ItemTakerCapPct:     {{"taker"}, {"cap", "max", "share", "pct", "limit"}},
}

var itemRequire = map[string]string{
	ItemPipelineEnabled: "== true", ItemMDCacheEnabled: "== true", ItemMDCacheTTL: "<= 100ms", ItemTakerCapPct: "<= 9",
}

// writeShareItem writes a share the requirement states in percent. A
// value strictly between 0 and 1 is guessed to be a fraction (0.05 for
// 5 %): without scale: fraction, a cap of 0.12 (12 %) would pass "<= 9".
func writeShareItem(b *strings.Builder, item, path string, layers []Layer) {
	req := quote(itemRequire[item])
	pp, err := ParsePath(path)
	if err == nil {
		v, err := (&BotConfig{Layers: layers}).Lookup(pp)
		if f, perr := strconv.ParseFloat(v.Text, 64); err == nil && perr == nil && f > 0 && f < 1 {
			fmt.Fprintf(b, "    %s: {path: %s, require: %s, scale: fraction}  # guessed: %s is %s, a fraction (%g %%); remove scale if it means %s %%\n",
				item, quote(path), req, v.Where, v.Text, f*100, v.Text)
			return
		}
	}
	fmt.Fprintf(b, "    %s: {path: %s, require: %s}  # scale: fraction if the bot stores 0.09 for 9 %%\n", item, quote(path), req)
}

// writeItems places the seed items by key names; it returns the TODOs.
func writeItems(b *strings.Builder, layers []Layer) []string {
	var leaves []string
	for _, l := range layers {
		walkLeaves(l.Root, "", func(p string) { leaves = append(leaves, p) })
	}
	sort.Strings(leaves)
	leaves = dedup(leaves)
	b.WriteString("  items:\n")
	var todo []string
	for _, item := range SeedItems {
		var match []string
		for _, p := range leaves {
			lp := strings.ToLower(p)
			ok := true
			for _, grp := range itemHints[item] {
				any := false
				for _, w := range grp {
					if strings.Contains(lp, w) {
						any = true
					}
				}
				ok = ok && any
			}
			if ok {
				match = append(match, p)
			}
		}
		if len(match) == 1 {
			if item == ItemTakerCapPct {
				writeShareItem(b, item, match[0], layers)
				continue
			}
			fmt.Fprintf(b, "    %s: {path: %s, require: %s}\n", item, quote(match[0]), quote(itemRequire[item]))
			continue
		}
		todo = append(todo, item)
		cands := "none found by name"
		if len(match) > 0 {
			cands = strings.Join(match, ", ")
		}
		fmt.Fprintf(b, "    # TODO %s: {path: ..., require: %s}; candidates: %s\n", item, quote(itemRequire[item]), cands)
	}
	return todo
}

func walkLeaves(n *yaml.Node, prefix string, f func(string)) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			p := n.Content[i].Value
			if prefix != "" {
				p = prefix + "." + p
			}
			walkLeaves(n.Content[i+1], p, f)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			walkLeaves(c, prefix+"["+strconv.Itoa(i)+"]", f)
		}
	case yaml.ScalarNode:
		if prefix != "" {
			f(prefix)
		}
	}
}

func dedup(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = quote(s)
	}
	return out
}
