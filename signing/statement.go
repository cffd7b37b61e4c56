package signing

import (
	"time"
)

// Decision is what a signatory says of a version.
type Decision string

// Decisions.
const (
	Approve  Decision = "approve"
	Withdraw Decision = "withdraw"
)

// TextHash is the SHA-256 of one language text in canonical form.
type TextHash struct {
	Lang   string // language tag, e.g. "zh", "kk", "en"
	SHA256 [32]byte
}

// Statement is what a signatory signs about one version of a document.
// Its byte form is specified in docs/FORMAT.md and by Format.
type Statement struct {
	Ledger    string     // ledger id
	Document  string     // document id
	Version   int        // version number, from 1
	Texts     []TextHash // one per language, sorted by Lang, no duplicates
	Signatory string     // signatory id
	Decision  Decision
	Time      time.Time // the signer's claimed time (UTC, seconds); informative only
}

// Format returns the exact bytes of s, or an error if s is not well formed.
func (s *Statement) Format() ([]byte, error) {
	panic("unimplemented")
}

// ParseStatement parses b strictly: it succeeds only if formatting the result
// gives b back byte for byte.
func ParseStatement(b []byte) (*Statement, error) {
	panic("unimplemented")
}

// RosterApproval is what a steward signs to approve a roster change.
type RosterApproval struct {
	Ledger     string   // ledger id
	Change     string   // change id
	ChangeHash [32]byte // SHA-256 of the change file's exact bytes
	Steward    string   // steward id
	Time       time.Time
}

// Format returns the exact bytes of a.
func (a *RosterApproval) Format() ([]byte, error) {
	panic("unimplemented")
}

// ParseRosterApproval parses b strictly, as ParseStatement does.
func ParseRosterApproval(b []byte) (*RosterApproval, error) {
	panic("unimplemented")
}

// ValidID reports whether id is a valid ledger identifier for a signatory,
// document or change: 1 to 64 of a-z, 0-9 and '-', starting with a letter or
// digit.
func ValidID(id string) bool {
	panic("unimplemented")
}

// ValidLang reports whether tag is a valid language tag: 2 or 3 lowercase
// letters, optionally followed by "-" and 2 to 8 letters or digits
// (e.g. "zh", "kk", "zh-hans").
func ValidLang(tag string) bool {
	panic("unimplemented")
}
