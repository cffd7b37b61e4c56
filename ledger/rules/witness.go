package rules

import (
	"fmt"

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
	pp, _ := ParsePath(f)
	if pp.Kind != PathWitness {
		return nil, foreignFile(f, "a ledger")
	}
	if pp.Pos != p {
		return nil, fmt.Errorf("%s names entry %s, but stands at entry %d", f, PosString(pp.Pos), p)
	}
	who, raw := pp.Who, files[f]
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
