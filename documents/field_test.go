package documents

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckField(t *testing.T) {
	for _, c := range []struct {
		in, want string // want "" for accepted
	}{
		{"Al-Farabi Kazakh National University", ""},
		{"Әл-Фараби атындағы Қазақ ұлттық университеті", ""},
		{"西安交通大学", ""},
		{"می\u200cخواهم", ""}, // ZWNJ, as in the texts
		{"", "name is empty"},
		{"   ", "name is empty"},
		{"a\x1b[2J", "name, column 2: control character U+001B (ESCAPE)"},
		{"a\tb", "name, column 2: control character U+0009 (CHARACTER TABULATION)"},
		{"a\nb", "name, column 2: control character U+000A (LINE FEED)"},
		{"a\u0085", "name, column 2: control character U+0085 (NEXT LINE)"},
		{"ab\u202Ec", "name, column 3: bidirectional control character U+202E (RIGHT-TO-LEFT OVERRIDE)"},
		{"a\u200Bb", "name, column 2: invisible character U+200B (ZERO WIDTH SPACE)"},
		{"a\u2028b", "name, column 2: Unicode line break other than LF U+2028 (LINE SEPARATOR)"},
		{"a\uFFFF", "name, column 2: unassigned code point U+FFFF"},
		{"a\U000E0001", "name, column 2: invisible character U+E0001 (LANGUAGE TAG)"},
		{"a\xffb", "name, column 2: invalid UTF-8: byte 0xFF at byte offset 1"},
		{"e\u0301", "name is not in Unicode NFC"},
		{strings.Repeat("x", 11), "name is longer than 10 characters (11)"},
	} {
		err := CheckField("name", c.in, 10+40*boolInt(c.want == ""))
		got := ""
		if err != nil {
			got = err.Error()
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Hint() == "" && fe.Column > 0 {
				t.Errorf("CheckField(%q): %T without a hint", c.in, err)
			}
		}
		if got != c.want {
			t.Errorf("CheckField(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestParseLang(t *testing.T) {
	for _, c := range []struct {
		in, want, suggest, problem string
	}{
		{"zh", "zh", "", ""},
		{"kk", "kk", "", ""},
		{"zh-Hans", "zh-hans", "", ""},
		{"ZH-HANS", "zh-hans", "", ""},
		{"en-GB", "en-gb", "", ""},
		{"kaz", "kk", "", ""}, // ISO 639-2 to its 639-1 form
		{"iw", "he", "", ""},  // deprecated code replaced
		{"kz", "", "kk", "not a known language"},
		{"cn", "", "zh", "not a known language"},
		{"xx", "", "", "not a known language"},
		{"und", "", "", "not a known language"},
		{"qaa", "", "", "a private-use language code"},
		{"en-US-u-ca-gregory", "", "", "extensions"},
		{"zh-Hant-TW", "", "", "more than one subtag"},
		{"", "", "", "not a known language"},
	} {
		got, err := ParseLang(c.in)
		if c.problem == "" {
			if err != nil || got != c.want {
				t.Errorf("ParseLang(%q) = %q, %v; want %q", c.in, got, err, c.want)
			}
			continue
		}
		var le *LangError
		if !errors.As(err, &le) || !strings.Contains(le.Problem, c.problem) || le.Suggest != c.suggest {
			t.Errorf("ParseLang(%q) = %q, %v; want a LangError %q suggesting %q", c.in, got, err, c.problem, c.suggest)
		}
	}
}

func TestDisplayLang(t *testing.T) {
	for in, want := range map[string]string{"zh-hans": "zh-Hans", "en-gb": "en-GB", "kk": "kk", "sr-latn": "sr-Latn", "de-1996": "de-1996"} {
		if got := DisplayLang(in); got != want {
			t.Errorf("DisplayLang(%q) = %q, want %q", in, got, want)
		}
	}
}

type latinOnly struct{}

func (latinOnly) Covers(r rune) bool { return r < 0x250 }

func TestCheckGlyphs(t *testing.T) {
	err := CheckGlyphs("text a.txt (kk)", "ok\nab\tЖ\n", latinOnly{}, true)
	if err == nil || err.Error() != "text a.txt (kk): line 2, column 4: 'Ж' U+0416 (CYRILLIC CAPITAL LETTER ZHE): no font embedded in concord's PDFs can draw it" {
		t.Errorf("multi-line: %v", err)
	}
	err = CheckGlyphs("title", "abЖ", latinOnly{}, false)
	if err == nil || err.Error() != "title, column 3: 'Ж' U+0416 (CYRILLIC CAPITAL LETTER ZHE): no font embedded in concord's PDFs can draw it" {
		t.Errorf("single line: %v", err)
	}
	if err := CheckGlyphs("title", "abc", latinOnly{}, false); err != nil {
		t.Errorf("covered: %v", err)
	}
}
