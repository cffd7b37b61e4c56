package ledger

import (
	"fmt"

	"golang.org/x/crypto/ssh"
	"golang.org/x/mod/sumdb/note"

	"github.com/concord-ledger/concord/ledger/gitstore"
	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/signing"
)

// signCheckpoint signs c as member id with signer.
func signCheckpoint(c *rules.Checkpoint, id string, signer ssh.Signer) ([]byte, error) {
	ns, err := signing.NoteSigner(id, signer)
	if err != nil {
		return nil, err
	}
	return note.Sign(&note.Note{Text: c.Text()}, ns)
}

// CheckpointOptions say who signs a checkpoint.
type CheckpointOptions struct {
	As     string
	Signer ssh.Signer
}

// MakeCheckpoint audits the ledger in dir and, if everything holds, returns
// a checkpoint note of its head signed by opts.As, whose key must be valid
// on the roster now.
func MakeCheckpoint(dir string, opts CheckpointOptions) ([]byte, *rules.Checkpoint, error) {
	l, err := Open(dir)
	if err != nil {
		return nil, nil, err
	}
	if err := l.verifyHead(); err != nil {
		return nil, nil, err
	}
	if err := l.checkSigner(opts.As, opts.Signer); err != nil {
		return nil, nil, err
	}
	c := &rules.Checkpoint{Ledger: l.ID(), Entries: l.Entries(), Head: l.head}
	msg, err := signCheckpoint(c, opts.As, opts.Signer)
	if err != nil {
		return nil, nil, fmt.Errorf("signing the checkpoint: %w", err)
	}
	c.Signers = []string{opts.As}
	return msg, c, nil
}

// verifyHead runs the full audit on l's head.
func (l *Ledger) verifyHead() error {
	rep, err := verifyRepo(l.repo, l.head, VerifyOptions{})
	if err != nil {
		return err
	}
	if !rep.OK() {
		return &UnverifiedError{What: "the ledger", Report: rep}
	}
	return nil
}

// UnverifiedError is returned when a ledger (local, or fetched from a
// remote) fails the audit, so nothing is built on it.
type UnverifiedError struct {
	What   string // "the ledger", "the remote's history"
	Report *Report
}

func (e *UnverifiedError) Error() string {
	return fmt.Sprintf("%s does not verify: %s, the first: %s", e.What, rules.CountNoun(len(e.Report.Problems), "problem", "problems"), e.Report.Problems[0])
}

// InvalidEvidence marks this as tampered evidence (exit status 3).
func (e *UnverifiedError) InvalidEvidence() bool { return true }

// CheckpointFile is a checkpoint note given to Verify, with a name for
// messages (its file name).
type CheckpointFile struct {
	Name string
	Data []byte
}

// checkCheckpoints checks each checkpoint against the history chain (root
// first) that was audited with state st: its signature, its ledger, and
// that its head is in the history at its position; then that every two
// checkpoints lie on one line of history. It returns a report of each
// checkpoint that opened (signatures held, this ledger's) and the
// problems.
func checkCheckpoints(repo *gitstore.Repo, st *rules.State, chain []*gitstore.Commit, files []CheckpointFile) ([]CheckpointReport, []Problem) {
	var problems []Problem
	reports := []CheckpointReport{}
	problem := func(code, format string, args ...any) {
		problems = append(problems, Problem{Code: code, Entry: -1, What: fmt.Sprintf(format, args...)})
	}
	type named struct {
		name string
		*rules.Checkpoint
	}
	var cps []named
	for _, f := range files {
		c, err := rules.OpenCheckpoint(st, f.Data)
		if err != nil {
			problem(CodeCheckpointInvalid, "checkpoint %s: %v", f.Name, err)
			continue
		}
		if c.Ledger != st.ID {
			problem(CodeCheckpointOther, "checkpoint %s is of ledger %s, not this ledger %s", f.Name, c.Ledger, st.ID)
			continue
		}
		cps = append(cps, named{f.Name, c})
		held := c.Entries <= len(chain) && chain[c.Entries-1].ID == c.Head
		r := CheckpointReport{File: f.Name, Head: c.Head, Entry: c.Entries - 1, Signers: []CheckpointSigner{}, Held: held}
		for _, id := range c.Signers {
			s := CheckpointSigner{ID: id}
			if m := st.Members[id]; m != nil {
				s.Name = m.Name
			}
			r.Signers = append(r.Signers, s)
		}
		reports = append(reports, r)
		if !held {
			problem(CodeHistoryRewritten, "history rewritten or rolled back: checkpoint %s (signed by %s) names head %s at entry %d, not in this history",
				f.Name, joinNames(c.Signers), c.Head, c.Entries-1)
		}
	}
	for i := range cps {
		for j := i + 1; j < len(cps); j++ {
			a, b := cps[i], cps[j]
			if a.Entries > b.Entries {
				a, b = b, a
			}
			if split, known := splitView(repo, a.Checkpoint, b.Checkpoint); known && split {
				problem(CodeSplitView, "split view: checkpoints %s (head %s, %d entries, signed by %s) and %s (head %s, %d entries, signed by %s) are not on one line of history",
					a.name, a.Head, a.Entries, joinNames(a.Signers), b.name, b.Head, b.Entries, joinNames(b.Signers))
			}
		}
	}
	return reports, problems
}

// splitView reports whether checkpoints a and b (a with no more entries
// than b) are on different lines of history, and whether that could be
// told: when b's history is in repo, it is split exactly when b's history
// has another commit than a's head at a's position; when it is not, only
// two different heads at the same position tell.
func splitView(repo *gitstore.Repo, a, b *rules.Checkpoint) (split, known bool) {
	if chain, err := repo.FirstParentChain(b.Head); err == nil {
		if len(chain) != b.Entries {
			return true, true // b's head is not at the position b names
		}
		return chain[a.Entries-1].ID != a.Head, true
	}
	if a.Entries == b.Entries {
		return a.Head != b.Head, true
	}
	return false, false
}

func joinNames(names []string) string {
	s := ""
	for i, n := range names {
		if i > 0 {
			s += ", "
		}
		s += n
	}
	return s
}
