package ledger

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

// keyPeriod is a span of ledger positions in which a member's key counts:
// it may sign entries at positions p with from < p, and p ≤ to unless to is
// 0 (still valid). Positions, never claimed times, decide.
type keyPeriod struct {
	key      ssh.PublicKey
	from, to int
}

type memberState struct {
	Member
	keys     []keyPeriod // oldest first; the last is the current key
	enrolled int
	revoked  int // entry that revoked the member, 0 if none
}

// keyAt returns the member's key that may sign an entry at position p.
func (m *memberState) keyAt(p int) ssh.PublicKey {
	for _, k := range m.keys {
		if k.from < p && (k.to == 0 || p <= k.to) {
			return k.key
		}
	}
	return nil
}

type rosterApproval struct {
	steward string
	pos     int
	key     ssh.PublicKey
}

// changeState is a roster change. Once it has taken effect, only its id,
// proposed and effective may be read: a state read from the state cache
// keeps nothing else of it (change is nil, approvals empty).
type changeState struct {
	id        string
	change    *RosterChange
	hash      [32]byte
	proposed  int
	approvals []rosterApproval
	effective int // entry where it took effect, 0 while pending
}

type decision struct {
	pos       int
	signatory string
	decision  signing.Decision
	key       ssh.PublicKey
	statement *signing.Statement
	// late is a decision made after the version was ratified (it arrived
	// from another copy of the ledger): recorded, but ratification is
	// final and it counts for nothing.
	late bool
	// keyID (the key's wire bytes) and fp (its fingerprint) are computed
	// once when the decision is applied; see identity.
	keyID, fp string
}

// identity returns the decision's key identity and fingerprint, computing
// them if the decision was built without (a trial decision).
func (d *decision) identity() (keyID, fp string) {
	if d.keyID == "" {
		d.keyID, d.fp = string(d.key.Marshal()), signing.Fingerprint(d.key)
	}
	return d.keyID, d.fp
}

type versionState struct {
	v          *Version
	texts      map[string][]byte // nil when not loaded
	decisions  []decision
	ratified   *Ratified
	superseded int // entry of the next version, 0 if current
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
func (vs *versionState) tallyOf() *tally {
	if vs.count == nil {
		vs.count = &tally{approving: map[string]string{}, keys: map[string]int{}}
		for i := range vs.decisions {
			if !vs.decisions[i].late {
				vs.count.add(&vs.decisions[i])
			}
		}
	}
	return vs.count
}

// add counts d, a signatory's new latest decision.
func (t *tally) add(d *decision) {
	if id, ok := t.approving[d.signatory]; ok {
		delete(t.approving, d.signatory)
		if t.keys[id]--; t.keys[id] == 0 {
			delete(t.keys, id)
		}
	}
	if d.decision == signing.Approve {
		id, _ := d.identity()
		t.approving[d.signatory] = id
		t.keys[id]++
	}
}

type docState struct {
	doc      *Document
	versions []*versionState // versions[i] is version i+1
}

// State is what a ledger says at one position: its roster (with the history
// of every key) and the documents read so far.
type State struct {
	ID       string // ledger id
	Genesis  *Genesis
	members  map[string]*memberState
	order    []string // member ids in enrolment order
	changes  map[string]*changeState
	corder   []string
	docs     map[string]*docState
	owners   map[string]string // key wire bytes → the member who ever held it
	sigCheck func(key ssh.PublicKey, namespace string, msg, sig []byte, what string)
	// cacheKey is the state cache's key of the roster this state was read
	// as (see statecache.go), "" once an entry was applied to it or when
	// the cache is off: documents are then neither read from nor filed in
	// the cache.
	cacheKey string
	// parent is the commit id of the entry before the one being applied,
	// set by whoever replays entries (a witness entry must name it).
	parent string
}

// ruleError is a broken ledger rule found while applying an entry.
type ruleError struct{ path, msg string }

func (e *ruleError) Error() string {
	if e.path == "" {
		return e.msg
	}
	return e.path + ": " + e.msg
}

func ruleErr(path, format string, args ...any) *ruleError {
	return &ruleError{path: path, msg: fmt.Sprintf(format, args...)}
}

func newState() *State {
	return &State{members: map[string]*memberState{}, changes: map[string]*changeState{}, docs: map[string]*docState{}, owners: map[string]string{}}
}

func (st *State) checkSig(key ssh.PublicKey, ns string, msg, sig []byte, what string) {
	if st.sigCheck != nil {
		st.sigCheck(key, ns, msg, sig, what)
	}
}

// applyGenesis founds the state.
func (st *State) applyGenesis(raw []byte) []error {
	var g Genesis
	if err := decodeJSON(raw, &g); err != nil {
		return []error{ruleErr(genesisPath, "%v", err)}
	}
	sum := sha256.Sum256(raw)
	st.ID = hex.EncodeToString(sum[:])
	st.Genesis = &g
	var errs []error
	if g.Format != FormatVersion {
		errs = append(errs, ruleErr(genesisPath, "format %q is not %q", g.Format, FormatVersion))
	}
	if err := checkField("title", g.Title, 300); err != nil {
		errs = append(errs, ruleErr(genesisPath, "%v", err))
	}
	if len(g.Stewards) == 0 || g.Threshold < 1 || g.Threshold > len(g.Stewards) {
		errs = append(errs, ruleErr(genesisPath, "threshold %d does not fit %d stewards", g.Threshold, len(g.Stewards)))
	}
	for i := range g.Stewards {
		m := g.Stewards[i]
		if !m.Steward {
			errs = append(errs, ruleErr(genesisPath, "founding member %s is not marked as a steward", m.ID))
		}
		if err := st.enrol(m, 0, genesisPath); err != nil {
			errs = append(errs, err)
		}
	}
	if !slices.ContainsFunc(g.Stewards, func(m Member) bool { return m.ID == g.Founder }) {
		errs = append(errs, ruleErr(genesisPath, "founder %q is not a founding steward", g.Founder))
	}
	return errs
}

// enrol adds m, effective at entry p.
func (st *State) enrol(m Member, p int, path string) error {
	key, err := m.Validate()
	if err != nil {
		return ruleErr(path, "%v", err)
	}
	if _, ok := st.members[m.ID]; ok {
		return ruleErr(path, "member %s is already on the roster", m.ID)
	}
	if other := st.keyOwner(key); other != "" {
		return ruleErr(path, "key %s is already enrolled for %s", signing.Fingerprint(key), other)
	}
	st.members[m.ID] = &memberState{Member: m, keys: []keyPeriod{{key: key, from: p}}, enrolled: p}
	st.owners[string(key.Marshal())] = m.ID
	st.order = append(st.order, m.ID)
	return nil
}

// keyOwner returns the member who has ever held key, or "".
func (st *State) keyOwner(key ssh.PublicKey) string {
	return st.owners[string(key.Marshal())]
}

// stewardCount is the number of stewards not revoked.
func (st *State) stewardCount() int {
	n := 0
	for _, m := range st.members {
		if m.Steward && m.revoked == 0 {
			n++
		}
	}
	return n
}

// activeKey returns the key member id may sign an entry at position p
// with, or an error saying why there is none.
func (st *State) activeKey(id string, p int) (ssh.PublicKey, error) {
	m, ok := st.members[id]
	if !ok {
		return nil, fmt.Errorf("%s is not on the roster", id)
	}
	if m.revoked != 0 && p > m.revoked {
		return nil, fmt.Errorf("%s was revoked at entry %d", id, m.revoked)
	}
	k := m.keyAt(p)
	if k == nil {
		return nil, fmt.Errorf("%s has no key valid at entry %d", id, p)
	}
	return k, nil
}

// checkChange checks that ch could take effect in the current state.
func (st *State) checkChange(ch *RosterChange, path string) error {
	switch ch.Action {
	case ActionAdd:
		if ch.Member == nil || ch.ID != "" || ch.Key != "" {
			return ruleErr(path, "an add names the new member and nothing else")
		}
		key, err := ch.Member.Validate()
		if err != nil {
			return ruleErr(path, "%v", err)
		}
		if _, ok := st.members[ch.Member.ID]; ok {
			return ruleErr(path, "member %s is already on the roster", ch.Member.ID)
		}
		if other := st.keyOwner(key); other != "" {
			return ruleErr(path, "key %s is already enrolled for %s", signing.Fingerprint(key), other)
		}
	case ActionRotate, ActionRevoke:
		if ch.Member != nil {
			return ruleErr(path, "a %s names a member id, not a member", ch.Action)
		}
		m, ok := st.members[ch.ID]
		if !ok {
			return ruleErr(path, "%s is not on the roster", ch.ID)
		}
		if m.revoked != 0 {
			return ruleErr(path, "%s was revoked at entry %d", ch.ID, m.revoked)
		}
		if ch.Action == ActionRotate {
			key, err := parseKey(ch.Key)
			if err != nil {
				return ruleErr(path, "new key: %v", err)
			}
			if other := st.keyOwner(key); other != "" {
				return ruleErr(path, "key %s is already enrolled for %s", signing.Fingerprint(key), other)
			}
		} else {
			if ch.Key != "" {
				return ruleErr(path, "a revoke names no key")
			}
			if m.Steward && st.stewardCount()-1 < st.Genesis.Threshold {
				return ruleErr(path, "revoking steward %s would leave fewer stewards than the threshold %d", ch.ID, st.Genesis.Threshold)
			}
		}
	default:
		return ruleErr(path, "unknown roster action %q", ch.Action)
	}
	if ch.Reason != "" {
		if err := checkField("reason", ch.Reason, 500); err != nil {
			return ruleErr(path, "%v", err)
		}
	}
	return nil
}

// parseChange parses and checks a change file.
func (st *State) parseChange(cid string, raw []byte) (*RosterChange, [32]byte, error) {
	path := changeFile(cid)
	var ch RosterChange
	if err := decodeJSON(raw, &ch); err != nil {
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

// applyRosterProposal records a proposed change with its proposer's
// approval at entry p.
func (st *State) applyRosterProposal(p int, cid string, raw []byte, steward string, stmt, sig []byte) []error {
	path := changeFile(cid)
	if _, ok := st.changes[cid]; ok {
		return []error{ruleErr(path, "change %s exists already", cid)}
	}
	ch, sum, err := st.parseChange(cid, raw)
	if err != nil {
		return []error{err}
	}
	cs := &changeState{id: cid, change: ch, hash: sum, proposed: p}
	st.changes[cid] = cs
	st.corder = append(st.corder, cid)
	var errs []error
	if err := st.checkChange(ch, path); err != nil {
		errs = append(errs, err)
	}
	if ch.Proposer != steward {
		errs = append(errs, ruleErr(path, "proposer %s did not sign the approval filed with the proposal (%s did)", ch.Proposer, steward))
	}
	return append(errs, st.applyRosterApproval(p, cid, steward, stmt, sig)...)
}

// applyRosterApproval records steward's approval of change cid at entry p,
// and applies the change if it reaches the threshold.
func (st *State) applyRosterApproval(p int, cid, steward string, stmt, sig []byte) []error {
	base := rosterApprovalBase(cid, p, steward)
	cs, ok := st.changes[cid]
	if !ok {
		return []error{ruleErr(base+statementSuffix, "approves change %s, which does not exist", cid)}
	}
	if cs.effective != 0 {
		return []error{ruleErr(base+statementSuffix, "approves change %s, which took effect at entry %d", cid, cs.effective)}
	}
	a, err := signing.ParseRosterApproval(stmt)
	if err != nil {
		return []error{ruleErr(base+statementSuffix, "%v", err)}
	}
	var errs []error
	if a.Ledger != st.ID || a.Change != cid || a.ChangeHash != cs.hash || a.Steward != steward {
		errs = append(errs, ruleErr(base+statementSuffix, "statement does not name this ledger, change %s with its hash, and steward %s", cid, steward))
	}
	m, ok := st.members[steward]
	if !ok || !m.Steward {
		return append(errs, ruleErr(base+statementSuffix, "%s is not a steward", steward))
	}
	key, err := st.activeKey(steward, p)
	if err != nil {
		return append(errs, ruleErr(base+sigSuffix, "%v", err))
	}
	st.checkSig(key, signing.Namespace, stmt, sig, base+sigSuffix)
	for _, prev := range cs.approvals {
		if prev.steward == steward || signing.SameKey(prev.key, key) {
			return append(errs, ruleErr(base+statementSuffix, "steward %s approved change %s already at entry %d; it counts once", steward, cid, prev.pos))
		}
	}
	if len(errs) > 0 {
		return errs
	}
	cs.approvals = append(cs.approvals, rosterApproval{steward: steward, pos: p, key: key})
	if len(cs.approvals) >= st.Genesis.Threshold {
		if err := st.checkChange(cs.change, changeFile(cid)); err != nil {
			return []error{ruleErr(changeFile(cid), "reached the threshold at entry %d but cannot take effect: %v", p, err)}
		}
		st.effect(cs, p)
	}
	return nil
}

// effect applies a change that took effect at entry p.
func (st *State) effect(cs *changeState, p int) {
	cs.effective = p
	ch := cs.change
	switch ch.Action {
	case ActionAdd:
		_ = st.enrol(*ch.Member, p, "") // checked by checkChange
	case ActionRotate:
		m := st.members[ch.ID]
		key, _ := parseKey(ch.Key)
		m.keys[len(m.keys)-1].to = p
		m.keys = append(m.keys, keyPeriod{key: key, from: p})
		st.owners[string(key.Marshal())] = ch.ID
		m.Key = ch.Key
	case ActionRevoke:
		m := st.members[ch.ID]
		m.keys[len(m.keys)-1].to = p
		m.revoked = p
	}
}

// checkVersion checks a version's fields and texts.
func (st *State) checkVersion(v *Version, texts map[string][]byte, doc string, n, p int) []error {
	path := versionFile(doc, n)
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
		tp := textFile(doc, n, t.Lang)
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
			errs = append(errs, ruleErr(textFile(doc, n, lang), "text is not listed in the version"))
		}
	}
	if _, err := st.activeKey(v.Author, p); err != nil {
		errs = append(errs, ruleErr(path, "author: %v", err))
	}
	return errs
}

// applyPropose records a new document with its first version at entry p.
func (st *State) applyPropose(p int, d *Document, v *Version, texts map[string][]byte) []error {
	path := docFile(d.ID)
	if _, ok := st.docs[d.ID]; ok {
		return []error{ruleErr(path, "document %s exists already", d.ID)}
	}
	var errs []error
	if d.Ledger != st.ID || d.Entry != p {
		errs = append(errs, ruleErr(path, "document names another ledger or entry than where it stands (entry %d)", p))
	}
	if err := checkField("title", d.Title, 300); err != nil {
		errs = append(errs, ruleErr(path, "%v", err))
	}
	if err := st.checkSigners(d, p); err != nil {
		errs = append(errs, ruleErr(path, "%v", err))
	}
	if _, err := st.activeKey(d.Proposer, p); err != nil {
		errs = append(errs, ruleErr(path, "proposer: %v", err))
	}
	if d.Proposer != v.Author {
		errs = append(errs, ruleErr(path, "proposer %s is not the version's author %s", d.Proposer, v.Author))
	}
	errs = append(errs, st.checkVersion(v, texts, d.ID, 1, p)...)
	st.docs[d.ID] = &docState{doc: d, versions: []*versionState{{v: v, texts: texts}}}
	return errs
}

// checkSigners checks the document's signer list and rule against the
// roster as it stood for an entry at position p.
func (st *State) checkSigners(d *Document, p int) error {
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
		m, ok := st.members[id]
		if !ok {
			return fmt.Errorf("signatory %s is not on the roster", id)
		}
		if m.revoked != 0 && m.revoked < p {
			return fmt.Errorf("signatory %s was revoked at entry %d", id, m.revoked)
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

// applyAmend records version v of an existing document at entry p.
func (st *State) applyAmend(p int, v *Version, texts map[string][]byte) []error {
	ds, ok := st.docs[v.Document]
	if !ok {
		return []error{ruleErr(versionFile(v.Document, v.Number), "amends document %s, which does not exist", v.Document)}
	}
	n := len(ds.versions) + 1
	if v.Number != n {
		return []error{ruleErr(versionFile(v.Document, v.Number), "version %d follows version %d", v.Number, n-1)}
	}
	errs := st.checkVersion(v, texts, v.Document, n, p)
	if m, ok := st.members[v.Author]; ok && !m.Steward && !slices.Contains(ds.doc.Signers, v.Author) {
		errs = append(errs, ruleErr(versionFile(v.Document, n), "%s is neither a signatory of %s nor a steward, and may not amend it", v.Author, v.Document))
	}
	ds.versions[n-2].superseded = p
	ds.versions = append(ds.versions, &versionState{v: v, texts: texts})
	return errs
}

// approvalsOf returns the approvals that count for vs: each required
// signatory's latest decision if it is an approval, and the number of
// distinct keys among them.
func approvalsOf(d *Document, vs *versionState) ([]Approval, int) {
	latest := map[string]decision{}
	for _, dec := range vs.decisions {
		if dec.late {
			continue
		}
		latest[dec.signatory] = dec
	}
	var out []Approval
	keys := map[string]bool{}
	for _, id := range d.Signers {
		dec, ok := latest[id]
		if !ok || dec.decision != signing.Approve {
			continue
		}
		keyID, fp := dec.identity()
		out = append(out, Approval{Signatory: id, Entry: dec.pos, Key: fp})
		keys[keyID] = true
	}
	return out, len(keys)
}

// ruleMet reports whether approvals by that many signatories, with that
// many distinct keys, meet d's rule.
func ruleMet(d *Document, approvals, distinctKeys int) bool {
	if d.Rule.Kind == "quorum" {
		return distinctKeys >= d.Rule.Quorum
	}
	return approvals == len(d.Signers) && distinctKeys == len(d.Signers)
}

// applyDecision records a signatory's decision on a version at entry p;
// ratified is the ratification recorded in the same entry, if any.
func (st *State) applyDecision(p int, doc string, n int, who string, stmt, sig []byte, ratified *Ratified) []error {
	base := decisionBase(doc, n, p, who)
	ds, ok := st.docs[doc]
	if !ok || n > len(ds.versions) {
		return []error{ruleErr(base+statementSuffix, "decision on %s v%d, which does not exist", doc, n)}
	}
	vs := ds.versions[n-1]
	s, err := signing.ParseStatement(stmt)
	if err != nil {
		return []error{ruleErr(base+statementSuffix, "%v", err)}
	}
	var errs []error
	if s.Ledger != st.ID || s.Document != doc || s.Version != n || s.Signatory != who {
		errs = append(errs, ruleErr(base+statementSuffix, "statement is about ledger %.12s…, %s v%d by %s: not the decision it is filed as (%s v%d by %s)", s.Ledger, s.Document, s.Version, s.Signatory, doc, n, who))
	}
	if !sameTexts(s.Texts, vs.v.Texts) {
		errs = append(errs, ruleErr(base+statementSuffix, "statement's text hashes are not those of %s v%d", doc, n))
	}
	if !slices.Contains(ds.doc.Signers, who) {
		errs = append(errs, ruleErr(base+statementSuffix, "%s is not a signatory of %s", who, doc))
	}
	key, err := st.activeKey(who, p)
	if err != nil {
		return append(errs, ruleErr(base+sigSuffix, "%v", err))
	}
	st.checkSig(key, signing.Namespace, stmt, sig, base+sigSuffix)
	late := vs.ratified != nil
	if late && ratified != nil {
		errs = append(errs, ruleErr(ratifiedFile(doc, n), "%s v%d was ratified at entry %d already; a later decision records no ratification", doc, n, vs.ratified.Entry))
	}
	var last *decision
	for i := range vs.decisions {
		if vs.decisions[i].signatory == who {
			last = &vs.decisions[i]
		}
	}
	switch s.Decision {
	case signing.Approve:
		if last != nil && last.decision == signing.Approve {
			errs = append(errs, ruleErr(base+statementSuffix, "%s approved %s v%d already at entry %d", who, doc, n, last.pos))
		}
	case signing.Withdraw:
		if last == nil || last.decision != signing.Approve {
			errs = append(errs, ruleErr(base+statementSuffix, "%s withdraws an approval of %s v%d they have not given", who, doc, n))
		}
	}
	if len(errs) > 0 {
		return errs
	}
	dec := decision{pos: p, signatory: who, decision: s.Decision, key: key, statement: s, late: late}
	dec.identity()
	count := vs.tallyOf()
	vs.decisions = append(vs.decisions, dec)
	if late {
		return nil // ratification is final
	}
	count.add(&dec)
	met := ruleMet(ds.doc, len(count.approving), len(count.keys))
	rpath := ratifiedFile(doc, n)
	switch {
	case met && ratified == nil:
		return []error{ruleErr(rpath, "%s v%d met its rule (%s) at entry %d, but no ratification was recorded", doc, n, ds.doc.Rule, p)}
	case !met && ratified != nil:
		return []error{ruleErr(rpath, "ratification recorded at entry %d, but the rule %s is not met there (%d of %d signatories approve)", p, ds.doc.Rule, len(count.approving), len(ds.doc.Signers))}
	case met:
		approvals, _ := approvalsOf(ds.doc, vs)
		want := &Ratified{Ledger: st.ID, Document: doc, Version: n, Rule: ds.doc.Rule, Entry: p, Approvals: approvals}
		if string(encodeJSON(want)) != string(encodeJSON(ratified)) {
			return []error{ruleErr(rpath, "recorded ratification differs from the one the ledger implies")}
		}
		vs.ratified = ratified
	}
	return nil
}

func sameTexts(hashes []signing.TextHash, texts []Text) bool {
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

// textHashes converts a version's texts for a statement.
func textHashes(v *Version) []signing.TextHash {
	out := make([]signing.TextHash, len(v.Texts))
	for i, t := range v.Texts {
		out[i].Lang = t.Lang
		b, _ := hex.DecodeString(t.SHA256)
		copy(out[i].SHA256[:], b)
	}
	return out
}
