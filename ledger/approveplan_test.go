package ledger

import (
	"strings"
	"testing"

	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/signing"
)

// TestRosterApprovalPlan: the plan names both keys of a rotation, the
// approvals so far and what the approval does; a wrong key is refused
// before anything is shown; and a plan whose ledger moved writes nothing.
func TestRosterApprovalPlan(t *testing.T) {
	w := newWorld(t)
	newA := newPerson(t, "a-new", false)
	res, err := ProposeRosterChange(w.dir, w.env, RosterChangeOptions{Action: rules.ActionRotate, ID: "a", Key: newA.signer.PublicKey(),
		Reason: "lost key", As: "s1", Signer: w.people["s1"].signer})
	if err != nil {
		t.Fatal(err)
	}
	s2 := w.people["s2"]
	if _, err := PrepareRosterApproval(w.dir, RosterApprovalOptions{Change: res.Change, As: "s2", Key: w.people["s1"].signer.PublicKey()}); err == nil ||
		!strings.Contains(err.Error(), "is not s2's enrolled key") {
		t.Errorf("wrong key: %v", err)
	}
	plan, err := PrepareRosterApproval(w.dir, RosterApprovalOptions{Change: res.Change, As: "s2", Key: s2.signer.PublicKey()})
	if err != nil {
		t.Fatal(err)
	}
	want := RosterApprovalPlan{Change: res.Change, Action: rules.ActionRotate, Fingerprint: signing.Fingerprint(newA.signer.PublicKey()),
		OldFingerprint: signing.Fingerprint(w.people["a"].signer.PublicKey()), Proposer: "s1", ProposerName: "Name of s1",
		Reason: "lost key", Approvals: []string{"s1"}, Threshold: 2, Effective: true, SignerFingerprint: signing.Fingerprint(s2.signer.PublicKey())}
	got := *plan
	if got.Member.ID != "a" || got.Member.Name != "Name of a" || got.Change != want.Change || got.Action != want.Action ||
		got.Fingerprint != want.Fingerprint || got.OldFingerprint != want.OldFingerprint || got.Proposer != want.Proposer ||
		got.ProposerName != want.ProposerName || got.Reason != want.Reason || strings.Join(got.Approvals, ",") != "s1" ||
		got.Threshold != 2 || !got.Effective || got.Needed != 0 || got.SignerFingerprint != want.SignerFingerprint {
		t.Errorf("plan = %+v", got)
	}
	// The ledger moves under the plan: Commit writes nothing.
	w.propose("other", []string{"b"}, "all", "en", "Other.\n")
	before := headOf(t, w.dir)
	if _, err := plan.Commit(w.env, s2.signer); err == nil || !strings.Contains(err.Error(), "the ledger changed while you were reading") {
		t.Errorf("Commit after the ledger moved: %v", err)
	}
	if headOf(t, w.dir) != before {
		t.Error("the head moved")
	}
	// A fresh plan commits, and the change takes effect.
	plan, err = PrepareRosterApproval(w.dir, RosterApprovalOptions{Change: res.Change, As: "s2", Key: s2.signer.PublicKey()})
	if err != nil {
		t.Fatal(err)
	}
	r, err := plan.Commit(w.env, s2.signer)
	if err != nil || !r.Effective {
		t.Fatalf("Commit: %+v, %v", r, err)
	}
	w.mustVerify()
}
