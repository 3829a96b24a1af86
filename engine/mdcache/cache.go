// Package mdcache is the market-data cache in front of the venue: it keeps
// the latest book of up to Capacity symbols and serves one while it is
// younger than TTL. Books are copied into preallocated storage, so Put and
// Get never allocate; a served book is valid until the next Put of the same
// symbol.
//
// Every Get is one cache request, counted as a hit or a miss; Peek reads
// without counting. The engine counts only its fetch_md requests (Get), so
// the hit ratio is how often fetch_md is served without a venue round trip;
// the quote and risk stages re-read the touch with Peek, and counting those
// re-reads of a book just fetched would make the ratio look healthy however
// often the venue is called.
//
// How not to use it: a miss does not fetch (the caller decides whether a
// miss goes to the venue or falls back to a book it already holds), and the
// cache is not safe for concurrent use.
package mdcache

import (
	"time"

	"github.com/presoak/presoak/engine/marketdata"
)

type entry struct {
	used      bool
	fetchedAt int64
	book      marketdata.Book
	bids      [marketdata.MaxDepth]marketdata.Level
	asks      [marketdata.MaxDepth]marketdata.Level
}

// Cache is a TTL cache of books by symbol. Not safe for concurrent use.
type Cache struct {
	ttl     int64
	entries []entry

	hits, misses, evictions uint64
}

// New returns a cache of capacity books (at least 1), each served while
// younger than ttl.
func New(ttl time.Duration, capacity int) *Cache {
	if capacity < 1 {
		capacity = 1
	}
	return &Cache{ttl: int64(ttl), entries: make([]entry, capacity)}
}

// Get returns the cached book of symbol when it was fetched less than TTL
// before now, and counts a hit or a miss.
func (c *Cache) Get(symbol string, now int64) (*marketdata.Book, bool) {
	for i := range c.entries {
		e := &c.entries[i]
		if e.used && e.book.Symbol == symbol {
			if now-e.fetchedAt < c.ttl {
				c.hits++
				return &e.book, true
			}
			break
		}
	}
	c.misses++
	return nil, false
}

// Peek is Get without counting a request: for a consumer whose miss would
// not go to the venue (re-reading a book the caller already holds).
func (c *Cache) Peek(symbol string, now int64) (*marketdata.Book, bool) {
	for i := range c.entries {
		e := &c.entries[i]
		if e.used && e.book.Symbol == symbol {
			if now-e.fetchedAt < c.ttl {
				return &e.book, true
			}
			break
		}
	}
	return nil, false
}

// Put stores a copy of b as fetched at now, evicting the oldest entry when
// the cache is full.
func (c *Cache) Put(b *marketdata.Book, now int64) {
	slot := -1
	oldest := -1
	for i := range c.entries {
		e := &c.entries[i]
		if e.used && e.book.Symbol == b.Symbol {
			slot = i
			break
		}
		if !e.used && slot < 0 {
			slot = i
		}
		if e.used && (oldest < 0 || e.fetchedAt < c.entries[oldest].fetchedAt) {
			oldest = i
		}
	}
	if slot < 0 {
		slot = oldest
		c.evictions++
	}
	e := &c.entries[slot]
	e.used = true
	e.fetchedAt = now
	e.book.Symbol = b.Symbol
	e.book.TimeNs = b.TimeNs
	nb := copy(e.bids[:], b.Bids)
	na := copy(e.asks[:], b.Asks)
	e.book.Bids = e.bids[:nb]
	e.book.Asks = e.asks[:na]
}

// Refuse counts a lookup the cache failed to serve (a degraded cache: the
// fault model) as a miss, leaving the entry for the next lookup.
func (c *Cache) Refuse() { c.misses++ }

// Invalidate drops symbol's entry (tests).
func (c *Cache) Invalidate(symbol string) {
	for i := range c.entries {
		if c.entries[i].used && c.entries[i].book.Symbol == symbol {
			c.entries[i].used = false
		}
	}
}

// Hits, Misses and Evictions are cumulative counts.
func (c *Cache) Hits() uint64      { return c.hits }
func (c *Cache) Misses() uint64    { return c.misses }
func (c *Cache) Evictions() uint64 { return c.evictions }
