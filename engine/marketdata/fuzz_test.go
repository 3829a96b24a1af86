package marketdata

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"testing"
)

// FuzzParse: Parse never panics; every error is a *ParseError with a line;
// whatever parses writes back to a CSV that parses to the same events, and
// replays to books that are sorted and never crossed after a time's rows.
// Seed corpus: testdata/fuzz/FuzzParse (the bad recordings, replayCSV and
// the head of the committed BTCUSDT recording).
func FuzzParse(f *testing.F) {
	f.Add([]byte(replayCSV))
	f.Fuzz(func(t *testing.T, data []byte) {
		m := testManifest()
		m.StartNs, m.EndNs = 0, math.MaxInt64
		rec, err := Parse("fuzz.csv", bytes.NewReader(data), m)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line < 1 || pe.File != "fuzz.csv" {
				t.Fatalf("got %v (%T), want a *ParseError with file and line", err, err)
			}
			return
		}
		var out bytes.Buffer
		if err := rec.WriteCSV(&out); err != nil {
			t.Fatal(err)
		}
		again, err := Parse("again.csv", &out, m)
		if err != nil {
			t.Fatalf("re-parsing what was written: %v\n%s", err, out.Bytes())
		}
		if !slices.Equal(again.Events, rec.Events) {
			t.Fatalf("round trip changed the events:\n%v\n%v", rec.Events, again.Events)
		}
		feed := rec.Replay()
		for i := range rec.Events {
			if i+1 < len(rec.Events) && rec.Events[i+1].TimeNs == rec.Events[i].TimeNs {
				continue
			}
			book, _ := feed.AdvanceTo(rec.Events[i].TimeNs)
			if len(book.Bids) > MaxDepth || len(book.Asks) > MaxDepth {
				t.Fatalf("depth %d/%d over %d", len(book.Bids), len(book.Asks), MaxDepth)
			}
			for j := 1; j < len(book.Bids); j++ {
				if book.Bids[j].Price >= book.Bids[j-1].Price {
					t.Fatalf("bids not best first: %v", book.Bids)
				}
			}
			for j := 1; j < len(book.Asks); j++ {
				if book.Asks[j].Price <= book.Asks[j-1].Price {
					t.Fatalf("asks not best first: %v", book.Asks)
				}
			}
			if len(book.Bids) > 0 && len(book.Asks) > 0 && book.Bids[0].Price >= book.Asks[0].Price {
				t.Fatalf("crossed book after time %d: %v / %v", rec.Events[i].TimeNs, book.Bids[0], book.Asks[0])
			}
		}
	})
}
