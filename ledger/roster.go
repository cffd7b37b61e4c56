package ledger

import (
	"encoding/hex"
	"fmt"
	"sort"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/signing"
)

// RosterChangeOptions propose a roster change.
type RosterChangeOptions struct {
	Action string        // ActionAdd, ActionRotate or ActionRevoke
	Member *rules.Member // add
	ID     string        // rotate, revoke
	Key    ssh.PublicKey
	Reason string
	As     string // the proposing steward
	Signer ssh.Signer
}

// RosterResult says what a roster command wrote.
type RosterResult struct {
	Change    string `json:"change"`    // change id
	Entry     int    `json:"entry"`     // position of the new entry
	Commit    string `json:"commit"`    // its commit
	Approvals int    `json:"approvals"` // distinct steward approvals so far
	Threshold int    `json:"threshold"`
	Effective bool   `json:"effective"` // the change took effect with this entry
}

// ProposeRosterChange proposes a change of the roster, approved at once by
// the proposing steward. It takes effect when the threshold of distinct
// stewards has approved it.
func ProposeRosterChange(dir string, env Env, opts RosterChangeOptions) (*RosterResult, error) {
	fields := []field{{name: "reason", value: opts.Reason, max: maxReason, optional: true}}
	if opts.Member != nil {
		fields = append(fields, memberFields(opts.Member)...)
	}
	if opts.Member != nil || opts.Reason != "" {
		if err := checkFields(env.Glyphs, fields...); err != nil {
			return nil, err
		}
	}
	var res *RosterResult
	err := withLock(dir, env, func(l *Ledger) error {
		if err := l.checkSteward(opts.As, opts.Signer); err != nil {
			return err
		}
		now := env.Now()
		ch := &rules.RosterChange{Ledger: l.ID(), Action: opts.Action, ID: opts.ID,
			Reason: opts.Reason, Proposer: opts.As, Proposed: rules.FormatTime(now)}
		if opts.Member != nil {
			m := *opts.Member
			ch.Member = &m
		}
		if opts.Key != nil {
			if opts.Action == rules.ActionAdd {
				ch.Member.Key = rules.KeyString(opts.Key)
			} else {
				ch.Key = rules.KeyString(opts.Key)
			}
		}
		if err := l.st.CheckChange(ch, ""); err != nil {
			return refused("", "%s", err.(*rules.RuleError).Msg)
		}
		if cid, what := pendingConflict(l.st, ch); cid != "" {
			return refusedFor(RefusedPendingConflict, RefusedError{}, "change %s, pending, %s already", cid, what)
		}
		raw := rules.EncodeJSON(ch)
		sum := sha256Sum(raw)
		cid := hex.EncodeToString(sum[:8])
		p := l.entry + 1
		files, err := rosterApprovalFiles(l, cid, sum, opts.As, opts.Signer, p, now)
		if err != nil {
			return err
		}
		files[rules.ChangeFile(cid)] = raw
		if err := l.verifyEntry(files, opts.As); err != nil {
			return err
		}
		summary := fmt.Sprintf("Propose to %s %s (change %s)", ch.Action, ch.Subject(), cid)
		commit, err := l.appendEntry(opts.As, opts.Signer, rules.KindRoster, summary, files, now)
		if err != nil {
			return err
		}
		res = l.rosterResult(cid, p, commit)
		return nil
	})
	return res, err
}

// ApproveRosterChange adds a steward's approval to a pending change.
func ApproveRosterChange(dir string, env Env, change, as string, signer ssh.Signer) (*RosterResult, error) {
	return approveRosterChange(dir, env, change, as, signer, "")
}

// approveRosterChange is ApproveRosterChange; if head is not "", it
// writes nothing unless the ledger's head is still head (what the steward
// was shown).
func approveRosterChange(dir string, env Env, change, as string, signer ssh.Signer, head string) (*RosterResult, error) {
	var res *RosterResult
	err := withLock(dir, env, func(l *Ledger) error {
		if head != "" && l.head != head {
			return fmt.Errorf("the ledger changed while you were reading; nothing was signed, run the command again")
		}
		if err := l.checkSteward(as, signer); err != nil {
			return err
		}
		cs, err := l.pendingChange(change, as)
		if err != nil {
			return err
		}
		now := env.Now()
		p := l.entry + 1
		files, err := rosterApprovalFiles(l, change, cs.Hash, as, signer, p, now)
		if err != nil {
			return err
		}
		if err := l.verifyEntry(files, as); err != nil {
			return err
		}
		summary := fmt.Sprintf("Approve change %s: %s %s", change, cs.Change.Action, cs.Change.Subject())
		commit, err := l.appendEntry(as, signer, rules.KindApprove, summary, files, now)
		if err != nil {
			return err
		}
		res = l.rosterResult(change, p, commit)
		return nil
	})
	return res, err
}

// pendingChange returns change if steward as may approve it now.
func (l *Ledger) pendingChange(change, as string) (*rules.ChangeState, error) {
	cs, ok := l.st.Changes[change]
	if !ok {
		return nil, refusedFor(RefusedNoSuchChange, RefusedError{}, "no roster change %q", change)
	}
	if cs.Effective != 0 {
		return nil, refused("", "change %s took effect at entry %d already", change, cs.Effective)
	}
	for _, a := range cs.Approvals {
		if a.Steward == as {
			return nil, refused("", "%s approved change %s already at entry %d", as, change, a.Pos)
		}
	}
	if len(cs.Approvals)+1 >= l.st.Genesis.Threshold {
		if err := l.st.CheckChange(cs.Change, ""); err != nil {
			return nil, refused("the change can no longer take effect; propose a new one if still needed",
				"change %s cannot take effect: %s", change, err.(*rules.RuleError).Msg)
		}
	}
	return cs, nil
}

func (l *Ledger) rosterResult(cid string, p int, commit string) *RosterResult {
	cs := l.st.Changes[cid]
	return &RosterResult{Change: cid, Entry: p, Commit: commit, Approvals: len(cs.Approvals),
		Threshold: l.st.Genesis.Threshold, Effective: cs.Effective == p}
}

func (l *Ledger) checkSteward(as string, signer ssh.Signer) error {
	m, ok := l.st.Members[as]
	if !ok || !m.Steward || m.Revoked != 0 {
		return refused("only a steward may propose or approve roster changes", "%s is not a steward of this ledger", as)
	}
	return l.checkSigner(as, signer)
}

// rosterApprovalFiles signs steward's approval of change cid for entry p.
func rosterApprovalFiles(l *Ledger, cid string, sum [32]byte, steward string, signer ssh.Signer, p int, now time.Time) (map[string][]byte, error) {
	a := &signing.RosterApproval{Ledger: l.ID(), Change: cid, ChangeHash: sum, Steward: steward, Time: now.UTC().Truncate(time.Second)}
	stmt, err := a.Format()
	if err != nil {
		return nil, err
	}
	sig, err := signing.Sign(signer, signing.Namespace, stmt)
	if err != nil {
		return nil, fmt.Errorf("signing the approval: %w", err)
	}
	base := rules.RosterApprovalBase(cid, p, steward)
	return map[string][]byte{base + rules.StatementSuffix: stmt, base + rules.SigSuffix: sig}, nil
}

// pendingConflict returns a pending change that is about the same member as
// ch or would enrol the same key, and what they share; ("", "") if none.
// A pending change that could no longer take effect does not count.
func pendingConflict(st *rules.State, ch *rules.RosterChange) (cid, what string) {
	key := ch.Key
	if ch.Member != nil {
		key = ch.Member.Key
	}
	for _, id := range st.ChangeOrder {
		cs := st.Changes[id]
		if cs.Effective != 0 || st.CheckChange(cs.Change, "") != nil {
			continue
		}
		if cs.Change.Subject() == ch.Subject() {
			return id, "is about " + ch.Subject()
		}
		other := cs.Change.Key
		if cs.Change.Member != nil {
			other = cs.Change.Member.Key
		}
		if key != "" && other == key {
			k, _ := rules.ParseKey(key)
			return id, fmt.Sprintf("would enrol the same key %s for %s", signing.Fingerprint(k), cs.Change.Subject())
		}
	}
	return "", ""
}

// RosterMember is one member as listed.
type RosterMember struct {
	rules.Member
	Fingerprint string `json:"fingerprint"`
	Enrolled    int    `json:"enrolled"`          // entry
	Revoked     int    `json:"revoked,omitempty"` // entry, 0 if not
	Rotated     []int  `json:"rotated,omitempty"` // entries where the key changed
}

// PendingChange is a roster change waiting for approvals.
type PendingChange struct {
	Change    string              `json:"change"`
	Proposal  *rules.RosterChange `json:"proposal"`
	Approvals []string            `json:"approvals"`
	Threshold int                 `json:"threshold"`
	// Fingerprint is the key the change enrols (add, rotate) or stops
	// counting (revoke).
	Fingerprint string `json:"fingerprint"`
}

// RosterList is the roster at the head.
type RosterList struct {
	Ledger    string          `json:"ledger"`
	Demo      bool            `json:"demo"`
	Threshold int             `json:"threshold"`
	Members   []RosterMember  `json:"members"`
	Pending   []PendingChange `json:"pending"`
}

// Roster lists the roster of the ledger at its head.
func (l *Ledger) Roster() *RosterList {
	out := &RosterList{Ledger: l.ID(), Demo: l.st.Genesis.Demo, Threshold: l.st.Genesis.Threshold}
	for _, id := range l.st.Order {
		m := l.st.Members[id]
		rm := RosterMember{Member: m.Member, Fingerprint: signing.Fingerprint(m.Keys[len(m.Keys)-1].Key), Enrolled: m.Enrolled, Revoked: m.Revoked}
		for _, k := range m.Keys[1:] {
			rm.Rotated = append(rm.Rotated, k.From)
		}
		out.Members = append(out.Members, rm)
	}
	for _, cid := range l.st.ChangeOrder {
		cs := l.st.Changes[cid]
		if cs.Effective != 0 {
			continue
		}
		pc := PendingChange{Change: cid, Proposal: cs.Change, Threshold: l.st.Genesis.Threshold, Fingerprint: changeFingerprint(l.st, cs.Change)}
		for _, a := range cs.Approvals {
			pc.Approvals = append(pc.Approvals, a.Steward)
		}
		out.Pending = append(out.Pending, pc)
	}
	return out
}

// AllowedSigners returns an allowed_signers file (as ssh-keygen -Y verify
// and git read it) listing every key that was ever valid on the roster,
// for the namespaces concord and git.
func (l *Ledger) AllowedSigners() []byte {
	return allowedSigners(l.st)
}

func allowedSigners(st *rules.State) []byte {
	var entries []signing.AllowedSigner
	for _, id := range st.Order {
		for _, k := range st.Members[id].Keys {
			entries = append(entries, signing.AllowedSigner{Principal: id, Key: k.Key,
				Namespaces: []string{signing.Namespace, signing.GitNamespace}})
		}
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].Principal < entries[j].Principal })
	return signing.AllowedSigners(entries)
}

// changeFingerprint is the fingerprint of the key ch enrols (add, rotate)
// or stops counting (revoke), or "" if it names none.
func changeFingerprint(st *rules.State, ch *rules.RosterChange) string {
	key := ch.Key
	switch {
	case ch.Member != nil:
		key = ch.Member.Key
	case ch.Action == rules.ActionRevoke:
		if m, ok := st.Members[ch.ID]; ok && len(m.Keys) > 0 {
			return signing.Fingerprint(m.Keys[len(m.Keys)-1].Key)
		}
	}
	if k, err := rules.ParseKey(key); err == nil {
		return signing.Fingerprint(k)
	}
	return ""
}
