package documents

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// FieldError is a single-line free-text field (a title, a name, an
// institution, a country, a reason, a note) that breaks the field rule of
// CheckField.
type FieldError struct {
	Field   string // the field, e.g. "title" or "member kaznu: name"
	Column  int    // column of the offending character, from 1, in characters; 0 if the field as a whole
	Problem string // what is wrong, e.g. "control character U+001B (ESCAPE)"
	hint    string
}

// Error names the field, the column and the problem.
func (e *FieldError) Error() string {
	if e.Column > 0 {
		return fmt.Sprintf("%s, column %d: %s", e.Field, e.Column, e.Problem)
	}
	return fmt.Sprintf("%s %s", e.Field, e.Problem)
}

// Hint tells the user how to fix the field.
func (e *FieldError) Hint() string { return e.hint }

// CheckField checks a single-line free-text field by the text rules of
// docs/TEXT.md, with no exception: s must be non-empty (not only white
// space), valid UTF-8, in NFC, at most max characters (code points), on one
// line, and hold no control character (tab, LF and CR included), no
// bidirectional control, no invisible format character other than ZWNJ and
// ZWJ, no U+2028 or U+2029 and no unassigned code point. name names the
// field in the *FieldError returned.
//
// The ledger applies it when a field is written; what older entries hold is
// read by the looser rule they were written under.
func CheckField(name, s string, max int) error {
	if strings.TrimSpace(s) == "" {
		return &FieldError{Field: name, Problem: "is empty"}
	}
	col := 0
	for i, r := range s {
		col++
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				return &FieldError{Field: name, Column: col, Problem: fmt.Sprintf("invalid UTF-8: byte 0x%02X at byte offset %d", s[i], i),
					hint: "give the field as UTF-8"}
			}
		}
		kind := classify(r, false)
		if kind == "" && (r == '\t' || r == '\n' || r == '\r') {
			kind = KindControl
		}
		if kind != "" {
			p := fmt.Sprintf("%s %U", kind, r)
			if n := runeName(r); n != "" {
				p += " (" + n + ")"
			}
			return &FieldError{Field: name, Column: col, Problem: p,
				hint: "remove the character: a field is one line of visible text (your terminal may not show the character)"}
		}
	}
	if col > max {
		return &FieldError{Field: name, Problem: fmt.Sprintf("is longer than %d characters (%d)", max, col)}
	}
	if !norm.NFC.IsNormalString(s) {
		return &FieldError{Field: name, Problem: "is not in Unicode NFC",
			hint: "write the field with precomposed characters (Unicode NFC), e.g. with 'uconv -x any-nfc'"}
	}
	return nil
}
