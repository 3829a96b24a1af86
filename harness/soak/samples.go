package soak

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/presoak/presoak/harness/signal"
)

// sampleLog appends samples as JSON lines.
type sampleLog struct {
	f *os.File
	w *bufio.Writer
}

func openSampleLog(path string, appendTo bool) (*sampleLog, error) {
	flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if appendTo {
		flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open samples: %w", err)
	}
	return &sampleLog{f: f, w: bufio.NewWriterSize(f, 64<<10)}, nil
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
	return readSamples(f, path)
}

func readSamples(r io.Reader, name string) ([]signal.Sample, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	var out []signal.Sample
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		if len(b) > 0 {
			var s signal.Sample
			if jerr := json.Unmarshal(b, &s); jerr != nil {
				if errors.Is(err, io.EOF) {
					return out, nil // torn last line
				}
				return nil, fmt.Errorf("read samples: %s:%d: %w", name, line, jerr)
			}
			out = append(out, s)
		}
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read samples: %s: %w", name, err)
		}
	}
}
