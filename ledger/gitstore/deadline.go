package gitstore

import (
	"context"
	"time"
)

// ErrReadDeadline is returned by every read through go-git once the time
// SetReadDeadline gave has passed. errors.Is finds context.DeadlineExceeded
// in it too.
var ErrReadDeadline error = readDeadlineError{}

type readDeadlineError struct{}

func (readDeadlineError) Error() string {
	return "reading the repository's objects took longer than the time given"
}

func (readDeadlineError) Is(target error) bool { return target == context.DeadlineExceeded }

// SetReadDeadline bounds the time of the reads through go-git that
// follow: once t has passed, each fails with ErrReadDeadline (the zero
// time removes the bound). A read's cost is bounded by its object's size
// only: a pack can hold small objects each at the end of a long chain of
// large deltas, which go-git rebuilds for each read, so that a fetch of a
// few KB takes hours to read. A deadline makes that a failure in the time
// the command was given. Objects Preload read are handed out regardless.
func (g *Repo) SetReadDeadline(t time.Time) {
	g.mu.Lock()
	g.deadline = t
	g.mu.Unlock()
}

// pastDeadline reports whether the time SetReadDeadline gave has passed.
func (g *Repo) pastDeadline() bool {
	g.mu.Lock()
	d := g.deadline
	g.mu.Unlock()
	return !d.IsZero() && time.Now().After(d)
}
