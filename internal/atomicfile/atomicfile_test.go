package atomicfile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteFileReplacesWholeAndLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "report.md")
	for _, body := range []string{"first\n", "second, longer\n"} {
		require.NoError(t, WriteFile(path, []byte(body)))
		got, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, body, string(got), "content read back")
	}
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm(), "mode")
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "only the file is left, no temp file")
}

func TestWriteFileWhereTheDirectoryCannotBe(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "artifacts")
	require.NoError(t, os.WriteFile(blocker, []byte("a file, not a directory"), 0o644))
	path := filepath.Join(blocker, "release", "snapshot.json")
	err := WriteFile(path, []byte("{}"))
	require.Error(t, err, "a regular file stands where the directory must be")
	assert.Contains(t, err.Error(), path, "the error names the path")
	_, statErr := os.Stat(path)
	assert.Error(t, statErr, "nothing written")
}
