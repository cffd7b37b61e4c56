package ledger

import (
	"fmt"
	"strconv"

	"golang.org/x/crypto/ssh"
	"golang.org/x/mod/sumdb/note"

	"github.com/concord-ledger/concord/signing"
)

// KindWitness is a member's cosignature of the ledger's head: the entry at
// position p adds witnesses/<p>-<id>.note, a checkpoint of the entries
// before it (entries p, head the commit at p-1) signed by the member.
const KindWitness = "witness"

// classifyWitness handles an entry under witnesses/.
func classifyWitness(p int, paths []string, files map[string][]byte) (*Entry, error) {
	if len(paths) != 1 {
		return nil, fmt.Errorf("a witness entry adds one note, not %d files", len(paths))
	}
	f := paths[0]
	m := witnessFileRe.FindStringSubmatch(f)
	if m == nil {
		return nil, foreignFile(f, "a ledger")
	}
	if pos, _ := strconv.Atoi(m[1]); pos != p {
		return nil, fmt.Errorf("%s names entry %s, but stands at entry %d", f, m[1], p)
	}
	who, raw := m[2], files[f]
	return &Entry{Kind: KindWitness, Actor: who, Apply: func(st *State) []error {
		return st.ApplyWitness(p, who, raw)
	}}, nil
}

// ApplyWitness checks who's witness note at entry p: signed by who's key
// valid at p and by no other, naming this ledger, p entries and the parent
// commit st.parent as head.
func (st *State) ApplyWitness(p int, who string, raw []byte) []error {
	path := WitnessFile(p, who)
	key, err := st.ActiveKey(who, p)
	if err != nil {
		return []error{ruleErr(path, "%v", err)}
	}
	v, err := signing.NoteVerifier(who, key)
	if err != nil {
		return []error{ruleErr(path, "%v", err)}
	}
	n, err := note.Open(raw, note.VerifierList(v))
	if err != nil {
		return []error{ruleErr(path, "witness note is not signed by %s's key valid at entry %d: %v", who, p, err)}
	}
	if len(n.Sigs) != 1 || len(n.UnverifiedSigs) != 0 {
		return []error{ruleErr(path, "a witness note carries exactly one signature, its witness's")}
	}
	c, err := ParseCheckpointText(n.Text)
	if err != nil {
		return []error{ruleErr(path, "%v", err)}
	}
	var errs []error
	if c.Ledger != st.ID {
		errs = append(errs, ruleErr(path, "witness note is of ledger %s, not this ledger", c.Ledger))
	}
	if c.Entries != p || c.Head != st.Parent {
		errs = append(errs, ruleErr(path, "witness note names head %s with %d entries, but the entry before it is %s (%d entries)", c.Head, c.Entries, st.Parent, p))
	}
	return errs
}

// WitnessResult says what witness wrote.
type WitnessResult struct {
	Witness string `json:"witness"`
	Entry   int    `json:"entry"`  // the witness entry's position
	Commit  string `json:"commit"` // its commit
	// Checkpoint is what the witness signed: the ledger before the entry.
	Checkpoint *Checkpoint `json:"checkpoint"`
	Note       []byte      `json:"-"`
}

// Witness audits the ledger in dir and, if everything holds, records as's
// cosignature of its head as a new entry.
func Witness(dir string, env Env, as string, signer ssh.Signer) (*WitnessResult, error) {
	var res *WitnessResult
	err := withLock(dir, env, func(l *Ledger) error {
		if err := l.verifyHead(); err != nil {
			return err
		}
		if err := l.checkSigner(as, signer); err != nil {
			return err
		}
		r, err := l.appendWitness(as, signer, env)
		res = r
		return err
	})
	return res, err
}

// appendWitness writes as's witness entry on l's head.
func (l *Ledger) appendWitness(as string, signer ssh.Signer, env Env) (*WitnessResult, error) {
	p := l.entry + 1
	c := &Checkpoint{Ledger: l.ID(), Entries: p, Head: l.head}
	msg, err := signCheckpoint(c, as, signer)
	if err != nil {
		return nil, fmt.Errorf("signing the witness note: %w", err)
	}
	files := map[string][]byte{WitnessFile(p, as): msg}
	l.st.Parent = l.head
	if err := l.verifyEntry(files, as); err != nil {
		return nil, err
	}
	commit, err := l.appendEntry(as, signer, KindWitness, fmt.Sprintf("Witness the head %.12s (%d entries)", l.head, p), files, env.Now())
	if err != nil {
		return nil, err
	}
	c.Signers = []string{as}
	return &WitnessResult{Witness: as, Entry: p, Commit: commit, Checkpoint: c, Note: msg}, nil
}
