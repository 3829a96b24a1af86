package checklist

import (
	"errors"
	"fmt"
	"github.com/presoak/presoak/engine/config"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/presoak/presoak/harness/checklist/result"
)

// SeedDirs are the artifact directories the seed's preparation script makes,
// relative to the module root. The config's output.log_dir is checked too.
var SeedDirs = []string{
	"artifacts/edge/feeds",
	"artifacts/edge/datasets",
	"artifacts/edge/reports",
	"artifacts/baseline",
	"artifacts/release",
	"artifacts/reports",
}

// DirItemName is the subtest name for a directory: its path with "/" as "_"
// ("artifacts_edge_feeds"), so the name stays one level deep.
func DirItemName(rel string) string {
	return strings.NewReplacer("/", "_", `\`, "_", " ", "_").Replace(strings.Trim(filepath.ToSlash(rel), "/"))
}

// WritableDir is the Logs item for one directory: dir (relative to root
// unless absolute) must exist and be writable. A missing directory is
// created (and the item says so); one that cannot be created or written is a
// failure naming what stands in the way. source is where the path came from
// ("seed", or a config key's provenance).
func WritableDir(root, dir, source string) Item {
	path := dir
	if !filepath.IsAbs(path) {
		path = filepath.Join(root, dir)
	}
	shown := displayPath(root, path)
	it := Item{Area: AreaLogs, Severity: result.Blocking, Want: "an existing, writable directory", Source: source}
	created, err := ensureDir(path)
	if err == nil {
		err = probeWrite(path)
	}
	if err != nil {
		it.Status = result.StatusFail
		it.Got = "not usable: " + strings.ReplaceAll(err.Error(), root+string(filepath.Separator), "")
		it.Fix = dirFix(root, path)
		it.Message = fmt.Sprintf("%s (%s) is not a writable directory: %s, want %s: %s", shown, source, it.Got, it.Want, it.Fix)
		return it
	}
	it.Status = result.StatusPass
	it.Got = "exists, writable"
	if created {
		it.Got = "created, writable"
	}
	it.Message = fmt.Sprintf("%s: %s", shown, it.Got)
	return it
}

// ensureDir creates path (and parents) when missing; created says it did.
func ensureDir(path string) (created bool, err error) {
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.IsDir():
		return false, nil
	case err == nil:
		return false, fmt.Errorf("check directory: %s is a %s, not a directory", filepath.Base(path), kindOf(fi))
	case !errors.Is(err, fs.ErrNotExist):
		return false, fmt.Errorf("check directory: %w", err)
	}
	if err := os.MkdirAll(path, 0o755); err != nil {
		return false, fmt.Errorf("create directory: %w", err)
	}
	return true, nil
}

// probeWrite writes and removes a file in dir.
func probeWrite(dir string) error {
	f, err := os.CreateTemp(dir, ".presoak-write-probe-*")
	if err != nil {
		return fmt.Errorf("write probe: %w", err)
	}
	_, werr := f.WriteString("ok\n")
	cerr := f.Close()
	rerr := os.Remove(f.Name())
	if err := errors.Join(werr, cerr, rerr); err != nil {
		return fmt.Errorf("write probe: %w", err)
	}
	return nil
}

// dirFix names what stands in the way of path: the first component that
// exists but is not a directory, else permissions.
func dirFix(root, path string) string {
	for p := path; ; {
		if fi, err := os.Stat(p); err == nil {
			if !fi.IsDir() {
				return fmt.Sprintf("remove or rename the %s %s that stands where a directory must be, then run again",
					kindOf(fi), displayPath(root, p))
			}
			break
		}
		parent := filepath.Dir(p)
		if parent == p {
			break
		}
		p = parent
	}
	return fmt.Sprintf("make %s a directory writable by user %d (check permissions, mounts and free space)",
		displayPath(root, path), os.Getuid())
}

func kindOf(fi fs.FileInfo) string {
	switch m := fi.Mode(); {
	case m.IsRegular():
		return "regular file"
	case m&fs.ModeSymlink != 0:
		return "symlink"
	default:
		return "non-directory file"
	}
}

// LogDir is the Logs item for the config's output.log_dir.
func LogDir(root string, v ConfigView) Item {
	const key = "output.log_dir"
	dir := v.Config.Output.LogDir
	if strings.TrimSpace(dir) == "" {
		return Item{
			Area: AreaLogs, Severity: result.Blocking, Status: result.StatusFail,
			Got: "empty", Want: "a directory path", Source: where(v, key),
			Fix:     fmt.Sprintf("set %s in the config (e.g. artifacts/logs)", key),
			Message: fmt.Sprintf("%s is empty (%s), want a directory path: set it in the config (e.g. artifacts/logs)", key, where(v, key)),
		}
	}
	it := WritableDir(root, dir, key+" ("+where(v, key)+")")
	if v.FromEnv != nil && v.FromEnv(key) {
		// The path came from the environment: never shown, not even in a path.
		hide := strings.NewReplacer(dir, config.RedactedValue, filepath.Clean(dir), config.RedactedValue)
		it.Got, it.Fix, it.Message = hide.Replace(it.Got), hide.Replace(it.Fix), hide.Replace(it.Message)
	}
	return it
}
