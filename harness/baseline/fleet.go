package baseline

import (
	"bytes"
	"fmt"
	"github.com/presoak/presoak/internal/atomicfile"
	"path/filepath"
	"strings"

	"github.com/presoak/presoak/harness/checklist/result"
)

// FleetFile is the fleet's index under the baseline directory's
// instances/: one row per bot and the overall verdict.
const FleetFile = "FLEET.md"

// Verdict is a bot's shadow baseline verdict: PASS when no blocking check
// failed, else FAIL with the failed checks' names.
func (r ShadowResult) Verdict() (pass bool, failed []string) {
	for _, c := range r.Checks {
		if c.Item.Severity == result.Blocking && c.Item.Status == result.StatusFail {
			failed = append(failed, c.Name)
		}
	}
	return len(failed) == 0, failed
}

// WriteFleet writes dir/instances/FLEET.md: one row per bot (its verdict,
// ticks, tick_total p95 with its bucket error, deadline misses, hit ratio,
// and a link to its visualization) and the overall verdict (every bot
// passes). It returns the path written.
func WriteFleet(dir, describe string, results []ShadowResult) (string, error) {
	path := filepath.Join(dir, InstancesDir, FleetFile)
	var b bytes.Buffer
	passed := 0
	var rows []string
	for _, r := range results {
		pass, failed := r.Verdict()
		verdict := "✅ PASS"
		if pass {
			passed++
		} else {
			verdict = "❌ FAIL: " + strings.Join(failed, ", ")
		}
		bl := r.Run.Baseline
		p95 := "no samples"
		if bl.TickTotal.Count > 0 {
			p95 = fmt.Sprintf("%.3gms", bl.TickTotal.P95Ms)
			if e := bl.TickTotal.BucketError; e != nil {
				p95 += " (" + e.P95.String() + ")"
			}
		}
		note := ""
		if bl.Partial {
			note = " — PARTIAL: " + bl.PartialReason
		}
		link, _ := filepath.Rel(filepath.Dir(path), r.Paths.Visualization)
		rows = append(rows, fmt.Sprintf("| %s | %s%s | %d | %s | %.2f%% | %.1f%% | [visualization](%s) |",
			bl.Instance, verdict, note, bl.Ticks, p95, bl.DeadlineMissPct, bl.HitRatioPct, filepath.ToSlash(link)))
	}
	overall := "✅ PASS"
	if passed < len(results) || len(results) == 0 {
		overall = "❌ FAIL"
	}
	fmt.Fprintf(&b, "# Shadow baseline of a fleet\n\n")
	fmt.Fprintf(&b, "- read through: %s\n", describe)
	fmt.Fprintf(&b, "- percentiles from: %s\n", SourceBuckets)
	fmt.Fprintf(&b, "- overall: **%s** (%d of %d bots pass every blocking check)\n\n", overall, passed, len(results))
	fmt.Fprintf(&b, "| bot | verdict | ticks | tick_total p95 | deadline misses | MD-cache hit ratio | details |\n|---|---|---:|---|---:|---:|---|\n")
	for _, row := range rows {
		fmt.Fprintln(&b, row)
	}
	if err := atomicfile.WriteFile(path, b.Bytes()); err != nil {
		return path, fmt.Errorf("write fleet index: %w", err)
	}
	return path, nil
}
