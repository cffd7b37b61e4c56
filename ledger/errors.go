package ledger

import "fmt"

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
// lock (the OS file lock on Path). The operating system releases the lock
// when that process ends, so a lock is never stale and never removed by
// hand.
type LockError struct {
	Path string // the lock file, concord.lock in the ledger's git folder
}

func (e *LockError) Error() string {
	return fmt.Sprintf("ledger is locked: another concord process holds %s", e.Path)
}

// Hint says what to do.
func (e *LockError) Hint() string {
	return "wait for the other concord command to finish, then run this one again"
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
