package ledger

import (
	"strings"
	"time"

	"github.com/concord-ledger/concord/ledger/rules"
)

// PlannedEntry is an entry a dry run (Env.DryRun) built and checked but did
// not write: its position, kind, author, commit summary and files (paths
// as in docs/LEDGER.md). Files may hold signatures made for the entry;
// show their presence, never their bytes, since a signature printed by a
// dry run could be written to the ledger by someone else.
type PlannedEntry struct {
	Entry   int
	Kind    string
	Actor   string
	Summary string
	Files   map[string][]byte
}

// StatementAt returns the statement the plan's signatory would sign at t,
// exactly as Commit would sign it then; a dry run shows it unsigned.
func (plan *DecisionPlan) StatementAt(t time.Time) ([]byte, error) {
	s := *plan.statement
	s.Time = t.UTC().Truncate(time.Second)
	return s.Format()
}

// IsSignature reports whether a file of an entry holds a signature: a
// .sig file, or a witness's signed note.
func IsSignature(path string) bool {
	return strings.HasSuffix(path, rules.SigSuffix) || strings.HasSuffix(path, ".note")
}
