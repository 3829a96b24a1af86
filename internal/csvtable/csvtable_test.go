package csvtable

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "fills.csv")
	require.NoError(t, os.WriteFile(good, []byte("fill_id,side,price\n1,buy,97000.1\n2,sell,97000.3\n"), 0o644))
	rows, err := Read(good)
	require.NoError(t, err)
	assert.Equal(t, []map[string]string{
		{"fill_id": "1", "side": "buy", "price": "97000.1"},
		{"fill_id": "2", "side": "sell", "price": "97000.3"},
	}, rows)

	for name, body := range map[string]string{
		"empty.csv":  "",
		"ragged.csv": "a,b\n1,2\n3\n",
	} {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
		_, err := Read(path)
		assert.ErrorContains(t, err, name, "bad table %s", name)
	}
	_, err = Read(filepath.Join(dir, "missing.csv"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}
