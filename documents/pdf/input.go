package pdf

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Input is everything a rendered PDF shows and carries. It is plain data:
// the ledger layer fills it, and the same Input always renders to the same
// bytes.
type Input struct {
	LedgerTitle string    // the ledger's title (genesis), shown above the document title; may be empty
	Title       string    // the document's title
	Document    string    // the document id, e.g. "almaty-consensus"
	Version     int       // the version rendered, from 1
	Ledger      string    // the ledger id (hex SHA-256 of its genesis entry)
	Head        string    // the ledger head (commit id) the PDF was made from
	Date        time.Time // the ledger's time at Head: the PDF's creation and modification date
	Demo        bool      // a demonstration ledger: every page says so
	Status      Status
	Texts       []Text      // one per language, in the order to print them
	Signatories []Signatory // every signatory the document requires, in the document's order
	Timeline    []Event     // the version's events, oldest first
	Evidence    []File      // files to embed, in this order
	// Namespace is the SSHSIG namespace the signatures use, named in the
	// verification instructions (e.g. "concord").
	Namespace string
	// Producer names the program in the PDF's metadata, e.g. "concord".
	// Keep it free of version numbers that change more often than the
	// layout, or identical ledgers stop giving identical PDFs.
	Producer string
}

// Status is the version's standing at Head.
type Status struct {
	Ratified      bool
	RatifiedEntry int // the ledger entry that ratified it
	// RatifiedTime is when that entry was written, as its signer claims.
	RatifiedTime time.Time
	Rule         string // the rule in words, e.g. "all 6 signatories"
	Approvals    int    // approvals that count toward the rule
	Required     int    // approvals the rule needs
	SupersededBy int    // the version that replaced this one, 0 if none
	SupersededAt int    // the entry of that amendment
}

// Text is one language text of the version.
type Text struct {
	Lang   string // language tag, e.g. "zh", "kk", "ru", "en"
	Data   []byte // the canonical text (docs/TEXT.md)
	SHA256 string // hex SHA-256 of Data, as the statements name it
}

// Decision is a signatory's standing on the version.
type Decision string

// Decisions.
const (
	Approved  Decision = "approved"
	Withdrawn Decision = "withdrawn"
	Pending   Decision = "pending"
)

// Signatory is one row of the signature appendix.
type Signatory struct {
	ID          string
	Name        string
	Title       string
	Institution string
	Country     string
	Fingerprint string   // "SHA256:…" of the key that signed (or the current key, when pending)
	Decision    Decision // the latest decision
	Entry       int      // the ledger entry holding it (0 when pending)
	Time        time.Time
	Commit      string // the commit holding it
	Signature   []byte // the armored SSHSIG signature of the statement
}

// Event is one entry of the version's timeline.
type Event struct {
	Entry  int
	Time   time.Time // as claimed by whoever wrote the entry
	What   string    // e.g. "proposed by xjtu", "approved by kaznu", "ratified (all 6 signatories)"
	Commit string
}

// File is an evidence file to embed.
type File struct {
	Name        string // a plain file name (no folder), e.g. "text-zh.txt"
	Data        []byte
	Description string
}

// InputError is an Input that cannot be rendered as given.
type InputError struct{ Problem string }

func (e *InputError) Error() string { return "cannot render the PDF: " + e.Problem }

// check validates in; it does not check glyphs (layout does).
func (in *Input) check() error {
	bad := func(format string, a ...any) error { return &InputError{Problem: fmt.Sprintf(format, a...)} }
	switch {
	case in.Title == "" || in.Document == "" || in.Ledger == "" || in.Head == "":
		return bad("title, document id, ledger id and head are all required")
	case in.Version < 1:
		return bad("version %d: versions count from 1", in.Version)
	case in.Date.IsZero():
		return bad("no date: the PDF's date must come from the ledger")
	case in.Status.Ratified && in.Status.RatifiedTime.IsZero():
		return bad("a ratified version with no time of ratification")
	case len(in.Texts) == 0:
		return bad("no text")
	}
	langs := map[string]bool{}
	for _, t := range in.Texts {
		if t.Lang == "" || langs[t.Lang] {
			return bad("language %q is empty or given twice", t.Lang)
		}
		langs[t.Lang] = true
		sum := sha256.Sum256(t.Data)
		if hex.EncodeToString(sum[:]) != t.SHA256 {
			return bad("text %s does not have the SHA-256 %s", t.Lang, t.SHA256)
		}
		if !utf8.Valid(t.Data) {
			return bad("text %s is not valid UTF-8", t.Lang)
		}
	}
	for _, s := range in.Signatories {
		switch s.Decision {
		case Approved, Withdrawn, Pending:
		default:
			return bad("signatory %s: unknown decision %q", s.ID, s.Decision)
		}
	}
	names := map[string]bool{}
	for _, f := range in.Evidence {
		if f.Name == "" || names[f.Name] {
			return bad("evidence file name %q is empty or given twice", f.Name)
		}
		// pdfdetach -saveall and most readers save an attachment under its
		// name in one folder: a name with a folder in it cannot be saved.
		if strings.ContainsAny(f.Name, `/\:`) || f.Name == "." || f.Name == ".." {
			return bad("evidence file name %q is not a plain file name", f.Name)
		}
		names[f.Name] = true
	}
	return nil
}
