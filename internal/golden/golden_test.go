package golden

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.md")

	err := Check(path, []byte("a\nb\n"), false)
	require.ErrorIs(t, err, os.ErrNotExist, "no golden file yet")

	require.NoError(t, Check(path, []byte("a\nb\n"), true), "-update writes it")
	require.NoError(t, Check(path, []byte("a\nb\n"), false), "same content")

	err = Check(path, []byte("a\nc\n"), false)
	require.Error(t, err, "different content")
	assert.Contains(t, err.Error(), "line 2:\n got: c\nwant: b")
	assert.Contains(t, err.Error(), path)
}
