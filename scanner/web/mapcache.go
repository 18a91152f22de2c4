package web

import (
	"container/list"
	"net/url"
	"sync"
)

// mapCacheBudget bounds the memory the parsed source maps of one scan keep, counted as
// twice their JSON (the embedded sources, and the decoded mappings): a site whose scripts
// all name one map parses it once, and a site of many large maps does not keep them all.
const mapCacheBudget = 512 << 20

// mapCache keeps the source maps of one scan, each loaded once however many scripts name
// it: the first script to ask loads it, the others wait for it. What a load found (a map, or
// nothing) is kept; the largest maps are let go, the least recently used first, once the
// budget is spent, and loaded again if asked for again.
type mapCache struct {
	mu      sync.Mutex
	budget  int64
	used    int64
	entries map[string]*mapEntry
	lru     *list.List // of *mapEntry with a map, most recently used first
}

// mapEntry is one map: being loaded until ready is closed.
type mapEntry struct {
	key   string
	ready chan struct{}
	m     *sourceMap
	base  *url.URL // the URL the map's sources are relative to, for a map fetched
	cost  int64
	elem  *list.Element
}

func newMapCache(budget int64) *mapCache {
	return &mapCache{budget: budget, entries: map[string]*mapEntry{}, lru: list.New()}
}

// get returns the map at key, loading it with load the first time (and again after it was
// let go). load returns the map or nil, the URL its sources are relative to (nil on disk), and its size in bytes;
// first says whether this call loaded it.
func (c *mapCache) get(key string, load func() (m *sourceMap, base *url.URL, size int64)) (m *sourceMap, base *url.URL, first bool) {
	c.mu.Lock()
	if e, ok := c.entries[key]; ok {
		c.mu.Unlock()
		<-e.ready
		c.mu.Lock()
		if e.elem != nil {
			c.lru.MoveToFront(e.elem)
		}
		c.mu.Unlock()
		return e.m, e.base, false
	}
	e := &mapEntry{key: key, ready: make(chan struct{})}
	c.entries[key] = e
	c.mu.Unlock()

	defer close(e.ready)
	m, base, size := load()
	c.mu.Lock()
	defer c.mu.Unlock()
	e.m, e.base = m, base
	if m != nil {
		e.cost = 2 * size
		e.elem = c.lru.PushFront(e)
		c.used += e.cost
		// Let go of the least recently used maps, never the one just loaded.
		for c.used > c.budget && c.lru.Len() > 1 {
			old := c.lru.Remove(c.lru.Back()).(*mapEntry)
			c.used -= old.cost
			delete(c.entries, old.key)
		}
	}
	return m, base, true
}
