package profile

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
)

func TestDefaultIsTheReferenceEngine(t *testing.T) {
	p := Default()
	for _, role := range Roles() {
		if p.Signal(role) == nil {
			t.Errorf("reference profile: signal %s missing", role)
		}
	}
	if s := p.Signal("stage_latency"); len(s.By) != 1 || s.By[0] != "stage" {
		t.Errorf("stage_latency by: got %v, want [stage]", s.By)
	}
	if len(p.Config.Items) != len(SeedItems) {
		t.Errorf("reference items: got %d, want %d", len(p.Config.Items), len(SeedItems))
	}
}

func TestParseProblems(t *testing.T) {
	const head = "version: 1\nsignals:\n  ticks: {expr: t_total, kind: counter}\n"
	tests := []struct {
		name, yaml string
		want       []string // substrings of the error, each
	}{
		{"unknown version", "version: 2\nsignals:\n  ticks: {expr: t_total, kind: counter}\n", []string{"p.yaml:1: version: got 2, want 1", "version 1 only"}},
		{"missing version", "signals:\n  ticks: {expr: t_total, kind: counter}\n", []string{"version: missing"}},
		{"version as text", "version: one\nsignals:\n  ticks: {expr: t_total, kind: counter}\n", []string{`p.yaml:1: version: got str "one", want 1`}},
		{"missing ticks", "version: 1\n", []string{"signals.ticks: missing"}},
		{"unknown key", head + "targte: {}\n", []string{"p.yaml:4: targte: unknown key; known here: bot, budgets, config, criteria, signals, target, version"}},
		{"bad kind", head + "target: {kind: docker}\n", []string{`p.yaml:4: target.kind: got "docker", want embedded, scrape or prometheus`}},
		{"bad duration", head + "target:\n  scrape: {interval: 5}\n", []string{"p.yaml:5: target.scrape.interval: got int \"5\", want a positive duration"}},
		{"bad selector", head + "target:\n  prometheus: {selector: '{job=mm}'}\n", []string{"p.yaml:5: target.prometheus.selector: selector"}},
		{"promql syntax", "version: 1\nsignals:\n  ticks: {expr: 'sum(t_total', kind: counter}\n", []string{"p.yaml:3: signals.ticks: expr \"sum(t_total\""}},
		{"binary expr", "version: 1\nsignals:\n  ticks: {expr: 'a / b', kind: counter}\n", []string{"got a binary expression"}},
		{"histogram part", head + "  tick_latency: {expr: x_bucket, kind: histogram}\n", []string{"name the histogram's base metric x"}},
		{"histogram unit", head + "  tick_latency: {expr: x, kind: histogram, unit: bytes}\n", []string{"want seconds or milliseconds"}},
		{"role kind", head + "  breakers_open: {expr: x, kind: counter}\n", []string{"p.yaml:4: signals.breakers_open.kind: got counter, want gauge"}},
		{"missing kind", head + "  x: {expr: x}\n", []string{"kind: missing"}},
		{"regex name", head + "  x: {expr: '{__name__=~\"a.*\"}', kind: gauge}\n", []string{"must be matched with ="}},
		{"unknown seed item", head + "config:\n  items:\n    taker_cap: {path: a, require: '<= 9'}\n", []string{"p.yaml:6: config.items.taker_cap: unknown key; known here: md_cache_enabled, md_cache_ttl, pipeline_enabled, taker_cap_pct"}},
		{"bad path", head + "config:\n  items:\n    taker_cap_pct: {path: 'a[x].b', require: '<= 9'}\n", []string{"p.yaml:6: config.items.taker_cap_pct.path: path \"a[x].b\""}},
		{"bad require", head + "config:\n  items:\n    taker_cap_pct: {path: a.b, require: 'nine'}\n", []string{"config.items.taker_cap_pct.require: failed parsing requirement \"nine\""}},
		{"bad scale", head + "config:\n  items:\n    taker_cap_pct: {path: a.b, require: '<= 9', scale: permille}\n", []string{`scale: got "permille"`}},
		{"extra without name", head + "config:\n  extra:\n    - {path: a.b, require: '== true', severity: fatal}\n", []string{"config.extra[0].name: missing", `config.extra[0].severity: got "fatal"`}},
		{"rollback path", head + "config:\n  rollback: ['a..b']\n", []string{"config.rollback[0]: path \"a..b\": empty key"}},
		{"not yaml", "version: [1\n", []string{"p.yaml: not valid YAML"}},
		{"empty", "", []string{"p.yaml: empty file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("dir/p.yaml", "", []byte(tt.yaml))
			if err == nil {
				t.Fatalf("Parse: got nil error, want %q", tt.want)
			}
			if !errors.Is(err, ErrProfile) {
				t.Errorf("errors.Is(err, ErrProfile) = false for %v", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error:\n%v\nwant it to contain %q", err, w)
				}
			}
		})
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	_, err := Parse("p.yaml", "", []byte("version: 3\nbogus: 1\nsignals:\n  ticks: {expr: t, kind: weird}\n"))
	var pe *Error
	if !errors.As(err, &pe) || len(pe.Problems) != 3 {
		t.Fatalf("got %v, want 3 problems (version, bogus, kind)", err)
	}
}

func TestParseSignals(t *testing.T) {
	p, err := Parse("p.yaml", "", []byte(`version: 1
signals:
  ticks: {expr: 'sum(hb_ticks_total{bot="pmm"})', kind: counter}
  tick_latency: {expr: 'hb_tick_latency_ms', kind: histogram, unit: milliseconds}
  custom: {expr: 'max by (symbol, venue) (hb_inventory)', kind: gauge}
`))
	if err != nil {
		t.Fatal(err)
	}
	tk := p.Signal("ticks")
	if tk.Metric != "hb_ticks_total" || tk.Agg != "sum" || len(tk.Matchers) != 1 || tk.Matchers[0].String() != `bot="pmm"` {
		t.Errorf("ticks: got metric %s agg %s matchers %v", tk.Metric, tk.Agg, tk.Matchers)
	}
	if got := tk.Selector("", mustSel(t, `{job="hb"}`)); got != `hb_ticks_total{bot="pmm", job="hb"}` {
		t.Errorf("selector: got %s", got)
	}
	if s := p.Signal("tick_latency"); s.Scale() != 0.001 {
		t.Errorf("milliseconds scale: got %g, want 0.001", s.Scale())
	}
	if c := p.Signal("custom"); c.Agg != "max" || strings.Join(c.By, ",") != "symbol,venue" {
		t.Errorf("custom: got %s by %v", c.Agg, c.By)
	}
}

func mustSel(t *testing.T, s string) []*labels.Matcher {
	t.Helper()
	ms, err := ParseSelector(s)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func TestParsePath(t *testing.T) {
	good := map[string]string{
		"a": "a",
		"crossExchangeStrategies[0].xmaker.margin": "crossExchangeStrategies [0] xmaker margin",
		"a[1][2].b": "a [1] [2] b",
	}
	for in, want := range good {
		p, err := ParsePath(in)
		if err != nil {
			t.Errorf("ParsePath(%q): %v", in, err)
			continue
		}
		var parts []string
		for _, s := range p.Steps {
			if s.Index >= 0 {
				parts = append(parts, "["+itoa(s.Index)+"]")
			} else {
				parts = append(parts, s.Key)
			}
		}
		if got := strings.Join(parts, " "); got != want {
			t.Errorf("ParsePath(%q): got %s, want %s", in, got, want)
		}
	}
	for _, bad := range []string{"", ".a", "a.", "a[", "a[-1]", "a[1]b", "a..b", "[0]"} {
		if _, err := ParsePath(bad); err == nil {
			t.Errorf("ParsePath(%q): got nil error, want one", bad)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestRequirement(t *testing.T) {
	tests := []struct {
		req, text, tag string
		scale          float64
		ok             bool
		err            bool
	}{
		{"== true", "true", "!!bool", 1, true, false},
		{"== true", "false", "!!bool", 1, false, false},
		{"== true", "yes", "!!str", 1, false, true},
		{"<= 9", "9", "!!int", 1, true, false},
		{"<= 9", "10", "!!int", 1, false, false},
		{"<= 9", "0.12", "!!float", 100, false, false},
		{"<= 9", "0.09", "!!float", 100, true, false},
		{"<= 9", "nine", "!!str", 1, false, true},
		{"<= 100ms", "100ms", "!!str", 1, true, false},
		{"<= 100ms", "2s", "!!str", 1, false, false},
		{"<= 1s", "0.5", "!!float", 1, true, false},
		{"== maker", "maker", "!!str", 1, true, false},
		{"!= taker", "taker", "!!str", 1, false, false},
	}
	for _, tt := range tests {
		r, err := ParseRequirement(tt.req)
		if err != nil {
			t.Fatalf("ParseRequirement(%q): %v", tt.req, err)
		}
		_, ok, err := r.Check(tt.text, tt.tag, tt.scale)
		if (err != nil) != tt.err || ok != tt.ok {
			t.Errorf("%q on %s (x%g): got ok=%v err=%v, want ok=%v err=%v", tt.req, tt.text, tt.scale, ok, err, tt.ok, tt.err)
		}
	}
	for _, bad := range []string{"", "9", "<=", "< true", ">= maker"} {
		if _, err := ParseRequirement(bad); err == nil {
			t.Errorf("ParseRequirement(%q): got nil error, want one", bad)
		}
	}
}

func TestConfigItemsWithProvenance(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("base.yaml", "strategies:\n  - name: a\n    risk:\n      takerShare: 0.12\n      enabled: false\n")
	write("over.json", "{\n  \"strategies\": [\n    {\"risk\": {\"enabled\": true}}\n  ]\n}\n")
	write("p.yaml", `version: 1
signals:
  ticks: {expr: t, kind: counter}
config:
  layers: [base.yaml, over.json]
  items:
    pipeline_enabled: {path: 'strategies[0].risk.enabled', require: '== true'}
    taker_cap_pct: {path: 'strategies[0].risk.takerShare', require: '<= 9', scale: fraction, fix: lower it}
  extra:
    - {name: has_name, path: 'strategies[0].name', require: '== b', severity: warning}
    - {name: missing, path: 'strategies[1].name', require: '== a'}
`)
	p, err := Load(filepath.Join(dir, "p.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := p.LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	pe := p.Config.Items[ItemPipelineEnabled].Check(c)
	if !pe.Pass || pe.Where != "over.json:3" {
		t.Errorf("pipeline_enabled: got pass=%v where=%s msg=%s, want pass at over.json:3", pe.Pass, pe.Where, pe.Msg)
	}
	tc := p.Config.Items[ItemTakerCapPct].Check(c)
	if tc.Pass || !strings.Contains(tc.Msg, "taker_cap_pct = 12 (0.12 stored as a fraction) (strategies[0].risk.takerShare, base.yaml:4), want <= 9: lower it") {
		t.Errorf("taker_cap_pct: got pass=%v msg=%q", tc.Pass, tc.Msg)
	}
	hn := p.Config.Extra[0].Check(c)
	if hn.Pass || !strings.Contains(hn.Msg, "has_name = a") || !strings.Contains(hn.Msg, "base.yaml:2") {
		t.Errorf("has_name: got pass=%v msg=%q", hn.Pass, hn.Msg)
	}
	ms := p.Config.Extra[1].Check(c)
	if ms.Pass || !strings.Contains(ms.Msg, "strategies[1]") || !strings.Contains(ms.Msg, "not in the bot's config") {
		t.Errorf("missing: got pass=%v msg=%q", ms.Pass, ms.Msg)
	}
}
