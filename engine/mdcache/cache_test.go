package mdcache

import (
	"testing"
	"time"

	"github.com/presoak/presoak/engine/marketdata"
)

func book(sym string, px float64) *marketdata.Book {
	return &marketdata.Book{Symbol: sym, TimeNs: 1,
		Bids: []marketdata.Level{{Price: px - 1, Size: 1}}, Asks: []marketdata.Level{{Price: px + 1, Size: 2}}}
}

func TestTTLHitsAndMisses(t *testing.T) {
	t.Parallel()
	ms := int64(time.Millisecond)
	c := New(250*time.Millisecond, 2)
	if _, ok := c.Get("BTC", 0); ok {
		t.Fatal("hit on an empty cache")
	}
	src := book("BTC", 100)
	c.Put(src, 0)
	src.Bids[0].Price = 1 // the cache holds a copy
	b, ok := c.Get("BTC", 249*ms)
	if !ok || b.Bids[0].Price != 99 || b.Asks[0].Size != 2 {
		t.Fatalf("got %+v %v, want the cached copy", b, ok)
	}
	if _, ok := c.Get("BTC", 250*ms); ok {
		t.Fatal("hit at TTL, want a miss")
	}
	if c.Hits() != 1 || c.Misses() != 2 {
		t.Fatalf("hits %d misses %d, want 1 2", c.Hits(), c.Misses())
	}
	c.Refuse() // a degraded lookup: a miss, the entry stays
	if _, ok := c.Get("BTC", 1); !ok || c.Misses() != 3 {
		t.Fatalf("after Refuse: hit %v, misses %d; want the entry served and 3 misses", ok, c.Misses())
	}
	if _, ok := c.Peek("BTC", 1); !ok || c.Hits() != 2 || c.Misses() != 3 {
		t.Fatalf("Peek: hit %v, hits %d misses %d; want the entry served and nothing counted (2, 3)", ok, c.Hits(), c.Misses())
	}
	if _, ok := c.Peek("BTC", 250*ms); ok || c.Misses() != 3 {
		t.Fatalf("Peek at TTL: hit %v misses %d, want a miss, not counted", ok, c.Misses())
	}
	c.Invalidate("BTC")
	if _, ok := c.Get("BTC", 1); ok {
		t.Fatal("hit after Invalidate")
	}
}

func TestCapacityEvictsOldest(t *testing.T) {
	t.Parallel()
	c := New(time.Hour, 2)
	c.Put(book("A", 10), 1)
	c.Put(book("B", 20), 2)
	c.Put(book("C", 30), 3)
	if _, ok := c.Get("A", 4); ok {
		t.Fatal("oldest entry A still cached")
	}
	for _, s := range []string{"B", "C"} {
		if _, ok := c.Get(s, 4); !ok {
			t.Fatalf("%s evicted", s)
		}
	}
	if c.Evictions() != 1 {
		t.Fatalf("evictions %d, want 1", c.Evictions())
	}
}

func TestGetPutDoNotAllocate(t *testing.T) {
	c := New(time.Second, 1)
	b := book("BTC", 100)
	if n := testing.AllocsPerRun(1000, func() { c.Put(b, 0); c.Get("BTC", 1) }); n != 0 {
		t.Fatalf("allocates %.0f, want 0", n)
	}
}
