package pdf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/documents"
)

func TestLangLabels(t *testing.T) {
	for _, c := range []struct{ stored, label, short string }{
		{"zh", "中文 · Chinese (zh)", "中文 (zh)"},
		{"zh-hans", "中文 · Chinese (zh-Hans)", "中文 (zh-Hans)"},
		{"zh-tw", "中文 · Chinese (zh-TW)", "中文 (zh-TW)"},
		{"kk", "Қазақ тілі · Kazakh (kk)", "Қазақ тілі (kk)"},
		{"kk-cyrl", "Қазақ тілі · Kazakh (kk-Cyrl)", "Қазақ тілі (kk-Cyrl)"},
		{"en", "English (en)", "English (en)"},
		{"en-gb", "English (en-GB)", "English (en-GB)"},
		{"yue", "Cantonese (yue)", "Cantonese (yue)"},
		{"mn", "Mongolian (mn)", "Mongolian (mn)"},
		{"de-1996", "German (de-1996)", "German (de-1996)"},
	} {
		if got := langLabel(c.stored); got != c.label {
			t.Errorf("langLabel(%q) = %q, want %q", c.stored, got, c.label)
		}
		if got := langShort(c.stored); got != c.short {
			t.Errorf("langShort(%q) = %q, want %q", c.stored, got, c.short)
		}
	}
}

// Every language the ledger accepts gets a label the embedded fonts can
// draw, so a label never blocks an export.
func TestEveryLanguageLabelIsDrawable(t *testing.T) {
	cv, err := NewCoverage()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	letters := "abcdefghijklmnopqrstuvwxyz"
	var codes []string
	for _, a := range letters {
		for _, b := range letters {
			codes = append(codes, string(a)+string(b))
			for _, c := range letters {
				codes = append(codes, string(a)+string(b)+string(c))
			}
		}
	}
	named := 0
	for _, code := range codes {
		lang, err := documents.ParseLang(code)
		if err != nil || seen[lang] {
			continue
		}
		seen[lang] = true
		label := langLabel(lang) + langShort(lang)
		if documents.LangName(lang) != "" {
			named++
		}
		for _, r := range label {
			if !cv.Covers(r) {
				t.Errorf("label of %s, %q: no embedded font draws %q %U", lang, label, r, r)
			}
		}
	}
	if len(seen) < 500 || named < 500 {
		t.Errorf("only %d languages accepted, %d named", len(seen), named)
	}
	t.Logf("%d languages accepted, %d named", len(seen), named)
}

// The PDF shows a tag with a script or region by its language's name and
// its tag in standard case, as pdftotext reads it back.
func TestPDFLabelsScriptTags(t *testing.T) {
	in := demoInput(t)
	for i := range in.Texts {
		switch in.Texts[i].Lang {
		case "zh":
			in.Texts[i].Lang = "zh-hans"
		case "en":
			in.Texts[i].Lang = "en-gb"
		}
	}
	out, err := Render(in)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "tags.pdf")
	if err := os.WriteFile(file, out, 0o644); err != nil {
		t.Fatal(err)
	}
	text := squash(run(t, "pdftotext", "-enc", "UTF-8", file, "-"), false)
	for _, want := range []string{"中文 (zh-Hans)", "中文 · Chinese (zh-Hans)", "English (en-GB)", "Қазақ тілі (kk)", "SHA-256 zh-Hans 136bb926"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext lacks %q", want)
		}
	}
	// The stored tag only in the names of the embedded files.
	for _, bad := range []string{"zh-hans", "en-gb"} {
		if strings.Contains(strings.ReplaceAll(text, "text-"+bad+".txt", ""), bad) {
			t.Errorf("pdftotext shows the stored tag %q", bad)
		}
	}
}
