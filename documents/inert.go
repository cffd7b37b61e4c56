package documents

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Inert returns s as it may safely be printed on a terminal, on one line:
// every character a terminal would act on, hide or use to reorder what it
// shows is written out as <U+XXXX> (at least four upper-case hex digits,
// as in "U+202E"), and every byte that is not part of valid UTF-8 as
// <0xNN>. Written out are the characters the text rules of docs/TEXT.md
// refuse — control characters (tab, LF and CR included, so the result is
// one line), bidirectional controls, invisible format characters other
// than ZWNJ and ZWJ, U+2028, U+2029 and unassigned code points — so
// whatever a ledger holds (a text accepted with --allow-invisible, a field
// written by an older release, a commit message written by hand) cannot
// drive the terminal, and is read in its byte order.
//
// Every view of text taken from a ledger or from evidence prints it
// through Inert (one-line fields) or InertText (texts).
func Inert(s string) string {
	out, _ := inert(s, false)
	return out
}

// InertText is Inert for a text of several lines: tab and LF are kept. It
// also returns how many characters or bytes it wrote out, so that a view
// can warn that the text holds some.
func InertText(s string) (string, int) {
	return inert(s, true)
}

// Hidden reports whether Inert writes r out as <U+XXXX>: a control
// character, a bidirectional control, an invisible format character other
// than ZWNJ (U+200C) and ZWJ (U+200D), U+2028, U+2029 or an unassigned code
// point. It is true for tab and LF, which InertText keeps.
func Hidden(r rune) bool {
	return r == '\t' || classify(r, false) != ""
}

func inert(s string, multiline bool) (string, int) {
	n := 0
	for i, r := range s { // fast path: most views print nothing to replace
		if hidden(r, multiline) || r == utf8.RuneError && isBadByte(s[i:]) {
			n = -1
			break
		}
	}
	if n == 0 {
		return s, 0
	}
	n = 0
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i, r := range s {
		switch {
		case r == utf8.RuneError && isBadByte(s[i:]):
			fmt.Fprintf(&b, "<0x%02X>", s[i])
		case hidden(r, multiline):
			fmt.Fprintf(&b, "<U+%04X>", r)
		default:
			b.WriteRune(r)
			continue
		}
		n++
	}
	return b.String(), n
}

func hidden(r rune, multiline bool) bool {
	if multiline && (r == '\n' || r == '\t') {
		return false
	}
	return Hidden(r)
}

// isBadByte reports whether s starts with a byte that is not valid UTF-8
// (rather than with an encoded U+FFFD, which is shown as it is).
func isBadByte(s string) bool {
	_, size := utf8.DecodeRuneInString(s)
	return size <= 1
}
