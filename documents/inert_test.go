package documents

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestInert(t *testing.T) {
	for _, c := range []struct{ in, line, text string }{
		{"plain", "plain", "plain"},
		{"中文 · Қазақ тілі", "中文 · Қазақ тілі", "中文 · Қазақ тілі"},
		{"tab\tand\nline\n", "tab<U+0009>and<U+000A>line<U+000A>", "tab\tand\nline\n"},
		{"cr\r\n", "cr<U+000D><U+000A>", "cr<U+000D>\n"},
		{"pay 0001\u202e", "pay 0001<U+202E>", "pay 0001<U+202E>"},
		{"a\u200bb\u2066c\u2069", "a<U+200B>b<U+2066>c<U+2069>", "a<U+200B>b<U+2066>c<U+2069>"},
		{"esc\x1b[2J", "esc<U+001B>[2J", "esc<U+001B>[2J"},
		{"c1 \u009b2J", "c1 <U+009B>2J", "c1 <U+009B>2J"},
		{"del\x7f", "del<U+007F>", "del<U+007F>"},
		{"line\u2028sep\u2029", "line<U+2028>sep<U+2029>", "line<U+2028>sep<U+2029>"},
		{"می\u200cخواهم", "می\u200cخواهم", "می\u200cخواهم"}, // ZWNJ spells the word
		{"tag \U000E0041 x", "tag <U+E0041> x", "tag <U+E0041> x"},
		{"unassigned \U000E0080 \uFFFF", "unassigned <U+E0080> <U+FFFF>", "unassigned <U+E0080> <U+FFFF>"},
		{"bom\uFEFF", "bom<U+FEFF>", "bom<U+FEFF>"},
		{"bad \xff\xfe byte", "bad <0xFF><0xFE> byte", "bad <0xFF><0xFE> byte"},
		{"real \uFFFD", "real \uFFFD", "real \uFFFD"},
		{"private \uE000", "private \uE000", "private \uE000"},
	} {
		if got := Inert(c.in); got != c.line {
			t.Errorf("Inert(%q) = %q, want %q", c.in, got, c.line)
		}
		if got, n := InertText(c.in); got != c.text {
			t.Errorf("InertText(%q) = %q, want %q", c.in, got, c.text)
		} else if want := strings.Count(c.text, "<U+") + strings.Count(c.text, "<0x"); n != want {
			t.Errorf("InertText(%q) counted %d, want %d", c.in, n, want)
		}
	}
}

// What the field and text rules accept is printed as it is: Inert changes
// only what they refuse.
func TestInertKeepsWhatTheRulesAccept(t *testing.T) {
	for _, s := range []string{"Almaty Consensus", "Алматы келісімі", "阿拉木图共识", "Oʻzbekcha", "می\u200cخواهم"} {
		if err := CheckField("f", s, 500); err != nil {
			t.Fatalf("CheckField(%q): %v", s, err)
		}
		if got := Inert(s); got != s {
			t.Errorf("Inert(%q) = %q", s, got)
		}
	}
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		s := "a" + string(r) + "b"
		if err := CheckField("f", s, 10); err == nil && Inert(s) != s {
			t.Errorf("%U: accepted in a field but written out by Inert", r)
		} else if err != nil && !strings.Contains(err.Error(), "NFC") && Inert(s) == s {
			t.Errorf("%U: refused in a field (%v) but printed raw by Inert", r, err)
		}
		text := s + "\n"
		if c, err := Canonicalize([]byte(text), Options{}); err == nil {
			if got, _ := InertText(string(c.Bytes)); got != string(c.Bytes) {
				t.Errorf("%U: accepted in a text but written out by InertText", r)
			}
		}
	}
}

// Whatever goes in, what comes out is valid UTF-8 holding no character
// that Hidden names, so no escape sequence and no bidirectional control.
func FuzzInert(f *testing.F) {
	for _, s := range []string{"", "a\x1b[31mred", "\u202e1000\u202c", "\xc0\x80", "\xed\xa0\x80", "x\u009b1m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		line := Inert(s)
		text, _ := InertText(s)
		for _, out := range []string{line, text} {
			if !utf8.ValidString(out) {
				t.Fatalf("not UTF-8: %q", out)
			}
		}
		for _, r := range line {
			if Hidden(r) {
				t.Fatalf("Inert(%q) holds %U", s, r)
			}
		}
		for _, r := range text {
			if Hidden(r) && r != '\n' && r != '\t' {
				t.Fatalf("InertText(%q) holds %U", s, r)
			}
		}
	})
}
