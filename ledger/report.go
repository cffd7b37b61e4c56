package ledger

import (
	"fmt"
	"time"

	"github.com/concord-ledger/concord/ledger/rules"
)

// Problem codes: the stable machine-readable name of each kind of problem
// an audit reports (Problem.Code), documented in docs/JSON.md. The rules a
// commit or an entry breaks have theirs in package rules (rules.Code…).
const (
	CodeSignatureInvalid   = "signature-invalid"    // a commit's or statement's signature does not verify
	CodeHistoryRewritten   = "history-rewritten"    // a head kept earlier (--since, a checkpoint) is not in this history
	CodeObjectCorrupt      = "object-corrupt"       // a stored object is not what its id names; the audit stops there
	CodeMergeCommit        = "merge-commit"         // a commit with more than one parent
	CodeCommitNotCanonical = "commit-not-canonical" // extra headers or an encoding concord never writes
	CodeTrailerWrong       = "trailer-wrong"        // the commit message lacks the Concord-Entry trailer, or names another kind
	CodeTreeMalformed      = "tree-malformed"       // a tree git and concord would read differently
	CodeNotAppendOnly      = "not-append-only"      // a later entry modifies or deletes a file
	CodeFileIrregular      = "file-irregular"       // a symlink, submodule or executable
	CodeEntryMalformed     = "entry-malformed"      // the files an entry adds are not an entry concord writes
	CodeRuleBroken         = "rule-broken"          // any other ledger rule (statement, roster change, version, witness)
	CodeCheckpointInvalid  = "checkpoint-invalid"   // a checkpoint that cannot be read or whose signatures do not hold
	CodeCheckpointOther    = "checkpoint-other-ledger"
	CodeSplitView          = "split-view"        // two checkpoints on different lines of history
	CodeLedgerNotPinned    = "ledger-not-pinned" // the ledger id is not the one pinned with --ledger-id
	CodeOverlay            = "overlay"           // something in the repository changes what stock git shows
	CodeHeadUnreadable     = "head-unreadable"   // the head commit is missing or main is symbolic
)

// ProblemCodes returns every code a Problem of Verify can carry, in the
// order docs/JSON.md lists them.
func ProblemCodes() []string {
	return []string{
		CodeSignatureInvalid, rules.CodeCommitUnsigned, rules.CodeCommitSignature, rules.CodeCommitKeyUnknown,
		rules.CodeCommitKeyInvalid, rules.CodeCommitAuthor, CodeHistoryRewritten, CodeObjectCorrupt, CodeMergeCommit,
		CodeCommitNotCanonical, CodeTrailerWrong, CodeTreeMalformed, CodeNotAppendOnly, CodeFileIrregular,
		CodeEntryMalformed, rules.CodeRatificationWrong, CodeRuleBroken, CodeCheckpointInvalid, CodeCheckpointOther,
		CodeSplitView, CodeLedgerNotPinned, CodeOverlay, CodeHeadUnreadable,
	}
}

// RatifiedVersion is a ratified version of a document and the entry that
// ratified it.
type RatifiedVersion struct {
	Document string `json:"document"`
	Version  int    `json:"version"`
	Entry    int    `json:"entry"`
}

// String returns "DOC vN".
func (r RatifiedVersion) String() string { return fmt.Sprintf("%s v%d", r.Document, r.Version) }

// DocumentReport is what the audit proved of one document: its rule and,
// per version, who decided what with which key and the verdict.
type DocumentReport struct {
	Document string          `json:"document"`
	Title    string          `json:"title"`
	Entry    int             `json:"entry"`     // the proposal's position
	Proposer string          `json:"proposer"`  // member id
	Rule     string          `json:"rule"`      // "all" or "quorum:N"
	RuleText string          `json:"rule_text"` // the rule in words: "all 6 signatories", "quorum: 2 of 3 signatories"
	Signers  []string        `json:"signers"`   // the signatories' member ids
	Versions []VersionReport `json:"versions"`  // version i+1 at index i
}

// VersionReport is the verdict on one version and the decisions it rests
// on.
type VersionReport struct {
	Version int          `json:"version"`
	Entry   int          `json:"entry"` // the proposal's or amendment's position
	Texts   []rules.Text `json:"texts"`
	// Ratified is the entry that ratified the version, 0 if none (entry 0
	// is the genesis, never a ratification).
	Ratified int `json:"ratified"`
	// Superseded is the entry of the next version, 0 if none.
	Superseded int `json:"superseded"`
	// Approvals counts the approvals that count (each signatory's latest
	// decision, decisions after ratification excluded); Required is how
	// many the rule needs.
	Approvals int              `json:"approvals"`
	Required  int              `json:"required"`
	Decisions []DecisionReport `json:"decisions"` // in ledger order
}

// State is "ratified", "superseded" (amended before ratification) or
// "open".
func (v *VersionReport) State() string {
	switch {
	case v.Ratified != 0:
		return "ratified"
	case v.Superseded != 0:
		return "superseded"
	}
	return "open"
}

// DecisionReport is one signed decision the audit checked.
type DecisionReport struct {
	Entry     int    `json:"entry"`
	Signatory string `json:"signatory"`
	Name      string `json:"name"`     // the signatory's name on the roster
	Decision  string `json:"decision"` // "approve" or "withdraw"
	// Key is the fingerprint (SHA256:…) of the key that signed, the one
	// the signatory held at that position.
	Key  string `json:"key"`
	Time string `json:"time"` // the signer's claimed time, RFC 3339 UTC
	// Late is a decision made after the version was ratified: recorded,
	// but it counts for nothing.
	Late bool `json:"late"`
}

// SinceReport says whether the head given as VerifyOptions.Since is in the
// history, and where.
type SinceReport struct {
	Head  string `json:"head"`
	Found bool   `json:"found"`
	Entry int    `json:"entry"` // its position when found, -1 otherwise
}

// CheckpointReport is one checkpoint whose signatures held, and whether its
// head is in the history at its position.
type CheckpointReport struct {
	File    string             `json:"file"`
	Head    string             `json:"head"`
	Entry   int                `json:"entry"` // the position it names for its head
	Signers []CheckpointSigner `json:"signers"`
	Held    bool               `json:"held"` // its head is this history's entry at that position
}

// CheckpointSigner is a member whose signature on a checkpoint verified.
type CheckpointSigner struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// documentsOf returns what the final state st of an audit says of every
// document, in id order, and the ratified versions.
func documentsOf(st *rules.State) ([]DocumentReport, []RatifiedVersion) {
	docs, ratified := []DocumentReport{}, []RatifiedVersion{}
	for _, id := range sortedKeys(st.Docs) {
		ds := st.Docs[id]
		d := ds.Doc
		dr := DocumentReport{Document: id, Title: d.Title, Entry: d.Entry, Proposer: d.Proposer,
			Rule: d.Rule.String(), RuleText: d.Rule.Describe(len(d.Signers)),
			Signers: append([]string{}, d.Signers...), Versions: []VersionReport{}}
		required := len(d.Signers)
		if d.Rule.Kind == "quorum" {
			required = d.Rule.Quorum
		}
		for _, vs := range ds.Versions {
			vr := VersionReport{Version: vs.V.Number, Entry: vs.V.Entry, Texts: append([]rules.Text{}, vs.V.Texts...),
				Superseded: vs.Superseded, Required: required, Decisions: []DecisionReport{}}
			if vs.Ratified != nil {
				vr.Ratified = vs.Ratified.Entry
				ratified = append(ratified, RatifiedVersion{Document: id, Version: vs.V.Number, Entry: vs.Ratified.Entry})
			}
			approvals, _ := rules.ApprovalsOf(d, vs)
			vr.Approvals = len(approvals)
			for i := range vs.Decisions {
				dec := &vs.Decisions[i]
				_, fp := dec.Identity()
				r := DecisionReport{Entry: dec.Pos, Signatory: dec.Signatory, Decision: string(dec.Decision), Key: fp, Late: dec.Late}
				if m := st.Members[dec.Signatory]; m != nil {
					r.Name = m.Name
				}
				if dec.Statement != nil {
					r.Time = dec.Statement.Time.UTC().Format(time.RFC3339)
				}
				vr.Decisions = append(vr.Decisions, r)
			}
			dr.Versions = append(dr.Versions, vr)
		}
		docs = append(docs, dr)
	}
	return docs, ratified
}
