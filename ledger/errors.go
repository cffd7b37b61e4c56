package ledger

import (
	"errors"
	"fmt"

	"github.com/concord-ledger/concord/ledger/gitstore"
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

// openError is the error for gitstore.Open failing on dir: a repository
// in a format concord does not read (*gitstore.UnsupportedError), or one
// this user may not read (*gitstore.ReadError), as itself, with its own
// hint; anything else "not a concord ledger" with
// reason, or what Open said when reason is "".
func openError(dir string, err error, reason string) error {
	var ue *gitstore.UnsupportedError
	if errors.As(err, &ue) {
		return ue
	}
	var re *gitstore.ReadError
	if errors.As(err, &re) {
		return re
	}
	if reason != "" {
		err = errors.New(reason)
	}
	return &NotLedgerError{Dir: dir, Err: err}
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
	Msg string
	// Reason says which refusal this is, for the ones a caller answers with
	// its own next step (a command line, a flag); "" for the others.
	Reason Refusal
	// The facts of the refusal, where Reason has them (see each Refusal).
	Actor    string // the roster id acting
	Document string // the document id
	Version  int    // the document's current version number
	Lang     string // a text's language tag
	Actors   []string
	Commit   string
	Entries  int
	Remotes  []string
	Checkout bool
	hint     string
}

func (e *RefusedError) Error() string { return e.Msg }

// Hint is the next step, if any, in words that name no command or flag;
// callers give their own for the refusals with a Reason.
func (e *RefusedError) Hint() string { return e.hint }

// Refusal names a refusal a caller may branch on.
type Refusal string

// The refusals with a Reason; the fields of the RefusedError each one sets
// are in brackets.
const (
	// RefusedNotEnrolled: the acting id, or a document's signatory, holds no
	// key valid for the next entry.
	RefusedNotEnrolled Refusal = "not-enrolled"
	// RefusedWrongKey: the key signing is not the one enrolled for the
	// acting id [Actor].
	RefusedWrongKey Refusal = "wrong-key"
	// RefusedPendingConflict: a roster change conflicts with one pending.
	RefusedPendingConflict Refusal = "pending-conflict"
	// RefusedNoSuchChange: no roster change has the id given.
	RefusedNoSuchChange Refusal = "no-such-change"
	// RefusedNoSuchDocument: no document has the id given [Document].
	RefusedNoSuchDocument Refusal = "no-such-document"
	// RefusedDocumentExists: a new document's id is taken [Document].
	RefusedDocumentExists Refusal = "document-exists"
	// RefusedNoText: a version was given no text.
	RefusedNoText Refusal = "no-text"
	// RefusedTextLeftOut: an amendment neither gives nor drops a language of
	// the current version [Document, Version, Lang].
	RefusedTextLeftOut Refusal = "text-left-out"
	// RefusedDropGiven: an amendment drops a language it gives a text in
	// [Document, Version, Lang].
	RefusedDropGiven Refusal = "drop-given"
	// RefusedDropAbsent: an amendment drops a language the current version
	// has no text in [Document, Version, Lang].
	RefusedDropAbsent Refusal = "drop-absent"
	// RefusedKeysNeeded: a sync must re-create local entries on top of the
	// remote's, and was not given the key of each signatory whose entries
	// they are [Actors: all of them, in the order of their first entry,
	// Entries: how many local entries must be re-created].
	RefusedKeysNeeded Refusal = "keys-needed"
	// RefusedCannotPlace: a sync cannot re-create a local entry on top of
	// the remote's new entries (both amended one document, both proposed
	// one id…), so it cannot send this ledger's entries [Commit: the last
	// entry both share, Entries: how many local entries follow it,
	// Checkout: the ledger is a checkout of main, whose files follow the
	// branch].
	RefusedCannotPlace Refusal = "cannot-place"
	// RefusedNoRemote: a sync was given no remote, and the ledger records
	// none as origin (it was not cloned, or stock git named its remote
	// otherwise) [Remotes: the names of the ledger's other remotes, if
	// any].
	RefusedNoRemote Refusal = "no-remote"
)

func refused(hint, format string, args ...any) error {
	return &RefusedError{Msg: fmt.Sprintf(format, args...), hint: hint}
}

// refusedFor returns a *RefusedError of reason r; e holds its facts.
func refusedFor(r Refusal, e RefusedError, format string, args ...any) error {
	e.Reason, e.Msg = r, fmt.Sprintf(format, args...)
	return &e
}

// InconsistentError is returned when the ledger's head contradicts its own
// rules, so no new entry can safely be written on it.
type InconsistentError struct{ Errs []error }

func (e *InconsistentError) Error() string {
	return fmt.Sprintf("the ledger is inconsistent: %v", e.Errs[0])
}

// InvalidEvidence marks this as tampered evidence (exit status 3).
func (e *InconsistentError) InvalidEvidence() bool { return true }
