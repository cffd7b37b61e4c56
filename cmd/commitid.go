package cmd

import (
	"errors"
	"fmt"

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
// ambiguous id is a usage error; one that no commit of the ledger starts
// with is *sinceError.
func resolveSince(dir, id string) (string, error) {
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
	return "", usagef("--since %q is not a commit id: give 7 to 40 hex digits, as 'concord log' or 'git rev-parse HEAD' prints", id)
}
