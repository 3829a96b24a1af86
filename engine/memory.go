package engine

import (
	"bytes"
	"os"
	"strconv"

	"github.com/presoak/presoak/engine/fault"
)

const (
	leakChunk    = 1 << 20 // real allocation granularity of the memory_leak fault
	maxLeakBytes = 1 << 30 // hard bound of a leak, whatever the plan says
)

// memory is the engine's resident memory: modeled on the simulated clock
// (a base plus what a memory_leak fault holds), read from the process on
// the real clock, where a leak is a real, bounded allocation.
type memory struct {
	sim    bool
	base   int64
	leaked int64
	rss    int64 // last reading of the process's resident set (real clock)
	chunks [][]byte
}

func (m *memory) init(base int64, sim bool) {
	m.base, m.sim = base, sim
	if !sim {
		m.sample()
	}
}

// update sets the leak to what the active memory_leak fault holds at now:
// magnitude MB per hour of the fault so far, released when it ends.
func (m *memory) update(e *Engine, now int64) {
	var target int64
	if mag, on := e.sched.Active(fault.MemoryLeak); on {
		elapsed, _ := e.sched.Elapsed(fault.MemoryLeak, now)
		target = min(int64(mag*1e6*float64(elapsed)/3600e9), maxLeakBytes)
	}
	if target == m.leaked {
		return
	}
	m.leaked = target
	if m.sim {
		return
	}
	want := int((target + leakChunk - 1) / leakChunk)
	if want == 0 {
		m.chunks = nil
		return
	}
	if want < len(m.chunks) {
		clear(m.chunks[want:])
		m.chunks = m.chunks[:want]
	}
	for len(m.chunks) < want {
		c := make([]byte, leakChunk)
		for i := 0; i < len(c); i += 4096 {
			c[i] = 1 // touch every page so it is resident
		}
		m.chunks = append(m.chunks, c)
	}
}

// resident is the resident memory in bytes.
func (m *memory) resident() int64 {
	if m.sim || m.rss == 0 {
		return m.base + m.leaked
	}
	return m.rss
}

// sample reads the process's resident set size (Linux); off the hot path.
func (m *memory) sample() {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return
	}
	f := bytes.Fields(data)
	if len(f) < 2 {
		return
	}
	pages, err := strconv.ParseInt(string(f[1]), 10, 64)
	if err != nil {
		return
	}
	m.rss = pages * int64(os.Getpagesize())
}
