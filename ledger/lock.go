package ledger

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/concord-ledger/concord/internal/filelock"
	"github.com/concord-ledger/concord/ledger/gitstore"
)

// lockName is the ledger's lock file in the git folder (gitstore's
// LedgerLockName, which the receive side of sync takes too). It holds
// nothing and stays in place: the lock is an OS file lock on it (package
// filelock).
const lockName = gitstore.LedgerLockName

// lock takes the ledger's lock in gitDir. A held lock is a *LockError,
// never a wait and never stolen; the OS releases the lock when the process
// holding it ends, however it ends.
func lock(gitDir string) (unlock func(), err error) {
	p := filepath.Join(gitDir, lockName)
	l, err := filelock.TryLock(p)
	var held *filelock.HeldError
	if errors.As(err, &held) {
		return nil, &LockError{Path: p}
	}
	if err != nil {
		return nil, fmt.Errorf("taking the ledger lock: %w", gitstore.AsWriteError(gitDir, err))
	}
	// Holding the lock, no ref update or fetch of another concord is
	// under way: their temporary files are left by one that died.
	gitstore.RemoveStaleTemps(gitDir)
	return func() { l.Unlock() }, nil
}
