package ledger

import (
	"errors"
	"fmt"

	"github.com/concord-ledger/concord/ledger/gitstore"
)

// withOverlays completes the audit of repo at head (rep and err, from
// verifyRepo) with what the repository holds besides the ledger: every
// overlay that changes what stock git shows (refs/replace, grafts, a
// shallow file, HEAD or main pointing elsewhere) is a problem (exit 3),
// any other (another ref, objects read from elsewhere) a note. A head that
// cannot be read because main is symbolic or its commit is missing is
// invalid evidence too, not a failure to read.
func withOverlays(repo *gitstore.Repo, head string, rep *Report, err error) (*Report, error) {
	var problems []Problem
	var notes []string
	for _, o := range repo.Overlays() {
		if o.ChangesGit {
			problems = append(problems, Problem{Code: CodeOverlay, Entry: -1, What: "git overlay: " + o.What})
		} else {
			notes = append(notes, o.What)
		}
	}
	if err != nil {
		if _, rerr := repo.ReadCommit(head); !errors.Is(rerr, gitstore.ErrNotFound) && len(problems) == 0 {
			return nil, err
		} else if rerr != nil {
			problems = append(problems, Problem{Code: CodeHeadUnreadable, Entry: -1, Commit: head, What: fmt.Sprintf("the head commit cannot be read: %v", rerr)})
		}
		rep = newReport(head)
	}
	rep.Problems = append(append([]Problem{}, problems...), rep.Problems...)
	rep.Notes = append(rep.Notes, notes...)
	return rep, nil
}
