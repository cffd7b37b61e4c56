package cmd

import (
	"fmt"

	"github.com/concord-ledger/concord/ledger"
	"github.com/concord-ledger/concord/ledger/rules"
)

// count returns "1 approval", "2 approvals": n with the singular or plural
// form of a noun.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// required returns how many approvals version v of st needs under its
// rule: every signatory, or the quorum.
func required(st *ledger.DocumentStatus, v ledger.VersionStatus) int {
	if r, err := rules.ParseRule(st.Rule); err == nil && r.Kind == "quorum" {
		return r.Quorum
	}
	return len(v.Signers)
}

// Signer states as status shows them. A version that is ratified needs no
// more decisions, so a signatory who had not decided is "not needed"
// rather than pending; one superseded before ratification can take none.
const (
	stateNotNeeded  = "not-needed"
	stateSuperseded = "superseded"
)

// signerState returns sg's state on version v: the recorded decision, or,
// for a signatory who has none, pending, not-needed (ratified) or
// superseded.
func signerState(v ledger.VersionStatus, sg ledger.SignerState) string {
	if sg.State != "pending" {
		return sg.State
	}
	switch {
	case v.Ratified != 0:
		return stateNotNeeded
	case v.Superseded != 0:
		return stateSuperseded
	}
	return sg.State
}

// stateLabel is a signer state as the text view prints it.
func stateLabel(state string) string {
	switch state {
	case stateNotNeeded:
		return "not needed"
	case stateSuperseded:
		return "closed"
	}
	return state
}

// versionLine describes version v of st in words, for status.
func versionLine(st *ledger.DocumentStatus, v ledger.VersionStatus) string {
	need := required(st, v)
	switch {
	case v.Ratified != 0 && v.Superseded != 0:
		return fmt.Sprintf("RATIFIED at entry %d with %s; amended by a later version at entry %d", v.Ratified, count(v.Approvals, "approval", "approvals"), v.Superseded)
	case v.Ratified != 0:
		return fmt.Sprintf("RATIFIED at entry %d with %s", v.Ratified, count(v.Approvals, "approval", "approvals"))
	case v.Superseded != 0:
		return fmt.Sprintf("superseded at entry %d, not ratified (%s of the %d needed)", v.Superseded, count(v.Approvals, "approval", "approvals"), need)
	}
	return fmt.Sprintf("%d of %s needed, not ratified", v.Approvals, count(need, "approval", "approvals"))
}
