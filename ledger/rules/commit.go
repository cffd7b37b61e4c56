package rules

import (
	"fmt"

	"github.com/concord-ledger/concord/signing"
	"golang.org/x/crypto/ssh"
)

// Commit is what the rules judge of the commit that holds an entry: its
// SSH signature (git's gpgsig header, armored SSHSIG), the payload it
// signs (the commit without that header), and the e-mail fields of its
// author and committer, which must name the entry's actor.
type Commit struct {
	Payload, Signature []byte
	Author, Committer  string
}

// CheckCommit checks that c, the commit of the entry at position p, is
// signed by actor's key valid there (actor "" means whoever's key signed
// it, which must be on the roster), and hands the signature to SigCheck.
// The errors are the rules c breaks, each a *RuleError with its Code.
func (st *State) CheckCommit(c *Commit, actor string, p int) []error {
	var errs []error
	problem := func(code, format string, args ...any) {
		errs = append(errs, &RuleError{Code: code, Msg: fmt.Sprintf(format, args...)})
	}
	if len(c.Signature) == 0 {
		problem(CodeCommitUnsigned, "commit is not signed")
		return errs
	}
	signer, err := signing.SignatureKey(c.Signature)
	if err != nil {
		problem(CodeCommitSignature, "commit signature: %v", err)
		return errs
	}
	if actor == "" {
		if owner := st.KeyOwner(signer); owner != "" {
			actor = owner
		} else {
			problem(CodeCommitKeyUnknown, "commit signed by %s, a key that is not on the roster", signing.Fingerprint(signer))
			return errs
		}
	}
	if c.Author != actor || c.Committer != actor {
		problem(CodeCommitAuthor, "commit names %q as its author and %q as its committer, but the entry is %s's", c.Author, c.Committer, actor)
	}
	var key ssh.PublicKey
	if p == 0 {
		if m, ok := st.Members[actor]; ok {
			key = m.Keys[0].Key
		}
	} else {
		key, err = st.ActiveKey(actor, p)
	}
	if key == nil {
		if owner := st.KeyOwner(signer); owner == "" {
			problem(CodeCommitKeyUnknown, "commit signed by %s, a key that is not on the roster", signing.Fingerprint(signer))
		} else {
			problem(CodeCommitKeyInvalid, "commit signed by %s's key %s, which was not valid at entry %d: %v", owner, signing.Fingerprint(signer), p, err)
		}
		return errs
	}
	if !signing.SameKey(key, signer) {
		if owner := st.KeyOwner(signer); owner == "" {
			problem(CodeCommitKeyUnknown, "commit signed by %s, a key that is not on the roster", signing.Fingerprint(signer))
		} else {
			problem(CodeCommitKeyInvalid, "commit signed by %s (%s's), not by %s's key valid at entry %d", signing.Fingerprint(signer), owner, actor, p)
		}
		return errs
	}
	st.checkSig(key, signing.GitNamespace, c.Payload, c.Signature, "commit signature")
	return errs
}
