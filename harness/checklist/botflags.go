package checklist

import (
	"fmt"
	"strings"

	"github.com/presoak/presoak/harness/checklist/result"
)

// Fixes of the running-bot items.
const (
	fixBotDown = "start the bot, or point the harness at it (SCRAPE_URL, or PROMETHEUS_URL and SELECTOR), then run again"
	fixNoFlag  = "make the bot export %s, or set CONFIG to the bot's config layers to check the file"
)

// BotFlag is a flag item (pipeline.enabled is true, ...) evaluated from the
// running bot's metrics instead of a config file: it holds when every
// instance reports the flag as 1. An instance that reports 0, is down, or
// does not export the flag fails the item, named with its fault; a bot that
// could not be read at all fails it as not evaluated. Source is the metric
// and the instances: `mm_feature_flag_enabled{flag="pipeline.enabled"} @
// 127.0.0.1:9100`.
func BotFlag(b *Bot, key string, sev result.Severity) Item {
	sel := b.Selector(key)
	it := Item{Area: AreaConfigFlags, Severity: sev, Want: "1 (true) on every instance"}
	if b.Err != nil {
		it.Status = result.StatusFail
		it.Source = sel + " @ " + b.Target
		it.Got = "not evaluated: " + b.Err.Error()
		it.Fix = fixBotDown
		it.Message = fmt.Sprintf("%s not evaluated: %s: %s", sel, b.Err, it.Fix)
		return it
	}
	var on, off, down, missing []BotInstance
	for _, in := range b.Instances {
		v, ok := in.Flags[key]
		switch {
		case !in.Up:
			down = append(down, in)
		case !ok:
			missing = append(missing, in)
		case v:
			on = append(on, in)
		default:
			off = append(off, in)
		}
	}
	if len(off)+len(down)+len(missing) == 0 {
		it.Status = result.StatusPass
		it.Got = "1 (true)"
		if len(on) > 1 {
			it.Got = fmt.Sprintf("1 (true) on %d instances", len(on))
		}
		it.Source = sel + " @ " + instanceNames(on)
		it.Message = fmt.Sprintf("%s = %s @ %s", sel, it.Got, instanceNames(on))
		return it
	}
	it.Status = result.StatusFail
	var got, problems, fixes []string
	var bad []BotInstance
	if len(off) > 0 {
		bad = append(bad, off...)
		got = append(got, "0 (false) @ "+instanceNames(off))
		problems = append(problems, fmt.Sprintf("%s = 0 (false) @ %s", sel, instanceNames(off)))
		fixes = append(fixes, fmt.Sprintf("set %s: true in the config the bot runs with (e.g. an override such as %s) and restart it", key, DefaultOverride))
	}
	for _, in := range down {
		bad = append(bad, in)
		got = append(got, fmt.Sprintf("not evaluated: %s down (%s)", in.Name, in.Fault))
		problems = append(problems, fmt.Sprintf("%s not read: %s is down: %s", sel, in.Name, in.Fault))
	}
	if len(down) > 0 {
		fixes = append(fixes, fixBotDown)
	}
	if len(missing) > 0 {
		bad = append(bad, missing...)
		got = append(got, "not evaluated: not exported @ "+instanceNames(missing))
		problems = append(problems, fmt.Sprintf("%s not exported @ %s", sel, instanceNames(missing)))
		fixes = append(fixes, fmt.Sprintf(fixNoFlag, sel))
	}
	if len(on) > 0 {
		got = append(got, "1 (true) @ "+instanceNames(on))
	}
	it.Got = strings.Join(got, "; ")
	it.Source = sel + " @ " + instanceNames(bad)
	it.Fix = strings.Join(fixes, "; ")
	it.Message = fmt.Sprintf("%s, want %s: %s", strings.Join(problems, "; "), it.Want, it.Fix)
	return it
}

// SourceNoConfig is the source of an item that needed the config files when none were given.
const SourceNoConfig = "no config files (CONFIG is empty)"

// NoConfigFiles is the item for a check that needs the config files when
// none were given (CONFIG is empty): key names what it checks
// ("taker_cap.max_taker_share_pct"), want the requirement. It fails as not
// evaluated (no samples is never a pass), saying to set CONFIG. exported
// false adds that the running bot does not export the value as a metric.
func NoConfigFiles(area, key string, sev result.Severity, want string, exported bool) Item {
	cause := "no config files given (CONFIG is empty)"
	if !exported {
		cause += " and the running bot does not export it as a metric"
	}
	it := NotEvaluated(area, sev, key, cause, fmt.Sprintf("set CONFIG to the bot's config layers to check %s", key))
	it.Source, it.Want = SourceNoConfig, want
	return it
}

// BotMatchesConfig is the item "the running bot's flags agree with the
// config": every flag of ConfigChecks, on every instance, equals the config's
// value. A disagreement is a blocking failure naming both values and where
// each came from; an instance that is down or does not export a flag fails it
// as not compared.
func BotMatchesConfig(v ConfigView, b *Bot) Item {
	it := Item{
		Area: AreaConfigFlags, Severity: result.Blocking,
		Want: "the running bot's feature flags equal the config's",
	}
	if b.Err != nil {
		it.Status = result.StatusFail
		it.Source = b.Metric + " @ " + b.Target
		it.Got = "not evaluated: " + b.Err.Error()
		it.Fix = fixBotDown
		it.Message = fmt.Sprintf("running bot's flags not compared with the config: %s: %s", b.Err, it.Fix)
		return it
	}
	var problems, fixes, bad []string
	disagree, notRead := false, false
	compared := 0
	for _, in := range b.Instances {
		if !in.Up {
			notRead = true
			bad = append(bad, in.Name)
			problems = append(problems, fmt.Sprintf("%s is down: %s", in.Name, in.Fault))
			continue
		}
		instBad := false
		for _, c := range ConfigChecks {
			if !c.Flag {
				continue
			}
			want, _ := ConfigFlag(v.Config, c.Key)
			got, ok := in.Flags[c.Key]
			switch {
			case !ok:
				notRead, instBad = true, true
				problems = append(problems, fmt.Sprintf("%s: config %t (%s), bot does not export %s @ %s",
					c.Key, want, where(v, c.Key), b.Selector(c.Key), in.Name))
			case got != want:
				disagree, instBad = true, true
				problems = append(problems, fmt.Sprintf("%s: config %t (%s), bot %t (%s @ %s)",
					c.Key, want, where(v, c.Key), got, b.Selector(c.Key), in.Name))
			default:
				compared++
			}
		}
		if instBad {
			bad = append(bad, in.Name)
		}
	}
	if len(problems) == 0 {
		it.Status = result.StatusPass
		it.Got = fmt.Sprintf("%d flag values agree on %d %s", compared, len(b.Instances), plural(len(b.Instances), "instance", "instances"))
		it.Source = b.Metric + " @ " + instanceNames(b.Instances) + " vs the config layers"
		it.Message = "running bot's flags agree with the config: " + it.Got
		return it
	}
	if disagree {
		fixes = append(fixes, "restart the bot on CONFIG's layers (it runs another config), or set CONFIG to the layers it runs with")
	}
	if notRead {
		fixes = append(fixes, fixBotDown+"; a bot must export "+b.Metric+" for every flag")
	}
	it.Status = result.StatusFail
	it.Got = strings.Join(problems, "; ")
	it.Source = b.Metric + " @ " + strings.Join(bad, ", ") + " vs the config layers"
	it.Fix = strings.Join(fixes, "; ")
	it.Message = fmt.Sprintf("running bot's flags disagree with the config, want %s: %s: %s", it.Want, strings.Join(problems, "; "), it.Fix)
	if !disagree {
		it.Message = fmt.Sprintf("running bot's flags not compared with the config: %s: %s", strings.Join(problems, "; "), it.Fix)
	}
	return it
}

// NamedItem is an item with its subtest name (its report id).
type NamedItem struct {
	Name string
	Item Item
}

// ItemBotMatchesConfig is the name of the item BotMatchesConfig.
const ItemBotMatchesConfig = "running_bot_matches_config"

// ConfigAndFlagsItems are the Config & Flags area's items, in report order:
//
//   - config files given (CONFIG), embedded target: config_loads and every
//     ConfigChecks item, from the files (file:line sources);
//   - no config files (CONFIG empty) and a running bot (bot non-nil): the flag
//     items from bot's metrics (metric @ instance sources); config_loads and
//     the items that need the files (taker cap) fail as not evaluated;
//   - config files and a running bot: the file items, plus
//     running_bot_matches_config (the bot's flags equal the config's).
func ConfigAndFlagsItems(env Env, bot *Bot) []NamedItem {
	out := make([]NamedItem, 0, len(ConfigChecks)+2)
	if env.NoConfig {
		if bot == nil {
			bot = &Bot{Target: "TARGET=" + string(env.Kind), Metric: "mm_feature_flag_enabled", Err: fmt.Errorf("read bot: %w", ErrNoBot)}
		}
		loads := NotEvaluated(AreaConfigFlags, result.Blocking, "config loads and validates:",
			"no config files given (CONFIG is empty)", "set CONFIG to the bot's config layers to check that they load and validate")
		loads.Source, loads.Want = SourceNoConfig, "loads and validates"
		out = append(out, NamedItem{"config_loads", loads})
		for _, c := range ConfigChecks {
			it := NoConfigFiles(AreaConfigFlags, c.Key, c.Severity, c.Want, false)
			if c.Flag {
				it = BotFlag(bot, c.Key, c.Severity)
			}
			out = append(out, NamedItem{c.Name, it})
		}
		return out
	}
	out = append(out, NamedItem{"config_loads", ConfigLoads(env.Effective, env.LoadErr)})
	view, loaded := env.View()
	for _, c := range ConfigChecks {
		it := NotEvaluated(AreaConfigFlags, c.Severity, c.Name,
			"the config did not load (see config_loads)", "fix the problems config_loads lists, then run again")
		if loaded {
			it = c.Check(view)
		}
		out = append(out, NamedItem{c.Name, it})
	}
	if bot != nil {
		it := NotEvaluated(AreaConfigFlags, result.Blocking, ItemBotMatchesConfig,
			"the config did not load (see config_loads)", "fix the problems config_loads lists, then run again")
		if loaded {
			it = BotMatchesConfig(view, bot)
		}
		out = append(out, NamedItem{ItemBotMatchesConfig, it})
	}
	return out
}
