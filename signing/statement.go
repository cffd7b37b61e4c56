package signing

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Decision is what a signatory says of a version.
type Decision string

// Decisions.
const (
	Approve  Decision = "approve"
	Withdraw Decision = "withdraw"
)

// Limits of the statement format (see docs/FORMAT.md).
const (
	// MaxVersion is the highest version number a statement can name.
	MaxVersion = 999999
	// MaxTexts is the most language texts one statement can list.
	MaxTexts = 64
	// MaxStatementSize is the largest statement or roster approval, in
	// bytes, that the parsers read; a well-formed one is far smaller.
	MaxStatementSize = 16 << 10
)

// Header lines. Each starts the byte form of one kind of signed thing, so no
// signed statement can be read as another kind.
const (
	StatementHeader      = "concord statement v1"
	RosterApprovalHeader = "concord roster-approval v1"
)

// timeLayout is RFC 3339 in UTC with seconds precision.
const timeLayout = "2006-01-02T15:04:05Z"

// Years a statement time may fall in; outside them the four-digit year of
// timeLayout cannot be written, or the time is surely a mistake.
const (
	minYear = 1970
	maxYear = 9999
)

const (
	whatStatement = "statement"
	whatApproval  = "roster approval"
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

// Format returns the exact bytes of s, or a *StatementError if s is not well
// formed. Time may be in any location (it is written in UTC) but must be a
// whole second between 1970 and 9999; Texts must already be sorted by Lang.
func (s *Statement) Format() ([]byte, error) {
	fail := func(field, format string, args ...any) error {
		return &StatementError{What: whatStatement, Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	if !ValidLedgerID(s.Ledger) {
		return nil, fail("ledger", "%q is not a ledger id (64 lowercase hex digits)", s.Ledger)
	}
	if !ValidID(s.Document) {
		return nil, fail("document", "%q is not a valid id", s.Document)
	}
	if s.Version < 1 || s.Version > MaxVersion {
		return nil, fail("version", "%d is not between 1 and %d", s.Version, MaxVersion)
	}
	if len(s.Texts) == 0 {
		return nil, fail("text", "no language texts")
	}
	if len(s.Texts) > MaxTexts {
		return nil, fail("text", "%d language texts, more than %d", len(s.Texts), MaxTexts)
	}
	for i, t := range s.Texts {
		if !ValidLang(t.Lang) {
			return nil, fail("text", "%q is not a valid language tag", t.Lang)
		}
		if i > 0 {
			if reason := langOrder(s.Texts[i-1].Lang, t.Lang); reason != "" {
				return nil, fail("text", "%s", reason)
			}
		}
	}
	if !ValidID(s.Signatory) {
		return nil, fail("signatory", "%q is not a valid id", s.Signatory)
	}
	if s.Decision != Approve && s.Decision != Withdraw {
		return nil, fail("decision", "%q is neither %q nor %q", s.Decision, Approve, Withdraw)
	}
	ts, reason := formatTime(s.Time)
	if reason != "" {
		return nil, fail("time", "%s", reason)
	}

	var b bytes.Buffer
	b.Grow(256 + len(s.Texts)*80)
	line := func(parts ...string) {
		b.WriteString(strings.Join(parts, " "))
		b.WriteByte('\n')
	}
	line(StatementHeader)
	line("ledger", s.Ledger)
	line("document", s.Document)
	line("version", strconv.Itoa(s.Version))
	for _, t := range s.Texts {
		line("text", t.Lang, hex.EncodeToString(t.SHA256[:]))
	}
	line("signatory", s.Signatory)
	line("decision", string(s.Decision))
	line("time", ts)
	return b.Bytes(), nil
}

// ParseStatement parses b strictly: it succeeds only if formatting the result
// gives b back byte for byte. Errors are *StatementError.
func ParseStatement(b []byte) (*Statement, error) {
	r, err := newLineReader(whatStatement, b)
	if err != nil {
		return nil, err
	}
	if err := r.header(StatementHeader); err != nil {
		return nil, err
	}
	s := &Statement{}
	if s.Ledger, err = r.field("ledger", ledgerValue); err != nil {
		return nil, err
	}
	if s.Document, err = r.field("document", idValue); err != nil {
		return nil, err
	}
	v, err := r.field("version", versionValue)
	if err != nil {
		return nil, err
	}
	s.Version, _ = strconv.Atoi(v) // checked by versionValue
	for r.peek("text") {
		if len(s.Texts) == MaxTexts {
			return nil, r.errorf("text", "more than %d language texts", MaxTexts)
		}
		v, err := r.field("text", textValue)
		if err != nil {
			return nil, err
		}
		lang, sum, _ := strings.Cut(v, " ")
		t := TextHash{Lang: lang}
		hex.Decode(t.SHA256[:], []byte(sum)) // checked by textValue
		if n := len(s.Texts); n > 0 {
			if reason := langOrder(s.Texts[n-1].Lang, lang); reason != "" {
				return nil, r.errorAt(r.n, "text", reason)
			}
		}
		s.Texts = append(s.Texts, t)
	}
	if len(s.Texts) == 0 {
		return nil, r.errorf("text", "expected at least one %q line", "text")
	}
	if s.Signatory, err = r.field("signatory", idValue); err != nil {
		return nil, err
	}
	d, err := r.field("decision", decisionValue)
	if err != nil {
		return nil, err
	}
	s.Decision = Decision(d)
	ts, err := r.field("time", timeValue)
	if err != nil {
		return nil, err
	}
	s.Time, _ = time.Parse(timeLayout, ts) // checked by timeValue
	if err := r.end(); err != nil {
		return nil, err
	}
	return s, r.roundTrip(s.Format)
}

// RosterApproval is what a steward signs to approve a roster change.
type RosterApproval struct {
	Ledger     string   // ledger id
	Change     string   // change id
	ChangeHash [32]byte // SHA-256 of the change file's exact bytes
	Steward    string   // steward id
	Time       time.Time
}

// Format returns the exact bytes of a, or a *StatementError if a is not well
// formed. Time follows the rules of Statement.Format.
func (a *RosterApproval) Format() ([]byte, error) {
	fail := func(field, format string, args ...any) error {
		return &StatementError{What: whatApproval, Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	if !ValidLedgerID(a.Ledger) {
		return nil, fail("ledger", "%q is not a ledger id (64 lowercase hex digits)", a.Ledger)
	}
	if !ValidID(a.Change) {
		return nil, fail("change", "%q is not a valid id", a.Change)
	}
	if !ValidID(a.Steward) {
		return nil, fail("steward", "%q is not a valid id", a.Steward)
	}
	ts, reason := formatTime(a.Time)
	if reason != "" {
		return nil, fail("time", "%s", reason)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\nledger %s\nchange %s\nchange-sha256 %x\nsteward %s\ntime %s\n",
		RosterApprovalHeader, a.Ledger, a.Change, a.ChangeHash[:], a.Steward, ts)
	return b.Bytes(), nil
}

// ParseRosterApproval parses b strictly, as ParseStatement does.
func ParseRosterApproval(b []byte) (*RosterApproval, error) {
	r, err := newLineReader(whatApproval, b)
	if err != nil {
		return nil, err
	}
	if err := r.header(RosterApprovalHeader); err != nil {
		return nil, err
	}
	a := &RosterApproval{}
	if a.Ledger, err = r.field("ledger", ledgerValue); err != nil {
		return nil, err
	}
	if a.Change, err = r.field("change", idValue); err != nil {
		return nil, err
	}
	sum, err := r.field("change-sha256", sha256Value)
	if err != nil {
		return nil, err
	}
	hex.Decode(a.ChangeHash[:], []byte(sum)) // checked by sha256Value
	if a.Steward, err = r.field("steward", idValue); err != nil {
		return nil, err
	}
	ts, err := r.field("time", timeValue)
	if err != nil {
		return nil, err
	}
	a.Time, _ = time.Parse(timeLayout, ts) // checked by timeValue
	if err := r.end(); err != nil {
		return nil, err
	}
	return a, r.roundTrip(a.Format)
}

// ValidID reports whether id is a valid ledger identifier for a signatory,
// document or change: 1 to 64 of a-z, 0-9 and '-', starting with a letter or
// digit.
func ValidID(id string) bool {
	if len(id) == 0 || len(id) > 64 || id[0] == '-' {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !lowerASCII(c) && !digitASCII(c) && c != '-' {
			return false
		}
	}
	return true
}

// ValidLang reports whether tag is a valid language tag: 2 or 3 lowercase
// letters, optionally followed by "-" and 2 to 8 letters or digits
// (e.g. "zh", "kk", "zh-hans").
func ValidLang(tag string) bool {
	primary, sub, hasSub := strings.Cut(tag, "-")
	if len(primary) < 2 || len(primary) > 3 {
		return false
	}
	for i := 0; i < len(primary); i++ {
		if !lowerASCII(primary[i]) {
			return false
		}
	}
	if !hasSub {
		return true
	}
	if len(sub) < 2 || len(sub) > 8 {
		return false
	}
	for i := 0; i < len(sub); i++ {
		if c := sub[i]; !lowerASCII(c) && !digitASCII(c) {
			return false
		}
	}
	return true
}

// ValidLedgerID reports whether id is a ledger id: the SHA-256 of the
// ledger's genesis entry as 64 lowercase hex digits.
func ValidLedgerID(id string) bool {
	return lowerHexASCII(id, 64)
}

func lowerASCII(c byte) bool { return 'a' <= c && c <= 'z' }
func digitASCII(c byte) bool { return '0' <= c && c <= '9' }

func lowerHexASCII(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !digitASCII(c) && !('a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// langOrder returns why tag b may not follow tag a in a statement, or "".
func langOrder(a, b string) string {
	switch {
	case a == b:
		return fmt.Sprintf("duplicate language %q", b)
	case a > b:
		return fmt.Sprintf("languages not sorted: %q after %q", b, a)
	}
	return ""
}

// formatTime returns t in the statement time form, or why it cannot be.
func formatTime(t time.Time) (string, string) {
	if t.IsZero() {
		return "", "not set"
	}
	if t.Nanosecond() != 0 {
		return "", fmt.Sprintf("%s is not a whole second", t.UTC().Format(time.RFC3339Nano))
	}
	u := t.UTC()
	if y := u.Year(); y < minYear || y > maxYear {
		return "", fmt.Sprintf("year %d is not between %d and %d", y, minYear, maxYear)
	}
	return u.Format(timeLayout), ""
}

// Field value checkers: each returns why v is not a valid value, or "".

func ledgerValue(v string) string {
	if !ValidLedgerID(v) {
		return fmt.Sprintf("%q is not a ledger id (64 lowercase hex digits)", v)
	}
	return ""
}

func idValue(v string) string {
	if !ValidID(v) {
		return fmt.Sprintf("%q is not a valid id (1 to 64 of a-z, 0-9, '-', not starting with '-')", v)
	}
	return ""
}

func sha256Value(v string) string {
	if !lowerHexASCII(v, 64) {
		return fmt.Sprintf("%q is not a SHA-256 (64 lowercase hex digits)", v)
	}
	return ""
}

func versionValue(v string) string {
	ok := len(v) >= 1 && len(v) <= 6 && v[0] != '0'
	for i := 0; ok && i < len(v); i++ {
		ok = digitASCII(v[i])
	}
	if !ok {
		return fmt.Sprintf("%q is not a version number (1 to %d, decimal, no leading zeros)", v, MaxVersion)
	}
	return ""
}

func textValue(v string) string {
	lang, sum, ok := strings.Cut(v, " ")
	if !ok {
		return fmt.Sprintf("%q is not a language tag and a SHA-256", v)
	}
	if !ValidLang(lang) {
		return fmt.Sprintf("%q is not a valid language tag", lang)
	}
	return sha256Value(sum)
}

func decisionValue(v string) string {
	if v != string(Approve) && v != string(Withdraw) {
		return fmt.Sprintf("%q is neither %q nor %q", v, Approve, Withdraw)
	}
	return ""
}

func timeValue(v string) string {
	t, err := time.Parse(timeLayout, v)
	if err != nil || t.Format(timeLayout) != v {
		return fmt.Sprintf("%q is not a UTC time of the form YYYY-MM-DDThh:mm:ssZ", v)
	}
	if _, reason := formatTime(t); reason != "" {
		return reason
	}
	return ""
}

// lineReader reads the lines of a statement-like input, after checking that
// the input is printable ASCII with LF line endings.
type lineReader struct {
	what  string
	input []byte
	lines []string
	n     int // lines consumed
}

var utf8BOM = []byte{0xef, 0xbb, 0xbf}

func newLineReader(what string, b []byte) (*lineReader, error) {
	r := &lineReader{what: what, input: b}
	if len(b) == 0 {
		return nil, r.errorAt(1, "", "empty input")
	}
	if len(b) > MaxStatementSize {
		return nil, r.errorAt(1, "", fmt.Sprintf("%d bytes, more than %d", len(b), MaxStatementSize))
	}
	if bytes.HasPrefix(b, utf8BOM) {
		return nil, r.errorAt(1, "", "starts with a byte order mark")
	}
	line, col := 1, 1
	for _, c := range b {
		switch {
		case c == '\n':
			line, col = line+1, 0
		case c == '\r':
			return nil, r.errorAt(line, "", fmt.Sprintf("carriage return at column %d (lines must end in LF alone)", col))
		case c < 0x20 || c > 0x7e:
			return nil, r.errorAt(line, "", fmt.Sprintf("byte 0x%02x at column %d (only printable ASCII is allowed)", c, col))
		}
		col++
	}
	if b[len(b)-1] != '\n' {
		return nil, r.errorAt(line, "", "missing newline at end of input")
	}
	r.lines = strings.Split(string(b[:len(b)-1]), "\n")
	return r, nil
}

func (r *lineReader) errorAt(line int, field, reason string) *StatementError {
	return &StatementError{What: r.what, Line: line, Field: field, Reason: reason}
}

// errorf reports a fault in the line about to be read (or just past the end).
func (r *lineReader) errorf(field, format string, args ...any) *StatementError {
	return r.errorAt(r.n+1, field, fmt.Sprintf(format, args...))
}

func (r *lineReader) header(want string) error {
	if len(r.lines) == 0 || r.lines[0] != want {
		got := ""
		if len(r.lines) > 0 {
			got = r.lines[0]
		}
		return r.errorf("", "first line is %s, expected %q", quoteShort(got), want)
	}
	r.n = 1
	return nil
}

// peek reports whether the next line is a name line.
func (r *lineReader) peek(name string) bool {
	return r.n < len(r.lines) && strings.HasPrefix(r.lines[r.n], name+" ")
}

// field reads the next line, which must be "name value", and checks value.
func (r *lineReader) field(name string, check func(string) string) (string, error) {
	if r.n >= len(r.lines) {
		return "", r.errorf(name, "missing %q line", name)
	}
	v, ok := strings.CutPrefix(r.lines[r.n], name+" ")
	if !ok {
		return "", r.errorf(name, "expected a %q line, found %s", name, quoteShort(r.lines[r.n]))
	}
	if reason := check(v); reason != "" {
		return "", r.errorf(name, "%s", reason)
	}
	r.n++
	return v, nil
}

func (r *lineReader) end() error {
	if r.n < len(r.lines) {
		return r.errorf("", "unexpected line %s after the last field", quoteShort(r.lines[r.n]))
	}
	return nil
}

// roundTrip checks that format gives back the input. Parsing is written so
// that this always holds; the check makes sure no other input is accepted.
func (r *lineReader) roundTrip(format func() ([]byte, error)) error {
	out, err := format()
	if err != nil {
		// A field the parser let through but Format refuses.
		if se, ok := err.(*StatementError); ok {
			return r.errorAt(1, se.Field, se.Reason)
		}
		return r.errorAt(1, "", err.Error())
	}
	if !bytes.Equal(out, r.input) {
		line := 1 + bytes.Count(out[:commonPrefixLen(out, r.input)], []byte("\n"))
		return r.errorAt(line, "", "not in canonical form")
	}
	return nil
}

func commonPrefixLen(a, b []byte) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// quoteShort quotes s for an error message, shortened to 40 bytes.
func quoteShort(s string) string {
	if len(s) > 40 {
		return strconv.Quote(s[:40]) + "…"
	}
	return strconv.Quote(s)
}
