package ledger

import (
	"bytes"
	"encoding/gob"
	"slices"

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
// The file is as trusted as refs/concord/verified: concord writes both
// only for a head it audited, in this repository. It is read only for the
// head it names, and only when that head is the one verifiedRef names and
// the local branch holds; anything else (absent, another head, a file that
// does not read back whole, another format) is ignored and the sync audits
// the whole history. 'concord verify' never reads it.
const (
	acceptedStateFile   = "concord-accepted-state"
	acceptedStateFormat = "concord accepted state 1"
)

// acceptedSnap is the file's payload (gob, framed as the state cache's
// files are: statecache.Frame).
type acceptedSnap struct {
	Format string
	Head   string
	Roster rosterSnap
	Docs   []docSnap // in document id order
}

// saveAccepted keeps st as the state at head. A failure only costs the
// next sync a whole audit, so it is not reported.
func saveAccepted(repo *gitstore.Repo, head string, st *rules.State) {
	if st == nil || st.Genesis == nil {
		return
	}
	s := acceptedSnap{Format: acceptedStateFormat, Head: head, Roster: rosterSnapOf(st)}
	ids := make([]string, 0, len(st.Docs))
	for id := range st.Docs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		s.Docs = append(s.Docs, docSnapOf(st.Docs[id]))
	}
	payload := gobEncode(&s)
	if payload == nil {
		return
	}
	repo.WriteGitFile(acceptedStateFile, statecache.Frame(payload))
}

// loadAccepted returns the state kept for head, or nil.
func loadAccepted(repo *gitstore.Repo, head string) *rules.State {
	if head == "" {
		return nil
	}
	raw, err := repo.ReadGitFile(acceptedStateFile)
	if err != nil {
		return nil
	}
	payload, ok := statecache.Unframe(raw)
	if !ok {
		return nil
	}
	var s acceptedSnap
	if err := gob.NewDecoder(bytes.NewReader(payload)).Decode(&s); err != nil || s.Format != acceptedStateFormat || s.Head != head {
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
