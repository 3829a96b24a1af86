package checklist_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presoak/presoak/harness/checklist"
	"github.com/presoak/presoak/harness/checklist/result"
	"github.com/presoak/presoak/harness/profile"
	"github.com/presoak/presoak/harness/safety"
	"github.com/presoak/presoak/harness/target"
	"github.com/presoak/presoak/internal/modroot"
)

// exampleBot copies an example bot's profile and config into a temp dir,
// replacing old with new in its config (a fault), and loads the profile.
func exampleBot(t *testing.T, bot, old, new string) *profile.Profile {
	t.Helper()
	root, err := modroot.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(root, "fixtures", "bots", bot)
	dir := t.TempDir()
	p, err := profile.Load(filepath.Join(src, "profile.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range append([]string{"profile.yaml", p.Budgets}, p.Config.Layers...) { // the files the profile names
		data, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		if f != "profile.yaml" && f != p.Budgets && old != "" {
			if !strings.Contains(string(data), old) {
				t.Fatalf("%s has no %q to replace", f, old)
			}
			data = []byte(strings.Replace(string(data), old, new, 1))
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err = profile.Load(filepath.Join(dir, "profile.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func failed(items []checklist.NamedItem) []string {
	var out []string
	for _, n := range items {
		if n.Item.Status == result.StatusFail {
			out = append(out, n.Name)
		}
	}
	return out
}

func TestExampleBotsConfigThroughProfile(t *testing.T) {
	tests := []struct {
		bot, old, new string
		wantFail      []string
		wantMsg       string
	}{
		{"hummingbot", "", "", nil, ""},
		{"bbgo", "", "", nil, ""},
		{"hummingbot", "max_taker_volume_pct: 8.0", "max_taker_volume_pct: 12.0", []string{"taker_cap_max_taker_share_pct"},
			"taker_cap_pct = 12 (max_taker_volume_pct, conf_pure_mm.yml:54), want <= 9: lower max_taker_volume_pct to 9 or less"},
		{"bbgo", "maxTakerShare: 0.08", "maxTakerShare: 0.12", []string{"taker_cap_max_taker_share_pct"},
			"taker_cap_pct = 12 (0.12 stored as a fraction) (crossExchangeStrategies[0].xmaker.maxTakerShare, xmaker.yaml:43), want <= 9"},
		{"bbgo", "pipelineQuoting: true", "pipelineQuoting: false", []string{"pipeline_enabled"}, "pipeline_enabled = false"},
		{"hummingbot", "kill_switch_enabled: true", "kill_switch_enabled: false", []string{"kill_switch_enabled"}, "kill_switch_enabled = false (kill_switch_enabled, conf_pure_mm.yml:55)"},
		{"bbgo", "xmaker:\n", "xmakerr:\n", []string{"pipeline_enabled", "md_cache_enabled", "taker_cap_max_taker_share_pct", "circuit_breaker_enabled", "hedge_enabled"}, "not in the bot's config"},
	}
	for _, tt := range tests {
		name := tt.bot + "/healthy"
		if tt.old != "" {
			name = tt.bot + "/" + strings.Fields(tt.new)[0]
		}
		t.Run(name, func(t *testing.T) {
			p := exampleBot(t, tt.bot, tt.old, tt.new)
			cfg, err := checklist.ProfileConfig(p)
			items := checklist.ProfileConfigItems(p, cfg, err)
			if got := strings.Join(failed(items), ","); got != strings.Join(tt.wantFail, ",") {
				t.Fatalf("failed items: got [%s], want [%s]", got, strings.Join(tt.wantFail, ","))
			}
			for _, n := range items {
				if n.Item.Status == result.StatusFail && !strings.Contains(n.Item.Message, tt.wantMsg) {
					t.Errorf("%s: message %q, want it to contain %q", n.Name, n.Item.Message, tt.wantMsg)
				}
			}
			ttl := checklist.ProfileSeedItem(p, cfg, err, profile.ItemMDCacheTTL, checklist.AreaMDCache)
			if ttl.Status != result.StatusPass && tt.old == "" {
				t.Errorf("md_cache_ttl: %s", ttl.Message)
			}
		})
	}
}

func TestExampleBotsTTLThroughProfile(t *testing.T) {
	p := exampleBot(t, "hummingbot", "order_book_cache_ttl: 0.1", "order_book_cache_ttl: 2")
	cfg, err := checklist.ProfileConfig(p)
	it := checklist.ProfileSeedItem(p, cfg, err, profile.ItemMDCacheTTL, checklist.AreaMDCache)
	if it.Status != result.StatusFail || !strings.Contains(it.Message, "md_cache_ttl = 2s (order_book_cache_ttl, conf_pure_mm.yml:53), want <= 100ms") {
		t.Errorf("ttl 2 s: got %s %q", it.Status, it.Message)
	}
}

func TestExampleBotsSafetyAndLogsThroughProfile(t *testing.T) {
	for _, bot := range []string{"hummingbot", "bbgo"} {
		t.Run(bot, func(t *testing.T) {
			p := exampleBot(t, bot, "", "")
			cfg, err := checklist.ProfileConfig(p)
			dir := t.TempDir()
			items := checklist.ProfileSafetyItems(p, cfg, err, safety.Workspace{Root: dir}, filepath.Join(dir, "scratch"))
			items = append(items, checklist.ProfileLogDirs(p)...)
			if f := failed(items); len(f) > 0 {
				for _, n := range items {
					t.Logf("%s: %s", n.Name, n.Item.Message)
				}
				t.Fatalf("failed: %v", f)
			}
			if _, err := os.Stat(safety.Workspace{Root: dir}.ProfileSnapshotPath()); err != nil {
				t.Errorf("snapshot not written: %v", err)
			}
		})
	}
	// a rollback target that is not a boolean fails every safety item, naming it
	p := exampleBot(t, "hummingbot", "", "")
	p.Config.Rollback = append(p.Config.Rollback, "order_amount")
	cfg, err := checklist.ProfileConfig(p)
	items := checklist.ProfileSafetyItems(p, cfg, err, safety.Workspace{Root: t.TempDir()}, t.TempDir())
	if len(failed(items)) != 3 || !strings.Contains(items[0].Item.Message, "order_amount = 0.01 (conf_pure_mm.yml:26) is not a boolean") {
		t.Errorf("non-boolean target: got %v %q", failed(items), items[0].Item.Message)
	}
}

func TestProfileSignals(t *testing.T) {
	page := "# TYPE hb_tick_count_total counter\nhb_tick_count_total 5\n# TYPE hb_book_cache_hit_total counter\nhb_book_cache_hit_total 3\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(page)) }))
	defer srv.Close()
	for _, tt := range []struct {
		name, signals string
		want          result.Status
		msg           string
	}{
		{"all match", "  cache_hits: {expr: hb_book_cache_hit_total, kind: counter}\n", result.StatusPass, "every declared signal reads series"},
		{"typo", "  cache_hits: {expr: hb_book_cache_hits_total, kind: counter}\n", result.StatusFail,
			"signal cache_hits: hb_book_cache_hits_total: selector matches nothing (no metric hb_book_cache_hits_total); closest metrics the bot exports: hb_book_cache_hit_total"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := profile.Parse("p.yaml", "", []byte("version: 1\ntarget:\n  kind: scrape\n  scrape: {url: '"+srv.URL+"/metrics'}\nsignals:\n  ticks: {expr: hb_tick_count_total, kind: counter}\n"+tt.signals))
			if err != nil {
				t.Fatal(err)
			}
			h, err := target.FromProfile(p, nil)
			if err != nil {
				t.Fatal(err)
			}
			it := checklist.ProfileSignals(t.Context(), h)
			if it.Status != tt.want || !strings.Contains(it.Message, tt.msg) {
				t.Errorf("got %s %q, want %s containing %q", it.Status, it.Message, tt.want, tt.msg)
			}
		})
	}
}

// TestProfileSnapshotItemNeverOverwrites: the Safety snapshot item takes the
// snapshot when there is none, then checks it: a config file changed since
// fails as stale (and the snapshot is left as it was: it is what a restore
// returns to), and rolled-back copies pending fail. Before, the item rewrote
// the snapshot from the current files on every run, so it always passed and
// a rolled-back config replaced the state a restore verifies against.
func TestProfileSnapshotItemNeverOverwrites(t *testing.T) {
	p := exampleBot(t, "bbgo", "", "")
	ws := safety.Workspace{Root: t.TempDir()}
	snap := func() checklist.Item {
		t.Helper()
		cfg, err := checklist.ProfileConfig(p)
		return checklist.ProfileSafetyItems(p, cfg, err, ws, t.TempDir())[0].Item
	}
	if it := snap(); it.Status != result.StatusPass || !strings.Contains(it.Message, "taken now") {
		t.Fatalf("first run: got %s %q, want the snapshot taken", it.Status, it.Message)
	}
	before, err := os.ReadFile(ws.ProfileSnapshotPath())
	if err != nil {
		t.Fatal(err)
	}
	if it := snap(); it.Status != result.StatusPass || strings.Contains(it.Message, "taken now") {
		t.Fatalf("second run: got %s %q, want the existing snapshot checked", it.Status, it.Message)
	}
	cfgFile := p.Resolve(p.Config.Layers[0])
	data, err := os.ReadFile(cfgFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfgFile, append(data, []byte("# changed\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	if it := snap(); it.Status != result.StatusFail || it.Got != "stale" || !strings.Contains(it.Message, "changed since the snapshot") {
		t.Errorf("config changed: got %s %q %q, want stale", it.Status, it.Got, it.Message)
	}
	if after, _ := os.ReadFile(ws.ProfileSnapshotPath()); string(after) != string(before) {
		t.Errorf("the item rewrote the snapshot")
	}
	if err := os.WriteFile(cfgFile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	// another rollback target than the snapshot recorded (same count): stale
	saved := p.Config.Rollback
	p.Config.Rollback = []string{saved[0], saved[0]}
	if it := snap(); it.Status != result.StatusFail || !strings.Contains(it.Message, "the snapshot records the rollback targets") {
		t.Errorf("other rollback targets: got %s %q, want stale", it.Status, it.Message)
	}
	p.Config.Rollback = saved
	if err := os.MkdirAll(ws.ProfileRollbackPath(), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ws.ProfileRollbackPath(), "00-xmaker.yaml"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if it := snap(); it.Status != result.StatusFail || it.Got != "rollback pending" || !strings.Contains(it.Fix, "make restore PROFILE=") {
		t.Errorf("rollback copies pending: got %s %q (fix %q), want a failure saying restore", it.Status, it.Got, it.Fix)
	}
}
