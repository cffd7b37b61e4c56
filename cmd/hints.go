package cmd

import (
	"errors"
	"fmt"
	"strings"

	"github.com/concord-ledger/concord/documents"
	"github.com/concord-ledger/concord/ledger"
	"github.com/concord-ledger/concord/ledger/gitstore"
	"github.com/concord-ledger/concord/signing"
)

// This file is the one place where library errors meet the command line:
// the libraries' errors carry facts (typed, with fields), and the next steps
// that name a concord command or flag are written here, each concord
// command line as the user called concord (invocation.command, cmdline.go).

// timeoutHint is the next step when reading a repository ran out of the
// time --timeout gave (gitstore.ErrReadDeadline).
const timeoutHint = "a copy can be built to be slow to read; if this ledger is simply large or the machine slow, give --timeout more time"

// hintFor returns the next step for err itself (not what it wraps) in the
// command line's words, and whether cmd has one for it; a concord command
// it names is written as inv calls it (invocation.command).
func (inv invocation) hintFor(err error) (string, bool) {
	if err == gitstore.ErrReadDeadline {
		return timeoutHint, true
	}
	switch e := err.(type) {
	case *ledger.NotLedgerError:
		return "pass --ledger DIR or set CONCORD_LEDGER; " + inv.quoted("init") + " founds a new ledger", true
	case *ledger.InconsistentError:
		return "run " + inv.quoted("verify") + " for a full report", true
	case *ledger.UnverifiedError:
		return "run " + inv.quoted("verify") + " for the full report", true
	case *ledger.TextError:
		var sc *documents.SuspiciousCharError
		if errors.As(e.Err, &sc) && sc.Kind.Overridable() {
			return "remove the character (your editor may not show it), or pass --allow-invisible if the text needs it", true
		}
	case *ledger.RefusedError:
		return inv.refusalHint(e)
	case *ledger.RemoteError:
		if k, _ := e.Kind(); e.Clone && k == gitstore.NetFailed && !e.TimedOut() {
			return "check the remote's address and the network, then run " + inv.quoted("clone") + " again", true
		}
	case *ledger.RemoteRejectedError:
		return e.Hint() + " (" + inv.quoted("verify", "--checkpoint", "FILE") + ")", true
	case *gitstore.RefLockError:
		return e.Hint() + ", then run " + inv.quoted("verify"), true
	case *signing.KeyTypeError:
		return "make an ed25519 key with " + inv.quoted("key new") + " or 'ssh-keygen -t ed25519'", true
	case *signing.SignError:
		if e.Kind == signing.ErrUnsupported {
			return "concord signs with ed25519 keys only; create one with `" + inv.command("key new") + "`", true
		}
	}
	return "", false
}

// keysNeededHint is the hint of a RefusedKeysNeeded from a sync called as
// inv with flags (sync's own: "--remote", URL): the same sync with an --as
// and --key for each actor.
func (inv invocation) keysNeededHint(e *ledger.RefusedError, flags ...string) string {
	for _, a := range e.Actors {
		flags = append(flags, "--as", a, "--key", "FILE")
	}
	them := "them with their signatories' keys"
	if e.Entries == 1 {
		them = "it with its signatory's key"
	}
	return "run " + inv.quoted("sync", flags...) + " to re-create " + them
}

// cannotPlaceHint is the hint of a RefusedCannotPlace from a sync of the
// ledger in dir (one shell word) called as inv with flags (see
// keysNeededHint).
//
// In a checkout the branch is moved with git reset --keep, which brings
// the files along (and stops, changing nothing, where the user changed
// one): update-ref would leave them showing the dropped entries as staged
// changes.
func (inv invocation) cannotPlaceHint(e *ledger.RefusedError, dir string, flags ...string) string {
	them, move := "them", "update-ref refs/heads/main"
	if e.Entries == 1 {
		them = "it"
	}
	if e.Checkout {
		move = "reset --keep"
	}
	return fmt.Sprintf("to take the remote's entries instead, dropping your %s after commit %.12s (make %s again afterwards, on the remote's): git -C %s %s %s, then %s",
		plural(e.Entries, "local entry"), e.Commit, them, dir, move, e.Commit, inv.quoted("sync", flags...))
}

// refusalHint is hintFor of a ledger refusal.
func (inv invocation) refusalHint(e *ledger.RefusedError) (string, bool) {
	switch e.Reason {
	case ledger.RefusedNotEnrolled:
		return inv.quoted("roster list") + " shows who is enrolled", true
	case ledger.RefusedWrongKey:
		return "sign with the key enrolled for " + e.Actor + " (see " + inv.quoted("roster list") + ")", true
	case ledger.RefusedPendingConflict:
		return "approve or wait for the pending change (" + inv.quoted("roster list") + " shows it)", true
	case ledger.RefusedNoSuchChange:
		return inv.quoted("roster list") + " shows pending changes", true
	case ledger.RefusedNoSuchDocument:
		return inv.quoted("status") + " lists the ledger's documents", true
	case ledger.RefusedDocumentExists:
		return "use " + inv.quoted("amend") + " for a new version", true
	case ledger.RefusedNoText:
		return "give each language as --text LANG=FILE", true
	case ledger.RefusedTextLeftOut:
		return fmt.Sprintf("give --text %s=FILE, or --drop %s to leave it out on purpose", e.Lang, e.Lang), true
	case ledger.RefusedDropGiven, ledger.RefusedDropAbsent:
		return "", true
	case ledger.RefusedKeysNeeded:
		return inv.keysNeededHint(e), true
	case ledger.RefusedCannotPlace:
		dir := "LEDGER"
		if inv.ledger != "" {
			dir = shellWord(inv.ledger)
		}
		return inv.cannotPlaceHint(e, dir), true
	case ledger.RefusedNoRemote:
		if len(e.Remotes) > 0 {
			dir := "LEDGER"
			if inv.ledger != "" {
				dir = shellWord(inv.ledger)
			}
			return fmt.Sprintf("run %s, or make %s the ledger's remote: git -C %s remote rename %s %s",
				inv.quoted("sync", "--remote", "URL"), e.Remotes[0], dir, shellWord(e.Remotes[0]), gitstore.RemoteName), true
		}
		return "run " + inv.quoted("sync", "--remote", "URL") + ", or make the ledger with " + inv.quoted("clone", "URL", "DIR"), true
	}
	return "", false
}

// messageFor returns the message of err itself in the command line's words
// where they differ from the library's, and whether they do.
func messageFor(err error) (string, bool) {
	e, ok := err.(*ledger.RefusedError)
	if !ok {
		return "", false
	}
	switch e.Reason {
	case ledger.RefusedDropGiven:
		return fmt.Sprintf("--drop %s, but a text in %s is given", e.Lang, e.Lang), true
	case ledger.RefusedDropAbsent:
		return fmt.Sprintf("--drop %s: %s v%d has no text in %s", e.Lang, e.Document, e.Version, e.Lang), true
	}
	return "", false
}

// errorMessage is err's message as the user sees it: the library's, with
// the parts cmd words itself (messageFor) replaced.
func errorMessage(err error) string {
	msg := err.Error()
	walkErrors(err, func(e error) bool {
		if m, ok := messageFor(e); ok {
			msg = strings.Replace(msg, e.Error(), m, 1)
		}
		return false
	})
	return msg
}

// errorHint is invocation.errorHint for a call that gave no ledger.
func errorHint(err error) string { return invocation{}.errorHint(err) }

// errorHint returns the hint for err: that of the first error in its chain
// (in the order errors.As looks) that either cmd has a hint for (hintFor) or
// that has a Hint method; "" if none has one.
func (inv invocation) errorHint(err error) string {
	var hint string
	walkErrors(err, func(e error) bool {
		if h, ok := inv.hintFor(e); ok {
			hint = h
			return true
		}
		if h, ok := e.(hinter); ok {
			hint = h.Hint()
			return true
		}
		return false
	})
	return hint
}

// walkErrors calls f on err and the errors it wraps, depth first, in the
// order errors.As looks, until f returns true; it reports whether f did.
func walkErrors(err error, f func(error) bool) bool {
	for err != nil {
		if f(err) {
			return true
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if walkErrors(e, f) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
	return false
}
