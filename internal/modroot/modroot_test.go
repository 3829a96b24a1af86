package modroot

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFind(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "readiness", "soak")
	require.NoError(t, os.MkdirAll(deep, 0o755))

	_, err := Find(deep)
	require.ErrorIs(t, err, ErrNotFound, "no go.mod anywhere above")
	assert.NotContains(t, err.Error(), root, "the error names no machine path")

	require.NoError(t, os.WriteFile(filepath.Join(root, "go.mod"), []byte("module x\n"), 0o644))
	got, err := Find(deep)
	require.NoError(t, err)
	assert.Equal(t, root, got)
}
