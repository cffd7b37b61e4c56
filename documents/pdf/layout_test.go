package pdf

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParseMarkup(t *testing.T) {
	type b struct {
		kind   blockKind
		number string
		lines  []string
	}
	for _, tc := range []struct {
		name string
		text string
		want []b
	}{
		{"headings and paragraph", "# Title\n## Art. 1\nText line one\nline two\n",
			[]b{{heading1Block, "", []string{"Title"}}, {heading2Block, "", []string{"Art. 1"}}, {paragraphBlock, "", []string{"Text line one", "line two"}}}},
		{"blank lines of spaces separate", "a\n \t\n\nb\n",
			[]b{{paragraphBlock, "", []string{"a"}}, {blankBlock, "", nil}, {paragraphBlock, "", []string{"b"}}}},
		{"lists", "- one\n- two\n  more of two\n12. twelve\n3.no\n",
			[]b{{bulletBlock, "", []string{"one"}}, {bulletBlock, "", []string{"two", "  more of two"}}, {numberedBlock, "12.", []string{"twelve", "3.no"}}}},
		{"not markup", "#no\n### three\n-x\n*a* _b_\n",
			[]b{{paragraphBlock, "", []string{"#no", "### three", "-x", "*a* _b_"}}}},
		{"no final newline", "# T", []b{{heading1Block, "", []string{"T"}}}},
		{"empty", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []b
			for _, bl := range parseMarkup(tc.text) {
				got = append(got, b{bl.kind, bl.number, bl.lines})
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func FuzzParseMarkup(f *testing.F) {
	for _, s := range []string{"# T\n\n## A\npara\n- x\n1. y\n", "", "\n\n", "12. \n- \n#", "a\r\nb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		var back strings.Builder
		for _, bl := range parseMarkup(text) {
			if bl.kind != blankBlock && len(bl.lines) != len(bl.raw) {
				t.Fatalf("block %+v: lines and raw lines differ in number", bl)
			}
			for _, r := range bl.raw {
				back.WriteString(r)
			}
		}
		if back.String() != text {
			t.Fatalf("raw lines give %q back, not %q", back.String(), text)
		}
	})
}

func testChooser(t testing.TB, cjk bool) chooser {
	t.Helper()
	fs, err := loadFaces()
	if err != nil {
		t.Fatal(err)
	}
	return chooser{fs: fs, cjk: cjk}
}

// lineTexts returns the text of each line.
func lineTexts(lines [][]item) []string {
	var out []string
	for _, l := range lines {
		var b strings.Builder
		for _, it := range l {
			b.WriteString(it.text)
		}
		out = append(out, b.String())
	}
	return out
}

func TestBreakLines(t *testing.T) {
	zh := "中国和中亚的参与高校建立中国—中亚高等教育合作论坛，作为高等教育交流与合作的平台。参与高校将互派学生、教师和研究人员；开发产教融合的联合培养项目（试点）。"
	for _, tc := range []struct {
		name  string
		cjk   bool
		text  string
		width float64
	}{
		{"english", false, "The participating universities of China and Central Asia establish the China–Central Asia Higher Education Cooperation Forum.", 150},
		{"kazakh", false, "Қытай мен Орталық Азияның қатысушы университеттері жоғары білім беру саласындағы алмасу мен ынтымақтастық алаңы ретінде форумын құрады.", 160},
		{"chinese narrow", true, zh, 95},
		{"chinese", true, zh, 200},
		{"chinese with latin", true, "本文本为 concord 演示而撰写，并非 2023 年签署的《阿拉木图共识》原文。", 120},
		{"hash in a narrow column", false, strings.Repeat("0123456789abcdef", 4), 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := testChooser(t, tc.cjk)
			items, err := c.items([]span{{tc.text, regular, 10}}, tc.width, "test")
			if err != nil {
				t.Fatal(err)
			}
			lines := breakLines(items, tc.width, tc.width)
			texts := lineTexts(lines)
			if len(lines) < 2 {
				t.Fatalf("%q did not break at width %v", tc.text, tc.width)
			}
			for i, l := range lines {
				if w := lineWidth(l); w > tc.width+1e-6 {
					t.Errorf("line %d %q is %.1f wide, more than %v", i, texts[i], w, tc.width)
				}
				first, _ := utf8.DecodeRuneInString(texts[i])
				last, _ := utf8.DecodeLastRuneInString(texts[i])
				if i > 0 && strings.ContainsRune(noLineStart, first) {
					t.Errorf("line %d %q starts with %q", i, texts[i], first)
				}
				if i < len(lines)-1 && strings.ContainsRune(noLineEnd, last) {
					t.Errorf("line %d %q ends with %q", i, texts[i], last)
				}
				if strings.HasPrefix(texts[i], " ") || strings.HasSuffix(texts[i], " ") {
					t.Errorf("line %d %q keeps a space at a break", i, texts[i])
				}
			}
			// Nothing is lost but the spaces at breaks, and spaced
			// scripts break only at spaces.
			joined := strings.Join(texts, " ")
			if tc.cjk {
				joined = strings.Join(texts, "")
			}
			if tc.name == "hash in a narrow column" {
				joined = strings.Join(texts, "")
			}
			if strings.ReplaceAll(joined, " ", "") != strings.ReplaceAll(tc.text, " ", "") {
				t.Errorf("lines %q do not give back %q", texts, tc.text)
			}
			if !tc.cjk && tc.name != "hash in a narrow column" && joined != tc.text {
				t.Errorf("a spaced script broke inside a word: %q", texts)
			}
		})
	}
}

func TestBreakLinesKeepsIndentationAndBreaksAfterHyphens(t *testing.T) {
	c := testChooser(t, false)
	items, err := c.items([]span{{"    indented well-known-compound-words here", regular, 10}}, 1e9, "test")
	if err != nil {
		t.Fatal(err)
	}
	w := c.fs.serif.stringWidth("    indented well-known-", 10)
	texts := lineTexts(breakLines(items, w+0.01, w+0.01))
	if texts[0] != "    indented well-known-" || texts[1] != "compound-words here" && texts[1] != "compound-" {
		t.Errorf("lines %q", texts)
	}
}

func TestPlaceJustifies(t *testing.T) {
	c := testChooser(t, false)
	items, err := c.items([]span{{"one two three", regular, 10}}, 1e9, "test")
	if err != nil {
		t.Fatal(err)
	}
	natural := lineWidth(items)
	segs := place(items, natural+12, true)
	if len(segs) != 3 {
		t.Fatalf("justified line in %d segments, want one per word: %+v", len(segs), segs)
	}
	last := segs[2]
	if end := last.x + last.f.face.stringWidth(last.text, 10); end < natural+12-1e-6 || end > natural+12+1e-6 {
		t.Errorf("justified line ends at %.2f, want %.2f", end, natural+12)
	}
	ragged := place(items, natural+12, false)
	if len(ragged) != 1 || ragged[0].text != "one two three" {
		t.Errorf("unjustified line: %+v", ragged)
	}
	// A line that would need too much stretch stays ragged.
	if segs := place(items, natural+400, true); len(segs) != 1 {
		t.Errorf("over-stretched line was justified: %+v", segs)
	}
}

func TestInputErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(in *Input)
		want string
	}{
		{"wrong hash", func(in *Input) { in.Texts[1].SHA256 = strings.Repeat("0", 64) }, "does not have the SHA-256"},
		{"no date", func(in *Input) { in.Date = time.Time{} }, "no date"},
		{"no texts", func(in *Input) { in.Texts = nil }, "no text"},
		{"duplicate language", func(in *Input) { in.Texts = append(in.Texts, in.Texts[0]) }, "twice"},
		{"version 0", func(in *Input) { in.Version = 0 }, "versions count from 1"},
		{"bad decision", func(in *Input) { in.Signatories[0].Decision = "maybe" }, "unknown decision"},
		{"duplicate evidence", func(in *Input) { in.Evidence = append(in.Evidence, in.Evidence[0]) }, "twice"},
		{"evidence in a folder", func(in *Input) { in.Evidence[0].Name = "texts/zh.txt" }, "not a plain file name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := demoInput(t)
			tc.edit(in)
			_, err := Render(in)
			var ie *InputError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Render: %v, want an *InputError mentioning %q", err, tc.want)
			}
		})
	}
}
