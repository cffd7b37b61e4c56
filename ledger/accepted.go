package ledger

import (
	"bytes"
	"encoding/gob"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/concord-ledger/concord/ledger/gitstore"
	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/ledger/statecache"
)

// The accepted state. When a clone or a sync accepts a head after auditing
// it, it keeps the rules' state at that head in the git folder, beside
// refs/concord/verified, which names the same head. The next sync, when
// the remote still extends that head, starts the audit there: it replays
// and checks the entries after it only, from that state, instead of the
// whole history again (docs/LEDGER.md, "Sync verifies only what is new").
//
// With the state it keeps the history up to that head (the commit ids,
// root first), so that the sync's walks of the history stop there
// (gitstore.Repo.KnowChain) instead of reading every commit again.
//
// The file is as trusted as refs/concord/verified: concord writes both
// only for a head it audited, in this repository. It is read only for the
// head it names, and only when that head is the one verifiedRef names and
// the local branch holds; anything else (absent, another head, a file that
// does not read back whole, another format) is ignored and the sync audits
// the whole history. 'concord verify' never reads it.
const (
	acceptedStateFile   = "concord-accepted-state"
	acceptedStateFormat = "concord accepted state 2"
)

// The file's payload (framed as the state cache's files are:
// statecache.Frame) is two gob values, acceptedHeader then acceptedBody,
// so that the history can be read without the state.
type acceptedHeader struct {
	Format string
	Head   string
	Chain  []string // the history up to Head, root first
}

type acceptedBody struct {
	Roster rosterSnap
	Docs   []docSnap // in document id order
}

// saveAccepted keeps st as the state at head, whose history (root first)
// is chain. A failure only costs the next sync a whole audit, so it is not
// reported.
func saveAccepted(repo *gitstore.Repo, head string, chain []string, st *rules.State) {
	writeAccepted(repo, encodeAccepted(head, chain, st))
}

// encodeAccepted returns the file that keeps st as the state at head, or
// nil. It reads st and nothing else, so that it can run beside the
// writes that accept head (saveAcceptedAsync).
func encodeAccepted(head string, chain []string, st *rules.State) []byte {
	if st == nil || st.Genesis == nil || len(chain) == 0 || chain[len(chain)-1] != head {
		return nil
	}
	b := acceptedBody{Roster: rosterSnapOf(st)}
	ids := make([]string, 0, len(st.Docs))
	for id := range st.Docs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		b.Docs = append(b.Docs, docSnapOf(st.Docs[id]))
	}
	var payload bytes.Buffer
	enc := gob.NewEncoder(&payload)
	if enc.Encode(&acceptedHeader{Format: acceptedStateFormat, Head: head, Chain: chain}) != nil || enc.Encode(&b) != nil {
		return nil
	}
	return statecache.Frame(payload.Bytes())
}

// saveAcceptedAsync runs encodeAccepted on another goroutine; the
// returned finish waits for it and, when write, writes the file (see
// saveAccepted); calls after the first do nothing. st must not change
// meanwhile. The file names its head, so it may be written after
// verifiedRef moves: until then it is not read.
func saveAcceptedAsync(repo *gitstore.Repo, head string, chain []string, st *rules.State) (finish func(write bool)) {
	done := make(chan []byte, 1)
	go func() { done <- encodeAccepted(head, chain, st) }()
	var once sync.Once
	return func(write bool) {
		once.Do(func() {
			if file := <-done; write {
				writeAccepted(repo, file)
			}
		})
	}
}

// writeAccepted writes file, when not nil. It first removes the
// temporary files of writes of it whose process died mid-write
// (atomicfile names them ".NAME.tmp-*"; one holds megabytes): its writers
// are a sync, holding the ledger's lock, and a clone, in the folder it
// creates, so none is another's write under way (at worst that one is
// not kept, and the next sync audits the whole history).
func writeAccepted(repo *gitstore.Repo, file []byte) {
	if file == nil {
		return
	}
	stale, _ := filepath.Glob(filepath.Join(repo.GitDir(), "."+acceptedStateFile+".tmp-*"))
	for _, p := range stale {
		os.Remove(p)
	}
	repo.WriteGitFile(acceptedStateFile, file)
}

// readAccepted opens the file if it is kept for head: its header, and the
// decoder positioned at its body. ok is false otherwise.
func readAccepted(repo *gitstore.Repo, head string) (h acceptedHeader, body *gob.Decoder, ok bool) {
	if head == "" {
		return h, nil, false
	}
	raw, err := repo.ReadGitFile(acceptedStateFile)
	if err != nil {
		return h, nil, false
	}
	payload, ok := statecache.Unframe(raw)
	if !ok {
		return h, nil, false
	}
	dec := gob.NewDecoder(bytes.NewReader(payload))
	if err := dec.Decode(&h); err != nil || h.Format != acceptedStateFormat || h.Head != head ||
		len(h.Chain) == 0 || h.Chain[len(h.Chain)-1] != head {
		return h, nil, false
	}
	return h, dec, true
}

// pendingAccepted is the accepted state of a sync, decoded beside its
// fetch (startAccepted).
type pendingAccepted struct {
	head  string
	state chan *rules.State // nil once taken
}

// startAccepted reads the file when it is kept for the head verifiedRef
// names, gives repo the history kept in it (KnowChain), and decodes the
// state on another goroutine, which reads nothing but the file's bytes.
func startAccepted(repo *gitstore.Repo) *pendingAccepted {
	p := &pendingAccepted{}
	head, err := repo.Ref(verifiedRef)
	if err != nil {
		return p
	}
	h, dec, ok := readAccepted(repo, head)
	if !ok {
		return p
	}
	repo.KnowChain(h.Chain)
	p.head, p.state = head, make(chan *rules.State, 1)
	go func() { p.state <- decodeAccepted(dec) }()
	return p
}

// take returns the state kept for head, or nil: the one decoded beside
// the fetch the first time it is asked for the head it was read for,
// otherwise the file read again (the audit changes the state it is
// given, so each audit needs its own).
func (p *pendingAccepted) take(repo *gitstore.Repo, head string) *rules.State {
	if p.state != nil && head == p.head {
		st := <-p.state
		p.state = nil
		return st
	}
	return loadAccepted(repo, head)
}

// loadAccepted returns the state kept for head, or nil.
func loadAccepted(repo *gitstore.Repo, head string) *rules.State {
	_, dec, ok := readAccepted(repo, head)
	if !ok {
		return nil
	}
	return decodeAccepted(dec)
}

// decodeAccepted decodes the state from the file's body, or nil.
func decodeAccepted(dec *gob.Decoder) *rules.State {
	var s acceptedBody
	if err := dec.Decode(&s); err != nil {
		return nil
	}
	keys := keyParser{}
	st := stateOfRosterSnap(&s.Roster, keys)
	if st == nil {
		return nil
	}
	for i := range s.Docs {
		ds := docStateOf(&s.Docs[i], keys)
		if ds == nil {
			return nil
		}
		if _, dup := st.Docs[ds.Doc.ID]; dup {
			return nil
		}
		st.Docs[ds.Doc.ID] = ds
	}
	return st
}
