package checklist

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/harness/checklist/userenv"
	"github.com/presoak/presoak/harness/safety"
	"github.com/presoak/presoak/harness/target"
	"github.com/presoak/presoak/internal/home"
)

// EnvConfig is the variable naming the config layers (comma-separated).
const EnvConfig = userenv.Config

// Env is what the checklist tests share: the module root, the config layers
// named by CONFIG, the loaded config (or why it did not load) and, when the
// run reads a running bot, the harness that reaches it.
type Env struct {
	// Layers are CONFIG's layers (the user's own), resolved against the
	// module root. No Paths when NoConfig.
	Layers Layers
	// Effective are the layers Loaded came from: Layers, then the applied
	// rollback layer (safety.RollbackLayerFile) while it exists.
	Effective Layers
	// Rollback is the applied rollback layer's path, "" when none is applied.
	Rollback string
	// Loaded is the loaded config; nil when LoadErr is set or NoConfig.
	Loaded *config.Loaded
	// LoadErr is config.Load's error (a *config.Error listing every problem).
	LoadErr error
	// NoConfig is true when CONFIG was set to empty for a running bot
	// (TARGET scrape or prometheus): no config files are read, and the
	// Config & Flags items that can come from the bot's metrics do.
	NoConfig bool
	// Kind is the harness's target kind (embedded unless TARGET or the
	// harness file say otherwise).
	Kind target.Kind
	// Harness is the validated harness config; nil when HarnessErr is set
	// (or LoadEnv, which does not read it, built this Env).
	Harness *target.Harness
	// HarnessErr is why the harness config did not load.
	HarnessErr error
}

// LoadEnv finds the module root from the working directory and loads the
// config layers in configList (the CONFIG variable; empty means
// DefaultConfig) plus the applied rollback layer, if any. The error is only
// for a missing module root; a config that does not load is reported in
// Env.LoadErr, since "config loads" is an item.
func LoadEnv(configList string) (Env, error) {
	root, err := wdRoot()
	if err != nil {
		return Env{}, err
	}
	return LoadEnvAt(root, configList), nil
}

// LoadEnvAt is LoadEnv under the module root root: CONFIG's layers, then the
// rollback layer root/artifacts/release/rollback.override.yaml when it
// exists (safety.Workspace.EffectiveLayers), so an applied rollback is what
// the checklist sees.
func LoadEnvAt(root, configList string) Env {
	ws := safety.Workspace{Root: root}
	env := Env{Layers: ConfigLayers(configList, root), Kind: target.KindEmbedded}
	env.Layers.Paths = ws.WithoutRollback(env.Layers.Paths)
	env.Effective = Layers{Root: root, Paths: ws.EffectiveLayers(env.Layers.Paths)}
	if ws.RollbackActive() {
		env.Rollback = ws.RollbackLayerPath()
	}
	env.Loaded, env.LoadErr = config.Load(env.Effective.Paths...)
	return env
}

// LoadRunEnv is the checklist's Env from the environment (lookup is
// os.LookupEnv in the tests): the harness (HARNESS, TARGET, SCRAPE_URL,
// PROMETHEUS_URL, SELECTOR; see target.LoadHarnessEnv) and CONFIG. CONFIG
// unset means DefaultConfig; CONFIG set to empty means no config files when
// the target is a running bot (scrape or prometheus), and DefaultConfig with
// the embedded target, which has no bot to read flags from. A harness that
// does not load is Env.HarnessErr (an item reports it), not an error.
func LoadRunEnv(lookup func(string) (string, bool)) (Env, error) {
	root, err := wdRoot()
	if err != nil {
		return Env{}, err
	}
	return LoadRunEnvAt(root, lookup), nil
}

// LoadRunEnvAt is LoadRunEnv under the module root root.
func LoadRunEnvAt(root string, lookup func(string) (string, bool)) Env {
	getenv := func(k string) string { v, _ := lookup(k); return v }
	h, herr := target.LoadHarnessEnv(root, getenv)
	kind := target.Kind(strings.TrimSpace(getenv(target.EnvTarget)))
	if h != nil {
		kind = h.Kind
	} else if kind == "" {
		kind = target.KindEmbedded
	}
	list, set := lookup(EnvConfig)
	var env Env
	if set && strings.TrimSpace(list) == "" && Running(kind) {
		env = Env{Layers: Layers{Root: root}, Effective: Layers{Root: root}, NoConfig: true}
	} else {
		env = LoadEnvAt(root, list)
	}
	env.Kind, env.Harness, env.HarnessErr = kind, h, herr
	return env
}

// Running reports whether kind reads a running bot (scrape or prometheus)
// rather than the embedded reference engine.
func Running(kind target.Kind) bool {
	return kind == target.KindScrape || kind == target.KindPrometheus
}

// View is the ConfigView of the loaded config; ok is false when it did not
// load or none was given.
func (e Env) View() (ConfigView, bool) {
	if e.Loaded == nil {
		return ConfigView{}, false
	}
	v := ViewOf(e.Loaded, e.Layers)
	if e.Rollback != "" {
		v.Rollback = e.Layers.Display(e.Rollback)
	}
	return v, true
}

// LayersAttr is the config_layers attribute: the effective layers' names
// (the rollback layer marked), or, with no config files, what the flags were
// read from; with a bot profile, its config layers (the bot's own files).
func (e Env) LayersAttr() string {
	if p := e.BotProfile(); p != nil {
		return strings.Join(p.Config.Layers, ",")
	}
	if e.NoConfig {
		from := "TARGET=" + string(e.Kind)
		if e.Harness != nil {
			from = e.Harness.Describe()
		}
		return "none (CONFIG is empty): flags read from the running bot: " + from
	}
	names := e.Effective.Names()
	if e.Rollback != "" && len(names) > 0 {
		names[len(names)-1] += " (rollback applied)"
	}
	return strings.Join(names, ",")
}

// wdRoot is the team's tree (home.Tree): PRESOAK_WORKDIR, the working
// directory's module, or the directory go test was started in.
func wdRoot() (string, error) {
	root, _, err := home.Tree(os.Getenv)
	if err != nil {
		return "", fmt.Errorf("load env: %w", err)
	}
	return root, nil
}

// isRollback reports whether a source ("artifacts/release/rollback.override.yaml:3") is in the rollback layer.
func isRollback(source, rollback string) bool {
	return rollback != "" && strings.HasPrefix(source, filepath.ToSlash(rollback)+":")
}
