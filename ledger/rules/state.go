package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"

	"golang.org/x/crypto/ssh"

	"github.com/concord-ledger/concord/documents"
	"github.com/concord-ledger/concord/signing"
)

// KeyPeriod is a span of ledger positions in which a member's key counts:
// it may sign entries at positions p with from < p, and p ≤ to unless to is
// 0 (still valid). Positions, never claimed times, decide.
type KeyPeriod struct {
	Key      ssh.PublicKey
	From, To int
}

type MemberState struct {
	Member
	Keys     []KeyPeriod // oldest first; the last is the current key
	Enrolled int
	Revoked  int // entry that revoked the member, 0 if none
}

// KeyAt returns the member's key that may sign an entry at position p.
func (m *MemberState) KeyAt(p int) ssh.PublicKey {
	for _, k := range m.Keys {
		if k.From < p && (k.To == 0 || p <= k.To) {
			return k.Key
		}
	}
	return nil
}

type RosterApproval struct {
	Steward string
	Pos     int
	Key     ssh.PublicKey
}

// ChangeState is a roster change. Once it has taken effect, only its id,
// proposed and effective may be read: a state read from the state cache
// keeps nothing else of it (change is nil, approvals empty).
type ChangeState struct {
	ID        string
	Change    *RosterChange
	Hash      [32]byte
	Proposed  int
	Approvals []RosterApproval
	Effective int // entry where it took effect, 0 while pending
}

type Decision struct {
	Pos       int
	Signatory string
	Decision  signing.Decision
	Key       ssh.PublicKey
	Statement *signing.Statement
	// Late is a decision made after the version was ratified (it arrived
	// from another copy of the ledger): recorded, but ratification is
	// final and it counts for nothing.
	Late bool
	// KeyID (the key's wire bytes) and FP (its fingerprint) are computed
	// once when the decision is applied; see identity.
	KeyID, FP string
}

// Identity returns the decision's key Identity and fingerprint, computing
// them if the decision was built without (a trial decision).
func (d *Decision) Identity() (keyID, fp string) {
	if d.KeyID == "" {
		d.KeyID, d.FP = string(d.Key.Marshal()), signing.Fingerprint(d.Key)
	}
	return d.KeyID, d.FP
}

type VersionState struct {
	V          *Version
	Texts      map[string][]byte // nil when not loaded
	Decisions  []Decision
	Ratified   *Ratified
	Superseded int // entry of the next version, 0 if current
	// count is applyDecision's running count of the decisions, nil until
	// it first needs it (a state read from the cache has none).
	count *tally
}

// tally counts a version's standing as decisions are applied, so that
// checking the rule after each one costs the same for the 200th signatory
// as for the first. It holds what approvalsOf computes from the
// decisions.
type tally struct {
	approving map[string]string // signatory -> key identity, while their latest decision approves
	keys      map[string]int    // key identity -> approving signatories with it
}

// tallyOf returns vs's running count, building it from the decisions
// applied so far the first time.
func (vs *VersionState) tallyOf() *tally {
	if vs.count == nil {
		vs.count = &tally{approving: map[string]string{}, keys: map[string]int{}}
		for i := range vs.Decisions {
			if !vs.Decisions[i].Late {
				vs.count.add(&vs.Decisions[i])
			}
		}
	}
	return vs.count
}

// add counts d, a signatory's new latest decision.
func (t *tally) add(d *Decision) {
	if id, ok := t.approving[d.Signatory]; ok {
		delete(t.approving, d.Signatory)
		if t.keys[id]--; t.keys[id] == 0 {
			delete(t.keys, id)
		}
	}
	if d.Decision == signing.Approve {
		id, _ := d.Identity()
		t.approving[d.Signatory] = id
		t.keys[id]++
	}
}

type DocState struct {
	Doc      *Document
	Versions []*VersionState // versions[i] is version i+1
}

// State is what a ledger says at one position: its roster (with the history
// of every key) and the documents read so far.
type State struct {
	ID          string // ledger id
	Genesis     *Genesis
	Members     map[string]*MemberState
	Order       []string // member ids in enrolment order
	Changes     map[string]*ChangeState
	ChangeOrder []string
	Docs        map[string]*DocState
	Owners      map[string]string // key wire bytes → the member who ever held it
	SigCheck    func(key ssh.PublicKey, namespace string, msg, sig []byte, what string)
	// Parent is the commit id of the entry before the one being applied,
	// set by whoever replays entries (a witness entry must name it).
	Parent string

	// keys memoizes parseKey: a roster key is read when it is proposed,
	// at each approval and when it takes effect, and each read checks its
	// point (tens of µs). Shared by copies of the State; never changed,
	// only added to.
	keys map[string]parsedKey
}

type parsedKey struct {
	key ssh.PublicKey
	err error
}

// parseKey is ParseKey, each distinct key read once per State.
func (st *State) parseKey(s string) (ssh.PublicKey, error) {
	if p, ok := st.keys[s]; ok {
		return p.key, p.err
	}
	k, err := ParseKey(s)
	if st.keys == nil {
		st.keys = map[string]parsedKey{}
	}
	st.keys[s] = parsedKey{k, err}
	return k, err
}

// validateMember is Member.Validate with the key read through parseKey.
func (st *State) validateMember(m *Member) (ssh.PublicKey, error) {
	if err := m.checkFields(); err != nil {
		return nil, err
	}
	return st.parseKey(m.Key)
}

// RuleError is a broken ledger rule found while applying an entry or
// checking its commit. Code is a stable machine-readable name of the rule
// (one of the Code constants, see docs/JSON.md), "" for any other rule.
type RuleError struct{ Path, Msg, Code string }

// Codes of the rules a RuleError names; "" is any other rule.
const (
	CodeCommitUnsigned    = "commit-unsigned"            // the commit carries no signature
	CodeCommitSignature   = "commit-signature-malformed" // its signature cannot be read
	CodeCommitKeyUnknown  = "commit-key-unknown"         // signed by a key the roster never held
	CodeCommitKeyInvalid  = "commit-key-invalid"         // signed by a roster key not valid for this entry at its position
	CodeCommitAuthor      = "commit-author-wrong"        // author or committer is not the entry's actor
	CodeRatificationWrong = "ratification-wrong"         // ratification recorded where the rule is not met, missing where it is, or not the one implied
)

func (e *RuleError) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

func ruleErr(path, format string, args ...any) *RuleError {
	return &RuleError{Path: path, Msg: fmt.Sprintf(format, args...)}
}

// ratErr is a RuleError about a version's ratification.
func ratErr(path, format string, args ...any) *RuleError {
	return &RuleError{Path: path, Msg: fmt.Sprintf(format, args...), Code: CodeRatificationWrong}
}

func NewState() *State {
	return &State{Members: map[string]*MemberState{}, Changes: map[string]*ChangeState{}, Docs: map[string]*DocState{}, Owners: map[string]string{}}
}

func (st *State) checkSig(key ssh.PublicKey, ns string, msg, sig []byte, what string) {
	if st.SigCheck != nil {
		st.SigCheck(key, ns, msg, sig, what)
	}
}

// ApplyGenesis founds the state.
func (st *State) ApplyGenesis(raw []byte) []error {
	var g Genesis
	if err := DecodeJSON(raw, &g); err != nil {
		return []error{ruleErr(GenesisPath, "%v", err)}
	}
	sum := sha256.Sum256(raw)
	st.ID = hex.EncodeToString(sum[:])
	st.Genesis = &g
	var errs []error
	if g.Format != FormatVersion {
		errs = append(errs, ruleErr(GenesisPath, "format %q is not %q", g.Format, FormatVersion))
	}
	if err := CheckField("title", g.Title, 300); err != nil {
		errs = append(errs, ruleErr(GenesisPath, "%v", err))
	}
	if len(g.Stewards) == 0 || g.Threshold < 1 || g.Threshold > len(g.Stewards) {
		errs = append(errs, ruleErr(GenesisPath, "threshold %d does not fit %d stewards", g.Threshold, len(g.Stewards)))
	}
	for i := range g.Stewards {
		m := g.Stewards[i]
		if !m.Steward {
			errs = append(errs, ruleErr(GenesisPath, "founding member %s is not marked as a steward", m.ID))
		}
		if err := st.enrol(m, 0, GenesisPath); err != nil {
			errs = append(errs, err)
		}
	}
	if !slices.ContainsFunc(g.Stewards, func(m Member) bool { return m.ID == g.Founder }) {
		errs = append(errs, ruleErr(GenesisPath, "founder %q is not a founding steward", g.Founder))
	}
	return errs
}

// enrol adds m, effective at entry p.
func (st *State) enrol(m Member, p int, path string) error {
	key, err := st.validateMember(&m)
	if err != nil {
		return ruleErr(path, "%v", err)
	}
	if _, ok := st.Members[m.ID]; ok {
		return ruleErr(path, "member %s is already on the roster", m.ID)
	}
	if other := st.KeyOwner(key); other != "" {
		return ruleErr(path, "key %s is already enrolled for %s", signing.Fingerprint(key), other)
	}
	st.Members[m.ID] = &MemberState{Member: m, Keys: []KeyPeriod{{Key: key, From: p}}, Enrolled: p}
	st.Owners[string(key.Marshal())] = m.ID
	st.Order = append(st.Order, m.ID)
	return nil
}

// KeyOwner returns the member who has ever held key, or "".
func (st *State) KeyOwner(key ssh.PublicKey) string {
	return st.Owners[string(key.Marshal())]
}

// StewardCount is the number of stewards not revoked.
func (st *State) StewardCount() int {
	n := 0
	for _, m := range st.Members {
		if m.Steward && m.Revoked == 0 {
			n++
		}
	}
	return n
}

// ActiveKey returns the key member id may sign an entry at position p
// with, or an error saying why there is none.
func (st *State) ActiveKey(id string, p int) (ssh.PublicKey, error) {
	m, ok := st.Members[id]
	if !ok {
		return nil, fmt.Errorf("%s is not on the roster", id)
	}
	if m.Revoked != 0 && p > m.Revoked {
		return nil, fmt.Errorf("%s was revoked at entry %d", id, m.Revoked)
	}
	k := m.KeyAt(p)
	if k == nil {
		return nil, fmt.Errorf("%s has no key valid at entry %d", id, p)
	}
	return k, nil
}

// CheckChange checks that ch could take effect in the current state.
func (st *State) CheckChange(ch *RosterChange, path string) error {
	switch ch.Action {
	case ActionAdd:
		if ch.Member == nil || ch.ID != "" || ch.Key != "" {
			return ruleErr(path, "an add names the new member and nothing else")
		}
		key, err := st.validateMember(ch.Member)
		if err != nil {
			return ruleErr(path, "%v", err)
		}
		if _, ok := st.Members[ch.Member.ID]; ok {
			return ruleErr(path, "member %s is already on the roster", ch.Member.ID)
		}
		if other := st.KeyOwner(key); other != "" {
			return ruleErr(path, "key %s is already enrolled for %s", signing.Fingerprint(key), other)
		}
	case ActionRotate, ActionRevoke:
		if ch.Member != nil {
			return ruleErr(path, "a %s names a member id, not a member", ch.Action)
		}
		m, ok := st.Members[ch.ID]
		if !ok {
			return ruleErr(path, "%s is not on the roster", ch.ID)
		}
		if m.Revoked != 0 {
			return ruleErr(path, "%s was revoked at entry %d", ch.ID, m.Revoked)
		}
		if ch.Action == ActionRotate {
			key, err := st.parseKey(ch.Key)
			if err != nil {
				return ruleErr(path, "new key: %v", err)
			}
			if other := st.KeyOwner(key); other != "" {
				return ruleErr(path, "key %s is already enrolled for %s", signing.Fingerprint(key), other)
			}
		} else {
			if ch.Key != "" {
				return ruleErr(path, "a revoke names no key")
			}
			if m.Steward && st.StewardCount()-1 < st.Genesis.Threshold {
				return ruleErr(path, "revoking steward %s would leave fewer stewards than the threshold %d", ch.ID, st.Genesis.Threshold)
			}
		}
	default:
		return ruleErr(path, "unknown roster action %q", ch.Action)
	}
	if ch.Reason != "" {
		if err := CheckField("reason", ch.Reason, 500); err != nil {
			return ruleErr(path, "%v", err)
		}
	}
	return nil
}

// ParseChange parses and checks a change file.
func (st *State) ParseChange(cid string, raw []byte) (*RosterChange, [32]byte, error) {
	path := ChangeFile(cid)
	var ch RosterChange
	if err := DecodeJSON(raw, &ch); err != nil {
		return nil, [32]byte{}, ruleErr(path, "%v", err)
	}
	sum := sha256.Sum256(raw)
	if hex.EncodeToString(sum[:8]) != cid {
		return nil, sum, ruleErr(path, "change id %s is not the start of its SHA-256 %x", cid, sum[:8])
	}
	if ch.Ledger != st.ID {
		return nil, sum, ruleErr(path, "change names ledger %s, not this ledger", ch.Ledger)
	}
	return &ch, sum, nil
}

// ApplyRosterProposal records a proposed change with its proposer's
// approval at entry p.
func (st *State) ApplyRosterProposal(p int, cid string, raw []byte, steward string, stmt, sig []byte) []error {
	path := ChangeFile(cid)
	if _, ok := st.Changes[cid]; ok {
		return []error{ruleErr(path, "change %s exists already", cid)}
	}
	ch, sum, err := st.ParseChange(cid, raw)
	if err != nil {
		return []error{err}
	}
	cs := &ChangeState{ID: cid, Change: ch, Hash: sum, Proposed: p}
	st.Changes[cid] = cs
	st.ChangeOrder = append(st.ChangeOrder, cid)
	var errs []error
	if err := st.CheckChange(ch, path); err != nil {
		errs = append(errs, err)
	}
	if ch.Proposer != steward {
		errs = append(errs, ruleErr(path, "proposer %s did not sign the approval filed with the proposal (%s did)", ch.Proposer, steward))
	}
	return append(errs, st.ApplyRosterApproval(p, cid, steward, stmt, sig)...)
}

// ApplyRosterApproval records steward's approval of change cid at entry p,
// and applies the change if it reaches the threshold.
func (st *State) ApplyRosterApproval(p int, cid, steward string, stmt, sig []byte) []error {
	base := RosterApprovalBase(cid, p, steward)
	cs, ok := st.Changes[cid]
	if !ok {
		return []error{ruleErr(base+StatementSuffix, "approves change %s, which does not exist", cid)}
	}
	if cs.Effective != 0 {
		return []error{ruleErr(base+StatementSuffix, "approves change %s, which took effect at entry %d", cid, cs.Effective)}
	}
	a, err := signing.ParseRosterApproval(stmt)
	if err != nil {
		return []error{ruleErr(base+StatementSuffix, "%v", err)}
	}
	var errs []error
	if a.Ledger != st.ID || a.Change != cid || a.ChangeHash != cs.Hash || a.Steward != steward {
		errs = append(errs, ruleErr(base+StatementSuffix, "statement does not name this ledger, change %s with its hash, and steward %s", cid, steward))
	}
	m, ok := st.Members[steward]
	if !ok || !m.Steward {
		return append(errs, ruleErr(base+StatementSuffix, "%s is not a steward", steward))
	}
	key, err := st.ActiveKey(steward, p)
	if err != nil {
		return append(errs, ruleErr(base+SigSuffix, "%v", err))
	}
	st.checkSig(key, signing.Namespace, stmt, sig, base+SigSuffix)
	for _, prev := range cs.Approvals {
		if prev.Steward == steward || signing.SameKey(prev.Key, key) {
			return append(errs, ruleErr(base+StatementSuffix, "steward %s approved change %s already at entry %d; it counts once", steward, cid, prev.Pos))
		}
	}
	if len(errs) > 0 {
		return errs
	}
	cs.Approvals = append(cs.Approvals, RosterApproval{Steward: steward, Pos: p, Key: key})
	if len(cs.Approvals) >= st.Genesis.Threshold {
		if err := st.CheckChange(cs.Change, ChangeFile(cid)); err != nil {
			return []error{ruleErr(ChangeFile(cid), "reached the threshold at entry %d but cannot take effect: %v", p, err)}
		}
		st.effect(cs, p)
	}
	return nil
}

// effect applies a change that took effect at entry p.
func (st *State) effect(cs *ChangeState, p int) {
	cs.Effective = p
	ch := cs.Change
	switch ch.Action {
	case ActionAdd:
		_ = st.enrol(*ch.Member, p, "") // checked by checkChange
	case ActionRotate:
		m := st.Members[ch.ID]
		key, _ := st.parseKey(ch.Key)
		m.Keys[len(m.Keys)-1].To = p
		m.Keys = append(m.Keys, KeyPeriod{Key: key, From: p})
		st.Owners[string(key.Marshal())] = ch.ID
		m.Key = ch.Key
	case ActionRevoke:
		m := st.Members[ch.ID]
		m.Keys[len(m.Keys)-1].To = p
		m.Revoked = p
	}
}

// checkVersion checks a version's fields and texts.
func (st *State) checkVersion(v *Version, texts map[string][]byte, doc string, n, p int) []error {
	path := VersionFile(doc, n)
	var errs []error
	if v.Ledger != st.ID || v.Document != doc || v.Number != n || v.Entry != p {
		errs = append(errs, ruleErr(path, "version names ledger, document, number or entry other than where it stands (%s v%d, entry %d)", doc, n, p))
	}
	if len(v.Texts) == 0 {
		errs = append(errs, ruleErr(path, "version has no text"))
	}
	if !sort.SliceIsSorted(v.Texts, func(i, j int) bool { return v.Texts[i].Lang < v.Texts[j].Lang }) {
		errs = append(errs, ruleErr(path, "texts are not sorted by language"))
	}
	seen := map[string]bool{}
	for _, t := range v.Texts {
		tp := TextFile(doc, n, t.Lang)
		if seen[t.Lang] {
			errs = append(errs, ruleErr(path, "language %s listed twice", t.Lang))
		}
		seen[t.Lang] = true
		data, ok := texts[t.Lang]
		if !ok {
			errs = append(errs, ruleErr(tp, "text listed in the version is missing"))
			continue
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != t.SHA256 {
			errs = append(errs, ruleErr(tp, "SHA-256 %x does not match the %s recorded in the version", sum, t.SHA256))
		}
		if !documents.IsCanonical(data) {
			errs = append(errs, ruleErr(tp, "text is not in canonical form"))
		}
	}
	for lang := range texts {
		if !seen[lang] {
			errs = append(errs, ruleErr(TextFile(doc, n, lang), "text is not listed in the version"))
		}
	}
	if _, err := st.ActiveKey(v.Author, p); err != nil {
		errs = append(errs, ruleErr(path, "author: %v", err))
	}
	return errs
}

// ApplyPropose records a new document with its first version at entry p.
func (st *State) ApplyPropose(p int, d *Document, v *Version, texts map[string][]byte) []error {
	path := DocFile(d.ID)
	if _, ok := st.Docs[d.ID]; ok {
		return []error{ruleErr(path, "document %s exists already", d.ID)}
	}
	var errs []error
	if d.Ledger != st.ID || d.Entry != p {
		errs = append(errs, ruleErr(path, "document names another ledger or entry than where it stands (entry %d)", p))
	}
	if err := CheckField("title", d.Title, 300); err != nil {
		errs = append(errs, ruleErr(path, "%v", err))
	}
	if err := st.CheckSigners(d, p); err != nil {
		errs = append(errs, ruleErr(path, "%v", err))
	}
	if _, err := st.ActiveKey(d.Proposer, p); err != nil {
		errs = append(errs, ruleErr(path, "proposer: %v", err))
	}
	if d.Proposer != v.Author {
		errs = append(errs, ruleErr(path, "proposer %s is not the version's author %s", d.Proposer, v.Author))
	}
	errs = append(errs, st.checkVersion(v, texts, d.ID, 1, p)...)
	st.Docs[d.ID] = &DocState{Doc: d, Versions: []*VersionState{{V: v, Texts: texts}}}
	return errs
}

// CheckSigners checks the document's signer list and rule against the
// roster as it stood for an entry at position p.
func (st *State) CheckSigners(d *Document, p int) error {
	if len(d.Signers) == 0 {
		return fmt.Errorf("document names no signatories")
	}
	seen := map[string]bool{}
	for _, id := range d.Signers {
		if !signing.ValidID(id) {
			return fmt.Errorf("signatory id %q is not valid", id)
		}
		if seen[id] {
			return fmt.Errorf("signatory %s is listed twice", id)
		}
		seen[id] = true
		m, ok := st.Members[id]
		if !ok {
			return fmt.Errorf("signatory %s is not on the roster", id)
		}
		if m.Revoked != 0 && m.Revoked < p {
			return fmt.Errorf("signatory %s was revoked at entry %d", id, m.Revoked)
		}
	}
	switch d.Rule.Kind {
	case "all":
		if d.Rule.Quorum != 0 {
			return fmt.Errorf("rule all takes no quorum")
		}
	case "quorum":
		if d.Rule.Quorum < 1 || d.Rule.Quorum > len(d.Signers) {
			return fmt.Errorf("quorum %d does not fit %d signatories", d.Rule.Quorum, len(d.Signers))
		}
	default:
		return fmt.Errorf("unknown rule %q", d.Rule.Kind)
	}
	return nil
}

// ApplyAmend records version v of an existing document at entry p.
func (st *State) ApplyAmend(p int, v *Version, texts map[string][]byte) []error {
	ds, ok := st.Docs[v.Document]
	if !ok {
		return []error{ruleErr(VersionFile(v.Document, v.Number), "amends document %s, which does not exist", v.Document)}
	}
	n := len(ds.Versions) + 1
	if v.Number != n {
		return []error{ruleErr(VersionFile(v.Document, v.Number), "version %d follows version %d", v.Number, n-1)}
	}
	errs := st.checkVersion(v, texts, v.Document, n, p)
	if m, ok := st.Members[v.Author]; ok && !m.Steward && !slices.Contains(ds.Doc.Signers, v.Author) {
		errs = append(errs, ruleErr(VersionFile(v.Document, n), "%s is neither a signatory of %s nor a steward, and may not amend it", v.Author, v.Document))
	}
	ds.Versions[n-2].Superseded = p
	ds.Versions = append(ds.Versions, &VersionState{V: v, Texts: texts})
	return errs
}

// ApprovalsOf returns the approvals that count for vs: each required
// signatory's latest decision if it is an approval, and the number of
// distinct keys among them.
func ApprovalsOf(d *Document, vs *VersionState) ([]Approval, int) {
	latest := map[string]Decision{}
	for _, dec := range vs.Decisions {
		if dec.Late {
			continue
		}
		latest[dec.Signatory] = dec
	}
	var out []Approval
	keys := map[string]bool{}
	for _, id := range d.Signers {
		dec, ok := latest[id]
		if !ok || dec.Decision != signing.Approve {
			continue
		}
		keyID, fp := dec.Identity()
		out = append(out, Approval{Signatory: id, Entry: dec.Pos, Key: fp})
		keys[keyID] = true
	}
	return out, len(keys)
}

// RuleMet reports whether approvals by that many signatories, with that
// many distinct keys, meet d's rule.
func RuleMet(d *Document, approvals, distinctKeys int) bool {
	if d.Rule.Kind == "quorum" {
		return distinctKeys >= d.Rule.Quorum
	}
	return approvals == len(d.Signers) && distinctKeys == len(d.Signers)
}

// ApplyDecision records a signatory's decision on a version at entry p;
// ratified is the ratification recorded in the same entry, if any.
func (st *State) ApplyDecision(p int, doc string, n int, who string, stmt, sig []byte, ratified *Ratified) []error {
	base := DecisionBase(doc, n, p, who)
	ds, ok := st.Docs[doc]
	if !ok || n > len(ds.Versions) {
		return []error{ruleErr(base+StatementSuffix, "decision on %s v%d, which does not exist", doc, n)}
	}
	vs := ds.Versions[n-1]
	s, err := signing.ParseStatement(stmt)
	if err != nil {
		return []error{ruleErr(base+StatementSuffix, "%v", err)}
	}
	var errs []error
	if s.Ledger != st.ID || s.Document != doc || s.Version != n || s.Signatory != who {
		errs = append(errs, ruleErr(base+StatementSuffix, "statement is about ledger %.12s…, %s v%d by %s: not the decision it is filed as (%s v%d by %s)", s.Ledger, s.Document, s.Version, s.Signatory, doc, n, who))
	}
	if !SameTexts(s.Texts, vs.V.Texts) {
		errs = append(errs, ruleErr(base+StatementSuffix, "statement's text hashes are not those of %s v%d", doc, n))
	}
	if !slices.Contains(ds.Doc.Signers, who) {
		errs = append(errs, ruleErr(base+StatementSuffix, "%s is not a signatory of %s", who, doc))
	}
	key, err := st.ActiveKey(who, p)
	if err != nil {
		return append(errs, ruleErr(base+SigSuffix, "%v", err))
	}
	st.checkSig(key, signing.Namespace, stmt, sig, base+SigSuffix)
	late := vs.Ratified != nil
	if late && ratified != nil {
		errs = append(errs, ratErr(RatifiedFile(doc, n), "%s v%d was ratified at entry %d already; a later decision records no ratification", doc, n, vs.Ratified.Entry))
	}
	switch conflict, last := vs.DecisionConflict(who, s.Decision); conflict {
	case ConflictApprovedAlready:
		errs = append(errs, ruleErr(base+StatementSuffix, "%s approved %s v%d already at entry %d", who, doc, n, last.Pos))
	case ConflictNoApproval:
		errs = append(errs, ruleErr(base+StatementSuffix, "%s withdraws an approval of %s v%d they have not given", who, doc, n))
	}
	if len(errs) > 0 {
		return errs
	}
	dec := Decision{Pos: p, Signatory: who, Decision: s.Decision, Key: key, Statement: s, Late: late}
	dec.Identity()
	count := vs.tallyOf()
	vs.Decisions = append(vs.Decisions, dec)
	if late {
		return nil // ratification is final
	}
	count.add(&dec)
	met := RuleMet(ds.Doc, len(count.approving), len(count.keys))
	rpath := RatifiedFile(doc, n)
	switch {
	case met && ratified == nil:
		return []error{ratErr(rpath, "%s v%d met its rule (%s) at entry %d, but no ratification was recorded", doc, n, ds.Doc.Rule, p)}
	case !met && ratified != nil:
		return []error{ratErr(rpath, "ratification recorded at entry %d, but the rule %s is not met there (%d of %s approve)", p, ds.Doc.Rule, len(count.approving), CountNoun(len(ds.Doc.Signers), "signatory", "signatories"))}
	case met:
		want := ratificationOf(st.ID, ds.Doc, vs, p)
		if string(EncodeJSON(want)) != string(EncodeJSON(ratified)) {
			return []error{ratErr(rpath, "recorded ratification differs from the one the ledger implies")}
		}
		vs.Ratified = ratified
	}
	return nil
}

func SameTexts(hashes []signing.TextHash, texts []Text) bool {
	if len(hashes) != len(texts) {
		return false
	}
	for i, h := range hashes {
		if h.Lang != texts[i].Lang || hex.EncodeToString(h.SHA256[:]) != texts[i].SHA256 {
			return false
		}
	}
	return true
}

// TextHashes converts a version's texts for a statement.
func TextHashes(v *Version) []signing.TextHash {
	out := make([]signing.TextHash, len(v.Texts))
	for i, t := range v.Texts {
		out[i].Lang = t.Lang
		b, _ := hex.DecodeString(t.SHA256)
		copy(out[i].SHA256[:], b)
	}
	return out
}

// Decision conflicts: why a signatory may not make a decision on a version
// now (VersionState.DecisionConflict).
const (
	ConflictApprovedAlready = "approved-already" // an approval while their latest decision approves
	ConflictNoApproval      = "no-approval"      // a withdrawal of an approval they have not given
)

// LastDecision returns who's latest decision on vs, or nil.
func (vs *VersionState) LastDecision(who string) *Decision {
	var last *Decision
	for i := range vs.Decisions {
		if vs.Decisions[i].Signatory == who {
			last = &vs.Decisions[i]
		}
	}
	return last
}

// DecisionConflict says whether who may make decision d on vs after the
// decisions it holds: "" if they may, else ConflictApprovedAlready (last is
// the approval that stands) or ConflictNoApproval. Every decision applied
// is held to it, and concord asks it before it signs one.
func (vs *VersionState) DecisionConflict(who string, d signing.Decision) (conflict string, last *Decision) {
	last = vs.LastDecision(who)
	switch d {
	case signing.Approve:
		if last != nil && last.Decision == signing.Approve {
			return ConflictApprovedAlready, last
		}
	case signing.Withdraw:
		if last == nil || last.Decision != signing.Approve {
			return ConflictNoApproval, last
		}
	}
	return "", last
}

// ratificationOf is the ratification record of version vs of doc in
// ledger ledgerID, made at entry p, with the approvals that count for it.
func ratificationOf(ledgerID string, doc *Document, vs *VersionState, p int) *Ratified {
	approvals, _ := ApprovalsOf(doc, vs)
	return &Ratified{Ledger: ledgerID, Document: doc.ID, Version: vs.V.Number, Rule: doc.Rule, Entry: p, Approvals: approvals}
}

// AfterDecision says what who's decision d, signed with key at entry p,
// would make of version vs of doc in ledger ledgerID: how many approvals
// would count, and the ratification record the entry must hold with it, or
// nil if the decision would not meet the rule. vs is not changed.
func AfterDecision(ledgerID string, doc *Document, vs *VersionState, p int, who string, d signing.Decision, key ssh.PublicKey) (approvals int, ratification *Ratified) {
	trial := &VersionState{V: vs.V, Decisions: append(slices.Clone(vs.Decisions), Decision{Pos: p, Signatory: who, Decision: d, Key: key})}
	counted, distinct := ApprovalsOf(doc, trial)
	if !RuleMet(doc, len(counted), distinct) {
		return len(counted), nil
	}
	return len(counted), ratificationOf(ledgerID, doc, trial, p)
}
