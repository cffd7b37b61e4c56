package ledger

import (
	"regexp"
	"testing"
)

// trailerRE is the trailer's definition as a regular expression, which
// entryTrailer reads without.
var trailerRE = regexp.MustCompile(`(?m)^Concord-Entry: ([0-9]+)\nConcord-Kind: ([a-z-]+)\n\z`)

func TestEntryTrailer(t *testing.T) {
	for _, tc := range []struct {
		msg         string
		entry, kind string
		ok          bool
	}{
		{"Approve x\n\nConcord-Entry: 12\nConcord-Kind: approve\n", "12", "approve", true},
		{"Concord-Entry: 0\nConcord-Kind: genesis\n", "0", "genesis", true},
		{"a\nConcord-Entry: 3\nConcord-Kind: roster-approve\n", "3", "roster-approve", true},
		{"Concord-Entry: 3\nConcord-Kind: approve", "", "", false},          // no final LF
		{"Concord-Entry: 3\nConcord-Kind: approve\n\n", "", "", false},      // a line after
		{"xConcord-Entry: 3\nConcord-Kind: approve\n", "", "", false},       // not at a line's start
		{"Concord-Entry: 3a\nConcord-Kind: approve\n", "", "", false},       // not digits
		{"Concord-Entry: \nConcord-Kind: approve\n", "", "", false},         // no digits
		{"Concord-Entry: 3\nConcord-Kind: Approve\n", "", "", false},        // upper case
		{"Concord-Entry: 3\nConcord-Kind: \n", "", "", false},               // no kind
		{"Concord-Entry: 3\nx\nConcord-Kind: approve\n", "", "", false},     // a line between
		{"Concord-Kind: approve\n", "", "", false},                          // no entry line
		{"Concord-Entry: 3\r\nConcord-Kind: approve\n", "", "", false},      // CR
		{"Concord-Entry: 3\nConcord-Kind: approve\r\n", "", "", false},      // CR
		{"Concord-Entry:  3\nConcord-Kind: approve\n", "", "", false},       // two spaces
		{"\nConcord-Entry: 007\nConcord-Kind: a-b-\n", "007", "a-b-", true}, // as written
		{"", "", "", false},
	} {
		entry, kind, ok := entryTrailer(tc.msg)
		if entry != tc.entry || kind != tc.kind || ok != tc.ok {
			t.Errorf("entryTrailer(%q) = %q, %q, %v; want %q, %q, %v", tc.msg, entry, kind, ok, tc.entry, tc.kind, tc.ok)
		}
		checkTrailerAgainstRE(t, tc.msg)
	}
}

// FuzzEntryTrailer holds entryTrailer to the regular expression that
// defines the trailer.
func FuzzEntryTrailer(f *testing.F) {
	for _, s := range []string{
		"Approve x\n\nConcord-Entry: 12\nConcord-Kind: approve\n",
		"Concord-Entry: 0\nConcord-Kind: genesis\n",
		"Concord-Entry: 1\nConcord-Entry: 2\nConcord-Kind: x\n",
		"Concord-Kind: x\nConcord-Entry: 2\nConcord-Kind: x\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) { checkTrailerAgainstRE(t, msg) })
}

func checkTrailerAgainstRE(t *testing.T, msg string) {
	t.Helper()
	entry, kind, ok := entryTrailer(msg)
	m := trailerRE.FindStringSubmatch(msg)
	if ok != (m != nil) || ok && (entry != m[1] || kind != m[2]) {
		t.Fatalf("entryTrailer(%q) = %q, %q, %v; the expression matches %q", msg, entry, kind, ok, m)
	}
	if hasEntryTrailer(msg) != ok {
		t.Fatalf("hasEntryTrailer(%q) = %v, entryTrailer says %v", msg, !ok, ok)
	}
}

// TestEntryMessageHasTheTrailer: what concord writes is what it reads.
func TestEntryMessageHasTheTrailer(t *testing.T) {
	msg := entryMessage(`Found the ledger "A: b"`, 12, "roster-approve")
	if entry, kind, ok := entryTrailer(msg); !ok || entry != "12" || kind != "roster-approve" {
		t.Fatalf("entryTrailer(%q) = %q, %q, %v", msg, entry, kind, ok)
	}
}
