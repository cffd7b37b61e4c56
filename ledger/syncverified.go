package ledger

import "github.com/concord-ledger/concord/ledger/gitstore"

// verifiedRef is the head the last clone or sync accepted after a full
// audit of what it fetched (docs/LEDGER.md, "Sync verifies only what is
// new"). A later sync checks the signatures of the entries after it only;
// the entries up to it are replayed through the rules all the same.
const verifiedRef = "refs/concord/verified"

// acceptedPrefix returns how many entries of the history ids (root first)
// an earlier audit accepted: the position of accepted in ids plus one, or
// 0 when accepted is "" or not in ids. Commit ids name their whole
// history, so an accepted head found in ids accepts every entry before it.
func acceptedPrefix(ids []string, accepted string) int {
	if accepted == "" {
		return 0
	}
	for i, id := range ids {
		if id == accepted {
			return i + 1
		}
	}
	return 0
}

// acceptedHead returns the head recorded in verifiedRef when it may be
// trusted to spare a sync the signatures before it: it must be an entry of
// the local branch's history localChain, which concord moves only to heads
// it checked. Anything else ("" when absent, a commit the branch does not
// hold, a ref that cannot be read) gives "", and the sync checks every
// signature again.
func acceptedHead(repo *gitstore.Repo, localChain []*gitstore.Commit) string {
	id, err := repo.Ref(verifiedRef)
	if err != nil || id == "" || positionAfter(localChain, id) == 0 {
		return ""
	}
	return id
}
