package documents

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/unicode/runenames"
)

// Change names one thing Canonicalize changed in a text.
type Change string

// Changes Canonicalize may report.
const (
	ChangedCRLF Change = "CRLF line endings became LF"
	ChangedCR   Change = "CR line endings became LF"
	ChangedBOM  Change = "byte order mark removed"
	ChangedNFC  Change = "text normalised to Unicode NFC"
	ChangedEOL  Change = "final newline added"
)

// Options control Canonicalize.
type Options struct {
	// AllowInvisible accepts bidirectional controls and invisible characters
	// that are otherwise refused.
	AllowInvisible bool
}

// Canonical is a text in canonical form.
type Canonical struct {
	Bytes   []byte   // UTF-8, NFC, LF line endings, no BOM, ending in one LF
	SHA256  [32]byte // of Bytes
	Changes []Change // what was changed from the input, in order
}

// HashHex returns the SHA-256 as lower-case hexadecimal, the form sha256sum
// prints.
func (c *Canonical) HashHex() string { return HashHex(c.SHA256) }

// HashHex returns sum as 64 lower-case hexadecimal digits, the form sha256sum
// prints.
func HashHex(sum [32]byte) string { return hex.EncodeToString(sum[:]) }

// EncodingError reports a text that is not valid UTF-8. Canonicalize never
// guesses an encoding and never repairs a text, so this is always refused.
type EncodingError struct {
	Offset int  // byte offset of the first invalid byte in the input, from 0
	Line   int  // line of that byte in the input as given, from 1
	Column int  // column of that byte, from 1, counted in characters
	Byte   byte // the first invalid byte
}

// Error says where the invalid byte is.
func (e *EncodingError) Error() string {
	return fmt.Sprintf("line %d, column %d: invalid UTF-8: byte 0x%02X at byte offset %d",
		e.Line, e.Column, e.Byte, e.Offset)
}

// Hint tells the user how to fix the text.
func (e *EncodingError) Hint() string {
	return "save the text as UTF-8 in your editor; concord never guesses an encoding or repairs a text"
}

// EmptyTextError reports a text with nothing but white space and line
// breaks in it.
type EmptyTextError struct{}

// Error says the text is empty.
func (e *EmptyTextError) Error() string { return "text is empty (nothing but white space)" }

// Hint tells the user what to check.
func (e *EmptyTextError) Hint() string { return "check that you named the right file" }

// CharKind says why a character is refused.
type CharKind string

// Kinds of refused characters.
const (
	// KindBidi: a bidirectional control (U+202A–U+202E, U+2066–U+2069,
	// U+200E, U+200F, U+061C), which can make a text display in an order
	// other than its byte order ("Trojan Source").
	KindBidi CharKind = "bidirectional control character"
	// KindInvisible: a format character (Unicode category Cf) that shows
	// nothing, such as U+200B ZERO WIDTH SPACE or U+00AD SOFT HYPHEN.
	KindInvisible CharKind = "invisible character"
	// KindLineSeparator: U+2028 or U+2029, a line break that is not LF.
	KindLineSeparator CharKind = "Unicode line break other than LF"
	// KindUnassigned: a code point this Unicode version does not assign; its
	// normalisation could change in a later version, and with it the hash.
	KindUnassigned CharKind = "unassigned code point"
	// KindControl: a control character (category Cc) other than tab, LF and
	// CR. Refused even with Options.AllowInvisible.
	KindControl CharKind = "control character"
	// KindRepeatedBOM: a second byte order mark at the start of the text.
	// Refused even with Options.AllowInvisible, since a canonical text
	// cannot start with U+FEFF.
	KindRepeatedBOM CharKind = "repeated byte order mark"
)

// SuspiciousCharError reports a character that is refused because it
// hides or disguises content: a reader would not see what is signed.
type SuspiciousCharError struct {
	Line   int      // line in the input as given (LF, CRLF and CR each end a line), from 1
	Column int      // column, from 1, counted in characters; a leading BOM is not counted
	Rune   rune     // the character
	Name   string   // its Unicode name, or "" if it has none
	Kind   CharKind // why it is refused
}

// Error names the character and where it is.
func (e *SuspiciousCharError) Error() string {
	s := fmt.Sprintf("line %d, column %d: %s %U", e.Line, e.Column, e.Kind, e.Rune)
	if e.Name != "" {
		s += " (" + e.Name + ")"
	}
	return s
}

// Hint tells the user how to fix the text.
func (e *SuspiciousCharError) Hint() string {
	if !e.Kind.Overridable() {
		return "remove the character; it cannot be part of an agreement text (your editor may not show it)"
	}
	return "remove the character (your editor may not show it), or allow invisible characters explicitly if the text needs it"
}

// Overridable reports whether Options.AllowInvisible lets characters of
// this kind through.
func (k CharKind) Overridable() bool {
	return k != KindControl && k != KindRepeatedBOM
}

const bom = "\uFEFF"

// Canonicalize returns the canonical form of text: UTF-8 (invalid UTF-8 is
// refused, never repaired), no byte order mark, LF line endings, Unicode NFC
// and a final newline. Bidirectional control characters (Trojan Source) and
// invisible characters are refused with *SuspiciousCharError naming the line
// and column, unless opts.AllowInvisible. Control characters other than tab
// and line endings are always refused; so is a text with nothing but white
// space (*EmptyTextError). Invalid UTF-8 is refused with *EncodingError.
// The rules are spelt out in docs/TEXT.md. The input is not modified.
func Canonicalize(text []byte, opts Options) (*Canonical, error) {
	var changes []Change
	body := text
	if bytes.HasPrefix(body, []byte(bom)) {
		body = body[len(bom):]
		changes = append(changes, ChangedBOM)
	}
	if err := check(text, len(text)-len(body), opts); err != nil {
		return nil, err
	}

	out, crlf, cr := toLF(body)
	if crlf {
		changes = append(changes, ChangedCRLF)
	}
	if cr {
		changes = append(changes, ChangedCR)
	}
	if !norm.NFC.IsNormal(out) {
		out = norm.NFC.Bytes(out)
		changes = append(changes, ChangedNFC)
	}
	if len(bytes.TrimFunc(out, unicode.IsSpace)) == 0 {
		return nil, &EmptyTextError{}
	}
	if out[len(out)-1] != '\n' {
		out = append(out, '\n')
		changes = append(changes, ChangedEOL)
	}
	return &Canonical{Bytes: out, SHA256: sha256.Sum256(out), Changes: changes}, nil
}

// IsCanonical reports whether b is already in canonical form: Canonicalize
// would accept it and change nothing. It checks the form only (encoding,
// line endings, NFC, final newline, no BOM, no control characters, not
// empty), not the policy on invisible characters, since a text accepted with
// Options.AllowInvisible is still canonical. The ledger uses it to check
// stored texts.
func IsCanonical(b []byte) bool {
	c, err := Canonicalize(b, Options{AllowInvisible: true})
	return err == nil && len(c.Changes) == 0
}

// check scans the input as given for invalid UTF-8 and refused characters.
// start is the length of the leading BOM already removed (0 or 3); it counts
// for byte offsets but not for columns.
func check(text []byte, start int, opts Options) error {
	line, col := 1, 1
	atStart := true // no character seen yet after the removed BOM
	for i := start; i < len(text); {
		r, size := utf8.DecodeRune(text[i:])
		if r == utf8.RuneError && size <= 1 {
			return &EncodingError{Offset: i, Line: line, Column: col, Byte: text[i]}
		}
		switch {
		case r == '\n':
			line, col = line+1, 1
		case r == '\r':
			if i+1 < len(text) && text[i+1] == '\n' {
				i++ // CRLF ends one line
			}
			line, col = line+1, 1
		default:
			kind := classify(r, atStart && start > 0)
			if kind != "" && (!opts.AllowInvisible || !kind.Overridable()) {
				return &SuspiciousCharError{Line: line, Column: col, Rune: r, Name: runeName(r), Kind: kind}
			}
			col++
		}
		atStart = false
		i += size
	}
	return nil
}

// classify returns why r is refused, or "" if it is not. afterBOM says r is
// the first character after a removed byte order mark.
func classify(r rune, afterBOM bool) CharKind {
	switch {
	case r == '\t':
		return ""
	case r < 0x80 && r >= 0x20 && r != 0x7F:
		return "" // fast path for printable ASCII
	case unicode.Is(unicode.Cc, r):
		return KindControl
	case r == 0xFEFF && afterBOM:
		return KindRepeatedBOM
	case isBidi(r):
		return KindBidi
	case r == 0x200C || r == 0x200D:
		return "" // ZWNJ and ZWJ are needed to spell words in Persian, Indic scripts and more
	case unicode.Is(unicode.Cf, r), r == 0x200B, r == 0x2060, r == 0xFEFF,
		r == 0x00AD, r == 0x180E, r >= 0x2061 && r <= 0x2064:
		return KindInvisible
	case r == 0x2028 || r == 0x2029:
		return KindLineSeparator
	case !assigned(r):
		return KindUnassigned
	}
	return ""
}

// isBidi reports whether r is a bidirectional control character.
func isBidi(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 ||
		r == 0x200E || r == 0x200F || r == 0x061C
}

// assigned reports whether r is assigned in the Unicode version of the
// standard library's tables (checked in tests to be that of package norm).
func assigned(r rune) bool {
	return unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S,
		unicode.Z, unicode.Cc, unicode.Cf, unicode.Co)
}

// asciiControlNames names the C0 control characters and DEL, for which the
// Unicode name table has only "<control>".
var asciiControlNames = [...]string{
	"NULL", "START OF HEADING", "START OF TEXT", "END OF TEXT",
	"END OF TRANSMISSION", "ENQUIRY", "ACKNOWLEDGE", "BELL", "BACKSPACE",
	"CHARACTER TABULATION", "LINE FEED", "LINE TABULATION", "FORM FEED",
	"CARRIAGE RETURN", "SHIFT OUT", "SHIFT IN", "DATA LINK ESCAPE",
	"DEVICE CONTROL ONE", "DEVICE CONTROL TWO", "DEVICE CONTROL THREE",
	"DEVICE CONTROL FOUR", "NEGATIVE ACKNOWLEDGE", "SYNCHRONOUS IDLE",
	"END OF TRANSMISSION BLOCK", "CANCEL", "END OF MEDIUM", "SUBSTITUTE",
	"ESCAPE", "INFORMATION SEPARATOR FOUR", "INFORMATION SEPARATOR THREE",
	"INFORMATION SEPARATOR TWO", "INFORMATION SEPARATOR ONE",
}

// runeName returns the Unicode name of r, or "" if it has none.
func runeName(r rune) string {
	switch {
	case r >= 0 && int(r) < len(asciiControlNames):
		return asciiControlNames[r]
	case r == 0x7F:
		return "DELETE"
	case r == 0x85:
		return "NEXT LINE"
	}
	n := runenames.Name(r)
	if n == "" || n[0] == '<' {
		return ""
	}
	return n
}

// toLF returns a copy of b with CRLF and lone CR turned into LF, and
// whether each kind was found.
func toLF(b []byte) (out []byte, crlf, cr bool) {
	out = make([]byte, 0, len(b)+1) // +1: room for a final newline
	for i := 0; i < len(b); i++ {
		if b[i] != '\r' {
			out = append(out, b[i])
			continue
		}
		if i+1 < len(b) && b[i+1] == '\n' {
			crlf = true
			i++
		} else {
			cr = true
		}
		out = append(out, '\n')
	}
	return out, crlf, cr
}
