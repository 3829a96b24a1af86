package monitoring_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presoak/presoak/harness/monitoring"
	report "github.com/presoak/presoak/reports/readiness"
)

// With a bot profile, the assets come from the profile's signals: the fix of
// a missing or stale asset is `make monitoring PROFILE=<the profile>`. Before,
// every fix said `make monitoring` and listed METRIC_NAMES but not PROFILE,
// and that command regenerates the reference engine's rules.
func TestMissingAssetsFixNamesTheProfile(t *testing.T) {
	env := newChecksRoot(t, false)
	bot := filepath.Join(moduleRoot(t), "fixtures", "bots", "bbgo")
	for _, name := range []string{"profile.yaml", "xmaker.yaml"} {
		data, err := os.ReadFile(filepath.Join(bot, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(env.Root, "bot"), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(env.Root, "bot", name), data)
	}
	env.Profile = "bot/profile.yaml"
	c := &monitoring.Checks{Env: env}
	for name, it := range map[string]func() string{
		"rules_current": func() string { i := c.RulesCurrent(); return string(i.Status) + "|" + i.Fix + "|" + i.Message },
		"dashboard": func() string {
			i := c.DashboardCoversCriteria()
			return string(i.Status) + "|" + i.Fix + "|" + i.Message
		},
		"runbooks":          func() string { i := c.AlertsHaveRunbooks(); return string(i.Status) + "|" + i.Fix + "|" + i.Message },
		"checklist_current": func() string { i := c.ChecklistCurrent(); return string(i.Status) + "|" + i.Fix + "|" + i.Message },
	} {
		got := it()
		if strings.HasPrefix(got, string(report.StatusPass)) {
			t.Errorf("%s passed without assets", name)
		}
		if !strings.Contains(got, "`make monitoring PROFILE=bot/profile.yaml`") {
			t.Errorf("%s: fix does not name the profile (make monitoring PROFILE=bot/profile.yaml): %s", name, got)
		}
		if strings.Contains(got, env.Root) {
			t.Errorf("%s: an absolute path reached the fix: %s", name, got)
		}
	}
}
