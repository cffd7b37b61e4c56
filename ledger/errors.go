package ledger

import (
	"fmt"
	"time"
)

// NotLedgerError is returned when a folder holds no concord ledger.
type NotLedgerError struct {
	Dir string
	Err error
}

func (e *NotLedgerError) Error() string {
	return fmt.Sprintf("%s is not a concord ledger: %v", e.Dir, e.Err)
}

func (e *NotLedgerError) Unwrap() error { return e.Err }

// Hint tells the user how to point concord at a ledger.
func (e *NotLedgerError) Hint() string {
	return "pass --ledger DIR or set CONCORD_LEDGER; 'concord init' founds a new ledger"
}

// LockError is returned when another concord process holds the ledger's
// lock, or a killed one left it behind.
type LockError struct {
	Path  string
	PID   int
	Since time.Time
	Stale bool // the process that took it is gone
}

func (e *LockError) Error() string {
	if e.PID == 0 {
		return fmt.Sprintf("ledger is locked: %s exists but does not hold a concord process id", e.Path)
	}
	if e.Stale {
		return fmt.Sprintf("ledger is locked by process %d, which is no longer running (lock taken %s)", e.PID, e.Since.UTC().Format(time.RFC3339))
	}
	return fmt.Sprintf("ledger is locked by another concord process (pid %d, since %s)", e.PID, e.Since.UTC().Format(time.RFC3339))
}

// Hint says how to clear the lock.
func (e *LockError) Hint() string {
	if e.Stale || e.PID == 0 {
		return fmt.Sprintf("if no concord is running, run 'concord verify', then remove %s", e.Path)
	}
	return fmt.Sprintf("wait for it to finish; if no concord is running, remove %s", e.Path)
}

// RefusedError is an operation the ledger's rules do not allow (signing a
// ratified version, approving twice, an unknown signatory…). Nothing was
// written.
type RefusedError struct {
	Msg  string
	hint string
}

func (e *RefusedError) Error() string { return e.Msg }

// Hint is the next step, if any.
func (e *RefusedError) Hint() string { return e.hint }

func refused(hint, format string, args ...any) error {
	return &RefusedError{Msg: fmt.Sprintf(format, args...), hint: hint}
}

// InconsistentError is returned when the ledger's head contradicts its own
// rules, so no new entry can safely be written on it.
type InconsistentError struct{ Errs []error }

func (e *InconsistentError) Error() string {
	return fmt.Sprintf("the ledger is inconsistent: %v", e.Errs[0])
}

// Hint points at the audit.
func (e *InconsistentError) Hint() string { return "run 'concord verify' for a full report" }

// InvalidEvidence marks this as tampered evidence (exit status 3).
func (e *InconsistentError) InvalidEvidence() bool { return true }
