package ledger

import (
	"bytes"
	"compress/zlib"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/concord-ledger/concord/ledger/gitstore"
	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/signing"
)

// Each test tampers with a valid ledger as an attacker with write access to
// the repository could, and checks that verify reports the problem, naming
// what and where.

func TestTamperTextByteChanged(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "We agree to cooperate.\n")
	w.sign("pact", "a")
	f := w.forger()
	p := w.entries()
	f.commit(f.head(), map[string][]byte{rules.TextFile("pact", 1, "en"): []byte("We agree to compete.\n")}, "s1", w.people["s1"].signer, p, rules.KindAmend)
	rep := w.verify(VerifyOptions{})
	wantProblem(t, rep, "documents/pact/v1/text/en.txt: file modified in a later entry: the ledger is append-only")
}

func TestTamperFileDeleted(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "Text.\n")
	res := w.sign("pact", "a")
	f := w.forger()
	base := rules.DecisionBase("pact", 1, res.Entry, "a")
	f.commit(f.head(), map[string][]byte{base + rules.SigSuffix: nil, base + rules.StatementSuffix: nil}, "s1", w.people["s1"].signer, w.entries(), rules.KindDecision)
	wantProblem(t, w.verify(VerifyOptions{}), base+rules.SigSuffix+": file deleted in a later entry")
}

func TestTamperSignatureSwapped(t *testing.T) {
	// a's signature over another document is filed as a's approval of pact.
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
	w.propose("other", []string{"a", "b"}, "all", "en", "Other.\n")
	p := w.entries()
	other := w.decisionFiles("other", 1, p, "a", signing.Approve, w.people["a"].signer, nil)
	swapped := map[string][]byte{}
	for path, data := range other {
		swapped[strings.Replace(path, "documents/other/", "documents/pact/", 1)] = data
	}
	f := w.forger()
	f.commit(f.head(), swapped, "a", w.people["a"].signer, p, rules.KindDecision)
	wantProblem(t, w.verify(VerifyOptions{}), "not the decision it is filed as")
}

func TestTamperSignatureOverOtherStatement(t *testing.T) {
	// The statement is right, but the signature beside it is over another one.
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
	w.propose("other", []string{"a", "b"}, "all", "en", "Other.\n")
	p := w.entries()
	files := w.decisionFiles("pact", 1, p, "a", signing.Approve, w.people["a"].signer, nil)
	other := w.decisionFiles("other", 1, p, "a", signing.Approve, w.people["a"].signer, nil)
	files[rules.DecisionBase("pact", 1, p, "a")+rules.SigSuffix] = other[rules.DecisionBase("other", 1, p, "a")+rules.SigSuffix]
	f := w.forger()
	f.commit(f.head(), files, "a", w.people["a"].signer, p, rules.KindDecision)
	wantProblem(t, w.verify(VerifyOptions{}), "decisions/0000", "signature does not verify")
}

func TestTamperUnenrolledKey(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
	mallory := newPerson(t, "mallory", false)
	p := w.entries()
	files := w.decisionFiles("pact", 1, p, "a", signing.Approve, mallory.signer, nil)
	f := w.forger()
	f.commit(f.head(), files, "a", mallory.signer, p, rules.KindDecision)
	rep := w.verify(VerifyOptions{})
	wantProblem(t, rep, "commit signed by SHA256:", "a key that is not on the roster", "signature does not verify")
	wantCode(t, rep, rules.CodeCommitKeyUnknown)
}

func TestTamperUnsignedCommit(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
	p := w.entries()
	files := w.decisionFiles("pact", 1, p, "a", signing.Approve, w.people["a"].signer, nil)
	f := w.forger()
	f.commit(f.head(), files, "a", nil, p, rules.KindDecision)
	wantProblem(t, w.verify(VerifyOptions{}), "commit is not signed")
}

func TestTamperRevokedKey(t *testing.T) {
	// c signs pact before being revoked (counts) and other after (does not).
	w := newWorld(t)
	w.propose("pact", []string{"a", "c"}, "quorum:1", "en", "Pact.\n")
	w.propose("other", []string{"a", "c"}, "quorum:2", "en", "Other.\n")
	before := w.sign("pact", "c")
	if !before.Ratified {
		t.Fatal("c's approval should ratify pact")
	}
	res, err := ProposeRosterChange(w.dir, w.env, RosterChangeOptions{Action: rules.ActionRevoke, ID: "c", As: "s1", Signer: w.people["s1"].signer})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ApproveRosterChange(w.dir, w.env, res.Change, "s2", w.people["s2"].signer); err != nil {
		t.Fatal(err)
	}
	w.mustVerify() // the approval made before the revocation still counts
	p := w.entries()
	files := w.decisionFiles("other", 1, p, "c", signing.Approve, w.people["c"].signer, nil)
	f := w.forger()
	f.commit(f.head(), files, "c", w.people["c"].signer, p, rules.KindDecision)
	rep := w.verify(VerifyOptions{})
	wantProblem(t, rep, "c was revoked at entry")
	wantCode(t, rep, rules.CodeCommitKeyInvalid)
	for _, pr := range rep.Problems {
		if pr.Entry < p {
			t.Errorf("the approval made before the revocation was flagged: %s", pr)
		}
	}
}

func TestTamperRosterBelowThreshold(t *testing.T) {
	for _, twice := range []bool{false, true} {
		name := "one steward"
		if twice {
			name = "one steward listed twice"
		}
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
			mallory := newPerson(t, "mallory", false)
			// s1 proposes to add mallory; s2 never approves.
			res, err := ProposeRosterChange(w.dir, w.env, RosterChangeOptions{Action: rules.ActionAdd, Member: &mallory.Member, As: "s1", Signer: w.people["s1"].signer})
			if err != nil {
				t.Fatal(err)
			}
			f := w.forger()
			p := w.entries()
			mp := p
			if twice {
				mp = p + 1
			}
			// mallory "signs" as if enrolled (built first: after the forged
			// approval the ledger no longer opens).
			files := w.decisionFiles("pact", 1, mp, "mallory", signing.Approve, mallory.signer, nil)
			if twice {
				// A second approval by s1, filed as if it were another.
				l := w.open()
				dup, err := rosterApprovalFiles(l, res.Change, l.st.Changes[res.Change].Hash, "s1", w.people["s1"].signer, p, w.env.Now())
				if err != nil {
					t.Fatal(err)
				}
				f.commit(f.head(), dup, "s1", w.people["s1"].signer, p, rules.KindApprove)
			}
			f.commit(f.head(), files, "mallory", mallory.signer, mp, rules.KindDecision)
			rep := w.verify(VerifyOptions{})
			wantProblem(t, rep, "mallory is not on the roster")
			if twice {
				wantProblem(t, rep, "steward s1 approved change "+res.Change+" already")
			}
		})
	}
}

func TestTamperRatificationTooEarly(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
	p := w.entries()
	files := w.decisionFiles("pact", 1, p, "a", signing.Approve, w.people["a"].signer, nil)
	rat := &rules.Ratified{Ledger: w.open().ID(), Document: "pact", Version: 1, Rule: rules.Rule{Kind: "all"}, Entry: p,
		Approvals: []rules.Approval{{Signatory: "a", Entry: p, Key: signing.Fingerprint(w.people["a"].signer.PublicKey())}}}
	files[rules.RatifiedFile("pact", 1)] = rules.EncodeJSON(rat)
	f := w.forger()
	f.commit(f.head(), files, "a", w.people["a"].signer, p, rules.KindDecision)
	rep := w.verify(VerifyOptions{})
	wantProblem(t, rep, "ratification recorded at entry", "rule all is not met")
	wantCode(t, rep, rules.CodeRatificationWrong)
}

func TestTamperRatificationMissing(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a"}, "all", "en", "Pact.\n")
	p := w.entries()
	files := w.decisionFiles("pact", 1, p, "a", signing.Approve, w.people["a"].signer, nil)
	f := w.forger()
	f.commit(f.head(), files, "a", w.people["a"].signer, p, rules.KindDecision)
	rep := w.verify(VerifyOptions{})
	wantProblem(t, rep, "met its rule", "no ratification was recorded")
	wantCode(t, rep, rules.CodeRatificationWrong)
}

func TestTamperHistoryRewritten(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
	w.sign("pact", "a")
	old := w.open().Head()
	// Rewrite: drop a's approval and put b's in its place, on the old parent.
	f := w.forger()
	c, err := f.repo.CommitObject(f.head())
	if err != nil {
		t.Fatal(err)
	}
	f.setHead(c.ParentHashes[0])
	p := w.entries()
	files := w.decisionFiles("pact", 1, p, "b", signing.Approve, w.people["b"].signer, nil)
	f.commit(f.head(), files, "b", w.people["b"].signer, p, rules.KindDecision)
	// The rewritten ledger is self-consistent…
	w.mustVerify()
	// …but not an extension of the head the auditor kept.
	wantProblem(t, w.verify(VerifyOptions{Since: old}), "history rewritten or rolled back", old)
	// A rollback to an earlier head is caught the same way.
	f.setHead(c.ParentHashes[0])
	wantProblem(t, w.verify(VerifyOptions{Since: old}), "history rewritten or rolled back")
}

func TestTamperForeignFileAndGenesis(t *testing.T) {
	w := newWorld(t)
	f := w.forger()
	f.commit(f.head(), map[string][]byte{"notes.txt": []byte("hello\n")}, "s1", w.people["s1"].signer, w.entries(), rules.KindPropose)
	wantProblem(t, w.verify(VerifyOptions{}), "notes.txt does not belong in a ledger")

	w = newWorld(t)
	f = w.forger()
	var g rules.Genesis
	files := f.files(f.head())
	if err := json.Unmarshal(files[rules.GenesisPath], &g); err != nil {
		t.Fatal(err)
	}
	g.Threshold = 1
	f.commit(f.head(), map[string][]byte{rules.GenesisPath: rules.EncodeJSON(&g)}, "s1", w.people["s1"].signer, w.entries(), rules.KindGenesis)
	wantProblem(t, w.verify(VerifyOptions{}), "genesis.json: file modified in a later entry")
}

// Commands other than verify must not show, count or build on an approval
// whose signature does not verify.
func TestReadersRefuseForgedApproval(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
	p := w.entries()
	mallory := newPerson(t, "mallory", false)
	files := w.decisionFiles("pact", 1, p, "a", signing.Approve, mallory.signer, nil)
	f := w.forger()
	f.commit(f.head(), files, "a", nil, p, rules.KindDecision)
	l := w.open()
	if _, err := l.Status("pact"); err == nil || !strings.Contains(err.Error(), "signature does not verify") {
		t.Fatalf("status of a forged approval: err = %v", err)
	}
	if _, err := w.decide("pact", 0, "b", signing.Approve); err == nil {
		t.Fatal("b signed on top of a forged approval of a (and it would have ratified)")
	}
}

func TestTamperChangeFiledElsewhere(t *testing.T) {
	// The proposer's approval is filed under one change id, change.json under another.
	w := newWorld(t)
	l := w.open()
	mallory := newPerson(t, "mallory", false)
	ch := &rules.RosterChange{Ledger: l.ID(), Action: rules.ActionAdd, Member: &mallory.Member, Proposer: "s1", Proposed: "2026-07-01T00:00:00Z"}
	raw := rules.EncodeJSON(ch)
	p := w.entries()
	files, err := rosterApprovalFiles(l, "0000000000000000", sha256Sum(raw), "s1", w.people["s1"].signer, p, w.env.Now())
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256Sum(raw)
	files[rules.ChangeFile(fmt.Sprintf("%x", sum[:8]))] = raw
	f := w.forger()
	f.commit(f.head(), files, "s1", w.people["s1"].signer, p, rules.KindRoster)
	wantProblem(t, w.verify(VerifyOptions{}), "does not belong in a roster entry")
}

func TestDocumentWithoutVersion(t *testing.T) {
	w := newWorld(t)
	l := w.open()
	d := &rules.Document{Ledger: l.ID(), ID: "bare", Title: "Bare", Signers: []string{"a"}, Rule: rules.Rule{Kind: "all"}, Proposer: "s1", Entry: w.entries()}
	f := w.forger()
	f.commit(f.head(), map[string][]byte{rules.DocFile("bare"): rules.EncodeJSON(d)}, "s1", w.people["s1"].signer, w.entries(), rules.KindPropose)
	wantProblem(t, w.verify(VerifyOptions{}), "adds no version")
	if _, err := w.open().Status("bare"); err == nil {
		t.Fatal("status of a document with no version: no error")
	}
}

func TestEntryTrailerInBody(t *testing.T) {
	// A message body that mentions another position must not fool readers.
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
	p := w.entries()
	files := w.decisionFiles("pact", 1, p, "a", signing.Approve, w.people["a"].signer, nil)
	f := w.forger()
	f.body = fmt.Sprintf("Concord-Entry: %d\n\n", p-1)
	f.commit(f.head(), files, "a", w.people["a"].signer, p, rules.KindDecision)
	w.mustVerify()
	if got := w.open().Entries(); got != p+1 {
		t.Fatalf("entries = %d, want %d: the position was read from the message body", got, p+1)
	}
	w.sign("pact", "b")
	w.mustVerify()
}

// Trees that git and a lenient reader could read differently are reported.
func TestTamperMalformedTree(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
	l := w.open()
	f := w.forger()
	head := f.head()
	c, err := f.repo.CommitObject(head)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := c.Tree()
	// A second "documents" entry (a duplicate name) in the root tree, and a
	// file with mode 100664 next to it.
	entries := append([]object.TreeEntry{}, root.Entries...)
	for _, e := range root.Entries {
		if e.Name == "documents" {
			entries = append(entries, e)
		}
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
	bad := &object.Tree{Entries: entries}
	obj := f.repo.Storer.NewEncodedObject()
	if err := bad.Encode(obj); err != nil {
		t.Fatal(err)
	}
	treeHash, err := f.repo.Storer.SetEncodedObject(obj)
	if err != nil {
		t.Fatal(err)
	}
	p := l.Entries()
	f.commitTree(head, treeHash, "s1", w.people["s1"].signer, p, rules.KindPropose)
	wantProblem(t, w.verify(VerifyOptions{}), `tree has the name "documents" twice`)
}

func TestTamperSubmodule(t *testing.T) {
	w := newWorld(t)
	f := w.forger()
	head := f.head()
	c, _ := f.repo.CommitObject(head)
	root, _ := c.Tree()
	entries := append([]object.TreeEntry{}, root.Entries...)
	entries = append(entries, object.TreeEntry{Name: "zz-sub", Mode: filemode.Submodule, Hash: plumbing.NewHash("0123456789abcdef0123456789abcdef01234567")})
	obj := f.repo.Storer.NewEncodedObject()
	if err := (&object.Tree{Entries: entries}).Encode(obj); err != nil {
		t.Fatal(err)
	}
	tree, _ := f.repo.Storer.SetEncodedObject(obj)
	f.commitTree(head, tree, "s1", w.people["s1"].signer, w.entries(), rules.KindPropose)
	rep, err := Verify(w.dir, VerifyOptions{})
	if err != nil {
		t.Fatalf("a submodule entry stopped the audit: %v", err)
	}
	wantProblem(t, rep, "zz-sub: not a regular file")
}

func TestTamperAmendByOutsider(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
	l := w.open()
	p := w.entries()
	text := []byte("Pact, changed by c.\n")
	sum := sha256Sum(text)
	v := &rules.Version{Ledger: l.ID(), Document: "pact", Number: 2, Texts: []rules.Text{{Lang: "en", SHA256: fmt.Sprintf("%x", sum)}}, Author: "c", Entry: p}
	f := w.forger()
	f.commit(f.head(), versionFiles(v, map[string][]byte{"en": text}), "c", w.people["c"].signer, p, rules.KindAmend)
	wantProblem(t, w.verify(VerifyOptions{}), "c is neither a signatory of pact nor a steward")
}

// plantObject replaces the stored object id in the ledger's loose objects
// with one of the same type holding content instead: an object file whose
// name no longer matches what it holds.
func plantObject(t *testing.T, dir, id, typ string, content []byte) {
	t.Helper()
	p := filepath.Join(dir, "objects", id[:2], id[2:])
	var b bytes.Buffer
	z := zlib.NewWriter(&b)
	fmt.Fprintf(z, "%s %d\x00", typ, len(content))
	z.Write(content)
	z.Close()
	if err := os.Remove(p); err != nil {
		t.Fatalf("no loose object to replace: %v", err)
	}
	if err := os.WriteFile(p, b.Bytes(), 0o444); err != nil {
		t.Fatal(err)
	}
}

// A file whose stored bytes were swapped under the same object id (so no
// tree, commit or signature changes) is found by verify, refused by the
// readers, and never reaches the state cache, where another ledger with the
// same files would read it.
func TestTamperObjectSwappedUnderItsID(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
	victim := newWorld(t) // the same files, in another folder
	victim.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
	if w.open().Head() != victim.open().Head() {
		t.Fatal("the two worlds differ; the test needs identical ledgers")
	}
	useCache(t)
	l := w.open()
	id, err := l.repo.Hash(l.Head(), rules.DocFile("pact"))
	if err != nil || id == "" {
		t.Fatalf("hash of %s: %q, %v", rules.DocFile("pact"), id, err)
	}
	raw, err := l.repo.ReadFile(l.Head(), rules.DocFile("pact"))
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	planted := []byte(strings.Replace(string(raw), "Agreement pact", "EVIL TITLE", 1))
	plantObject(t, w.dir, id, "blob", planted)

	rep := w.verify(VerifyOptions{})
	wantProblem(t, rep, "object "+id+" is corrupt or tampered with: its content hashes to")
	_, err = w.open().Status("pact")
	var ce *gitstore.CorruptError
	if !errors.As(err, &ce) {
		t.Fatalf("status on the tampered ledger: err = %v, want a CorruptError", err)
	}
	st, err := victim.open().Status("pact")
	if err != nil || st.Title != "Agreement pact" {
		t.Fatalf("the other ledger shows title %q (err %v), want its own", st.Title, err)
	}
}

// Every way of damaging one stored file under its id is tampering (exit
// 3): verify reports it, readers and the audit kit export refuse it.
func TestTamperStoredObject(t *testing.T) {
	for _, c := range []struct {
		name, want string
		plant      func(t *testing.T, dir, id string, raw []byte)
	}{
		{"other content", "its content hashes to", func(t *testing.T, dir, id string, raw []byte) {
			plantObject(t, dir, id, "blob", append([]byte("x"), raw...))
		}},
		{"other type", "it is a tree, not a blob", func(t *testing.T, dir, id string, raw []byte) {
			plantObject(t, dir, id, "tree", raw)
		}},
		{"deleted", "it is missing", func(t *testing.T, dir, id string, raw []byte) {
			if err := os.Remove(filepath.Join(dir, "objects", id[:2], id[2:])); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
			l := w.open()
			id, err := l.repo.Hash(l.Head(), rules.DocFile("pact"))
			if err != nil {
				t.Fatal(err)
			}
			raw, err := l.repo.ReadFile(l.Head(), rules.DocFile("pact"))
			if err != nil {
				t.Fatal(err)
			}
			l.Close()
			c.plant(t, w.dir, id, raw)

			wantProblem(t, w.verify(VerifyOptions{}), "object "+id+" is corrupt or tampered with: "+c.want)
			var ce *gitstore.CorruptError
			if _, err := w.open().Status("pact"); !errors.As(err, &ce) || !ce.InvalidEvidence() {
				t.Errorf("status: err = %v, want a CorruptError", err)
			}
			// The audit kit (package evidence) copies every file through Walk.
			if err := w.open().Walk(func(string, []byte) error { return nil }); !errors.As(err, &ce) {
				t.Errorf("walk (the audit kit's export): err = %v, want a CorruptError", err)
			}
		})
	}
}

// A damaged head commit stops the audit before any entry: the report says
// so, with no negative count.
func TestTamperHeadCommitObject(t *testing.T) {
	w := newWorld(t)
	l := w.open()
	head := l.Head()
	l.Close()
	plantObject(t, w.dir, head, "commit", []byte("tree 0000000000000000000000000000000000000000\n\nforged\n"))
	rep := w.verify(VerifyOptions{})
	wantProblem(t, rep, "object "+head+" is corrupt or tampered with: its content hashes to")
	if rep.Entries < 0 {
		t.Errorf("report counts %d entries", rep.Entries)
	}
}
