// Package cache keeps recently used values in memory.
package cache

import (
	"errors"
	"sync"
	"time"
)

const DefaultTTL = 5 * time.Minute

var ErrMissing = errors.New("cache: missing key")

type Key string

type Store interface {
	Get(key Key) ([]byte, error)
	Put(key Key, value []byte)
}

type entry struct {
	value   []byte
	expires time.Time
}

type Memory struct {
	mu      sync.Mutex
	entries map[Key]entry
}

func New() *Memory {
	return &Memory{entries: make(map[Key]entry)}
}

func (m *Memory) Get(key Key) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	if !ok || time.Now().After(e.expires) {
		return nil, ErrMissing
	}
	return e.value, nil
}

func (m *Memory) Put(key Key, value []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries[key] = entry{value: value, expires: expiry(DefaultTTL)}
}

func expiry(ttl time.Duration) time.Time {
	return time.Now().Add(ttl)
}
