package calibration

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/presoak/presoak/internal/atomicfile"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/presoak/presoak/engine"
)

// Options configure a Recorder. Dir is required; the zero value of every
// other field works.
type Options struct {
	// Dir is the run's dataset directory (created if missing), e.g.
	// artifacts/edge/datasets/<run> (RunDir).
	Dir string
	// Run names the run in the manifest; default: Dir's base name.
	Run string
	// Symbol, Clock ("real" or "simulated"), ConfigHash (config.Loaded.Hash)
	// and Seed are recorded in the manifest.
	Symbol, Clock, ConfigHash string
	Seed                      int64
	// Buffer is how many events the channel holds before dropping [16384].
	Buffer int
	// FlushEvery is how often (wall time) rows are flushed and the manifest
	// rewritten [1s].
	FlushEvery time.Duration
	// MaxFileBytes is the size at which a CSV file rotates [64 MiB].
	MaxFileBytes int64
	// MaxSegments is how many rotated segments of each file are kept [8].
	MaxSegments int
	// Block makes OnQuote and OnFill wait for room instead of dropping: for
	// simulated-clock runs, where a tick's wall time does not matter and a
	// replay outruns the writer. Never on the real clock.
	Block bool
	// MaxPending bounds the fills waiting for their markout horizons; the
	// oldest is written with blank markouts beyond it [100000].
	MaxPending int
	// HorizonTolerance is how late after fill time + horizon a market mid
	// may be observed and still resolve the horizon; a horizon with no
	// observation within it is late (listed in markouts.csv's late column,
	// its cells blank), never resolved by a later mid
	// [DefaultHorizonTolerance]. mid_0 is late when the fill's market mid
	// was taken more than this after the fill.
	HorizonTolerance time.Duration
}

// RunDir is the dataset directory of a run of kind ("shadow", "soak")
// started at t under the module root: artifacts/edge/datasets/<kind>-<time>.
func RunDir(root, kind string, t time.Time) string {
	return filepath.Join(root, "artifacts", "edge", "datasets", kind+"-"+t.UTC().Format("20060102T150405Z"))
}

// event is one quote or fill, by value.
type event struct {
	fill bool
	q    engine.QuoteEvent
	f    engine.FillEvent
}

// Recorder writes a calibration dataset. It implements engine.Observer.
type Recorder struct {
	opts    Options
	ch      chan event
	stop    chan struct{}
	done    chan struct{}
	dropped atomic.Uint64

	closeOnce sync.Once
	err       error // the writer's first error, read after done

	// writer state (writer goroutine only)
	quotes, fills, marks *csvFile
	buf                  []byte
	pending              []pendingFill
	nextID               int64
	first, last          int64
	seen                 bool
}

var _ engine.Observer = (*Recorder)(nil)

// New creates Dir, opens the CSV files, writes the first manifest and starts
// the writer. Close it to stop the writer.
func New(o Options) (*Recorder, error) {
	if o.Dir == "" {
		return nil, errors.New("new calibration recorder: no directory")
	}
	if o.Run == "" {
		o.Run = filepath.Base(o.Dir)
	}
	if o.Buffer <= 0 {
		o.Buffer = 16384
	}
	if o.FlushEvery <= 0 {
		o.FlushEvery = time.Second
	}
	if o.MaxFileBytes <= 0 {
		o.MaxFileBytes = 64 << 20
	}
	if o.MaxSegments <= 0 {
		o.MaxSegments = 8
	}
	if o.MaxPending <= 0 {
		o.MaxPending = 100000
	}
	if o.HorizonTolerance <= 0 {
		o.HorizonTolerance = DefaultHorizonTolerance
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("new calibration recorder: %w", err)
	}
	r := &Recorder{opts: o, ch: make(chan event, o.Buffer), stop: make(chan struct{}), done: make(chan struct{}), buf: make([]byte, 0, 512)}
	var err error
	if r.quotes, err = openCSV(o.Dir, QuotesFile, QuotesHeader, o.MaxFileBytes, o.MaxSegments); err == nil {
		if r.fills, err = openCSV(o.Dir, FillsFile, FillsHeader, o.MaxFileBytes, o.MaxSegments); err == nil {
			r.marks, err = openCSV(o.Dir, MarkoutsFile, MarkoutsHeader, o.MaxFileBytes, o.MaxSegments)
		}
	}
	if err == nil {
		err = r.writeManifest(false)
	}
	if err != nil {
		r.closeFiles()
		return nil, fmt.Errorf("new calibration recorder: %w", err)
	}
	go r.run()
	return r, nil
}

// OnQuote queues a quote; a full buffer drops it (or, with Block, waits).
func (r *Recorder) OnQuote(q engine.QuoteEvent) { r.send(event{q: q}) }

// OnFill queues a fill; a full buffer drops it (or, with Block, waits).
func (r *Recorder) OnFill(f engine.FillEvent) { r.send(event{fill: true, f: f}) }

func (r *Recorder) send(ev event) {
	select {
	case r.ch <- ev:
		return
	default:
	}
	if r.opts.Block {
		select {
		case r.ch <- ev:
			return
		case <-r.done: // the writer is gone (closed or failed)
		}
	}
	r.dropped.Add(1)
}

// Dir is the dataset directory.
func (r *Recorder) Dir() string { return r.opts.Dir }

// Close stops the writer after it has written every queued event, writes
// the markouts still pending (blank where the run ended before a horizon),
// flushes and closes the files and marks the manifest complete. Events
// queued after Close are dropped. It returns the writer's first error.
func (r *Recorder) Close() error {
	r.closeOnce.Do(func() { close(r.stop) })
	<-r.done
	return r.err
}

// run is the writer goroutine.
func (r *Recorder) run() {
	defer close(r.done)
	t := time.NewTicker(r.opts.FlushEvery)
	defer t.Stop()
	for {
		select {
		case ev := <-r.ch:
			r.handle(ev)
		case <-t.C:
			r.flush(false)
		case <-r.stop:
			for {
				select {
				case ev := <-r.ch:
					r.handle(ev)
					continue
				default:
				}
				break
			}
			for len(r.pending) > 0 {
				r.writeOldestMarkout()
			}
			r.flush(true)
			if err := r.closeFiles(); r.err == nil {
				r.err = err
			}
			return
		}
	}
}

func (r *Recorder) setErr(err error) {
	if err != nil && r.err == nil {
		r.err = fmt.Errorf("calibration dataset %s: %w", r.opts.Dir, err)
	}
}

func (r *Recorder) handle(ev event) {
	if r.err != nil {
		return // a failed disk stops recording; Close reports it
	}
	t := ev.q.TimeNs
	if ev.fill {
		t = ev.f.TimeNs
	}
	if !r.seen {
		r.first, r.seen = t, true
	}
	r.last = max(r.last, t)
	if ev.fill {
		r.onFill(&ev.f)
	} else {
		r.onQuote(&ev.q)
	}
}

func (r *Recorder) onQuote(q *engine.QuoteEvent) {
	b := r.buf[:0]
	b = strconv.AppendInt(b, q.TimeNs, 10)
	b = appendFloat(b, q.Mid)
	b = appendFloat(b, q.Fair)
	b = appendFloat(b, q.SpreadBps)
	b = appendFloat(b, q.BidPrice)
	b = appendFloat(b, q.BidSize)
	b = append(append(b, ','), q.BidAction.String()...)
	b = appendFloat(b, q.AskPrice)
	b = appendFloat(b, q.AskSize)
	b = append(append(b, ','), q.AskAction.String()...)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(q.Placed), 10)
	b = appendFloat(b, q.Inventory)
	b = append(b, ',')
	b = strconv.AppendInt(b, q.MarketTimeNs, 10)
	b = append(b, ',')
	if q.MarketMid > 0 {
		b = strconv.AppendFloat(b, q.MarketMid, 'g', -1, 64)
	}
	b = append(b, '\n')
	r.buf = b
	r.setErr(r.quotes.write(b))
	r.resolve(q.MarketTimeNs, q.MarketMid)
}

func (r *Recorder) onFill(f *engine.FillEvent) {
	r.nextID++
	p := pendingFill{id: r.nextID, f: *f}
	lag := f.MidTimeNs - f.TimeNs
	p.mid0 = f.Mid > 0 && lag <= int64(r.opts.HorizonTolerance) && -lag <= int64(r.opts.HorizonTolerance)
	b := r.buf[:0]
	b = strconv.AppendInt(b, p.id, 10)
	b = p.appendFill(b)
	b = appendFloat(b, f.QueueAhead)
	b = append(b, ',')
	if f.Mid > 0 {
		b = strconv.AppendFloat(b, f.Mid, 'g', -1, 64)
	}
	b = append(b, ',')
	b = strconv.AppendInt(b, f.MidTimeNs, 10)
	b = appendFloat(b, f.EngineMid)
	b = appendFloat(b, f.Inventory)
	b = append(b, '\n')
	r.buf = b
	r.setErr(r.fills.write(b))
	if len(r.pending) >= r.opts.MaxPending {
		r.writeOldestMarkout()
	}
	r.pending = append(r.pending, p)
}

// flush writes the buffered rows and the manifest.
func (r *Recorder) flush(complete bool) {
	if r.err != nil {
		return
	}
	for _, c := range []*csvFile{r.quotes, r.fills, r.marks} {
		r.setErr(c.flush())
	}
	r.setErr(r.writeManifest(complete))
}

func (r *Recorder) closeFiles() error {
	var errs []error
	for _, c := range []*csvFile{r.quotes, r.fills, r.marks} {
		if c != nil && c.f != nil {
			errs = append(errs, c.close())
		}
	}
	return errors.Join(errs...)
}

// Manifest is the manifest as it stands (writer state; call after Close,
// or read manifest.json).
func (r *Recorder) manifest(complete bool) Manifest {
	m := Manifest{
		Version: SchemaVersion, Run: r.opts.Run, Symbol: r.opts.Symbol, Clock: r.opts.Clock,
		ConfigHash: r.opts.ConfigHash, Seed: r.opts.Seed,
		StartNs: r.first, EndNs: r.last, SpanNs: r.last - r.first,
		Files:         map[string]FileInfo{},
		DroppedEvents: r.dropped.Load(), Complete: complete, Updated: time.Now().UTC(),
	}
	for _, h := range Horizons {
		m.HorizonsNs = append(m.HorizonsNs, int64(h))
	}
	m.HorizonToleranceNs = int64(r.opts.HorizonTolerance)
	for _, c := range []*csvFile{r.quotes, r.fills, r.marks} {
		if c != nil {
			m.Files[c.name] = c.fileInfo()
		}
	}
	return m
}

func (r *Recorder) writeManifest(complete bool) error {
	b, err := json.MarshalIndent(r.manifest(complete), "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(r.opts.Dir, ManifestFile), append(b, '\n'))
}

func appendFloat(b []byte, v float64) []byte {
	return strconv.AppendFloat(append(b, ','), v, 'g', -1, 64)
}
