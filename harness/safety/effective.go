package safety

import (
	"fmt"
	"strconv"
	"time"
)

// Setting is one leaf of an effective config, as the safety net sees it.
type Setting struct {
	// Key is the dotted key, e.g. "pipeline.enabled".
	Key string
	// Value is the decoded value (bool, int, float64, string, time.Duration, ...).
	Value any
	// Source is the file and line that set it, "config.yaml:4".
	Source string
	// Secret marks a value that must never be written or printed.
	Secret bool
}

// Effective is a loaded, layered config reduced to what the safety net needs.
type Effective struct {
	// Layers are the files it was loaded from, in order.
	Layers []string
	// Hash is the loader's stable hash of the effective config.
	Hash string
	// Settings are every leaf, sorted by key.
	Settings []Setting
}

// Lookup returns the setting of a dotted key.
func (e *Effective) Lookup(key string) (Setting, bool) {
	for _, s := range e.Settings {
		if s.Key == key {
			return s, true
		}
	}
	return Setting{}, false
}

// Loader loads config layers (base first) into an Effective config.
// LoadConfig is the engine's layered loader; tests may pass another.
type Loader func(layers ...string) (*Effective, error)

// Display renders a value the way a person reads it in a plan or a check:
// durations as "150ms", floats without trailing zeros. Two values that
// display the same are the same setting.
func Display(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case time.Duration:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	default:
		return fmt.Sprint(x)
	}
}

// jsonValue is v as it goes into the snapshot: JSON scalars and string lists
// stay as they are, durations become their string ("150ms"), anything else
// its Display form.
func jsonValue(v any) any {
	switch x := v.(type) {
	case nil, bool, string, float64, float32,
		int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return x
	case time.Duration:
		return x.String()
	case []string:
		return append([]string{}, x...)
	default:
		return Display(x)
	}
}
