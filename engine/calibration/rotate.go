package calibration

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// csvFile is one appended CSV file that rotates into numbered segments.
type csvFile struct {
	dir, name string // name: quotes.csv
	header    []byte
	maxBytes  int64
	maxSegs   int

	f       *os.File
	w       *bufio.Writer
	size    int64
	rows    int64 // data rows in the live file
	seq     int   // last segment number used
	rotated []segment
	info    FileInfo
}

type segment struct {
	name string
	rows int64
}

func openCSV(dir, name string, header []string, maxBytes int64, maxSegs int) (*csvFile, error) {
	c := &csvFile{dir: dir, name: name, header: []byte(strings.Join(header, ",") + "\n"), maxBytes: maxBytes, maxSegs: maxSegs}
	if err := c.open(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *csvFile) open() error {
	f, err := os.OpenFile(filepath.Join(c.dir, c.name), os.O_CREATE|os.O_TRUNC|os.O_WRONLY|syscall.O_NOFOLLOW, 0o644) // never through a symlink
	if err != nil {
		return fmt.Errorf("open %s: %w", c.name, err)
	}
	c.f, c.w, c.size, c.rows = f, bufio.NewWriterSize(f, 64<<10), 0, 0
	n, _ := c.w.Write(c.header)
	c.size += int64(n)
	return nil
}

// write appends one row (with its newline) and rotates when the live file
// is over its size.
func (c *csvFile) write(row []byte) error {
	n, err := c.w.Write(row)
	c.size += int64(n)
	c.rows++
	c.info.Rows++
	if err != nil {
		return fmt.Errorf("write %s: %w", c.name, err)
	}
	if c.maxBytes > 0 && c.size >= c.maxBytes {
		return c.rotate()
	}
	return nil
}

// rotate closes the live file as the next numbered segment, opens a fresh
// one and deletes the oldest segments beyond maxSegs.
func (c *csvFile) rotate() error {
	if err := c.close(); err != nil {
		return err
	}
	c.seq++
	seg := fmt.Sprintf("%s.%06d.csv", strings.TrimSuffix(c.name, ".csv"), c.seq)
	if err := os.Rename(filepath.Join(c.dir, c.name), filepath.Join(c.dir, seg)); err != nil {
		return fmt.Errorf("rotate %s: %w", c.name, err)
	}
	c.rotated = append(c.rotated, segment{name: seg, rows: c.rows})
	for len(c.rotated) > c.maxSegs {
		old := c.rotated[0]
		if err := os.Remove(filepath.Join(c.dir, old.name)); err != nil {
			return fmt.Errorf("rotate %s: %w", c.name, err)
		}
		c.info.RotatedAwayRows += old.rows
		c.rotated = c.rotated[1:]
	}
	return c.open()
}

func (c *csvFile) flush() error {
	if err := c.w.Flush(); err != nil {
		return fmt.Errorf("flush %s: %w", c.name, err)
	}
	return nil
}

func (c *csvFile) close() error {
	err := c.flush()
	if cerr := c.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close %s: %w", c.name, cerr)
	}
	return err
}

// fileInfo is the manifest's view of the file now.
func (c *csvFile) fileInfo() FileInfo {
	fi := c.info
	fi.Segments = make([]string, 0, len(c.rotated)+1)
	for _, s := range c.rotated {
		fi.Segments = append(fi.Segments, s.name)
	}
	fi.Segments = append(fi.Segments, c.name)
	return fi
}
