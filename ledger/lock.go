package ledger

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/concord-ledger/concord/ledger/gitstore"
)

const lockName = gitstore.LedgerLockName

// lock takes the ledger's lock: a file created exclusively in the git
// folder holding the pid and time. A held lock is an error, never a wait
// and never stolen.
func lock(gitDir string, now time.Time) (unlock func(), err error) {
	p := filepath.Join(gitDir, lockName)
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		le := &LockError{Path: p}
		if data, rerr := os.ReadFile(p); rerr == nil {
			fields := strings.Fields(string(data))
			if len(fields) == 2 {
				le.PID, _ = strconv.Atoi(fields[0])
				if t, err := time.Parse(time.RFC3339, fields[1]); err == nil {
					le.Since = t
				}
			}
		}
		le.Stale = le.PID > 0 && !processAlive(le.PID)
		return nil, le
	}
	if err != nil {
		return nil, fmt.Errorf("taking the ledger lock: %w", err)
	}
	_, werr := fmt.Fprintf(f, "%d %s\n", os.Getpid(), now.UTC().Format(time.RFC3339))
	if err := errors.Join(werr, f.Close()); err != nil {
		os.Remove(p)
		return nil, fmt.Errorf("taking the ledger lock: %w", err)
	}
	return func() { os.Remove(p) }, nil
}

func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
