// Package det gives tests, benchmarks and the benchmark generator a
// deterministic environment: randomness from a SHA-256 chain, and a clock
// that advances by a fixed step at every reading. Never use it for real keys.
package det

import (
	"crypto/sha256"
	"time"
)

// Rand is a deterministic randomness source: a SHA-256 chain from a zero
// state.
type Rand struct{ state [32]byte }

// Read fills p from the chain.
func (r *Rand) Read(p []byte) (int, error) {
	for i := range p {
		if i%32 == 0 {
			r.state = sha256.Sum256(r.state[:])
		}
		p[i] = r.state[i%32]
	}
	return len(p), nil
}

// Clock returns a clock that reads start+step, start+2*step, … at
// successive readings.
func Clock(start time.Time, step time.Duration) func() time.Time {
	t := start
	return func() time.Time {
		t = t.Add(step)
		return t
	}
}

// NewRand returns a Rand whose chain starts from seed (at most 32 bytes,
// zero-padded), for a second independent stream.
func NewRand(seed []byte) *Rand {
	r := &Rand{}
	copy(r.state[:], seed)
	return r
}
