package ledger

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"golang.org/x/crypto/ssh"
	"golang.org/x/mod/sumdb/note"

	"github.com/concord-ledger/concord/ledger/gitstore"
	"github.com/concord-ledger/concord/signing"
)

// A checkpoint is a signed note (golang.org/x/mod/sumdb/note) whose text is
// exactly
//
//	concord checkpoint v1
//	ledger <ledger id>
//	entries <number of entries>
//	head <commit id of the last entry>
//
// signed by roster members under their member id. See docs/LEDGER.md,
// "Checkpoints".
const checkpointHeader = "concord checkpoint v1"

var checkpointTextRe = regexp.MustCompile(`\Aconcord checkpoint v1\nledger ([0-9a-f]{64})\nentries ([1-9][0-9]{0,9})\nhead ([0-9a-f]{40})\n\z`)

// Checkpoint is what a checkpoint states: the ledger, how many entries it
// had and its head then.
type Checkpoint struct {
	Ledger  string `json:"ledger"`
	Entries int    `json:"entries"`
	Head    string `json:"head"`
	// Signers are the members whose signatures on the note verified.
	Signers []string `json:"signers,omitempty"`
}

// Text returns the checkpoint's note text.
func (c *Checkpoint) Text() string {
	return fmt.Sprintf("%s\nledger %s\nentries %d\nhead %s\n", checkpointHeader, c.Ledger, c.Entries, c.Head)
}

// parseCheckpointText parses a checkpoint's note text, accepting only the
// exact form Text writes.
func parseCheckpointText(text string) (*Checkpoint, error) {
	m := checkpointTextRe.FindStringSubmatch(text)
	if m == nil {
		return nil, errors.New("not a concord checkpoint (want the lines \"concord checkpoint v1\", \"ledger ID\", \"entries N\", \"head COMMIT\")")
	}
	n, err := strconv.Atoi(m[2])
	if err != nil {
		return nil, fmt.Errorf("entries %q: %w", m[2], err)
	}
	return &Checkpoint{Ledger: m[1], Entries: n, Head: m[3]}, nil
}

// signCheckpoint signs c as member id with signer.
func signCheckpoint(c *Checkpoint, id string, signer ssh.Signer) ([]byte, error) {
	ns, err := signing.NoteSigner(id, signer)
	if err != nil {
		return nil, err
	}
	return note.Sign(&note.Note{Text: c.Text()}, ns)
}

// noteVerifiers returns a verifier for every key ever enrolled on the
// roster, named by its member's id.
func (st *State) noteVerifiers() (note.Verifiers, error) {
	var list []note.Verifier
	for _, id := range st.order {
		for _, k := range st.members[id].keys {
			v, err := signing.NoteVerifier(id, k.key)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
	}
	return note.VerifierList(list...), nil
}

// openCheckpoint checks a checkpoint note's signatures against every key the
// roster ever held and parses its text. At least one signature must verify;
// a signature line by a key the roster never held is refused.
func openCheckpoint(st *State, msg []byte) (*Checkpoint, error) {
	vs, err := st.noteVerifiers()
	if err != nil {
		return nil, err
	}
	n, err := note.Open(msg, vs)
	if err != nil {
		var unverified *note.UnverifiedNoteError
		if errors.As(err, &unverified) {
			return nil, fmt.Errorf("signed by no key on this ledger's roster (%s)", sigNames(unverified.Note.UnverifiedSigs))
		}
		return nil, fmt.Errorf("signed note: %v", err)
	}
	if len(n.UnverifiedSigs) > 0 {
		return nil, fmt.Errorf("also carries signatures by keys not on this ledger's roster (%s)", sigNames(n.UnverifiedSigs))
	}
	c, err := parseCheckpointText(n.Text)
	if err != nil {
		return nil, err
	}
	for _, s := range n.Sigs {
		c.Signers = append(c.Signers, s.Name)
	}
	return c, nil
}

func sigNames(sigs []note.Signature) string {
	s := ""
	for i, sig := range sigs {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s %08x", sig.Name, sig.Hash)
	}
	if s == "" {
		s = "no signature"
	}
	return s
}

// CheckpointOptions say who signs a checkpoint.
type CheckpointOptions struct {
	As     string
	Signer ssh.Signer
}

// MakeCheckpoint audits the ledger in dir and, if everything holds, returns
// a checkpoint note of its head signed by opts.As, whose key must be valid
// on the roster now.
func MakeCheckpoint(dir string, opts CheckpointOptions) ([]byte, *Checkpoint, error) {
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
	c := &Checkpoint{Ledger: l.ID(), Entries: l.Entries(), Head: l.head}
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
	return fmt.Sprintf("%s does not verify: %s, the first: %s", e.What, countNoun(len(e.Report.Problems), "problem", "problems"), e.Report.Problems[0])
}

// Hint points at the audit.
func (e *UnverifiedError) Hint() string { return "run 'concord verify' for the full report" }

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
// checkpoints lie on one line of history.
func checkCheckpoints(repo *gitstore.Repo, st *State, chain []*gitstore.Commit, files []CheckpointFile) []Problem {
	var problems []Problem
	problem := func(format string, args ...any) {
		problems = append(problems, Problem{Entry: -1, What: fmt.Sprintf(format, args...)})
	}
	type named struct {
		name string
		*Checkpoint
	}
	var cps []named
	for _, f := range files {
		c, err := openCheckpoint(st, f.Data)
		if err != nil {
			problem("checkpoint %s: %v", f.Name, err)
			continue
		}
		if c.Ledger != st.ID {
			problem("checkpoint %s is of ledger %s, not this ledger %s", f.Name, c.Ledger, st.ID)
			continue
		}
		cps = append(cps, named{f.Name, c})
		if c.Entries > len(chain) || chain[c.Entries-1].ID != c.Head {
			problem("history rewritten or rolled back: checkpoint %s (signed by %s) names head %s at entry %d, not in this history",
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
				problem("split view: checkpoints %s (head %s, %d entries, signed by %s) and %s (head %s, %d entries, signed by %s) are not on one line of history",
					a.name, a.Head, a.Entries, joinNames(a.Signers), b.name, b.Head, b.Entries, joinNames(b.Signers))
			}
		}
	}
	return problems
}

// splitView reports whether checkpoints a and b (a with no more entries
// than b) are on different lines of history, and whether that could be
// told: when b's history is in repo, it is split exactly when b's history
// has another commit than a's head at a's position; when it is not, only
// two different heads at the same position tell.
func splitView(repo *gitstore.Repo, a, b *Checkpoint) (split, known bool) {
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
