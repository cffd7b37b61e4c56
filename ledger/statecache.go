package ledger

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"

	"github.com/concord-ledger/concord/ledger/gitstore"
	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/signing"
)

// Cache is where readers keep the states they computed, so that the next
// command does not replay them (package statecache keeps them in a
// folder). Get returns the payload filed under a key, or nil; Put files
// one. Both may fail silently: a cache is a memo, never a source of truth.
// A nil Cache turns caching off.
type Cache interface {
	Get(key string) []byte
	Put(key string, payload []byte)
}

// cacheObserver is an optional interface of a Cache: NoteState is told,
// each time a reader looks a state up, whether the cache gave one it could
// use. Tests count hits and misses with it.
type cacheObserver interface{ NoteState(hit bool) }

// noteState tells cache, if it observes, whether a lookup under key hit.
func noteState(cache Cache, key string, hit bool) {
	if o, ok := cache.(cacheObserver); ok && key != "" {
		o.NoteState(hit)
	}
}

// The state cache keeps what readers computed from a ledger's files, so
// that the next command does not replay them: the roster, and each
// document read. It is a memo, never a source of truth:
//
//   - each state is filed under a key that names exactly the bytes it was
//     computed from: the git object ids of the genesis file and of the
//     roster/ folder for the roster, and for a document its folder's id
//     and the roster's key. A changed file changes its folder's id, so a
//     state is never used for files other than its own;
//   - a state is filed only after it was computed with every check a
//     reader makes, statement signatures included;
//   - 'concord verify', and clone and sync where they check what they
//     fetch, never read it: they re-check everything from the repository
//     alone;
//   - it lives in the user's cache folder, never in the ledger, so a ledger
//     fetched or copied from elsewhere brings no state with it;
//   - a file that does not read back whole (its SHA-256 is in its first
//     line) is ignored and removed.
//
// See docs/LEDGER.md, "The state cache".

// stateCacheFormat starts every key. Change it whenever the rules of the
// ledger, the State they build or the encoding below change, so that no
// state computed by other rules is used.
const stateCacheFormat = "concord state cache 2"

// buildIdentity names the code that computes states, for the keys: the
// module version and VCS revision it was built from, and when those do not
// pin the code (a development build, or a modified checkout), the
// executable's path, size and time.
var buildIdentity = sync.OnceValue(func() string {
	var b strings.Builder
	pinned := false
	if bi, ok := debug.ReadBuildInfo(); ok {
		b.WriteString(bi.Main.Path + "@" + bi.Main.Version)
		settings := map[string]string{}
		for _, s := range bi.Settings {
			settings[s.Key] = s.Value
		}
		rev := settings["vcs.revision"]
		fmt.Fprintf(&b, " rev=%s modified=%s", rev, settings["vcs.modified"])
		pinned = (rev != "" && settings["vcs.modified"] == "false") ||
			(bi.Main.Version != "" && bi.Main.Version != "(devel)")
	}
	if !pinned {
		if exe, err := os.Executable(); err == nil {
			if info, err := os.Stat(exe); err == nil {
				fmt.Fprintf(&b, " exe=%s size=%d time=%d", exe, info.Size(), info.ModTime().UnixNano())
			}
		}
	}
	return b.String()
})

// cacheKey hashes the format and parts, each prefixed with its length.
func cacheKey(parts ...string) string {
	h := sha256.New()
	h.Write([]byte(stateCacheFormat))
	id := buildIdentity()
	h.Write([]byte(strconv.Itoa(len(id)) + ":" + id))
	for _, p := range parts {
		h.Write([]byte(strconv.Itoa(len(p)) + ":" + p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// rosterCacheKey returns the key of the roster at head, or "" when the
// cache is off or the files are missing (the caller then reports it).
func rosterCacheKey(repo *gitstore.Repo, head string) string {
	g, err := repo.Hash(head, rules.GenesisPath)
	if err != nil || g == "" {
		return ""
	}
	r, err := repo.Hash(head, path.Dir(rules.ChangesDir))
	if err != nil {
		return ""
	}
	where, err := filepath.Abs(repo.GitDir())
	if err != nil {
		return ""
	}
	return cacheKey("roster", where, g, r)
}

// docCacheKey returns the key of document id at head given the roster's
// key, or "" when there is none (or no cache).
func docCacheKey(cache Cache, rosterKey string, repo *gitstore.Repo, head, id string) string {
	if cache == nil || rosterKey == "" || !signing.ValidID(id) {
		return ""
	}
	h, err := repo.Hash(head, path.Join(rules.DocsDir, id))
	if err != nil || h == "" {
		return ""
	}
	return cacheKey("document", rosterKey, id, h)
}

// fileDecided files document id's state after this process appended a
// decision on it to a ledger read under rosterKey: the state read (from
// the cache or a replay, with every check), with the new decision applied
// by the audit's own rules (verifyEntry) and its signature checked by
// signing.Sign as it was made. This is the state a replay of the new
// head would give, so the next sign does not replay the document's every
// statement again. A decision changes no roster file; if the roster's key
// at the new head differs all the same, nothing is filed.
func (l *Ledger) fileDecided(id, rosterKey string) {
	ds := l.st.Docs[id]
	if l.cache == nil || rosterKey == "" || ds == nil || rosterCacheKey(l.repo, l.head) != rosterKey {
		return
	}
	storeDoc(l.cache, docCacheKey(l.cache, rosterKey, l.repo, l.head, id), ds)
}

// keyParser parses keys in their wire form, each distinct key once.
type keyParser map[string]ssh.PublicKey

func (p keyParser) parse(wire []byte) (ssh.PublicKey, error) {
	if k, ok := p[string(wire)]; ok {
		return k, nil
	}
	k, err := ssh.ParsePublicKey(wire)
	if err != nil {
		return nil, err
	}
	p[string(wire)] = k
	return k, nil
}

// The encodings of states. Keys are kept in their wire form.

type rosterSnap struct {
	ID      string
	Genesis *rules.Genesis
	Members []memberSnap // in enrolment order
	Changes []changeSnap // in proposal order
}

type memberSnap struct {
	Member            rules.Member
	Keys              []keySnap
	Enrolled, Revoked int
}

type keySnap struct {
	Key      []byte
	From, To int
}

type changeSnap struct {
	ID        string
	Change    *rules.RosterChange
	Hash      [32]byte
	Proposed  int
	Approvals []approvalSnap
	Effective int
}

type approvalSnap struct {
	Steward string
	Pos     int
	Key     []byte
}

type docSnap struct {
	Doc      *rules.Document
	Versions []versionSnap
}

type versionSnap struct {
	V          *rules.Version
	Texts      map[string][]byte
	Decisions  []decisionSnap
	Ratified   *rules.Ratified
	Superseded int
}

type decisionSnap struct {
	Pos       int
	Signatory string
	Decision  signing.Decision
	Key       []byte
	Statement *signing.Statement
	Late      bool
	KeyID, FP string
}

func gobEncode(v any) []byte {
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(v); err != nil {
		return nil
	}
	return b.Bytes()
}

// storeRoster files st's roster in cache under key.
func storeRoster(cache Cache, key string, st *rules.State) {
	if cache == nil || key == "" {
		return
	}
	s := rosterSnapOf(st)
	if payload := gobEncode(&s); payload != nil {
		cache.Put(key, payload)
	}
}

// rosterSnapOf returns the encoding of st's roster.
func rosterSnapOf(st *rules.State) rosterSnap {
	s := rosterSnap{ID: st.ID, Genesis: st.Genesis}
	for _, id := range st.Order {
		m := st.Members[id]
		ms := memberSnap{Member: m.Member, Enrolled: m.Enrolled, Revoked: m.Revoked}
		for _, k := range m.Keys {
			ms.Keys = append(ms.Keys, keySnap{Key: k.Key.Marshal(), From: k.From, To: k.To})
		}
		s.Members = append(s.Members, ms)
	}
	for _, cid := range st.ChangeOrder {
		cs := st.Changes[cid]
		if cs.Effective != 0 {
			// A change that took effect is only ever asked whether it
			// exists and when it took effect (see changeState): its
			// content is left out, which halves the cost of a load.
			s.Changes = append(s.Changes, changeSnap{ID: cid, Proposed: cs.Proposed, Effective: cs.Effective})
			continue
		}
		c := changeSnap{ID: cid, Change: cs.Change, Hash: cs.Hash, Proposed: cs.Proposed, Effective: cs.Effective}
		for _, a := range cs.Approvals {
			c.Approvals = append(c.Approvals, approvalSnap{Steward: a.Steward, Pos: a.Pos, Key: a.Key.Marshal()})
		}
		s.Changes = append(s.Changes, c)
	}
	return s
}

// loadRoster returns the roster filed in cache under key, or nil.
func loadRoster(cache Cache, key string) *rules.State {
	if cache == nil || key == "" {
		return nil
	}
	payload := cache.Get(key)
	if payload == nil {
		return nil
	}
	var s rosterSnap
	if err := gob.NewDecoder(bytes.NewReader(payload)).Decode(&s); err != nil {
		return nil
	}
	return stateOfRosterSnap(&s, keyParser{})
}

// stateOfRosterSnap returns the state whose roster s encodes, or nil if s
// is not one rosterSnapOf writes.
func stateOfRosterSnap(s *rosterSnap, keys keyParser) *rules.State {
	if s.Genesis == nil {
		return nil
	}
	st := rules.NewState()
	st.ID, st.Genesis = s.ID, s.Genesis
	parse := keys.parse
	for _, ms := range s.Members {
		m := &rules.MemberState{Member: ms.Member, Enrolled: ms.Enrolled, Revoked: ms.Revoked}
		for _, k := range ms.Keys {
			key, err := parse(k.Key)
			if err != nil {
				return nil
			}
			m.Keys = append(m.Keys, rules.KeyPeriod{Key: key, From: k.From, To: k.To})
			st.Owners[string(k.Key)] = ms.Member.ID
		}
		if len(m.Keys) == 0 {
			return nil
		}
		st.Members[m.ID] = m
		st.Order = append(st.Order, m.ID)
	}
	for _, c := range s.Changes {
		if c.Effective == 0 && c.Change == nil {
			return nil
		}
		cs := &rules.ChangeState{ID: c.ID, Change: c.Change, Hash: c.Hash, Proposed: c.Proposed, Effective: c.Effective}
		for _, a := range c.Approvals {
			key, err := parse(a.Key)
			if err != nil {
				return nil
			}
			cs.Approvals = append(cs.Approvals, rules.RosterApproval{Steward: a.Steward, Pos: a.Pos, Key: key})
		}
		st.Changes[c.ID] = cs
		st.ChangeOrder = append(st.ChangeOrder, c.ID)
	}
	return st
}

// storeDoc files ds in cache under key.
func storeDoc(cache Cache, key string, ds *rules.DocState) {
	if cache == nil || key == "" {
		return
	}
	s := docSnapOf(ds)
	if payload := gobEncode(&s); payload != nil {
		cache.Put(key, payload)
	}
}

// docSnapOf returns the encoding of ds.
func docSnapOf(ds *rules.DocState) docSnap {
	s := docSnap{Doc: ds.Doc}
	for _, vs := range ds.Versions {
		v := versionSnap{V: vs.V, Texts: vs.Texts, Ratified: vs.Ratified, Superseded: vs.Superseded}
		for i := range vs.Decisions {
			d := &vs.Decisions[i]
			keyID, fp := d.Identity()
			v.Decisions = append(v.Decisions, decisionSnap{Pos: d.Pos, Signatory: d.Signatory, Decision: d.Decision,
				Key: []byte(keyID), Statement: d.Statement, Late: d.Late, KeyID: keyID, FP: fp})
		}
		s.Versions = append(s.Versions, v)
	}
	return s
}

// loadDocCache returns the document filed in cache under key, or nil.
func loadDocCache(cache Cache, key string) *rules.DocState {
	if cache == nil || key == "" {
		return nil
	}
	payload := cache.Get(key)
	if payload == nil {
		return nil
	}
	var s docSnap
	if err := gob.NewDecoder(bytes.NewReader(payload)).Decode(&s); err != nil {
		return nil
	}
	return docStateOf(&s, keyParser{})
}

// docStateOf returns the document s encodes, or nil if s is not one
// docSnapOf writes.
func docStateOf(s *docSnap, keys keyParser) *rules.DocState {
	if s.Doc == nil || len(s.Versions) == 0 {
		return nil
	}
	ds := &rules.DocState{Doc: s.Doc}
	parse := keys.parse
	for _, v := range s.Versions {
		if v.V == nil {
			return nil
		}
		vs := &rules.VersionState{V: v.V, Texts: v.Texts, Ratified: v.Ratified, Superseded: v.Superseded}
		if vs.Texts == nil {
			vs.Texts = map[string][]byte{}
		}
		for _, d := range v.Decisions {
			key, err := parse(d.Key)
			if err != nil || d.Statement == nil {
				return nil
			}
			vs.Decisions = append(vs.Decisions, rules.Decision{Pos: d.Pos, Signatory: d.Signatory, Decision: d.Decision,
				Key: key, Statement: d.Statement, Late: d.Late, KeyID: d.KeyID, FP: d.FP})
		}
		ds.Versions = append(ds.Versions, vs)
	}
	return ds
}
