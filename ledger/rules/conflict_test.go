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
