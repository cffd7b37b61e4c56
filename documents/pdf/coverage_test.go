package pdf

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/concord-ledger/concord/internal/testtool"
)

func TestCoverage(t *testing.T) {
	cv, err := NewCoverage()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range "AzÉéЖжӘәҒғҚқҢңӨөҰұҮүҺһІі中文，。“”—0123456789 \u200c\u200d\u202e\u200b\ufe0f\u00ad" {
		if !cv.Covers(r) {
			t.Errorf("Covers(%U %q) = false, want true", r, r)
		}
	}
	for _, c := range []struct {
		r      rune
		script string
	}{
		{0x20000, ""}, {0x1F393, ""}, {0x1D400, ""}, {0x2603, ""}, {0x0007, ""},
		{'ق', "Arabic"}, {'ب', "Arabic"}, {'א', "Hebrew"}, {'क', "Devanagari"}, {'ก', "Thai"},
	} {
		if cv.Covers(c.r) {
			t.Errorf("Covers(%U %q) = true, want false", c.r, c.r)
		}
		if got := cv.Unshaped(c.r); got != c.script {
			t.Errorf("Unshaped(%U) = %q, want %q", c.r, got, c.script)
		}
	}
}

// coveredReadable returns every character Coverage claims that pdftotext
// can give back as itself: letters, digits, punctuation and symbols that
// NFC keeps (a stored text is NFC), not marks or spaces.
func coveredReadable(t testing.TB) []rune {
	cv, err := NewCoverage()
	if err != nil {
		t.Fatal(err)
	}
	var out []rune
	for r := rune(0x21); r <= 0xFFFF; r++ {
		if !cv.Covers(r) || !unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S) ||
			ignorable(r) || norm.NFC.String(string(r)) != string(r) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// TestEveryCoveredCharacterReadsBack renders every character the write
// path accepts (Coverage), so that none of them can make an export fail,
// and reads each PDF back with pdftotext. The PDF writer's font subsetting
// is quadratic in the glyphs a file uses, so the characters are rendered
// in chunks: every 7th chunk by default (about 20 s), all of them with
// CONCORD_REQUIRE_TOOLS=1 (about 130 s); CONCORD_COVERAGE_STEP=N checks every
// Nth.
func TestEveryCoveredCharacterReadsBack(t *testing.T) {
	testtool.Require(t, "pdftotext")
	chars := coveredReadable(t)
	if len(chars) < 20000 {
		t.Fatalf("only %d characters covered; the CJK face alone has more", len(chars))
	}
	const chunk = 1200
	step := 7 // a sample of the chunks, all of them in CI
	if testtool.Required() {
		step = 1
	}
	if n, err := strconv.Atoi(os.Getenv("CONCORD_COVERAGE_STEP")); err == nil && n > 1 {
		step = n
	}
	dir := t.TempDir()
	missing := 0
	for c := 0; c*chunk < len(chars); c += step {
		part := chars[c*chunk : min((c+1)*chunk, len(chars))]
		var b strings.Builder
		for i, r := range part {
			b.WriteRune(r)
			if i%40 == 39 {
				b.WriteString("\n\n")
			}
		}
		b.WriteString("\n")
		in := demoInput(t)
		setText(in, "zh", b.String())
		out, err := Render(in)
		if err != nil {
			t.Fatalf("Render of covered characters %U to %U: %v", part[0], part[len(part)-1], err)
		}
		file := filepath.Join(dir, fmt.Sprintf("chunk%d.pdf", c))
		if err := os.WriteFile(file, out, 0o644); err != nil {
			t.Fatal(err)
		}
		got := map[rune]bool{}
		for _, r := range run(t, "pdftotext", "-enc", "UTF-8", file, "-") {
			got[r] = true
		}
		for _, r := range part {
			if !got[r] {
				if missing++; missing <= 20 {
					t.Errorf("pdftotext does not give back %U %q", r, r)
				}
			}
		}
	}
	if missing > 0 {
		t.Errorf("%d covered characters missing from pdftotext's output", missing)
	}
}

func TestCoverageSamplesAreCovered(t *testing.T) {
	for _, s := range CoverageSamples {
		missing, err := MissingGlyphs(s.Text, s.Name == "Chinese")
		if err != nil || len(missing) != 0 {
			t.Errorf("%s: missing %q, %v", s.Name, string(missing), err)
		}
	}
}

func TestMissingGlyphsReportsEachOnce(t *testing.T) {
	// Devanagari and Georgian are in no embedded font; an emoji is beyond
	// U+FFFF, which the PDF writer cannot encode.
	missing, err := MissingGlyphs("aकbक\nა😀c", false)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(missing), "कა😀"; got != want {
		t.Errorf("missing %q, want %q", got, want)
	}
}
