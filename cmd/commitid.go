package cmd

import (
	"errors"
	"fmt"
	"strings"

	"github.com/concord-ledger/concord/ledger"
)

// sinceError is a --since commit that is not in the ledger at all: the
// head kept earlier is not in this history (exit status 3), or mistyped.
type sinceError struct{ err error }

func (e *sinceError) Error() string {
	return fmt.Sprintf("--since: %v: the head you kept is not in this ledger's history (rewritten or rolled back), or the id is mistyped", e.err)
}
func (e *sinceError) Unwrap() error         { return e.err }
func (e *sinceError) InvalidEvidence() bool { return true }
func (e *sinceError) Hint() string {
	return "compare with the id you kept; with the full 40-digit id, verify reports the rewrite among its findings"
}

// resolveSince returns the full commit id that --since names, as git takes
// ids (an unambiguous prefix of 7 or more hex digits). A malformed or
// ambiguous id is a usage error (naming the command that prints ids as inv
// calls concord); one that no commit of the ledger starts with is
// *sinceError.
func resolveSince(inv invocation, dir, id string) (string, error) {
	full, err := ledger.ResolveCommit(dir, id)
	var ce *ledger.CommitIDError
	if !errors.As(err, &ce) {
		return full, err
	}
	switch ce.Problem {
	case ledger.CommitIDUnknown:
		return "", &sinceError{err}
	case ledger.CommitIDAmbiguous:
		return "", usagef("--since: %v; give more digits", err)
	}
	return "", usagef("--since %q is not a commit id: give 7 to 40 hex digits, as %s or 'git rev-parse HEAD' prints", id, inv.quoted("log"))
}

// resolveChange returns the pending roster change that id names: the full
// 16-digit id as given, or a prefix of 7 or more hex digits that exactly
// one pending change starts with (as git takes abbreviated ids). A prefix
// that no pending change starts with is passed on as given, for the
// ledger to say what it is; one that several start with is a usage error.
func resolveChange(s *IO, dir, id string) (string, error) {
	if len(id) >= 16 || len(id) < 7 || strings.Trim(id, "0123456789abcdef") != "" {
		return id, nil
	}
	l, err := ledger.OpenWith(dir, s.cache)
	if err != nil {
		return "", err
	}
	defer l.Close()
	var found []string
	for _, p := range l.Roster().Pending {
		if strings.HasPrefix(p.Change, id) {
			found = append(found, p.Change)
		}
	}
	switch len(found) {
	case 0:
		return id, nil
	case 1:
		return found[0], nil
	}
	return "", usagef("change %s is ambiguous: pending changes %s start with it; give more digits", id, strings.Join(found, ", "))
}
