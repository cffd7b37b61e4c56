package ledger

import (
	"golang.org/x/crypto/ssh"

	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/signing"
)

// RosterApprovalOptions name a pending roster change and the steward who
// would approve it, with the public key they will sign with.
type RosterApprovalOptions struct {
	Change string
	As     string
	// Key is the public key the steward will sign with. When set, it is
	// checked (enrolled for As, valid for the next entry) before anything
	// is shown or a passphrase asked.
	Key ssh.PublicKey
}

// RosterApprovalPlan is everything a steward must see before approving a
// roster change: what the change does to whom, with which key, proposed by
// whom and why, and how far it is from taking effect.
type RosterApprovalPlan struct {
	dir, head string
	as        string

	Demo   bool   `json:"demo"`
	Change string `json:"change"`
	Action string `json:"action"` // ActionAdd, ActionRotate or ActionRevoke
	// Member is the member the change is about: for add, the record to be
	// enrolled; for rotate and revoke, the member's current record.
	Member rules.Member `json:"member"`
	// Fingerprint is the key the change enrols (add, rotate) or stops
	// counting (revoke); OldFingerprint the key a rotation replaces.
	Fingerprint    string   `json:"fingerprint"`
	OldFingerprint string   `json:"old_fingerprint,omitempty"`
	Proposer       string   `json:"proposer"`
	ProposerName   string   `json:"proposer_name"`
	Proposed       string   `json:"proposed"` // RFC 3339, as the proposer claimed it
	ProposedEntry  int      `json:"proposed_entry"`
	Reason         string   `json:"reason,omitempty"`
	Approvals      []string `json:"approvals"` // stewards who approved so far, in ledger order
	Threshold      int      `json:"threshold"`
	// Effective says this approval makes the change take effect; else
	// Needed more approvals are needed after it.
	Effective bool `json:"effective"`
	Needed    int  `json:"needed"`
	// SignerFingerprint is the key the approval will be signed with, when
	// RosterApprovalOptions.Key was given.
	SignerFingerprint string `json:"signer_fingerprint,omitempty"`
}

// PrepareRosterApproval checks that opts.As may approve opts.Change now
// (a steward, with opts.Key if given, the change pending and not yet
// approved by them, able to take effect) and returns what they approve.
// Nothing is written; Commit writes the approval.
func PrepareRosterApproval(dir string, opts RosterApprovalOptions) (*RosterApprovalPlan, error) {
	l, err := Open(dir)
	if err != nil {
		return nil, err
	}
	defer l.Close()
	m, ok := l.st.Members[opts.As]
	if !ok || !m.Steward || m.Revoked != 0 {
		return nil, refused("only a steward may propose or approve roster changes", "%s is not a steward of this ledger", opts.As)
	}
	if opts.Key != nil {
		if err := l.checkKey(opts.As, opts.Key); err != nil {
			return nil, err
		}
	}
	cs, err := l.pendingChange(opts.Change, opts.As)
	if err != nil {
		return nil, err
	}
	ch := cs.Change
	p := &RosterApprovalPlan{dir: dir, head: l.head, as: opts.As, Demo: l.st.Genesis.Demo, Change: opts.Change,
		Action: ch.Action, Proposer: ch.Proposer, Proposed: ch.Proposed, ProposedEntry: cs.Proposed, Reason: ch.Reason,
		Threshold: l.st.Genesis.Threshold}
	if pm, ok := l.st.Members[ch.Proposer]; ok {
		p.ProposerName = pm.Name
	}
	switch ch.Action {
	case rules.ActionAdd:
		p.Member = *ch.Member
		if k, err := rules.ParseKey(ch.Member.Key); err == nil {
			p.Fingerprint = signing.Fingerprint(k)
		}
	default:
		if sm, ok := l.st.Members[ch.ID]; ok {
			p.Member = sm.Member
			cur := sm.Keys[len(sm.Keys)-1].Key
			p.Fingerprint = signing.Fingerprint(cur)
			if ch.Action == rules.ActionRotate {
				p.OldFingerprint = p.Fingerprint
				if k, err := rules.ParseKey(ch.Key); err == nil {
					p.Fingerprint = signing.Fingerprint(k)
				}
			}
		} else {
			p.Member.ID = ch.ID
		}
	}
	for _, a := range cs.Approvals {
		p.Approvals = append(p.Approvals, a.Steward)
	}
	after := len(p.Approvals) + 1
	p.Effective = after >= p.Threshold
	if !p.Effective {
		p.Needed = p.Threshold - after
	}
	if opts.Key != nil {
		p.SignerFingerprint = signing.Fingerprint(opts.Key)
	}
	return p, nil
}

// Commit signs the approval with signer and appends it. It fails, writing
// nothing, if the ledger moved since the plan was made.
func (p *RosterApprovalPlan) Commit(env Env, signer ssh.Signer) (*RosterResult, error) {
	return approveRosterChange(p.dir, env, p.Change, p.as, signer, p.head)
}
