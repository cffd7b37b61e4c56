package ledger

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/internal/testtool"
	"github.com/concord-ledger/concord/ledger/rules"
)

// stateView is everything of a rules.State a later replay can ask, in a
// comparable form: the encodings saveAccepted keeps, and the report's
// view of the documents.
func stateView(t *testing.T, st *rules.State) string {
	t.Helper()
	docs := map[string]docSnap{}
	for id, ds := range st.Docs {
		docs[id] = docSnapOf(ds)
	}
	d, r := documentsOf(st)
	b, err := json.Marshal(map[string]any{"roster": rosterSnapOf(st), "docs": docs, "documents": d, "ratified": r})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestResumedAuditEqualsFullAudit: for every entry of a ledger with each
// kind of entry (enrolments, a rotation, a revocation, a pending roster
// change, amendments, a withdrawal, quorum and unanimous agreements, a
// witness), an audit resumed from the state kept for that entry reaches
// the same state, the same report and the same problems as an audit of the
// whole history; it replays only the entries after it; and a state kept
// for another head, or a file that does not read back whole, is not used.
func TestResumedAuditEqualsFullAudit(t *testing.T) {
	w := cacheWorld(t)
	if _, err := Witness(w.dir, w.env, "b", w.people["b"].signer); err != nil {
		t.Fatal(err)
	}
	forgeBadSignatures(t, w, "pact", "b") // the last entry: only a signature check refuses it
	repo := w.rawRepo()
	head, err := repo.Head()
	if err != nil {
		t.Fatal(err)
	}
	full, err := verifyRepo(repo, head, VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(full.Problems) == 0 {
		t.Fatal("the forged last entry was not found by the full audit")
	}
	ids := full.chain
	for k := 0; k < len(ids)-1; k++ {
		at, err := verifyRepo(repo, ids[k], VerifyOptions{})
		if err != nil || !at.OK() {
			t.Fatalf("entry %d: %v %v", k, err, at.Problems)
		}
		saveAccepted(repo, ids[k], at.chain, at.state)
		loaded := loadAccepted(repo, ids[k])
		if loaded == nil {
			t.Fatalf("entry %d: the kept state does not load", k)
		}
		if got, want := stateView(t, loaded), stateView(t, at.state); got != want {
			t.Fatalf("entry %d: the state read back differs from the one kept:\n%s\n%s", k, got, want)
		}
		if loadAccepted(repo, ids[k+1]) != nil {
			t.Fatalf("entry %d: the state kept for it was given for entry %d", k, k+1)
		}
		resumed, err := verifyRepo(repo, head, VerifyOptions{resume: loaded, resumeHead: ids[k]})
		if err != nil {
			t.Fatal(err)
		}
		if resumed.resumed != k+1 {
			t.Fatalf("entry %d: the audit took %d entries from the kept state, want %d", k, resumed.resumed, k+1)
		}
		if got, want := stateView(t, resumed.state), stateView(t, full.state); got != want {
			t.Fatalf("resumed after entry %d: another state than the full audit's:\n%s\n%s", k, got, want)
		}
		resumed.Signatures, resumed.resumed, resumed.state = full.Signatures, 0, full.state
		if !reflect.DeepEqual(resumed, full) {
			t.Fatalf("resumed after entry %d: another report:\n%+v\n%+v", k, resumed, full)
		}
	}
	// A file that does not read back whole is not used.
	p := filepath.Join(repo.GitDir(), acceptedStateFile)
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	raw[len(raw)-1] ^= 1
	if err := os.WriteFile(p, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if loadAccepted(repo, ids[len(ids)-2]) != nil {
		t.Fatal("a damaged accepted-state file was used")
	}
}

// TestSyncResumesFromAcceptedState: a clone keeps the state of the head it
// accepted, and the next sync audits only the entries after it (and still
// refuses a forged one among them).
func TestSyncResumesFromAcceptedState(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
	c := w.clone(t, w.dir)
	before := c.head()
	if loadAccepted(c.open().repo, before) == nil {
		t.Fatal("the clone kept no state for the head it accepted")
	}
	w.sign("pact", "a")
	w.sign("pact", "b")
	res := c.mustSync("")
	if res.Fetched != 2 || res.resumed != w.entries()-2 {
		t.Fatalf("sync: %+v; want 2 entries fetched and %d taken from the kept state", res, w.entries()-2)
	}
	if loadAccepted(c.open().repo, c.head()) == nil {
		t.Fatal("the sync kept no state for the head it accepted")
	}
	w.propose("more", []string{"a", "b"}, "all", "en", "More.\n")
	forgeBadSignatures(t, w, "more", "b")
	wantRefused(t, c, "signature")
}

// TestSyncReadsNoHistoryBelowAcceptedHead: a sync walks the history from
// the remote's head and the local one down to the head it accepted last,
// and takes the rest from the history kept with the accepted state: with
// an old entry's commit gone from the clone, a sync still succeeds, where
// one without the kept state (deleted) must read down to it and fails.
func TestSyncReadsNoHistoryBelowAcceptedHead(t *testing.T) {
	git := testtool.Require(t, "git")
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
	c := w.clone(t, w.dir)
	chain, err := c.open().repo.FirstParentIDs(c.head())
	if err != nil {
		t.Fatal(err)
	}
	// The clone's objects loose, as stock git unpacks them, then the
	// commit of entry 1 removed.
	packs, _ := filepath.Glob(filepath.Join(c.dir, "objects", "pack", "*.pack"))
	for _, p := range packs {
		moved := filepath.Join(t.TempDir(), "p.pack")
		if err := os.Rename(p, moved); err != nil {
			t.Fatal(err)
		}
		os.Remove(strings.TrimSuffix(p, ".pack") + ".idx")
		f, err := os.Open(moved)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(git, "--git-dir="+c.dir, "unpack-objects", "-q")
		cmd.Stdin = f
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git unpack-objects: %v\n%s", err, out)
		}
		f.Close()
	}
	gone := filepath.Join(c.dir, "objects", chain[1][:2], chain[1][2:])
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	w.sign("pact", "a")
	res := c.mustSync("")
	if res.Fetched != 1 || res.resumed != len(chain) {
		t.Fatalf("sync: %+v; want 1 entry fetched and %d taken from the kept state", res, len(chain))
	}
	// Without the kept state, the walk reads the whole history.
	if err := os.Remove(filepath.Join(c.dir, acceptedStateFile)); err != nil {
		t.Fatal(err)
	}
	w.sign("pact", "b")
	if _, err := Sync(context.Background(), c.dir, c.env, SyncOptions{}); err == nil {
		t.Fatal("a sync without the kept state read past a missing commit")
	}
}
