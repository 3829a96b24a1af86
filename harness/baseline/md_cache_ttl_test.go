package baseline

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/presoak/presoak/harness/checklist/result"
)

// TestHitRatioItemFailsOnAOneMillisecondTTL: the MD-Cache hit-ratio item
// judges how often fetch_md is served without a venue round trip. With
// md_cache.ttl = 1 ms the cache saves (almost) no round trip and the item
// fails; the engine used to count the quote and risk re-reads of the book
// it had just fetched as hits, so the item read 66.7 % whatever the TTL.
// The default layers pass (>= 70 %): the venue's market-data stream keeps
// the cached book younger than the 100 ms TTL on ~93 % of ticks.
func TestHitRatioItemFailsOnAOneMillisecondTTL(t *testing.T) {
	t.Parallel()
	f := newFixture(t, defaultLayers)
	def := checksByName(MDCacheChecks(measure(t, f.options()), f.view))["hit_ratio"]
	t.Logf("default layers: %s %s", def.Item.Status, def.Item.Got)
	if def.Item.Status != result.StatusPass {
		t.Errorf("hit_ratio on the default layers: %s %s, want pass: %s", def.Item.Status, def.Item.Got, def.Item.Message)
	}
	f = newFixture(t, defaultLayers)
	f.loaded.Config.MDCache.TTL = time.Millisecond
	c := checksByName(MDCacheChecks(measure(t, f.options()), f.view))["hit_ratio"]
	t.Logf("ttl 1ms: %s %s", c.Item.Status, c.Item.Got)
	if c.Item.Status != result.StatusFail {
		t.Fatalf("hit_ratio at md_cache.ttl = 1ms: %s %s, want fail: %s", c.Item.Status, c.Item.Got, c.Item.Message)
	}
	// It failed before too, by luck: 2/3 is under the 70 % budget. The
	// figure must be the round trips saved, under the seed's 50 % stop.
	if got, err := strconv.ParseFloat(strings.TrimSuffix(c.Item.Got, "%"), 64); err != nil || got >= 50 {
		t.Errorf("hit_ratio at md_cache.ttl = 1ms reads %s, want the venue round trips saved (a few %%), under the seed's 50%% stop", c.Item.Got)
	}
}

// TestTTLRuleMessagePromisesOnlyTheCache: the TTL item's message used to
// promise that no tick quotes on a book older than one interval; with the
// pipeline and the cache the book a tick quotes on was measured at mean
// 187 ms, p95 290 ms at a 100 ms interval. The message says what the rule
// bounds (what the cache serves) and where the quoted book's age is.
func TestTTLRuleMessagePromisesOnlyTheCache(t *testing.T) {
	t.Parallel()
	it := TTLRule(newFixture(t, defaultLayers).view)
	if it.Status != result.StatusPass {
		t.Fatalf("TTL rule on the default layers: %s: %s", it.Status, it.Message)
	}
	if strings.Contains(it.Message, "no tick quotes") || !strings.Contains(it.Message, "mm_quoted_book_age_seconds") {
		t.Errorf("message %q: want no promise about the quoted book's age, and where it is measured", it.Message)
	}
}
