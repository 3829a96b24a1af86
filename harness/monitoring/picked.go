package monitoring

import (
	"path/filepath"

	"github.com/presoak/presoak/harness/profile"
)

// namedProfile is the bot profile at path (relative to root), nil when
// none is named or it does not load (Env.Load reports why).
func namedProfile(root, path string) *profile.Profile {
	if path == "" {
		return nil
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(root, path)
	}
	p, err := profile.Load(path)
	if err != nil {
		return nil
	}
	return p
}

// picked is the budgets or criteria file the assets are generated from:
// profile.Pick's choice (the user's variable, the profile's file,
// presoak's own), or def when presoak's own directory cannot be found.
func picked(file, root string, getenv func(string) string, p *profile.Profile, def string) string {
	c, err := profile.PickEnv(file, getenv, root, p)
	if err != nil {
		return def
	}
	return c.Path
}
