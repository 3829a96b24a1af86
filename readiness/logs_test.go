package readiness

import (
	"os"
	"testing"

	"github.com/presoak/presoak/harness/checklist"
	report "github.com/presoak/presoak/reports/readiness"
)

// TestLogs is the Logs area: the seed's artifact directories and the
// config's output.log_dir exist and are writable (created when missing);
// with a bot profile (PROFILE), the bot's log directories it declares.
func TestLogs(t *testing.T) {
	checklist.Group(t, checklist.AreaLogs)
	env, err := checklist.LoadRunEnv(os.LookupEnv)
	if err != nil {
		t.Fatalf("logs: %v", err)
	}
	for _, dir := range checklist.SeedDirs {
		t.Run(checklist.DirItemName(dir), func(t *testing.T) {
			checklist.Record(t, checklist.WritableDir(env.Layers.Root, dir, "seed"))
		})
	}
	if p := env.BotProfile(); p != nil {
		// a bot that is not ours: its log directories from its profile
		for _, n := range checklist.ProfileLogDirs(p) {
			t.Run(n.Name, func(t *testing.T) { checklist.Record(t, n.Item) })
		}
		return
	}
	t.Run("log_dir", func(t *testing.T) {
		view, ok := env.View()
		switch {
		case env.NoConfig:
			checklist.Record(t, checklist.NoConfigFiles(checklist.AreaLogs, "output.log_dir", report.Blocking, "an existing, writable directory", false))
			return
		case !ok:
			checklist.Record(t, checklist.NotEvaluated(checklist.AreaLogs, report.Blocking,
				"output.log_dir", "the config did not load (see TestConfigAndFlags/config_loads)", "fix the problems config_loads lists, then run again"))
			return
		}
		checklist.Record(t, checklist.LogDir(env.Layers.Root, view))
	})
}
