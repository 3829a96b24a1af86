package pipelines

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

const (
	readinessJUnit = "artifacts/reports/readiness.junit.xml"
	soakJUnit      = "artifacts/reports/soak.junit.xml"
)

// GitLab CI's job keywords (its CI/CD YAML syntax reference) and its top-level keywords.
var (
	gitlabJobKeys = set("after_script", "allow_failure", "artifacts", "before_script", "cache", "coverage",
		"dast_configuration", "dependencies", "environment", "extends", "hooks", "id_tokens", "identity",
		"image", "inherit", "interruptible", "manual_confirmation", "needs", "pages", "parallel", "release",
		"resource_group", "retry", "rules", "run", "script", "secrets", "services", "stage", "tags",
		"timeout", "trigger", "variables", "when")
	gitlabGlobalKeys = set("default", "include", "stages", "variables", "workflow", "spec")
	gitlabArtifacts  = set("paths", "exclude", "expire_in", "expose_as", "name", "public", "access", "reports", "untracked", "when")
)

func set(keys ...string) map[string]bool {
	m := map[string]bool{}
	for _, k := range keys {
		m[k] = true
	}
	return m
}

func load(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return doc
}

func TestGitLabCI(t *testing.T) {
	doc := load(t, filepath.Join("gitlab", ".gitlab-ci.yml"))
	if probs := checkGitLab(doc); len(probs) > 0 {
		t.Errorf("gitlab/.gitlab-ci.yml:\n%s", strings.Join(probs, "\n"))
	}
}

func TestGitHubWorkflow(t *testing.T) {
	doc := load(t, filepath.Join("github", "presoak.yml"))
	if probs := checkGitHub(doc); len(probs) > 0 {
		t.Errorf("github/presoak.yml:\n%s", strings.Join(probs, "\n"))
	}
}

// Each check fails on a file that lacks what it checks.
func TestChecksFail(t *testing.T) {
	gitlab := []struct {
		name string
		edit func(doc map[string]any)
	}{
		{"no junit report", func(d map[string]any) { delete(m(m(d["readiness"])["artifacts"])["reports"].(map[string]any), "junit") }},
		{"reports kept only on success", func(d map[string]any) { m(m(d["readiness"])["artifacts"])["when"] = "on_success" }},
		{"misspelt job key", func(d map[string]any) { m(d["readiness"])["scripts"] = m(d["readiness"])["script"] }},
		{"soak runs on every merge request", func(d map[string]any) {
			m(d["soak"])["rules"] = []any{map[string]any{"if": `$CI_PIPELINE_SOURCE == "merge_request_event"`}}
		}},
		{"soak without a duration", func(d map[string]any) { delete(m(m(d["soak"])["variables"]), "DURATION") }},
		{"unknown stage", func(d map[string]any) { m(d["soak"])["stage"] = "soaking" }},
	}
	for _, c := range gitlab {
		doc := load(t, filepath.Join("gitlab", ".gitlab-ci.yml"))
		c.edit(doc)
		if probs := checkGitLab(doc); len(probs) == 0 {
			t.Errorf("gitlab, %s: no problem found", c.name)
		}
	}
	github := []struct {
		name string
		edit func(doc map[string]any)
	}{
		{"not on pull requests", func(d map[string]any) { delete(m(d["on"]), "pull_request") }},
		{"no JUnit publishing", func(d map[string]any) {
			job := m(m(d["jobs"])["readiness"])
			job["steps"] = slices.DeleteFunc(job["steps"].([]any), func(s any) bool { return strings.Contains(fmt.Sprint(m(s)["uses"]), "junit") })
		}},
		{"soak too short for 72h", func(d map[string]any) { m(m(d["jobs"])["soak"])["timeout-minutes"] = 360 }},
	}
	for _, c := range github {
		doc := load(t, filepath.Join("github", "presoak.yml"))
		c.edit(doc)
		if probs := checkGitHub(doc); len(probs) == 0 {
			t.Errorf("github, %s: no problem found", c.name)
		}
	}
}

func m(v any) map[string]any {
	mm, _ := v.(map[string]any)
	if mm == nil {
		return map[string]any{}
	}
	return mm
}

func strs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
		return out
	}
	return nil
}

// checkGitLab returns the problems of a parsed .gitlab-ci.yml.
func checkGitLab(doc map[string]any) []string {
	var probs []string
	bad := func(f string, a ...any) { probs = append(probs, fmt.Sprintf(f, a...)) }
	stages := strs(doc["stages"])
	jobs := map[string]map[string]any{}
	for name, v := range doc {
		if gitlabGlobalKeys[name] {
			continue
		}
		job, ok := v.(map[string]any)
		if !ok {
			bad("%s: not a job (a map), got %T", name, v)
			continue
		}
		jobs[name] = job
		for k := range job {
			if !gitlabJobKeys[k] {
				bad("%s: unknown job keyword %q", name, k)
			}
		}
		for k := range m(job["artifacts"]) {
			if !gitlabArtifacts[k] {
				bad("%s: unknown artifacts keyword %q", name, k)
			}
		}
		for _, e := range strs(job["extends"]) {
			if _, ok := doc[e]; !ok {
				bad("%s: extends %q, which is not defined", name, e)
			}
		}
		if s, ok := job["stage"].(string); ok && !slices.Contains(stages, s) {
			bad("%s: stage %q is not in stages %v", name, s, stages)
		}
	}
	rj := jobs["readiness"]
	if rj == nil {
		return append(probs, "no readiness job")
	}
	if !rulesMention(rj, "merge_request_event") {
		bad("readiness: does not run on merge requests (rules: $CI_PIPELINE_SOURCE == \"merge_request_event\")")
	}
	if !strings.Contains(strings.Join(strs(rj["script"]), "\n"), "presoak readiness") {
		bad("readiness: its script does not run presoak readiness")
	}
	checkArtifacts := func(name string, job map[string]any, junit ...string) {
		a := m(job["artifacts"])
		if a["when"] != "always" {
			bad("%s: artifacts:when is %v, want always (a failed gate's reports are the ones people read)", name, a["when"])
		}
		if !slices.Contains(strs(a["paths"]), "artifacts/") {
			bad("%s: artifacts:paths %v, want artifacts/ (PRE_SOAK_REPORT.md and the evidence)", name, strs(a["paths"]))
		}
		got := strs(m(a["reports"])["junit"])
		for _, j := range junit {
			if !slices.Contains(got, j) {
				bad("%s: artifacts:reports:junit %v, want %s", name, got, j)
			}
		}
	}
	checkArtifacts("readiness", rj, readinessJUnit)
	sj := jobs["soak"]
	if sj == nil {
		return append(probs, "no soak job")
	}
	checkArtifacts("soak", sj, soakJUnit)
	if rulesMention(sj, "merge_request_event") || (!rulesMention(sj, `"schedule"`) && !rulesWhen(sj, "manual")) {
		bad("soak: want a scheduled or manual job only, got rules %v", sj["rules"])
	}
	d, err := time.ParseDuration(fmt.Sprint(m(sj["variables"])["DURATION"]))
	if err != nil || d <= 0 {
		bad("soak: variables:DURATION %v is not a duration", m(sj["variables"])["DURATION"])
	}
	if to, err := time.ParseDuration(fmt.Sprint(sj["timeout"])); err != nil || to <= d {
		bad("soak: timeout %v, want longer than DURATION %v", sj["timeout"], d)
	}
	script := strings.Join(strs(sj["script"]), "\n")
	for _, want := range []string{"-tags soak", "^TestSoak$", "$DURATION", soakJUnit} {
		if !strings.Contains(script, want) {
			bad("soak: script does not contain %q", want)
		}
	}
	return probs
}

func rulesMention(job map[string]any, s string) bool {
	for _, r := range job["rules"].([]any) {
		if strings.Contains(fmt.Sprint(m(r)["if"]), s) {
			return true
		}
	}
	return false
}

func rulesWhen(job map[string]any, when string) bool {
	for _, r := range job["rules"].([]any) {
		if m(r)["when"] == when {
			return true
		}
	}
	return false
}

// checkGitHub returns the problems of a parsed workflow that actionlint
// cannot see: what the jobs do with presoak.
func checkGitHub(doc map[string]any) []string {
	var probs []string
	bad := func(f string, a ...any) { probs = append(probs, fmt.Sprintf(f, a...)) }
	on := m(doc["on"])
	for _, ev := range []string{"pull_request", "schedule", "workflow_dispatch"} {
		if _, ok := on[ev]; !ok {
			bad("on: no %s", ev)
		}
	}
	jobs := m(doc["jobs"])
	steps := func(job string) []map[string]any {
		var out []map[string]any
		for _, s := range m(jobs[job])["steps"].([]any) {
			out = append(out, m(s))
		}
		return out
	}
	find := func(job, uses string) map[string]any {
		for _, s := range steps(job) {
			if strings.HasPrefix(fmt.Sprint(s["uses"]), uses) {
				return s
			}
		}
		return nil
	}
	runs := func(job, what string) bool {
		for _, s := range steps(job) {
			if strings.Contains(fmt.Sprint(s["run"]), what) {
				return true
			}
		}
		return false
	}
	if !strings.Contains(fmt.Sprint(m(jobs["readiness"])["if"]), "pull_request") {
		bad("readiness: not limited to pull requests")
	}
	if !runs("readiness", "go tool presoak readiness") {
		bad("readiness: no step runs go tool presoak readiness")
	}
	for _, job := range []string{"readiness", "soak"} {
		j := find(job, "mikepenz/action-junit-report")
		if j == nil || j["if"] != "always()" || !strings.Contains(fmt.Sprint(m(j["with"])["report_paths"]), "artifacts/reports/") {
			bad("%s: the JUnit report is not published on every outcome (action-junit-report, if: always(), report_paths under artifacts/reports/)", job)
		}
		u := find(job, "actions/upload-artifact")
		if u == nil || u["if"] != "always()" || m(u["with"])["path"] != "artifacts/" {
			bad("%s: artifacts/ is not kept on every outcome (upload-artifact, if: always(), path: artifacts/)", job)
		}
	}
	soak := m(jobs["soak"])
	if cond := fmt.Sprint(soak["if"]); strings.Contains(cond, "pull_request") || !strings.Contains(cond, "schedule") {
		bad("soak: want scheduled or dispatched only, got if: %s", cond)
	}
	if !strings.Contains(fmt.Sprint(m(soak["env"])["DURATION"]), "72h") || !runs("soak", "-tags soak") {
		bad("soak: want DURATION (default 72h) and a go test -tags soak step")
	}
	if tm, _ := soak["timeout-minutes"].(int); tm < 72*60 {
		bad("soak: timeout-minutes %v, want at least a 72h soak's %d", soak["timeout-minutes"], 72*60)
	}
	return probs
}
