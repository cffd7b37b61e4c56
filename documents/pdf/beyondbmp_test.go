package pdf

import (
	"errors"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/documents"
)

// A character beyond U+FFFF is refused at write time, saying why — the PDF
// writer encodes 16-bit codes only — even where an embedded font has a
// glyph for it (WenQuanYi Micro Hei has a few, DejaVu Sans Mono more).
func TestBeyondBMPIsRefusedSayingWhy(t *testing.T) {
	cv, err := NewCoverage()
	if err != nil {
		t.Fatal(err)
	}
	fs, err := loadFaces()
	if err != nil {
		t.Fatal(err)
	}
	probe := []rune{0x20000, 0x2A6D6, 0x1F600, 0x1D400}
	inFonts := 0
	for _, f := range []*face{fs.serif, fs.serifBold, fs.mono, fs.cjk} {
		for r := range f.info.glyph {
			if r > 0xFFFF {
				probe = append(probe, r)
				inFonts++
			}
		}
	}
	if inFonts == 0 {
		t.Error("no embedded font maps a character beyond U+FFFF: the test no longer shows that a glyph is not enough")
	}
	for _, r := range probe {
		if cv.Covers(r) {
			t.Errorf("%U is covered, but fpdf cannot encode it", r)
		}
		err := documents.CheckGlyphs("text zh.txt (zh)", "中文\n甲"+string(r)+"\n", cv, true)
		var ge *documents.GlyphError
		if !errors.As(err, &ge) || ge.Limit == "" || ge.Line != 2 || ge.Column != 2 {
			t.Errorf("%U: %#v, want a *GlyphError at line 2, column 2 with a Limit", r, err)
			continue
		}
		if !strings.Contains(err.Error(), "beyond U+FFFF, and concord's PDF writer encodes characters up to U+FFFF only") ||
			!strings.Contains(ge.Hint(), "Extension B") {
			t.Errorf("%U: %v (hint: %s)", r, err, ge.Hint())
		}
	}
	// Within U+FFFF a missing glyph is only that.
	err = documents.CheckGlyphs("title", "Pact ☃", cv, false)
	var ge *documents.GlyphError
	if !errors.As(err, &ge) || ge.Limit != "" || !strings.HasSuffix(err.Error(), "no font embedded in concord's PDFs can draw it") {
		t.Errorf("snowman: %v", err)
	}
}
