package safety

import "github.com/presoak/presoak/engine/config"

// LoadConfig loads layers with the engine's layered loader (config.Load) and
// reduces the result to an Effective config. Secret leaves keep the loader's
// placeholder, never their value.
func LoadConfig(layers ...string) (*Effective, error) {
	l, err := config.Load(layers...)
	if err != nil {
		return nil, err // *config.Error, already "load config: ..."
	}
	return FromLoaded(l), nil
}

// FromLoaded reduces a loaded config to an Effective config.
func FromLoaded(l *config.Loaded) *Effective {
	leaves := l.Leaves()
	eff := &Effective{Layers: append([]string{}, l.Layers...), Hash: l.Hash(), Settings: make([]Setting, 0, len(leaves))}
	for _, lf := range leaves {
		v := lf.Value
		if lf.Secret {
			v = config.RedactedValue
		}
		eff.Settings = append(eff.Settings, Setting{Key: lf.Key, Value: v, Source: lf.Source.String(), Secret: lf.Secret})
	}
	return eff
}
