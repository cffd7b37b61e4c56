package ledger

import (
	"slices"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"golang.org/x/crypto/ssh"

	"github.com/concord-ledger/concord/ledger/gitstore"
	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/signing"
)

// Attacks on the resumed audit, as a remote (here a member with a key of
// their own, or anyone forging): entries after the accepted head H that
// only the state at H can judge, and that the kept state might encode
// lossily (a roster change that took effect keeps only its id and
// positions; decisions keep their key in wire form; texts are dropped).
// For each, an audit resumed from the state kept for every entry of the
// history before it must find exactly what the full audit finds.

// problemSet is a report's problems, as text, in a stable order (two
// problems of one entry may come in either order: one is found by a
// signature worker).
func problemSet(rep *Report) []string {
	var out []string
	for _, p := range rep.Problems {
		out = append(out, p.String())
	}
	slices.Sort(out)
	return out
}

func TestAttackResumedAuditTails(t *testing.T) {
	w := cacheWorld(t)
	repo := w.rawRepo()
	h0, err := repo.Head()
	if err != nil {
		t.Fatal(err)
	}
	base, err := verifyRepo(repo, h0, VerifyOptions{})
	if err != nil || !base.OK() {
		t.Fatalf("the base ledger: %v %v", err, base.Problems)
	}
	ids := base.chain
	st := base.state
	// The states kept for each entry of the base, as a sync keeps them.
	kept := make([]*rules.State, len(ids))
	for k := range ids {
		at, err := verifyRepo(repo, ids[k], VerifyOptions{})
		if err != nil || !at.OK() {
			t.Fatalf("entry %d: %v %v", k, err, at.Problems)
		}
		saveAccepted(repo, ids[k], at.chain, at.state)
		if kept[k] = loadAccepted(repo, ids[k]); kept[k] == nil {
			t.Fatalf("entry %d: the kept state does not load", k)
		}
	}
	p := len(ids)
	f := w.forger()
	parent := plumbing.NewHash(h0)
	oldA := newPerson(t, "a", false).signer // a's key before its rotation
	rotate, add := st.ChangeOrder[0], st.ChangeOrder[len(st.ChangeOrder)-1]
	if st.Changes[rotate].Effective == 0 || st.Changes[add].Effective != 0 {
		t.Fatal("the base ledger's first change should have taken effect and its last be pending")
	}
	approval := func(cid, steward string, signer ssh.Signer) map[string][]byte {
		a := &signing.RosterApproval{Ledger: st.ID, Change: cid, ChangeHash: st.Changes[cid].Hash, Steward: steward, Time: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)}
		stmt, err := a.Format()
		if err != nil {
			t.Fatal(err)
		}
		sig, err := signing.Sign(signer, signing.Namespace, stmt)
		if err != nil {
			t.Fatal(err)
		}
		b := rules.RosterApprovalBase(cid, p, steward)
		return map[string][]byte{b + rules.StatementSuffix: stmt, b + rules.SigSuffix: sig}
	}
	reproposal := func() map[string][]byte {
		ds := st.Docs["pact"]
		d := *ds.Doc
		d.Entry, d.Proposer = p, "s1"
		v := *ds.Versions[0].V
		v.Entry, v.Author = p, "s1"
		return map[string][]byte{rules.DocFile("pact"): rules.EncodeJSON(&d), rules.VersionFile("pact", 1): rules.EncodeJSON(&v),
			rules.TextFile("pact", 1, "en"): []byte("Pact.\n"), rules.TextFile("pact", 1, "zh"): []byte("协定。\n")}
	}
	tails := []struct {
		name   string
		files  map[string][]byte
		actor  string
		signer ssh.Signer
		kind   string
		ok     bool
	}{
		// A decision signed with a key that was rotated out before H.
		{"old key", w.decisionFiles("quorum", 1, p, "a", signing.Approve, oldA, nil), "a", oldA, rules.KindDecision, false},
		// A decision by a member revoked before H.
		{"revoked member", w.decisionFiles("draft", 2, p, "c", signing.Approve, w.people["c"].signer, nil), "c", w.people["c"].signer, rules.KindDecision, false},
		// A late decision (the version was ratified before H): recorded.
		{"late withdrawal", w.decisionFiles("pact", 1, p, "b", signing.Withdraw, w.people["b"].signer, nil), "b", w.people["b"].signer, rules.KindDecision, true},
		// A second approval of a version approved before H.
		{"approved twice", w.decisionFiles("pact", 1, p, "a", signing.Approve, w.people["a"].signer, nil), "a", w.people["a"].signer, rules.KindDecision, false},
		// A decision on the version an amendment before H superseded.
		{"superseded version", w.decisionFiles("draft", 1, p, "b", signing.Approve, w.people["b"].signer, nil), "b", w.people["b"].signer, rules.KindDecision, true},
		// An approval of a change that took effect before H (its content
		// is not kept).
		{"approval of an effective change", approval(rotate, "s1", w.people["s1"].signer), "s1", w.people["s1"].signer, rules.KindApprove, false},
		// The approval that makes a pending change take effect.
		{"approval completing a pending change", approval(add, "s1", w.people["s1"].signer), "s1", w.people["s1"].signer, rules.KindApprove, true},
		// The proposer's approval again.
		{"approval counted twice", approval(add, "s2", w.people["s2"].signer), "s2", w.people["s2"].signer, rules.KindApprove, false},
		// A document id proposed before H, proposed again.
		{"document id collision", reproposal(), "s1", w.people["s1"].signer, rules.KindPropose, false},
	}
	for _, tail := range tails {
		head := f.commit(parent, tail.files, tail.actor, tail.signer, p, tail.kind).String()
		full, err := verifyRepo(repo, head, VerifyOptions{})
		if err != nil {
			t.Fatalf("%s: %v", tail.name, err)
		}
		if full.OK() != tail.ok {
			t.Fatalf("%s: the full audit says ok=%v (%v), want ok=%v", tail.name, full.OK(), full.Problems, tail.ok)
		}
		want := problemSet(full)
		for k := range ids {
			// Each resumed audit replays into the state it is given:
			// load a fresh one.
			resume := loadAcceptedFor(t, repo, ids[:k+1], kept[k])
			got, err := verifyRepo(repo, head, VerifyOptions{resume: resume, resumeHead: ids[k]})
			if err != nil {
				t.Fatalf("%s, resumed after entry %d: %v", tail.name, k, err)
			}
			if got.resumed != k+1 {
				t.Fatalf("%s, resumed after entry %d: %d entries taken from the state", tail.name, k, got.resumed)
			}
			if !slices.Equal(problemSet(got), want) {
				t.Fatalf("%s, resumed after entry %d:\n%q\nthe full audit:\n%q", tail.name, k, problemSet(got), want)
			}
			if a, b := stateView(t, got.state), stateView(t, full.state); a != b {
				t.Fatalf("%s, resumed after entry %d: another state than the full audit's", tail.name, k)
			}
		}
	}
}

// loadAcceptedFor returns a fresh copy of the state kept for head (the
// file holds one state at a time).
func loadAcceptedFor(t *testing.T, repo *gitstore.Repo, chain []string, st *rules.State) *rules.State {
	t.Helper()
	head := chain[len(chain)-1]
	saveAccepted(repo, head, chain, st)
	out := loadAccepted(repo, head)
	if out == nil {
		t.Fatalf("the state kept for %s does not load", head)
	}
	return out
}

// TestAttackSyncAcceptedHeadNotFirstParent: the remote's new head is a
// merge whose first parent forks before the accepted head H and whose
// second parent is H: H is in its history, but not in the line an audit
// replays. The sync does not resume there (no state of H is used for a
// history whose first-parent line lacks H), and refuses it, as a full
// verify of the remote does.
func TestAttackSyncAcceptedHeadNotFirstParent(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
	c := w.clone(t, w.dir)
	h := plumbing.NewHash(c.head())
	f := w.forger()
	hc, err := f.repo.CommitObject(h)
	if err != nil {
		t.Fatal(err)
	}
	fork := hc.ParentHashes[0]
	p := w.entries()
	files := w.decisionFiles("pact", 1, p-1, "a", signing.Approve, w.people["a"].signer, nil)
	side := f.commit(fork, files, "a", w.people["a"].signer, p-1, rules.KindDecision)
	sc, err := f.repo.CommitObject(side)
	if err != nil {
		t.Fatal(err)
	}
	sc.ParentHashes = append(sc.ParentHashes, h)
	obj := f.repo.Storer.NewEncodedObject()
	if err := sc.Encode(obj); err != nil {
		t.Fatal(err)
	}
	merge, err := f.repo.Storer.SetEncodedObject(obj)
	if err != nil {
		t.Fatal(err)
	}
	f.setHead(merge)
	if rep, err := Verify(w.dir, VerifyOptions{}); err != nil || rep.OK() {
		t.Fatalf("verify of the remote: %v, %v; want problems", err, rep)
	}
	wantRefused(t, c, "merge commit")
}

// TestAttackSyncResumedRefusesStateOnlyForgery: a sync resumed from the
// state kept for H refuses an entry after H that only that state can
// refuse (a decision signed with a key rotated out before H), as a full
// verify of the remote does.
func TestAttackSyncResumedRefusesStateOnlyForgery(t *testing.T) {
	w := cacheWorld(t)
	c := w.clone(t, w.dir)
	if loadAccepted(c.open().repo, c.head()) == nil {
		t.Fatal("the clone kept no state")
	}
	oldA := newPerson(t, "a", false).signer
	f := w.forger()
	p := w.entries()
	head := f.commit(f.head(), w.decisionFiles("quorum", 1, p, "a", signing.Approve, oldA, nil), "a", oldA, p, rules.KindDecision)
	f.setHead(head)
	if rep, err := Verify(w.dir, VerifyOptions{}); err != nil || rep.OK() {
		t.Fatalf("verify of the remote: %v, %v; want problems", err, rep)
	}
	wantRefused(t, c, "key valid at entry")
}
