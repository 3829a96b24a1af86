package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLaunchStepsFollowTheSeedsChecklist(t *testing.T) {
	var names []string
	for _, s := range launchSteps(launchOptions{root: t.TempDir(), shadowDuration: "1m", make: "make"}, nil) {
		names = append(names, s.Name)
	}
	want := []string{"pre-flight: prepare-soak", "pre-flight: snapshot hash", "pre-flight: readiness", "pre-flight: shadow baseline (1m)",
		"monitoring up", "alerting loaded", "soak started", "metrics collection verified"}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Errorf("steps\n got %q\nwant %q", names, want)
	}
}

func TestLaunchSubEnvDropsTheOuterMakeFlags(t *testing.T) {
	t.Setenv("MAKEFLAGS", " -- DURATION=72h")
	t.Setenv("MAKELEVEL", "1")
	t.Setenv("CONFIG", "a.yaml")
	env := strings.Join(launchSubEnv(), "\n")
	if strings.Contains(env, "MAKEFLAGS=") || strings.Contains(env, "MAKELEVEL=") || !strings.Contains(env, "CONFIG=a.yaml") {
		t.Errorf("sub-environment keeps the outer make's flags or drops CONFIG:\n%s", env)
	}
}

func TestSoakFirstProgress(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "soak.log")
	if _, ok := soakFirstProgress(log); ok {
		t.Error("no log: started")
	}
	write := func(s string) {
		if err := os.WriteFile(log, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("make soak: DURATION=2m\n=== RUN   TestSoak\nsoak: DURATION=2m0s, criteria fixtures/criteria.yaml\n")
	if _, ok := soakFirstProgress(log); ok {
		t.Error("start line without a progress line: started")
	}
	write("make soak: DURATION=2m\nsoak: DURATION=2m0s, criteria x\nsoak 0s/2m0s ticks 0 | nothing pending\n")
	if line, ok := soakFirstProgress(log); !ok || !strings.HasPrefix(line, "soak: DURATION=2m0s") {
		t.Errorf("with a progress line: %q %v, want the start line, true", line, ok)
	}
}
