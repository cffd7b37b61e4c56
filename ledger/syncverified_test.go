package ledger

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/signing"
)

// These tests hold the incremental sync (docs/LEDGER.md, "Sync verifies
// only what is new") to what a full verify decides: whatever a full
// 'concord verify' of the remote rejects, the sync rejects too.

// forgeBadSignatures appends to w's ledger an approval by who whose
// commit signature does not verify (it was made over another message),
// and everything else right: only a signature check finds it.
func forgeBadSignatures(t *testing.T, w *world, doc, who string) string {
	t.Helper()
	p := w.entries()
	files := w.decisionFiles(doc, 1, p, who, signing.Approve, w.people[who].signer, nil)
	f := w.forger()
	parent := f.head()
	c, err := f.repo.CommitObject(f.commit(parent, files, who, w.people[who].signer, p, rules.KindDecision))
	if err != nil {
		t.Fatal(err)
	}
	c.Message = strings.Replace(c.Message, "forged", "Forged", 1)
	obj := f.repo.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		t.Fatal(err)
	}
	h, err := f.repo.Storer.SetEncodedObject(obj)
	if err != nil {
		t.Fatal(err)
	}
	f.setHead(h)
	return h.String()
}

func verifiedHead(t *testing.T, w *world) string {
	t.Helper()
	l := w.open()
	id, err := l.repo.Ref(verifiedRef)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func setVerified(t *testing.T, w *world, id string) {
	t.Helper()
	ref := filepath.Join(w.dir, filepath.FromSlash(verifiedRef))
	if err := os.MkdirAll(filepath.Dir(ref), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ref, []byte(id+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func wantRefused(t *testing.T, c *world, want string) {
	t.Helper()
	before, marker := c.head(), verifiedHead(t, c)
	_, err := c.sync("")
	var re *RemoteRejectedError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), want) {
		t.Fatalf("sync: %v, want a refusal mentioning %q", err, want)
	}
	if c.head() != before || verifiedHead(t, c) != marker {
		t.Fatalf("a refused sync moved the branch (%s → %s) or the accepted head (%s → %s)", before, c.head(), marker, verifiedHead(t, c))
	}
	c.mustVerify()
}

func TestSyncRecordsAcceptedHead(t *testing.T) {
	r := newWorld(t)
	r.propose("pact", []string{"a", "b", "c"}, "all", "en", "Pact.\n")
	c := r.clone(t, r.dir)
	if got := verifiedHead(t, c); got != r.head() {
		t.Fatalf("after clone the accepted head is %q, want %s", got, r.head())
	}
	accepted := r.head()
	r.sign("pact", "a")
	r.sign("pact", "b")
	res := c.mustSync("")
	if res.Fetched != 2 || verifiedHead(t, c) != r.head() {
		t.Fatalf("sync fetched %d, accepted head %s; want 2 and %s", res.Fetched, verifiedHead(t, c), r.head())
	}
	// From the accepted head, only the new entries' signatures are checked
	// (two approvals: a commit and a statement each), and the verdict is
	// the full audit's.
	full, err := verifyRepo(c.open().repo, r.head(), VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	inc, err := verifyRepo(c.open().repo, r.head(), VerifyOptions{accepted: accepted})
	if err != nil {
		t.Fatal(err)
	}
	if inc.Signatures != 4 || full.Signatures <= inc.Signatures || !inc.OK() || !full.OK() || inc.Entries != full.Entries || inc.Ledger != full.Ledger || fmt.Sprint(inc.Ratified) != fmt.Sprint(full.Ratified) {
		t.Fatalf("incremental audit %+v, full %+v", inc, full)
	}
}

func TestSyncIncrementalRefusesForgedNewEntry(t *testing.T) {
	r := newWorld(t)
	r.propose("pact", []string{"a", "b", "c"}, "all", "en", "Pact.\n")
	r.sign("pact", "a")
	c := r.clone(t, r.dir)
	forgeBadSignatures(t, r, "pact", "b")
	wantProblem(t, r.verify(VerifyOptions{}), "signature does not verify")
	wantRefused(t, c, "signature does not verify")
	// The same with a forged statement signature among the new entries.
	r2 := newWorld(t)
	r2.propose("pact", []string{"a", "b", "c"}, "all", "en", "Pact.\n")
	r2.propose("other", []string{"a", "b"}, "all", "en", "Other.\n")
	c2 := r2.clone(t, r2.dir)
	r2.sign("pact", "a")
	p := r2.entries()
	files := r2.decisionFiles("pact", 1, p, "b", signing.Approve, r2.people["b"].signer, nil)
	other := r2.decisionFiles("other", 1, p, "b", signing.Approve, r2.people["b"].signer, nil)
	files[rules.DecisionBase("pact", 1, p, "b")+rules.SigSuffix] = other[rules.DecisionBase("other", 1, p, "b")+rules.SigSuffix]
	f := r2.forger()
	f.commit(f.head(), files, "b", r2.people["b"].signer, p, rules.KindDecision)
	wantProblem(t, r2.verify(VerifyOptions{}), "signature does not verify")
	wantRefused(t, c2, "signature does not verify")
}

func TestSyncIncrementalRefusesHistoryRewrittenBeforeAcceptedHead(t *testing.T) {
	for _, keepSynced := range []bool{true, false} {
		r := newWorld(t)
		r.propose("pact", []string{"a", "b", "c"}, "all", "en", "Pact.\n")
		r.sign("pact", "a")
		r.sign("pact", "b")
		c := r.clone(t, r.dir)
		// The remote drops b's approval, the head the clone accepted, and
		// puts a forged one in its place (its commit signature does not
		// verify), then a valid entry on top.
		l := r.open()
		head, _ := l.repo.ReadCommit(l.Head())
		r.forger().setHead(plumbing.NewHash(head.Parents[0]))
		forgeBadSignatures(t, r, "pact", "b")
		wantProblem(t, r.verify(VerifyOptions{}), "signature does not verify")
		if keepSynced {
			wantRefused(t, c, "refused the history")
			continue
		}
		// Without the record of the remote's last head, the audit alone
		// must catch it: the accepted head is not in the new history, so
		// every signature is checked.
		if err := os.Remove(filepath.Join(c.dir, filepath.FromSlash(syncedRef))); err != nil {
			t.Fatal(err)
		}
		wantRefused(t, c, "signature does not verify")
	}
}

func TestSyncIgnoresWrongAcceptedHead(t *testing.T) {
	r := newWorld(t)
	r.propose("pact", []string{"a", "b", "c"}, "all", "en", "Pact.\n")
	c := r.clone(t, r.dir)
	r.sign("pact", "a")
	forgeBadSignatures(t, r, "pact", "b")
	forged := r.head()
	r.sign("pact", "c")
	wantProblem(t, r.verify(VerifyOptions{}), "signature does not verify")
	// The local marker names a commit the local branch does not hold: the
	// remote's head, past the forged entry, or the forged entry itself.
	// It is not trusted, and the forged signature is found.
	for _, wrong := range []string{r.head(), forged} {
		setVerified(t, c, wrong)
		wantRefused(t, c, "signature does not verify")
	}
	// The marker is only ever a shortcut: garbage, a missing object or a
	// marker pointing at a blob give a full audit, and a good remote is
	// accepted.
	r2 := newWorld(t)
	r2.propose("pact", []string{"a", "b", "c"}, "all", "en", "Pact.\n")
	c2 := r2.clone(t, r2.dir)
	r2.sign("pact", "a")
	for _, wrong := range []string{"not a commit id", strings.Repeat("0", 40), strings.Repeat("ab", 20)} {
		setVerified(t, c2, wrong)
		if _, err := c2.sync(""); err != nil {
			t.Fatalf("sync with the accepted head %q: %v", wrong, err)
		}
	}
	if verifiedHead(t, c2) != r2.head() {
		t.Fatalf("accepted head %s after sync, want %s", verifiedHead(t, c2), r2.head())
	}
}

// TestAcceptedPrefix pins down what the shortcut trusts: the entries up to
// and including the accepted head, found by id in the history.
func TestAcceptedPrefix(t *testing.T) {
	ids := []string{"a", "b", "c"}
	for accepted, want := range map[string]int{"": 0, "a": 1, "c": 3, "d": 0} {
		if got := acceptedPrefix(ids, accepted); got != want {
			t.Errorf("acceptedPrefix(%q) = %d, want %d", accepted, got, want)
		}
	}
}
