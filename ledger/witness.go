package ledger

import (
	"fmt"

	"github.com/concord-ledger/concord/ledger/rules"
	"golang.org/x/crypto/ssh"
)

// WitnessResult says what witness wrote.
type WitnessResult struct {
	Witness string `json:"witness"`
	Entry   int    `json:"entry"`  // the witness entry's position
	Commit  string `json:"commit"` // its commit
	// Checkpoint is what the witness signed: the ledger before the entry.
	Checkpoint *rules.Checkpoint `json:"checkpoint"`
	Note       []byte            `json:"-"`
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
	c := &rules.Checkpoint{Ledger: l.ID(), Entries: p, Head: l.head}
	msg, err := signCheckpoint(c, as, signer)
	if err != nil {
		return nil, fmt.Errorf("signing the witness note: %w", err)
	}
	files := map[string][]byte{rules.WitnessFile(p, as): msg}
	l.st.Parent = l.head
	if err := l.verifyEntry(files, as); err != nil {
		return nil, err
	}
	commit, err := l.appendEntry(as, signer, rules.KindWitness, fmt.Sprintf("Witness the head %.12s (%d entries)", l.head, p), files, env.Now())
	if err != nil {
		return nil, err
	}
	c.Signers = []string{as}
	return &WitnessResult{Witness: as, Entry: p, Commit: commit, Checkpoint: c, Note: msg}, nil
}
