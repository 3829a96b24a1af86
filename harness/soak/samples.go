package soak

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/presoak/presoak/harness/signal"
)

// SyncEvery is how often the samples file is synced to disk while a soak
// runs (wall clock): a crash or a power loss loses at most this much.
const SyncEvery = 10 * time.Second

// ErrSymlink is wrapped when an artifact path is a symbolic link: a soak
// writes its own files, never through a link to somewhere else.
var ErrSymlink = errors.New("is a symbolic link; refusing to write through it (remove it)")

// sampleWriter is what the sample log writes through: the file (a test
// makes it fail, as a full disk does).
var sampleWriter = func(f *os.File) io.Writer { return f }

// sampleLog appends samples as JSON lines.
type sampleLog struct {
	f        *os.File
	w        *bufio.Writer
	lastSync time.Time
	syncs    int // for tests
}

func openSampleLog(path string, appendTo bool) (*sampleLog, error) {
	flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC | syscall.O_NOFOLLOW
	if appendTo {
		flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND | syscall.O_NOFOLLOW
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if errors.Is(err, syscall.ELOOP) {
		return nil, fmt.Errorf("open samples: %s %w", path, ErrSymlink)
	}
	if err != nil {
		return nil, fmt.Errorf("open samples: %w", err)
	}
	if st, err := f.Stat(); err == nil && !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("open samples: %s is not a regular file", path)
	}
	return &sampleLog{f: f, w: bufio.NewWriterSize(sampleWriter(f), 64<<10), lastSync: time.Now()}, nil
}

func (l *sampleLog) write(s signal.Sample) error {
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("write sample: %w", err)
	}
	b = append(b, '\n')
	if _, err := l.w.Write(b); err != nil {
		return fmt.Errorf("write sample: %w", err)
	}
	return nil
}

// flush hands everything written so far to the operating system, so that a
// killed process loses nothing already sampled.
func (l *sampleLog) flush() error {
	if err := l.w.Flush(); err != nil {
		return fmt.Errorf("flush samples: %w", err)
	}
	if time.Since(l.lastSync) >= SyncEvery {
		if err := l.f.Sync(); err != nil {
			return fmt.Errorf("sync samples: %w", err)
		}
		l.lastSync = time.Now()
		l.syncs++
	}
	return nil
}

func (l *sampleLog) close() error {
	err := l.flush()
	if serr := l.f.Sync(); err == nil && serr != nil {
		err = fmt.Errorf("sync samples: %w", serr)
	}
	if cerr := l.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close samples: %w", cerr)
	}
	return err
}

// ReadSamples reads a samples.jsonl. A torn last line (the process was killed
// mid-write) is dropped; any other bad line is an error naming it.
func ReadSamples(path string) ([]signal.Sample, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read samples: %w", err)
	}
	defer f.Close()
	out, _, err := readSamples(f, path)
	return out, err
}

// tail says how a samples file ends: good is the length of its whole
// lines (and of a last line that parses but lost its newline), torn the
// bytes of a cut last line after them, newline whether a newline must be
// written before appending.
type tail struct {
	good    int64
	torn    int
	newline bool
}

func readSamples(r io.Reader, name string) ([]signal.Sample, tail, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	var out []signal.Sample
	var t tail
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		if len(b) > 0 {
			var s signal.Sample
			if jerr := json.Unmarshal(b, &s); jerr != nil {
				if errors.Is(err, io.EOF) {
					t.torn = len(b)
					return out, t, nil // torn last line
				}
				return nil, t, fmt.Errorf("read samples: %s:%d: %w", name, line, jerr)
			}
			out = append(out, s)
			t.good += int64(len(b))
			t.newline = b[len(b)-1] != '\n'
		}
		if errors.Is(err, io.EOF) {
			return out, t, nil
		}
		if err != nil {
			return nil, t, fmt.Errorf("read samples: %s: %w", name, err)
		}
	}
}

// repairSamples reads the samples at path for a resume and makes the file
// fit to append to: a torn last line is cut off, a whole last line that lost
// its newline gets one. note says what was done ("" when nothing was).
func repairSamples(path string) (out []signal.Sample, note string, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|syscall.O_NOFOLLOW, 0)
	if errors.Is(err, syscall.ELOOP) {
		return nil, "", fmt.Errorf("read samples: %s %w", path, ErrSymlink)
	}
	if err != nil {
		return nil, "", fmt.Errorf("read samples: %w", err)
	}
	defer f.Close()
	out, t, err := readSamples(f, path)
	if err != nil {
		return nil, "", err
	}
	switch {
	case t.torn > 0:
		if err := f.Truncate(t.good); err != nil {
			return nil, "", fmt.Errorf("repair samples: %w", err)
		}
		note = fmt.Sprintf("dropped a torn last line of %s (%d bytes cut mid-write); %d samples kept", path, t.torn, len(out))
	case t.newline:
		if _, err := f.WriteAt([]byte{'\n'}, t.good); err != nil {
			return nil, "", fmt.Errorf("repair samples: %w", err)
		}
		note = fmt.Sprintf("the last line of %s had lost its newline; added it", path)
	}
	if note != "" {
		if err := f.Sync(); err != nil {
			return nil, "", fmt.Errorf("repair samples: %w", err)
		}
	}
	return out, note, nil
}
