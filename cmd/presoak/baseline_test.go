package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestBaselineTimeoutAndUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want int
	}{
		{[]string{"timeout", "60m"}, 0},
		{[]string{"timeout", "2m"}, 0},
		{[]string{"timeout", "soon"}, 2},
		{[]string{"timeout", "-1m"}, 2},
		{[]string{"timeout"}, 2},
		{[]string{"thaw"}, 2},
		{nil, 2},
	} {
		if got := runBaseline(tt.args); got != tt.want {
			t.Errorf("presoak baseline %v: exit %d, want %d", tt.args, got, tt.want)
		}
	}
}

func TestBaselineFreezeWithoutBaseline(t *testing.T) {
	dir := t.TempDir()
	if got := runBaseline([]string{"freeze", "-dir", dir}); got != 1 {
		t.Errorf("freeze of an empty directory: exit %d, want 1", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "frozen")); !os.IsNotExist(err) {
		t.Errorf("freeze without a baseline created frozen/: %v", err)
	}
	if got := runBaseline([]string{"compare", "-dir", dir}); got != 2 {
		t.Errorf("compare without a frozen baseline: exit %d, want 2", got)
	}
}
