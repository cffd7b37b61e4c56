package ledger

import (
	"fmt"
	"strings"
)

// The trailer every entry's commit message ends with (docs/LEDGER.md):
//
//	Concord-Entry: <position, decimal digits>
//	Concord-Kind: <kind, lower-case letters and hyphens>
//
// each line ending in LF, the first at the start of the message or after
// an LF, nothing after the second. It is what the regular expression
// (?m)^Concord-Entry: ([0-9]+)\nConcord-Kind: ([a-z-]+)\n\z matches
// (FuzzEntryTrailer holds the two to the same answers), read without a
// regular expression: an audit reads it twice for every entry, and the
// expression tried it at every position of the message.

// entryMessage is the commit message of the entry at position p of kind:
// summary, a blank line, and the trailer. Every entry concord writes has
// it (bench/fixture writes the same bytes, TestWriterMatchesPublicAPI).
func entryMessage(summary string, p int, kind string) string {
	return fmt.Sprintf("%s\n\nConcord-Entry: %d\nConcord-Kind: %s\n", summary, p, kind)
}

// entryTrailer returns the position and the kind the trailer of msg gives,
// as written; ok is false when msg does not end with one.
func entryTrailer(msg string) (entry, kind string, ok bool) {
	body, found := strings.CutSuffix(msg, "\n")
	if !found {
		return "", "", false
	}
	nl := strings.LastIndexByte(body, '\n')
	if nl < 0 {
		return "", "", false
	}
	kind, found = strings.CutPrefix(body[nl+1:], "Concord-Kind: ")
	if !found || !allOf(kind, isKindByte) {
		return "", "", false
	}
	body = body[:nl]
	entry, found = strings.CutPrefix(body[strings.LastIndexByte(body, '\n')+1:], "Concord-Entry: ")
	if !found || !allOf(entry, isDigit) {
		return "", "", false
	}
	return entry, kind, true
}

// hasEntryTrailer reports whether msg ends with an entry's trailer.
func hasEntryTrailer(msg string) bool {
	_, _, ok := entryTrailer(msg)
	return ok
}

// allOf reports whether s is not empty and every byte of it is in.
func allOf(s string, in func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !in(s[i]) {
			return false
		}
	}
	return s != ""
}

func isDigit(b byte) bool    { return '0' <= b && b <= '9' }
func isKindByte(b byte) bool { return 'a' <= b && b <= 'z' || b == '-' }
