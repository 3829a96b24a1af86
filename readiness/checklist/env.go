package checklist

import (
	"os"

	"github.com/presoak/presoak/engine/config"
)

// Env is what the checklist tests share: the module root, the config layers
// named by CONFIG, and the loaded config (or why it did not load).
type Env struct {
	// Layers are the config layers, resolved against the module root.
	Layers Layers
	// Loaded is the loaded config; nil when LoadErr is set.
	Loaded *config.Loaded
	// LoadErr is config.Load's error (a *config.Error listing every problem).
	LoadErr error
}

// LoadEnv finds the module root from the working directory and loads the
// config layers in configList (the CONFIG variable; empty means
// DefaultConfig). The error is only for a missing module root; a config that
// does not load is reported in Env.LoadErr, since "config loads" is an item.
func LoadEnv(configList string) (Env, error) {
	wd, err := os.Getwd()
	if err != nil {
		return Env{}, err
	}
	root, err := ModuleRoot(wd)
	if err != nil {
		return Env{}, err
	}
	env := Env{Layers: ConfigLayers(configList, root)}
	env.Loaded, env.LoadErr = config.Load(env.Layers.Paths...)
	return env, nil
}

// View is the ConfigView of the loaded config; ok is false when it did not load.
func (e Env) View() (ConfigView, bool) {
	if e.Loaded == nil {
		return ConfigView{}, false
	}
	return ViewOf(e.Loaded, e.Layers), true
}
