// Package filelock owns concord's one inter-process lock: an exclusive OS
// file lock on a named file, taken without waiting.
//
// The lock is flock(2) on Unix and LockFileEx on Windows, through
// github.com/gofrs/flock. The operating system releases it when the process
// holding it exits, however it exits (a crash, SIGKILL, a power cut), so
// there is no stale lock to guess about or to remove by hand, and the file
// holds nothing: no process id, no time. The file itself stays in place
// after Unlock; it is never removed, since removing a lock file while
// another process may have just opened it would let two processes each
// hold "the" lock on a different file.
//
// A lock held by another process — or by another TryLock in this process:
// flock and LockFileEx locks belong to the open file, not the process — is
// reported as *HeldError. The lock is advisory: it keeps out only programs
// that take it too.
package filelock

import (
	"fmt"

	"github.com/gofrs/flock"
)

// HeldError is returned by TryLock when the lock on Path is held by someone
// else. Nothing was waited for and nothing was changed.
type HeldError struct {
	Path string
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("%s is locked by another process", e.Path)
}

// Lock is a held lock; Unlock releases it.
type Lock struct {
	f *flock.Flock
}

// TryLock takes the exclusive lock on the file at path, creating it (mode
// 0644 before the umask, empty) if it does not exist, and returns at once:
// *HeldError when another holder has it, another error when the file cannot
// be opened or locked at all (a missing folder, no permission, a file
// system without locks).
func TryLock(path string) (*Lock, error) {
	f := flock.New(path, flock.SetPermissions(0o644))
	ok, err := f.TryLock()
	if err != nil {
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	if !ok {
		return nil, &HeldError{Path: path}
	}
	return &Lock{f: f}, nil
}

// Unlock releases the lock and closes the file, which stays on disk.
// Unlocking twice is harmless.
func (l *Lock) Unlock() error {
	if err := l.f.Close(); err != nil {
		return fmt.Errorf("unlocking %s: %w", l.f.Path(), err)
	}
	return nil
}
