package ledger

import (
	"errors"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/signing"
)

func TestLifecycle(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b", "c"}, "all", "en", "We agree.\n", "kk", "Біз келісеміз.\n")
	if r := w.sign("pact", "a"); r.Ratified {
		t.Fatal("ratified after one of three approvals")
	}
	w.sign("pact", "b")
	// b withdraws, then approves again.
	if _, err := w.decide("pact", 0, "b", signing.Withdraw); err != nil {
		t.Fatalf("withdraw: %v", err)
	}
	w.sign("pact", "b")
	r := w.sign("pact", "c")
	if !r.Ratified || r.Approvals != 3 {
		t.Fatalf("after all three approve: ratified=%v approvals=%d", r.Ratified, r.Approvals)
	}
	rep := w.mustVerify()
	if len(rep.Ratified) != 1 || rep.Ratified[0].String() != "pact v1" {
		t.Errorf("ratified = %v, want [pact v1]", rep.Ratified)
	}
	st, err := w.open().Status("pact")
	if err != nil {
		t.Fatal(err)
	}
	if st.Versions[0].Ratified == 0 {
		t.Errorf("status does not show the ratification: %+v", st.Versions[0])
	}
	for _, s := range st.Versions[0].Signers {
		if s.State != "approved" {
			t.Errorf("%s is %s, want approved", s.Signatory, s.State)
		}
	}
}

func TestAmendKeepsOldVersion(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "quorum:1", "en", "First text.\n")
	w.propose("other", []string{"a", "b"}, "all", "en", "Other.\n")
	w.sign("other", "a")
	_, err := Amend(w.dir, w.env, AmendOptions{Document: "other", Texts: []TextInput{{Lang: "en", Name: "en", Data: []byte("Other, amended.\n")}}, As: "s1", Signer: w.people["s1"].signer})
	if err != nil {
		t.Fatal(err)
	}
	// Signing the superseded version is refused; the new version is signed.
	if _, err := w.decide("other", 1, "b", signing.Approve); err == nil || !strings.Contains(err.Error(), "superseded") {
		t.Fatalf("signing a superseded version: err = %v", err)
	}
	plan, err := PrepareDecision(w.dir, DecisionOptions{Document: "other", As: "a", Decision: signing.Approve})
	if err != nil {
		t.Fatal(err)
	}
	if plan.DiffFrom != 1 || !strings.Contains(plan.Diffs["en"], "+Other, amended.") {
		t.Errorf("a approved v1: the plan should show the diff to it, got from=%d %q", plan.DiffFrom, plan.Diffs["en"])
	}
	st, _ := w.open().Status("other")
	if st.Versions[0].Superseded == 0 || st.Versions[0].Signers[0].State != "approved" {
		t.Errorf("v1 should be superseded and keep a's approval: %+v", st.Versions[0])
	}
	w.mustVerify()
}

func TestRefusals(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "Text.\n")
	d := w.enrol("d") // enrolled, but not a signatory of pact
	_ = d
	w.sign("pact", "a")
	head := w.open().Head()
	cases := []struct {
		name, doc, who string
		dec            signing.Decision
		want           string
	}{
		{"not required", "pact", "d", signing.Approve, "not a signatory"},
		{"not enrolled", "pact", "zz", signing.Approve, "not a signatory"},
		{"second approval", "pact", "a", signing.Approve, "approved pact v1 already"},
		{"withdraw without approval", "pact", "b", signing.Withdraw, "no approval"},
		{"unknown document", "nope", "a", signing.Approve, "no document"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := PrepareDecision(w.dir, DecisionOptions{Document: c.doc, As: c.who, Decision: c.dec})
			var re *RefusedError
			if !errors.As(err, &re) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want a refusal containing %q", err, c.want)
			}
		})
	}
	// Signing with someone else's key is refused.
	plan, err := PrepareDecision(w.dir, DecisionOptions{Document: "pact", As: "b", Decision: signing.Approve})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plan.Commit(w.env, w.people["a"].signer); err == nil || !strings.Contains(err.Error(), "not b's enrolled key") {
		t.Fatalf("signing as b with a's key: %v", err)
	}
	if got := w.open().Head(); got != head {
		t.Fatalf("a refused command changed the head from %s to %s", head, got)
	}
	// After ratification, no more decisions.
	w.sign("pact", "b")
	if _, err := w.decide("pact", 0, "a", signing.Withdraw); err == nil || !strings.Contains(err.Error(), "ratified") {
		t.Fatalf("withdraw after ratification: %v", err)
	}
	w.mustVerify()
}

func TestRosterRotateRevoke(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b", "c"}, "quorum:2", "en", "Text.\n")
	w.sign("pact", "a")
	// Rotate a's key: the old approval still counts.
	newA := newPerson(t, "a-new-key", false)
	res, err := ProposeRosterChange(w.dir, w.env, RosterChangeOptions{Action: rules.ActionRotate, ID: "a", Key: newA.signer.PublicKey(), As: "s1", Signer: w.people["s1"].signer})
	if err != nil {
		t.Fatal(err)
	}
	if res.Effective {
		t.Fatal("rotation took effect with one of two stewards")
	}
	if _, err := ApproveRosterChange(w.dir, w.env, res.Change, "s1", w.people["s1"].signer); err == nil {
		t.Fatal("a steward approved twice")
	}
	res, err = ApproveRosterChange(w.dir, w.env, res.Change, "s2", w.people["s2"].signer)
	if err != nil || !res.Effective {
		t.Fatalf("second approval: %v %+v", err, res)
	}
	// Revoke c: c can no longer sign.
	res, err = ProposeRosterChange(w.dir, w.env, RosterChangeOptions{Action: rules.ActionRevoke, ID: "c", As: "s2", Signer: w.people["s2"].signer})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ApproveRosterChange(w.dir, w.env, res.Change, "s1", w.people["s1"].signer); err != nil {
		t.Fatal(err)
	}
	if _, err := w.decide("pact", 0, "c", signing.Approve); err == nil || !strings.Contains(err.Error(), "revoked") {
		t.Fatalf("revoked c signs: %v", err)
	}
	// a's old key no longer signs.
	w.people["a-old"] = w.people["a"]
	plan, err := PrepareDecision(w.dir, DecisionOptions{Document: "pact", As: "b", Decision: signing.Approve})
	if err != nil {
		t.Fatal(err)
	}
	r, err := plan.Commit(w.env, w.people["b"].signer)
	if err != nil || !r.Ratified {
		t.Fatalf("b's approval should ratify (a's pre-rotation approval counts): %v %+v", err, r)
	}
	w.mustVerify()
	roster := w.open().Roster()
	for _, m := range roster.Members {
		if m.ID == "c" && m.Revoked == 0 {
			t.Error("roster does not show c as revoked")
		}
		if m.ID == "a" && len(m.Rotated) != 1 {
			t.Error("roster does not show a's rotation")
		}
	}
}

func TestSignPreview(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "One.\n", "ru", "Один.\n")
	w.sign("pact", "a")
	w.sign("pact", "b")
	if _, err := w.decide("pact", 0, "b", signing.Withdraw); err == nil {
		t.Fatal("withdrawal after ratification accepted")
	}
	w.propose("deal", []string{"a", "b"}, "all", "en", "One.\n", "ru", "Один.\n")
	w.sign("deal", "a")
	w.sign("deal", "b") // ratifies v1
	w.propose("accord", []string{"a", "b", "c"}, "all", "en", "One.\n", "ru", "Один.\n")
	w.sign("accord", "a")
	w.sign("accord", "b")
	if _, err := w.decide("accord", 0, "b", signing.Withdraw); err != nil {
		t.Fatal(err)
	}
	_, err := Amend(w.dir, w.env, AmendOptions{Document: "accord", As: "s1", Signer: w.people["s1"].signer, Texts: []TextInput{
		{Lang: "en", Name: "en", Data: []byte("One.\nTwo.\n")}, {Lang: "ru", Name: "ru", Data: []byte("Один.\n")}, {Lang: "kk", Name: "kk", Data: []byte("Бір.\n")}}})
	if err != nil {
		t.Fatal(err)
	}
	// a still approves v1: a diff, "" for unchanged ru, kk in full.
	plan, err := PrepareDecision(w.dir, DecisionOptions{Document: "accord", As: "a", Decision: signing.Approve})
	if err != nil {
		t.Fatal(err)
	}
	if plan.DiffFrom != 1 || !strings.Contains(plan.Diffs["en"], "+Two.") {
		t.Errorf("en: want a diff from v1, got from=%d %q", plan.DiffFrom, plan.Diffs["en"])
	}
	if d, ok := plan.Diffs["ru"]; !ok || d != "" {
		t.Errorf("ru is unchanged: want an empty diff, got %q (present %v)", d, ok)
	}
	if _, ok := plan.Diffs["kk"]; ok || string(plan.Show["kk"]) != "Бір.\n" {
		t.Errorf("kk is new: want it in full, got diff present=%v show=%q", ok, plan.Show["kk"])
	}
	// b withdrew the approval of v1: b sees every text in full.
	plan, err = PrepareDecision(w.dir, DecisionOptions{Document: "accord", As: "b", Decision: signing.Approve})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Diffs != nil || len(plan.Show) != 3 {
		t.Errorf("b withdrew: want the full texts, got diffs=%v show=%d", plan.Diffs, len(plan.Show))
	}
}

func TestAmendRules(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "One.\n", "ru", "Один.\n")
	head := w.open().Head()
	amend := func(as string, drop []string, texts ...TextInput) error {
		_, err := Amend(w.dir, w.env, AmendOptions{Document: "pact", Texts: texts, Drop: drop, As: as, Signer: w.people[as].signer})
		return err
	}
	en2 := TextInput{Lang: "en", Name: "en", Data: []byte("Two.\n")}
	ru2 := TextInput{Lang: "ru", Name: "ru", Data: []byte("Два.\n")}
	cases := []struct {
		name  string
		as    string
		drop  []string
		texts []TextInput
		want  string
	}{
		{"not a signatory nor a steward", "c", nil, []TextInput{en2, ru2}, "neither a signatory of pact nor a steward"},
		{"a language left out", "a", nil, []TextInput{en2}, "leaves out"},
		{"dropped and given", "a", []string{"ru"}, []TextInput{en2, ru2}, "but a text in ru is given"},
		{"dropping a language it does not have", "a", []string{"kk"}, []TextInput{en2, ru2}, "has no text in kk"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := amend(c.as, c.drop, c.texts...)
			var re *RefusedError
			if !errors.As(err, &re) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want a refusal containing %q", err, c.want)
			}
			if w.open().Head() != head {
				t.Fatal("a refused amendment moved the head")
			}
		})
	}
	// A signatory may amend, dropping ru on purpose; a steward may too.
	if err := amend("a", []string{"ru"}, en2); err != nil {
		t.Fatal(err)
	}
	if err := amend("s2", nil, TextInput{Lang: "en", Name: "en", Data: []byte("Three.\n")}); err != nil {
		t.Fatal(err)
	}
	w.mustVerify()
}
