// Package rules is the ledger's one rules engine: it takes the bytes of
// ledger entries and returns checked state, and does no I/O. It owns the
// ledger's file formats (genesis, roster changes, documents, versions,
// ratifications; docs/LEDGER.md), the one grammar of the ledger's paths
// (ParsePath), which entry a set of added files is (Classify), and every
// rule an entry must keep: the roster and its steward threshold, key
// validity by ledger position, documents, versions, decisions,
// ratification, and witnesses.
//
// Every reader judges entries through it: 'concord verify' replaying the
// history, the readers behind status, show and sign, sync's check of what
// it fetches, and verify-pdf replaying the history a PDF carries. A
// State is built by applying entries in ledger order (State.ApplyGenesis
// first); each Apply method returns the rules the entry breaks, as
// *RuleError values naming the file. Signature checks of statements are
// handed to State.SigCheck, so that the caller decides how (and on how
// many goroutines) they run.
package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/ssh"
	"golang.org/x/text/unicode/norm"

	"github.com/concord-ledger/concord/signing"
)

// FormatVersion names the ledger format in genesis.json.
const FormatVersion = "concord-ledger-v1"

// Member is one person on the roster: a signatory, and a steward if
// Steward is set.
type Member struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Title       string `json:"title"`
	Institution string `json:"institution"`
	Country     string `json:"country"`
	// Key is the ed25519 public key in authorized_keys form, without comment.
	Key     string `json:"key"`
	Steward bool   `json:"steward"`
}

// Genesis is the founding entry of a ledger. The ledger id is the SHA-256
// of its exact bytes.
type Genesis struct {
	Format string `json:"format"`
	Title  string `json:"title"`
	// Demo marks a demonstration ledger: illustrative text, demo keys. Every
	// view of such a ledger says so.
	Demo      bool     `json:"demo"`
	Created   string   `json:"created"` // RFC 3339 UTC, informative
	Nonce     string   `json:"nonce"`   // 32 hex digits, so that two ledgers never share an id
	Founder   string   `json:"founder"` // the steward who wrote the entry
	Threshold int      `json:"threshold"`
	Stewards  []Member `json:"stewards"`
}

// Roster change actions.
const (
	ActionAdd    = "add"
	ActionRotate = "rotate"
	ActionRevoke = "revoke"
)

// RosterChange is a proposed change of the roster. It takes effect at the
// entry where the threshold of distinct stewards have approved it.
type RosterChange struct {
	Ledger   string  `json:"ledger"`
	Action   string  `json:"action"`
	Member   *Member `json:"member,omitempty"` // add: the new member
	ID       string  `json:"id,omitempty"`     // rotate, revoke: who
	Key      string  `json:"key,omitempty"`    // rotate: the new key
	Reason   string  `json:"reason,omitempty"`
	Proposer string  `json:"proposer"`
	Proposed string  `json:"proposed"` // RFC 3339 UTC, informative
}

// Rule is a ratification rule: all required signers, or a quorum of them.
type Rule struct {
	Kind   string `json:"kind"` // "all" or "quorum"
	Quorum int    `json:"quorum,omitempty"`
}

// ParseRule parses "all" or "quorum:N".
func ParseRule(s string) (Rule, error) {
	if s == "all" {
		return Rule{Kind: "all"}, nil
	}
	if n, ok := strings.CutPrefix(s, "quorum:"); ok {
		q, err := strconv.Atoi(n)
		if err == nil && q >= 1 && strconv.Itoa(q) == n {
			return Rule{Kind: "quorum", Quorum: q}, nil
		}
	}
	return Rule{}, fmt.Errorf("rule %q is neither \"all\" nor \"quorum:N\" with N ≥ 1", s)
}

// String returns the rule as ParseRule reads it.
func (r Rule) String() string {
	if r.Kind == "quorum" {
		return fmt.Sprintf("quorum:%d", r.Quorum)
	}
	return r.Kind
}

// Describe returns the rule in words for n required signers.
func (r Rule) Describe(n int) string {
	if r.Kind == "quorum" {
		return fmt.Sprintf("quorum: %d of %s", r.Quorum, CountNoun(n, "signatory", "signatories"))
	}
	return "all " + CountNoun(n, "signatory", "signatories")
}

// Document is an agreement: what it is called, whose signatures it needs
// and by which rule it is ratified.
type Document struct {
	Ledger   string   `json:"ledger"`
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Signers  []string `json:"signers"`
	Rule     Rule     `json:"rule"`
	Proposer string   `json:"proposer"`
	Entry    int      `json:"entry"` // ledger position of the proposal
}

// Text is one language text of a version.
type Text struct {
	Lang   string `json:"lang"`
	SHA256 string `json:"sha256"` // hex
}

// Version is one frozen text of a document.
type Version struct {
	Ledger   string `json:"ledger"`
	Document string `json:"document"`
	Number   int    `json:"number"`
	Texts    []Text `json:"texts"` // sorted by language
	Author   string `json:"author"`
	Note     string `json:"note,omitempty"`
	Entry    int    `json:"entry"` // ledger position of the proposal or amendment
}

// Approval names one approval counted toward ratification.
type Approval struct {
	Signatory string `json:"signatory"`
	Entry     int    `json:"entry"`
	Key       string `json:"key"` // fingerprint of the key that signed
}

// Ratified records that a version's rule was met.
type Ratified struct {
	Ledger    string     `json:"ledger"`
	Document  string     `json:"document"`
	Version   int        `json:"version"`
	Rule      Rule       `json:"rule"`
	Entry     int        `json:"entry"`
	Approvals []Approval `json:"approvals"`
}

// EncodeJSON returns the one byte form of v concord writes: two-space
// indented JSON, HTML characters unescaped, and a final newline.
func EncodeJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		panic(err) // only concord's own types are encoded
	}
	return b.Bytes()
}

// DecodeJSON parses data strictly into v: no unknown fields, no trailing
// data, and data must be exactly what encodeJSON writes for the result, so
// that no two readers can see different content in one file.
func DecodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if !bytes.Equal(EncodeJSON(v), data) {
		return fmt.Errorf("not in canonical form")
	}
	return nil
}

// CheckField checks a free-text roster or title field: non-empty valid
// UTF-8 in NFC, at most max characters, no control or format characters.
func CheckField(name, s string, max int) error {
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("%s is empty", name)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s is not valid UTF-8", name)
	}
	if utf8.RuneCountInString(s) > max {
		return fmt.Errorf("%s is longer than %d characters", name, max)
	}
	if !norm.NFC.IsNormalString(s) {
		return fmt.Errorf("%s is not in Unicode NFC", name)
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.In(r, unicode.Cf) {
			return fmt.Errorf("%s contains the control or invisible character %U", name, r)
		}
	}
	return nil
}

// Validate checks m's fields and parses its key.
func (m *Member) Validate() (ssh.PublicKey, error) {
	if err := m.checkFields(); err != nil {
		return nil, err
	}
	return ParseKey(m.Key)
}

// checkFields checks m's fields other than its key.
func (m *Member) checkFields() error {
	if !signing.ValidID(m.ID) {
		return fmt.Errorf("member id %q: use 1 to 64 of a-z, 0-9 and '-'", m.ID)
	}
	for _, f := range []struct{ name, v string }{
		{"name", m.Name}, {"title", m.Title}, {"institution", m.Institution}, {"country", m.Country},
	} {
		if err := CheckField(f.name, f.v, 200); err != nil {
			return fmt.Errorf("member %s: %w", m.ID, err)
		}
	}
	return nil
}

// ParseKey parses a key as stored in the ledger: authorized_keys form, no
// comment, exactly as signing.MarshalPublicKey writes it.
func ParseKey(s string) (ssh.PublicKey, error) {
	k, err := signing.ParsePublicKey([]byte(s))
	if err != nil {
		return nil, err
	}
	if KeyString(k) != s {
		return nil, fmt.Errorf("key %q is not in canonical form %q", s, KeyString(k))
	}
	return k, nil
}

// KeyString is the stored form of a key.
func KeyString(k ssh.PublicKey) string {
	return strings.TrimSuffix(string(signing.MarshalPublicKey(k, "")), "\n")
}

// FormatTime is how times are written in ledger files.
func FormatTime(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }

// Subject returns the id of the member the change is about.
func (ch *RosterChange) Subject() string {
	if ch.Member != nil {
		return ch.Member.ID
	}
	return ch.ID
}
