package incident

import (
	"fmt"
	"strings"
	"time"

	"github.com/presoak/presoak/harness/criteria"
	"github.com/presoak/presoak/harness/signal"
)

func stamp(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// Markdown is INCIDENT_REPORT.md: a draft to complete and file.
func Markdown(rec Record, hist []Point, last []signal.Sample) string {
	f, c := rec.Firing, rec.Criterion
	var b strings.Builder
	fmt.Fprintf(&b, "# Incident report (DRAFT): %s stopped the soak\n\n", c.Name)
	b.WriteString("Status: **draft**. Fill in the owner, the assessed impact and the root cause, then file it.\n\n")
	if rec.Note != "" {
		fmt.Fprintf(&b, "> %s\n\n", rec.Note)
	}
	b.WriteString("## Summary\n\n")
	fmt.Fprintf(&b, "%s on `%s`: `%s` = %s, condition `%s %s %g` over %s, held from %s to %s (for: %s).\n\n",
		c.Name, orDash(f.Instance), c.Signal, f.Value, c.Signal, c.Op, c.Threshold, c.Window, stamp(f.Since), stamp(f.At), c.For)

	b.WriteString("## Timeline (UTC)\n\n")
	if len(hist) > 0 {
		fmt.Fprintf(&b, "- %s — first point of the signal history in this bundle (%s = %s)\n", stamp(hist[0].At), c.Signal, hist[0].Value)
	}
	for i := 1; i < len(hist); i++ {
		if hist[i].Holds != hist[i-1].Holds {
			what := "condition began to hold"
			if !hist[i].Holds {
				what = "condition stopped holding"
			}
			fmt.Fprintf(&b, "- %s — %s (%s = %s)\n", stamp(hist[i].At), what, c.Signal, hist[i].Value)
		}
	}
	fmt.Fprintf(&b, "- %s — criterion went pending\n", stamp(f.Since))
	fmt.Fprintf(&b, "- %s — criterion fired (%s = %s); the soak stopped\n", stamp(f.At), c.Signal, f.Value)
	fmt.Fprintf(&b, "- %s — this bundle was written; rollback %s\n\n", stamp(rec.WrittenAt), rollbackLine(rec.Rollback))

	b.WriteString("## Impact\n\n")
	worst, held := worstOf(hist, c.Op)
	fmt.Fprintf(&b, "- the condition held at %d of %d evaluated points in the history; worst value %s (threshold %g)\n", held, len(hist), worst, c.Threshold)
	if s, ok := lastUp(last, f.Instance); ok {
		taker := 0.0
		if v := s.MakerVolume + s.TakerVolume; v > 0 {
			taker = s.TakerVolume / v * 100
		}
		fmt.Fprintf(&b, "- last sample (%s): %.0f ticks, %.0f deadline misses, %.0f tick errors, cumulative taker share %.2f%%, %d critical breakers open, resident memory %.1f MB\n",
			stamp(s.At), s.Ticks, s.DeadlineMisses, s.TickErrors, taker, s.CriticalBreakersOpen, s.ResidentBytes/1e6)
	}
	b.WriteString("- the reference bot runs in shadow mode (no real orders); for a live bot assess the orders, fills and positions of the affected period here\n\n")

	b.WriteString("## The criterion\n\n")
	fmt.Fprintf(&b, "- condition: `%s %s %g` over %s, for %s (severity %s)\n", c.Signal, c.Op, c.Threshold, c.Window, c.For, c.Severity)
	fmt.Fprintf(&b, "- what it means: %s\n", c.Description)
	fmt.Fprintf(&b, "- what to do: %s\n\n", c.Action)

	b.WriteString("## Rollback\n\n")
	r := rec.Rollback
	if r.Action == Rollback {
		b.WriteString("ON_STOP=rollback was set:\n\n```\n" + string(r.appliedText()) + "```\n\n")
	} else if r.Profile != "" {
		b.WriteString("Previewed only (the default; ON_STOP=rollback writes rolled-back copies of the bot's config files on stop):\n\n")
	} else {
		b.WriteString("Previewed only (the default; ON_STOP=rollback applies it on stop, `make rollback APPLY=1` applies it now):\n\n")
	}
	b.WriteString("```\n" + string(r.previewText()) + "```\n\n")

	b.WriteString("## Evidence in this bundle\n\n")
	fmt.Fprintf(&b, "![%s against its threshold](%s)\n\n", c.Signal, BundleHistorySVG)
	for _, name := range rec.Files {
		fmt.Fprintf(&b, "- `%s`\n", name)
	}
	fmt.Fprintf(&b, "\nFlag snapshot: %s.\n", rec.FlagsSnapshot)
	if rec.ConfigHash != "" {
		fmt.Fprintf(&b, "\nEffective config hash: `%s`\n", rec.ConfigHash)
	}
	if rec.ConfigNote != "" {
		fmt.Fprintf(&b, "\nConfig: %s.\n", rec.ConfigNote)
	}

	b.WriteString("\n## Next steps\n\n")
	fmt.Fprintf(&b, "1. Follow the criterion's action: %s\n", c.Action)
	b.WriteString("2. Read `signal_history.svg` and `samples.jsonl`: did the signal build up or jump? Which other counters moved with it?\n")
	switch {
	case r.Profile != "" && r.Applied:
		b.WriteString("3. Restart the bot on the rolled-back copies (" + r.Layer + "); restart it on its own files once the cause is fixed.\n")
	case r.Profile != "":
		b.WriteString("3. Decide on the rollback previewed above: turn those switches off in the bot's config (ON_STOP=rollback writes the copies).\n")
	case r.Applied:
		b.WriteString("3. The rollback is applied: confirm the bot runs on it; `make restore` undoes it once the cause is fixed.\n")
	default:
		b.WriteString("3. Decide on the rollback previewed above: `make rollback APPLY=1` applies it, `make restore` undoes it.\n")
	}
	b.WriteString("4. Find and fix the cause; add a fault scenario or criterion if this one was caught late.\n")
	b.WriteString("5. Restart the soak from the beginning (`make soak`) once fixed; a stopped soak does not count.\n")
	b.WriteString("6. Complete this draft (owner, impact, root cause, follow-ups) and file it.\n")
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func worstOf(h []Point, op criteria.Op) (string, int) {
	var worst *Point
	held := 0
	less := op == criteria.Less || op == criteria.LessEqual
	for i := range h {
		p := &h[i]
		if p.Holds {
			held++
		}
		if !p.Value.OK {
			continue
		}
		if worst == nil || (less && p.Value.V < worst.Value.V) || (!less && p.Value.V > worst.Value.V) {
			worst = p
		}
	}
	if worst == nil {
		return "no data", held
	}
	return fmt.Sprintf("%s at %s", worst.Value, stamp(worst.At)), held
}

func lastUp(ss []signal.Sample, instance string) (signal.Sample, bool) {
	for i := len(ss) - 1; i >= 0; i-- {
		if ss[i].Up && (instance == "" || ss[i].Instance == instance) {
			return ss[i], true
		}
	}
	return signal.Sample{}, false
}
