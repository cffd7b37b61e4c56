package rules

import (
	"testing"

	"github.com/concord-ledger/concord/signing"
)

// DecisionConflict is the one rule of a signatory's sequence of decisions:
// an approval only when their latest decision is not one, a withdrawal only
// of an approval that stands.
func TestDecisionConflict(t *testing.T) {
	vs := &VersionState{}
	step := func(who string, d signing.Decision, want string) {
		t.Helper()
		got, _ := vs.DecisionConflict(who, d)
		if got != want {
			t.Fatalf("%s %s after %d decisions: conflict %q, want %q", who, d, len(vs.Decisions), got, want)
		}
		if got == "" {
			vs.Decisions = append(vs.Decisions, Decision{Pos: len(vs.Decisions) + 1, Signatory: who, Decision: d})
		}
	}
	step("a", signing.Withdraw, ConflictNoApproval)
	step("a", signing.Approve, "")
	step("a", signing.Approve, ConflictApprovedAlready)
	step("b", signing.Approve, "")
	step("a", signing.Withdraw, "")
	step("a", signing.Withdraw, ConflictNoApproval)
	step("a", signing.Approve, "")
	if _, last := vs.DecisionConflict("a", signing.Approve); last == nil || last.Pos != 4 {
		t.Errorf("the standing approval is %+v, want the one at 4", last)
	}
}

// AfterDecision gives the approvals a decision would leave and, when they
// meet the rule, the exact record the audit requires with it.
func TestAfterDecision(t *testing.T) {
	doc := &Document{ID: "pact", Signers: []string{"a", "b"}, Rule: Rule{Kind: "all"}}
	vs := &VersionState{V: &Version{Number: 1}}
	n, rat := AfterDecision("L", doc, vs, 3, "a", signing.Approve, testKey(t, "a"))
	if n != 1 || rat != nil || len(vs.Decisions) != 0 {
		t.Fatalf("first approval: %d approvals, %+v, vs now %d decisions", n, rat, len(vs.Decisions))
	}
	vs.Decisions = append(vs.Decisions, Decision{Pos: 3, Signatory: "a", Decision: signing.Approve, Key: testKey(t, "a")})
	n, rat = AfterDecision("L", doc, vs, 4, "b", signing.Approve, testKey(t, "b"))
	if n != 2 || rat == nil || rat.Entry != 4 || rat.Version != 1 || rat.Document != "pact" || len(rat.Approvals) != 2 || rat.Approvals[1].Entry != 4 {
		t.Fatalf("second approval: %d approvals, %+v", n, rat)
	}
	if n, rat = AfterDecision("L", doc, vs, 4, "b", signing.Approve, testKey(t, "a")); n != 2 || rat != nil {
		t.Errorf("an approval with a's key by b: %d approvals, %+v; one key counts once", n, rat)
	}
}
