package checklist

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/presoak/presoak/engine/config"
	"github.com/presoak/presoak/harness/checklist/result"
)

// MaxTakerSharePct is the seed's ceiling for taker_cap.max_taker_share_pct
// before a soak ("must reduce to <= 9%").
const MaxTakerSharePct = 9.0

// DefaultOverride is the override file a fix suggests when the run has only a base layer.
const DefaultOverride = "fixtures/config.soak_overrides.yaml"

// ConfigView is what the config items read: the effective config, where each
// value came from, and which file a fix should edit.
type ConfigView struct {
	// Config is the effective configuration.
	Config *config.Config
	// Source names where a dotted key was set ("fixtures/config.yaml:4"); "" when no layer set it.
	Source func(key string) string
	// Override is the file a fix suggests editing: the last layer when there
	// are overrides, else DefaultOverride.
	Override string
	// Rollback is the applied rollback layer as Source shows it
	// ("artifacts/release/rollback.override.yaml"), "" when none is applied.
	// A value it set is fixed by undoing the rollback (make restore).
	Rollback string
	// FromEnv reports whether a dotted key's value came from the
	// environment (${VAR}): such a value is never shown. Nil: none did.
	FromEnv func(key string) bool
}

// ViewOf builds the ConfigView of a loaded config whose layers are l.
func ViewOf(loaded *config.Loaded, l Layers) ConfigView {
	v := ConfigView{Config: &loaded.Config, Override: DefaultOverride, FromEnv: loaded.FromEnv}
	if len(l.Paths) > 1 {
		v.Override = l.Display(l.Paths[len(l.Paths)-1])
	}
	v.Source = func(key string) string {
		src, ok := loaded.Source(key)
		if !ok || src.File == "" {
			return ""
		}
		return config.Source{File: l.Display(src.File), Line: src.Line}.String()
	}
	return v
}

// ConfigCheck is one Config & Flags item after the config has loaded.
type ConfigCheck struct {
	// Name is the subtest name: the item's stable report id.
	Name string
	// Severity is the item's severity, also when it cannot be evaluated.
	Severity result.Severity
	// Key is the dotted config key the item checks.
	Key string
	// Want is the requirement ("true", "<= 9"), also when not evaluated.
	Want string
	// Flag says Key is a feature flag: the running bot exports it as
	// mm_feature_flag_enabled{flag=Key}. An item that is not a flag can only
	// be evaluated from the config files.
	Flag bool
	// Check evaluates the item.
	Check func(ConfigView) Item
}

// ConfigChecks are the Config & Flags items evaluated on a loaded config, in
// report order (the item "config_loads" comes before them).
var ConfigChecks = []ConfigCheck{
	{Name: "pipeline_enabled", Key: "pipeline.enabled", Severity: result.Blocking, Want: "true", Flag: true, Check: func(v ConfigView) Item {
		return flagOn(v, "pipeline.enabled", v.Config.Pipeline.Enabled, result.Blocking)
	}},
	{Name: "md_cache_enabled", Key: "md_cache.enabled", Severity: result.Blocking, Want: "true", Flag: true, Check: func(v ConfigView) Item {
		return flagOn(v, "md_cache.enabled", v.Config.MDCache.Enabled, result.Blocking)
	}},
	{Name: "taker_cap_max_taker_share_pct", Key: "taker_cap.max_taker_share_pct", Severity: result.Blocking, Want: "<= " + num(MaxTakerSharePct), Check: TakerCap},
	{Name: "adaptive_spread_enabled", Key: "adaptive_spread.enabled", Severity: result.Warning, Want: "true", Flag: true, Check: func(v ConfigView) Item {
		return flagOn(v, "adaptive_spread.enabled", v.Config.AdaptiveSpread.Enabled, result.Warning)
	}},
	{Name: "queue_aware_enabled", Key: "queue_aware.enabled", Severity: result.Warning, Want: "true", Flag: true, Check: func(v ConfigView) Item {
		return flagOn(v, "queue_aware.enabled", v.Config.QueueAware.Enabled, result.Warning)
	}},
}

// ConfigFlag is the value of the feature flag key in cfg; ok is false for a
// key that is not one of ConfigChecks' flags.
func ConfigFlag(cfg *config.Config, key string) (on, ok bool) {
	switch key {
	case "pipeline.enabled":
		return cfg.Pipeline.Enabled, true
	case "md_cache.enabled":
		return cfg.MDCache.Enabled, true
	case "adaptive_spread.enabled":
		return cfg.AdaptiveSpread.Enabled, true
	case "queue_aware.enabled":
		return cfg.QueueAware.Enabled, true
	}
	return false, false
}

// ConfigLoads is the item "config loads and validates". err is config.Load's
// error; its problems (file:line: key: message) are the message, with paths
// shown relative to the module root.
func ConfigLoads(l Layers, err error) Item {
	names := strings.Join(l.Names(), ", ")
	if err == nil {
		return Item{
			Area: AreaConfigFlags, Severity: result.Blocking, Status: result.StatusPass,
			Got: "loads and validates", Want: "loads and validates", Source: names,
			Message: "config loads and validates: " + names,
		}
	}
	it := Item{
		Area: AreaConfigFlags, Severity: result.Blocking, Status: result.StatusFail,
		Want: "loads and validates", Source: names,
		Fix: "correct each problem listed (file:line: key: message) in the layer it names",
	}
	var cerr *config.Error
	if errors.As(err, &cerr) && len(cerr.Problems) > 0 {
		lines := make([]string, len(cerr.Problems))
		for i, p := range cerr.Problems {
			p.File = l.Display(p.File)
			lines[i] = p.String()
		}
		first := cerr.Problems[0]
		it.Source = config.Source{File: l.Display(first.File), Line: first.Line}.String()
		it.Got = fmt.Sprintf("does not load: %d %s: %s", len(lines), plural(len(lines), "problem", "problems"), strings.Join(lines, "; "))
		it.Message = fmt.Sprintf("config (%s) does not load, want it to load and validate: %s:\n  %s",
			names, it.Fix, strings.Join(lines, "\n  "))
		return it
	}
	msg := err.Error()
	if l.Root != "" {
		msg = strings.ReplaceAll(msg, l.Root+"/", "")
	}
	it.Got = "does not load: " + msg
	it.Message = fmt.Sprintf("config (%s) does not load, want it to load and validate: %s", names, msg)
	return it
}

// TakerCap is the item taker_cap.max_taker_share_pct <= MaxTakerSharePct.
func TakerCap(v ConfigView) Item {
	const key = "taker_cap.max_taker_share_pct"
	got := v.Config.TakerCap.MaxTakerSharePct
	want := "<= " + num(MaxTakerSharePct)
	it := Item{Area: AreaConfigFlags, Severity: result.Blocking, Got: num(got), Want: want, Source: where(v, key)}
	if got <= MaxTakerSharePct {
		it.Status = result.StatusPass
		it.Message = fmt.Sprintf("%s = %s (%s), want %s", key, it.Got, it.Source, want)
		return it
	}
	it.Status = result.StatusFail
	it.Fix = fixFor(v, it.Source, fmt.Sprintf("lower it to %s or less in an override (e.g. %s)", num(MaxTakerSharePct), v.Override))
	it.Message = fmt.Sprintf("%s = %s (%s), want %s: %s", key, it.Got, it.Source, want, it.Fix)
	return it
}

// flagOn is the item "key is true".
func flagOn(v ConfigView, key string, on bool, sev result.Severity) Item {
	it := Item{Area: AreaConfigFlags, Severity: sev, Got: strconv.FormatBool(on), Want: "true", Source: where(v, key)}
	if on {
		it.Status = result.StatusPass
		it.Message = fmt.Sprintf("%s = true (%s)", key, it.Source)
		return it
	}
	it.Status = result.StatusFail
	if sev == result.Warning {
		it.Status = result.StatusWarn
	}
	it.Fix = fixFor(v, it.Source, fmt.Sprintf("set it to true in an override (e.g. %s)", v.Override))
	it.Message = fmt.Sprintf("%s = false (%s), want true: %s", key, it.Source, it.Fix)
	return it
}

// where is the provenance of key, or a statement that no layer set it.
func where(v ConfigView, key string) string {
	if v.Source != nil {
		if s := v.Source(key); s != "" {
			return s
		}
	}
	return "not set in any layer: default"
}

// fixFor is fix, unless the value came from the applied rollback layer: then
// the fix is to undo the rollback.
func fixFor(v ConfigView, source, fix string) string {
	if isRollback(source, v.Rollback) {
		return fmt.Sprintf("the applied rollback (%s) set it: undo the rollback with make restore", v.Rollback)
	}
	return fix
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
