package ledger

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/concord-ledger/concord/ledger/gitstore"
	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/signing"
)

// event is one entry read back from the head's tree, placed by the
// position its paths carry.
type event struct {
	pos   int
	apply func(st *rules.State) []error
}

// applyAll applies events in ledger order, checking every statement
// signature they carry: a reader never shows, counts or builds on an
// approval whose signature does not verify. (Commit signatures are checked
// by 'concord verify' and by sync before anything fetched is accepted.)
func applyAll(st *rules.State, events []event) error {
	sort.SliceStable(events, func(i, j int) bool { return events[i].pos < events[j].pos })
	var errs []error
	st.SigCheck = func(key ssh.PublicKey, ns string, msg, sig []byte, what string) {
		if err := signing.Verify(sig, key, ns, msg); err != nil {
			errs = append(errs, fmt.Errorf("%s: signature does not verify: %v", what, err))
		}
	}
	defer func() { st.SigCheck = nil }()
	for _, e := range events {
		errs = append(errs, e.apply(st)...)
	}
	if len(errs) > 0 {
		return &InconsistentError{Errs: errs}
	}
	return nil
}

type signedPair struct {
	pos       int
	who       string
	stmt, sig []byte
}

// readPairs reads the statement and signature files in dir, in position
// order.
func readPairs(repo *gitstore.Repo, head, dir string) ([]signedPair, error) {
	files, err := repo.ReadDir(head, dir)
	if err != nil {
		return nil, err
	}
	byBase := map[string]*signedPair{}
	var out []*signedPair
	for _, f := range files {
		pos, who, ext, ok := rules.ParseSignedName(f.Name)
		if !ok || f.IsDir {
			return nil, &InconsistentError{Errs: []error{fmt.Errorf("%s: unexpected file", path.Join(dir, f.Name))}}
		}
		base := rules.PosString(pos) + "-" + who
		sp := byBase[base]
		if sp == nil {
			sp = &signedPair{pos: pos, who: who}
			byBase[base] = sp
			out = append(out, sp)
		}
		if ext == "statement" {
			sp.stmt = f.Data
		} else {
			sp.sig = f.Data
		}
	}
	res := make([]signedPair, len(out))
	for i, sp := range out {
		res[i] = *sp
	}
	sort.Slice(res, func(i, j int) bool { return res[i].pos < res[j].pos })
	return res, nil
}

// readRoster reads the genesis and the roster's history from the head's
// tree. With a cache, the roster is read from it or filed in it, and key
// is the roster's key there ("" without a cache), under which the
// documents read into the state are filed too.
func readRoster(repo *gitstore.Repo, head string, cache Cache) (st *rules.State, key string, err error) {
	if cache != nil {
		key = rosterCacheKey(repo, head)
	}
	if st := loadRoster(cache, key); st != nil {
		noteState(cache, key, true)
		return st, key, nil
	}
	noteState(cache, key, false)
	st, err = replayRoster(repo, head)
	if err != nil {
		return nil, "", err
	}
	storeRoster(cache, key, st)
	return st, key, nil
}

// genesisState returns the state of head's genesis entry alone.
func genesisState(repo *gitstore.Repo, head string) (*rules.State, error) {
	raw, err := repo.ReadFile(head, rules.GenesisPath)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", rules.GenesisPath, err)
	}
	st := rules.NewState()
	if errs := st.ApplyGenesis(raw); len(errs) > 0 {
		return nil, &InconsistentError{Errs: errs}
	}
	return st, nil
}

// replayRoster is readRoster without the cache.
func replayRoster(repo *gitstore.Repo, head string) (*rules.State, error) {
	st, err := genesisState(repo, head)
	if err != nil {
		return nil, err
	}
	changes, err := repo.List(head, rules.ChangesDir)
	if err != nil {
		return nil, err
	}
	var events []event
	for _, c := range changes {
		cid := c.Name
		craw, err := repo.ReadFile(head, rules.ChangeFile(cid))
		if err != nil {
			return nil, err
		}
		pairs, err := readPairs(repo, head, path.Join(rules.ChangesDir, cid, "approvals"))
		if err != nil {
			return nil, err
		}
		for i, sp := range pairs {
			if i == 0 {
				events = append(events, event{sp.pos, func(st *rules.State) []error {
					return st.ApplyRosterProposal(sp.pos, cid, craw, sp.who, sp.stmt, sp.sig)
				}})
				continue
			}
			events = append(events, event{sp.pos, func(st *rules.State) []error {
				return st.ApplyRosterApproval(sp.pos, cid, sp.who, sp.stmt, sp.sig)
			}})
		}
	}
	if err := applyAll(st, events); err != nil {
		return nil, err
	}
	return st, nil
}

// loadDoc reads one document with all its versions and decisions from the
// head's tree into l's state, replaying them in ledger order (or reading
// them from l's cache).
func (l *Ledger) loadDoc(id string) (*rules.DocState, error) {
	st := l.st
	if ds, ok := st.Docs[id]; ok {
		return ds, nil
	}
	key := docCacheKey(l.cache, l.rosterKey, l.repo, l.head, id)
	if ds := loadDocCache(l.cache, key); ds != nil {
		noteState(l.cache, key, true)
		st.Docs[id] = ds
		return ds, nil
	}
	noteState(l.cache, key, false)
	ds, err := replayDoc(st, l.repo, l.head, id)
	if err == nil {
		storeDoc(l.cache, key, ds)
	}
	return ds, err
}

// replayDoc is loadDoc without the cache.
func replayDoc(st *rules.State, repo *gitstore.Repo, head, id string) (*rules.DocState, error) {
	raw, err := repo.ReadFile(head, rules.DocFile(id))
	if errors.Is(err, gitstore.ErrNotFound) {
		return nil, refusedFor(RefusedNoSuchDocument, RefusedError{Document: id}, "no document %q in this ledger", id)
	}
	if err != nil {
		return nil, err
	}
	var d rules.Document
	if err := rules.DecodeJSON(raw, &d); err != nil {
		return nil, &InconsistentError{Errs: []error{fmt.Errorf("%s: %v", rules.DocFile(id), err)}}
	}
	if d.ID != id {
		return nil, &InconsistentError{Errs: []error{fmt.Errorf("%s: names document %q, not the folder it is in", rules.DocFile(id), d.ID)}}
	}
	list, err := repo.List(head, path.Join(rules.DocsDir, id))
	if err != nil {
		return nil, err
	}
	var nums []int
	for _, e := range list {
		if n, ok := strings.CutPrefix(e.Name, "v"); ok && e.IsDir {
			num, err := strconv.Atoi(n)
			if err != nil {
				return nil, &InconsistentError{Errs: []error{fmt.Errorf("%s: unexpected folder", path.Join(rules.DocsDir, id, e.Name))}}
			}
			nums = append(nums, num)
		}
	}
	sort.Ints(nums)
	var events []event
	for i, n := range nums {
		if n != i+1 {
			return nil, &InconsistentError{Errs: []error{fmt.Errorf("%s: version %d is missing", rules.DocFile(id), i+1)}}
		}
		v, texts, err := readVersion(repo, head, id, n)
		if err != nil {
			return nil, err
		}
		if v.Document != id || v.Number != n {
			return nil, &InconsistentError{Errs: []error{fmt.Errorf("%s: names %s v%d, not the folder it is in", rules.VersionFile(id, n), v.Document, v.Number)}}
		}
		if n == 1 {
			events = append(events, event{v.Entry, func(st *rules.State) []error { return st.ApplyPropose(v.Entry, &d, v, texts) }})
		} else {
			events = append(events, event{v.Entry, func(st *rules.State) []error { return st.ApplyAmend(v.Entry, v, texts) }})
		}
		var rat *rules.Ratified
		if rraw, err := repo.ReadFile(head, rules.RatifiedFile(id, n)); err == nil {
			rat = new(rules.Ratified)
			if err := rules.DecodeJSON(rraw, rat); err != nil {
				return nil, &InconsistentError{Errs: []error{fmt.Errorf("%s: %v", rules.RatifiedFile(id, n), err)}}
			}
		} else if !errors.Is(err, gitstore.ErrNotFound) {
			return nil, err
		}
		pairs, err := readPairs(repo, head, path.Join(rules.VersionDir(id, n), "decisions"))
		if err != nil {
			return nil, err
		}
		for _, sp := range pairs {
			var r *rules.Ratified
			if rat != nil && rat.Entry == sp.pos {
				r = rat
			}
			events = append(events, event{sp.pos, func(st *rules.State) []error {
				return st.ApplyDecision(sp.pos, id, n, sp.who, sp.stmt, sp.sig, r)
			}})
		}
	}
	// The document is replayed on the roster alone, with no other
	// document in sight, so that what it shows (and what the state cache
	// files) depends on its own folder and the roster only.
	alone := *st
	alone.Docs = map[string]*rules.DocState{}
	if err := applyAll(&alone, events); err != nil {
		return nil, err
	}
	ds := alone.Docs[id]
	if ds == nil || len(ds.Versions) == 0 || len(alone.Docs) != 1 {
		return nil, &InconsistentError{Errs: []error{fmt.Errorf("%s: document has no version", rules.DocFile(id))}}
	}
	st.Docs[id] = ds
	return ds, nil
}

// readVersion reads version n of doc and its texts.
func readVersion(repo *gitstore.Repo, head, doc string, n int) (*rules.Version, map[string][]byte, error) {
	raw, err := repo.ReadFile(head, rules.VersionFile(doc, n))
	if err != nil {
		return nil, nil, err
	}
	var v rules.Version
	if err := rules.DecodeJSON(raw, &v); err != nil {
		return nil, nil, &InconsistentError{Errs: []error{fmt.Errorf("%s: %v", rules.VersionFile(doc, n), err)}}
	}
	texts := map[string][]byte{}
	files, err := repo.ReadDir(head, path.Join(rules.VersionDir(doc, n), "text"))
	if err != nil {
		return nil, nil, err
	}
	for _, f := range files {
		p := path.Join(rules.VersionDir(doc, n), "text", f.Name)
		lang, ok := strings.CutSuffix(f.Name, ".txt")
		if !ok {
			return nil, nil, &InconsistentError{Errs: []error{fmt.Errorf("%s: unexpected file", p)}}
		}
		if f.IsDir {
			return nil, nil, fmt.Errorf("%s: %w", p, gitstore.ErrNotFound)
		}
		texts[lang] = f.Data
	}
	return &v, texts, nil
}
