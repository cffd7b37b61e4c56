package documents

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/concord-ledger/concord/internal/testtool"
	"golang.org/x/text/unicode/norm"
)

func TestCanonicalize(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		opts    Options
		want    string
		changes []Change
	}{
		{"already canonical", "Almaty Consensus\n", Options{}, "Almaty Consensus\n", nil},
		{"CRLF", "a\r\nb\r\n", Options{}, "a\nb\n", []Change{ChangedCRLF}},
		{"lone CR", "a\rb\r", Options{}, "a\nb\n", []Change{ChangedCR}},
		{"CRLF and CR mixed", "a\r\nb\rc\n", Options{}, "a\nb\nc\n", []Change{ChangedCRLF, ChangedCR}},
		{"CR CR LF is two line ends", "a\r\r\n", Options{}, "a\n\n", []Change{ChangedCRLF, ChangedCR}},
		{"BOM removed", "\uFEFFtext\n", Options{}, "text\n", []Change{ChangedBOM}},
		{"final newline added", "text", Options{}, "text\n", []Change{ChangedEOL}},
		{"trailing blank lines kept", "text\n\n\n", Options{}, "text\n\n\n", nil},
		{"leading blank lines and spaces kept", "\n  text  \n", Options{}, "\n  text  \n", nil},
		{"NFD Cyrillic й and ё", "и\u0306 е\u0308\n", Options{}, "й ё\n", []Change{ChangedNFC}},
		{"NFD Kazakh", "Алматы консенсусы: Қазақстан, Қытаи\u0306 және Орталық Азия\n", Options{},
			"Алматы консенсусы: Қазақстан, Қытай және Орталық Азия\n", []Change{ChangedNFC}},
		{"NFD Latin", "Re\u0301sume\u0301\n", Options{}, "Résumé\n", []Change{ChangedNFC}},
		{"CJK untouched", "阿拉木图共识\n中亚—中国高等教育合作论坛\n", Options{}, "阿拉木图共识\n中亚—中国高等教育合作论坛\n", nil},
		{"CJK compatibility ideograph has a canonical equivalent", "\uF900\n", Options{}, "\u8C48\n", []Change{ChangedNFC}},
		{"tab allowed", "a\tb\n", Options{}, "a\tb\n", nil},
		{"ZWNJ allowed", "می\u200Cخواهم\n", Options{}, "می\u200Cخواهم\n", nil},
		{"ZWJ allowed", "क्\u200Dष\n", Options{}, "क्\u200Dष\n", nil},
		{"private use allowed", "\uE000\n", Options{}, "\uE000\n", nil},
		{"zero width space allowed when asked", "a\u200Bb\n", Options{AllowInvisible: true}, "a\u200Bb\n", nil},
		{"bidi control allowed when asked", "a\u202Eb\n", Options{AllowInvisible: true}, "a\u202Eb\n", nil},
		{"BOM later allowed when asked", "a\uFEFFb\n", Options{AllowInvisible: true}, "a\uFEFFb\n", nil},
		{"unassigned allowed when asked", "\u0378\n", Options{AllowInvisible: true}, "\u0378\n", nil},
		{"everything at once", "\uFEFFи\u0306\r\nend", Options{}, "й\nend\n",
			[]Change{ChangedBOM, ChangedCRLF, ChangedNFC, ChangedEOL}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := []byte(tt.in)
			c, err := Canonicalize(in, tt.opts)
			if err != nil {
				t.Fatalf("Canonicalize(%q): %v", tt.in, err)
			}
			if string(c.Bytes) != tt.want {
				t.Errorf("Bytes = %q, want %q", c.Bytes, tt.want)
			}
			if !slices.Equal(c.Changes, tt.changes) {
				t.Errorf("Changes = %q, want %q", c.Changes, tt.changes)
			}
			if c.SHA256 != sha256.Sum256([]byte(tt.want)) {
				t.Errorf("SHA256 is not the hash of the canonical bytes")
			}
			if string(in) != tt.in {
				t.Errorf("input modified: %q", in)
			}
			// The result must not share memory with the input.
			for i := range c.Bytes {
				c.Bytes[i] = 'x'
			}
			if string(in) != tt.in {
				t.Errorf("result aliases the input")
			}
			// Idempotence: the canonical form is canonical.
			again, err := Canonicalize([]byte(tt.want), tt.opts)
			if err != nil || string(again.Bytes) != tt.want || len(again.Changes) != 0 {
				t.Errorf("Canonicalize(canonical) = %v, %v; want it unchanged", again, err)
			}
		})
	}
}

func TestCanonicalizeRefusesCharacters(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		allow     bool // also refused with AllowInvisible
		line, col int
		r         rune
		kind      CharKind
		msg       string // exact message, if given
	}{
		{"Trojan Source RLO in a comment", "int main() {\n    bool isAdmin = false;\n    /*\u202E } \u2066if (isAdmin)\u2069 \u2066 begin admins only */\n",
			false, 3, 7, 0x202E, KindBidi,
			"line 3, column 7: bidirectional control character U+202E (RIGHT-TO-LEFT OVERRIDE)"},
		{"columns count characters, not bytes", "Алматы консенсусы\n合作论坛 \u200Bx\n", false, 2, 6, 0x200B, KindInvisible,
			"line 2, column 6: invisible character U+200B (ZERO WIDTH SPACE)"},
		{"lines counted over CRLF", "a\r\nb\r\n\u202Ac", false, 3, 1, 0x202A, KindBidi, ""},
		{"lines counted over lone CR", "a\rb\u200F", false, 2, 2, 0x200F, KindBidi, ""},
		{"leading BOM not a column", "\uFEFFab\u200B\n", false, 1, 3, 0x200B, KindInvisible, ""},
		{"LRI", "x\u2066", false, 1, 2, 0x2066, KindBidi, ""},
		{"PDI", "x\u2069", false, 1, 2, 0x2069, KindBidi, ""},
		{"LRM", "x\u200E", false, 1, 2, 0x200E, KindBidi, ""},
		{"Arabic letter mark", "x\u061C", false, 1, 2, 0x061C, KindBidi, ""},
		{"BOM in the middle", "ab\uFEFF\n", false, 1, 3, 0xFEFF, KindInvisible,
			"line 1, column 3: invisible character U+FEFF (ZERO WIDTH NO-BREAK SPACE)"},
		{"word joiner", "a\u2060", false, 1, 2, 0x2060, KindInvisible, ""},
		{"invisible times", "a\u2062", false, 1, 2, 0x2062, KindInvisible, ""},
		{"soft hyphen", "co\u00ADop", false, 1, 3, 0x00AD, KindInvisible, ""},
		{"Mongolian vowel separator", "a\u180E", false, 1, 2, 0x180E, KindInvisible, ""},
		{"tag character", "a\U000E0041", false, 1, 2, 0xE0041, KindInvisible, ""},
		{"line separator", "a\u2028b", false, 1, 2, 0x2028, KindLineSeparator, ""},
		{"unassigned code point", "a\u0378", false, 1, 2, 0x0378, KindUnassigned,
			"line 1, column 2: unassigned code point U+0378"},
		{"noncharacter", "a\uFFFF", false, 1, 2, 0xFFFF, KindUnassigned, ""},
		{"escape", "a\x1b[2Jb", true, 1, 2, 0x1B, KindControl,
			"line 1, column 2: control character U+001B (ESCAPE)"},
		{"NUL", "ab\n\x00", true, 2, 1, 0, KindControl, ""},
		{"form feed", "page\fpage", true, 1, 5, '\f', KindControl, ""},
		{"DEL", "a\x7f", true, 1, 2, 0x7F, KindControl, ""},
		{"C1 next line", "a\u0085b", true, 1, 2, 0x85, KindControl, ""},
		{"repeated BOM", "\uFEFF\uFEFFtext", true, 1, 1, 0xFEFF, KindRepeatedBOM, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := []Options{{}}
			if tt.allow {
				opts = append(opts, Options{AllowInvisible: true})
			} else {
				// Refused without the option, accepted with it.
				if _, err := Canonicalize([]byte(tt.in), Options{AllowInvisible: true}); err != nil {
					t.Errorf("with AllowInvisible: %v", err)
				}
			}
			for _, o := range opts {
				_, err := Canonicalize([]byte(tt.in), o)
				var se *SuspiciousCharError
				if !errors.As(err, &se) {
					t.Fatalf("Canonicalize(%q, %+v) error = %v, want *SuspiciousCharError", tt.in, o, err)
				}
				if se.Line != tt.line || se.Column != tt.col || se.Rune != tt.r || se.Kind != tt.kind {
					t.Errorf("got line %d column %d %U %q, want line %d column %d %U %q",
						se.Line, se.Column, se.Rune, se.Kind, tt.line, tt.col, tt.r, tt.kind)
				}
				if tt.msg != "" && se.Error() != tt.msg {
					t.Errorf("message %q, want %q", se.Error(), tt.msg)
				}
				if se.Hint() == "" {
					t.Errorf("no hint")
				}
			}
		})
	}
}

func TestCanonicalizeRefusesInvalidUTF8(t *testing.T) {
	tests := []struct {
		name              string
		in                string
		offset, line, col int
		b                 byte
	}{
		{"stray byte", "abc\n\xffdef", 4, 2, 1, 0xFF},
		{"after multi-byte characters", "Қазақ \xc3(", len("Қазақ "), 1, 7, 0xC3},
		{"after CRLF", "a\r\nбв\xe4", 7, 2, 3, 0xE4},
		{"truncated at the end", "ab\xe4\xb8", 2, 1, 3, 0xE4},
		{"overlong encoding", "/\xc0\xaf", 1, 1, 2, 0xC0},
		{"UTF-16 surrogate", "x\xed\xa0\x80", 1, 1, 2, 0xED},
		{"Latin-1 text", "caf\xe9\n", 3, 1, 4, 0xE9},
		{"after a BOM", "\uFEFFa\xff", 4, 1, 2, 0xFF},
		{"before a refused character", "\xff\u202E", 0, 1, 1, 0xFF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, o := range []Options{{}, {AllowInvisible: true}} {
				_, err := Canonicalize([]byte(tt.in), o)
				var ee *EncodingError
				if !errors.As(err, &ee) {
					t.Fatalf("error = %v, want *EncodingError", err)
				}
				want := EncodingError{Offset: tt.offset, Line: tt.line, Column: tt.col, Byte: tt.b}
				if *ee != want {
					t.Errorf("got %+v, want %+v", *ee, want)
				}
				if ee.Hint() == "" {
					t.Errorf("no hint")
				}
			}
		})
	}
	_, err := Canonicalize([]byte("abc\n\xffdef"), Options{})
	if want := "line 2, column 1: invalid UTF-8: byte 0xFF at byte offset 4"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
}

func TestCanonicalizeRefusesEmpty(t *testing.T) {
	for _, in := range []string{"", "\n", "\n\n\n", " \t\r\n", "\uFEFF", "\uFEFF\r\n", "\u00A0\u3000\n"} {
		_, err := Canonicalize([]byte(in), Options{AllowInvisible: true})
		var ee *EmptyTextError
		if !errors.As(err, &ee) {
			t.Errorf("Canonicalize(%q) error = %v, want *EmptyTextError", in, err)
		} else if !strings.Contains(err.Error(), "empty") || ee.Hint() == "" {
			t.Errorf("unclear error %q, hint %q", err, ee.Hint())
		}
	}
}

func TestIsCanonical(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"a\n", true},
		{"阿拉木图\nАлматы\n\n", true},
		{"a\u200Bb\n", true}, // the invisible-character policy is not part of the form
		{"a", false},
		{"a\r\n", false},
		{"a\rb\n", false},
		{"\uFEFFa\n", false},
		{"и\u0306\n", false},
		{"", false},
		{"\n", false},
		{"a\xff\n", false},
		{"a\x1b\n", false},
	}
	for _, tt := range tests {
		if got := IsCanonical([]byte(tt.in)); got != tt.want {
			t.Errorf("IsCanonical(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestHashHex(t *testing.T) {
	c, err := Canonicalize([]byte("hello"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	// sha256 of "hello\n", as printed by `printf 'hello\n' | sha256sum`.
	const want = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
	if got := c.HashHex(); got != want {
		t.Errorf("HashHex = %s, want %s", got, want)
	}
	if got := HashHex(c.SHA256); got != want {
		t.Errorf("HashHex(sum) = %s, want %s", got, want)
	}
}

// TestHashMatchesSha256sum checks the promise in docs/TEXT.md: an auditor
// reproduces the hash of a canonical text with sha256sum.
func TestHashMatchesSha256sum(t *testing.T) {
	sha256sum := testtool.Require(t, "sha256sum")
	c, err := Canonicalize([]byte("\uFEFFАлматы консенсусы\r\n阿拉木图共识\r\nи\u0306"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "zh.txt")
	if err := os.WriteFile(p, c.Bytes, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(sha256sum, p).Output()
	if err != nil {
		t.Fatalf("sha256sum: %v", err)
	}
	if got, _, _ := strings.Cut(string(out), " "); got != c.HashHex() {
		t.Errorf("sha256sum says %s, Canonicalize says %s", got, c.HashHex())
	}
}

// TestUnicodeVersions checks that the character tables (which decide what is
// unassigned) and the NFC tables come from the same Unicode version, so no
// character can be assigned for one and not the other.
func TestUnicodeVersions(t *testing.T) {
	if unicode.Version != norm.Version {
		t.Errorf("unicode tables are version %s, NFC tables %s", unicode.Version, norm.Version)
	}
}

// TestClassifyAllCodePoints checks, for every code point, that the classes
// documented in docs/TEXT.md are the ones refused, and no others.
func TestClassifyAllCodePoints(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue // not encodable in UTF-8
		}
		kind := classify(r, false)
		var want CharKind
		switch {
		case r == '\t':
		case unicode.Is(unicode.Cc, r):
			want = KindControl
		case isBidi(r):
			want = KindBidi
		case r == 0x200C || r == 0x200D: // ZWNJ, ZWJ allowed
		case unicode.Is(unicode.Cf, r):
			want = KindInvisible
		case unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r):
			want = KindLineSeparator
		case !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Zs, unicode.Co):
			want = KindUnassigned
		}
		if r == '\n' || r == '\r' {
			continue // line ends are handled before classify
		}
		if kind != want {
			t.Fatalf("classify(%U) = %q, want %q", r, kind, want)
		}
	}
	if classify(0xFEFF, true) != KindRepeatedBOM {
		t.Errorf("a second leading BOM is not reported as such")
	}
}

func TestRuneName(t *testing.T) {
	tests := []struct {
		r    rune
		want string
	}{
		{0, "NULL"}, {0x1B, "ESCAPE"}, {0x1F, "INFORMATION SEPARATOR ONE"}, {0x7F, "DELETE"},
		{0x85, "NEXT LINE"}, {0x202E, "RIGHT-TO-LEFT OVERRIDE"}, {0x0378, ""}, {0x4E00, ""},
	}
	for _, tt := range tests {
		if got := runeName(tt.r); got != tt.want {
			t.Errorf("runeName(%U) = %q, want %q", tt.r, got, tt.want)
		}
	}
}

func TestChangesAreReportedExactlyWhenBytesChange(t *testing.T) {
	for _, in := range []string{"a\n", "a", "a\r\n", "\uFEFFa\n", "и\u0306\n", "中文\n"} {
		c, err := Canonicalize([]byte(in), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if changed := !bytes.Equal(c.Bytes, []byte(in)); changed != (len(c.Changes) > 0) {
			t.Errorf("Canonicalize(%q): bytes changed %v but changes %q", in, changed, c.Changes)
		}
	}
}
