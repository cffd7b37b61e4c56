package ledger

import (
	"github.com/concord-ledger/concord/ledger/gitstore"
)

// CommitIDError is an abbreviated commit id that names no one commit of the
// ledger: malformed, unknown or ambiguous (see gitstore.CommitPrefixError).
type CommitIDError = gitstore.CommitPrefixError

// The problems a CommitIDError reports.
const (
	CommitIDMalformed = gitstore.PrefixMalformed
	CommitIDUnknown   = gitstore.PrefixUnknown
	CommitIDAmbiguous = gitstore.PrefixAmbiguous
)

// ResolveCommit returns the full commit id (40 lowercase hex digits) that id
// names in the ledger in dir, as git takes one: the full id (returned as
// given, present or not, so that an audit can report a missing commit), or
// an unambiguous prefix of at least 7 hex digits. Errors: *CommitIDError,
// *NotLedgerError, or an error reading the repository.
func ResolveCommit(dir, id string) (string, error) {
	repo, err := gitstore.Open(dir)
	if err != nil {
		return "", openError(dir, err, "no git repository there")
	}
	defer repo.Close()
	return repo.ResolveCommit(id)
}
