package pdf

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/concord-ledger/concord/internal/testtool"
)

// TestEmbeddedFontsCoverTheDemoTexts parses each embedded font's cmap
// (with this package's own parser, which also checks the fonts are glyf
// TrueType) and checks that every character of every demo text has a
// glyph in the face that is meant to draw it.
func TestEmbeddedFontsCoverTheDemoTexts(t *testing.T) {
	fs, err := loadFaces()
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(testtool.RepoRoot(t), "internal", "demo", "texts", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no demo texts: %v", err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(file)
		for _, r := range string(data) {
			if r == '\n' || r == '\t' {
				continue
			}
			var want []*face
			switch {
			case isCJK(r):
				want = []*face{fs.cjk}
			case strings.HasPrefix(name, "zh.") && strings.ContainsRune(sharedPunct, r):
				want = []*face{fs.cjk}
			default: // Latin, Cyrillic, digits, punctuation: regular and bold
				want = []*face{fs.serif, fs.serifBold}
			}
			for _, f := range want {
				if !f.has(r) {
					t.Errorf("%s: %s has no glyph for %U %q", name, f.name, r, r)
				}
			}
		}
	}
	// What the appendix needs in the monospaced face: hex, base64, armour.
	for _, r := range "0123456789abcdefABCDEFGHIJKLMNOPQRSTUVWXYZghijklmnopqrstuvwxyz+/=-:._ " {
		if !fs.mono.has(r) {
			t.Errorf("%s has no glyph for %q", fs.mono.name, r)
		}
	}
	// Kazakh letters, in both cases, in the Cyrillic faces.
	for _, r := range "әғқңөұүһіӘҒҚҢӨҰҮҺІ" {
		for _, f := range []*face{fs.serif, fs.serifBold} {
			if !f.has(r) {
				t.Errorf("%s has no glyph for Kazakh %q", f.name, r)
			}
		}
	}
}

// TestFontsREADMEMatchesTheFiles checks that fonts/README.md gives the
// right SHA-256 for every embedded font, and that each has its licence.
func TestFontsREADMEMatchesTheFiles(t *testing.T) {
	readme, err := os.Open(filepath.Join("fonts", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer readme.Close()
	listed := map[string]string{}
	row := regexp.MustCompile("`([A-Za-z0-9-]+\\.ttf)`.*`([0-9a-f]{64})`")
	sc := bufio.NewScanner(readme)
	for sc.Scan() {
		if m := row.FindStringSubmatch(sc.Text()); m != nil {
			listed[m[1]] = m[2]
		}
	}
	fonts, _ := filepath.Glob(filepath.Join("fonts", "*.ttf"))
	if len(fonts) == 0 {
		t.Fatal("no fonts")
	}
	for _, f := range fonts {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		base := filepath.Base(f)
		if got := hex.EncodeToString(sum[:]); listed[base] != got {
			t.Errorf("fonts/README.md gives %s the SHA-256 %q; the file has %s", base, listed[base], got)
		}
		family, _, _ := strings.Cut(strings.TrimSuffix(base, ".ttf"), "-")
		if _, err := os.Stat(filepath.Join("fonts", family+".LICENSE.txt")); err != nil {
			t.Errorf("%s has no licence beside it: %v", base, err)
		}
		delete(listed, base)
	}
	for name := range listed {
		t.Errorf("fonts/README.md lists %s, which is not there", name)
	}
}

// sfnt builds a minimal font file with the given signature and tables.
func sfnt(sig string, tables map[string][]byte) []byte {
	var tags []string
	for tag := range tables {
		tags = append(tags, tag)
	}
	sort.Strings(tags)
	out := []byte(sig)
	out = binary.BigEndian.AppendUint16(out, uint16(len(tags)))
	out = append(out, make([]byte, 6)...)
	off := 12 + 16*len(tags)
	var body []byte
	for _, tag := range tags {
		out = append(out, tag...)
		out = binary.BigEndian.AppendUint32(out, 0)
		out = binary.BigEndian.AppendUint32(out, uint32(off+len(body)))
		out = binary.BigEndian.AppendUint32(out, uint32(len(tables[tag])))
		body = append(body, tables[tag]...)
	}
	return append(out, body...)
}

// cmap12 is a cmap table with one format 12 subtable mapping [start, end]
// to glyphs from g.
func cmap12(start, end, g uint32) []byte {
	b := []byte{0, 0, 0, 1, 0, 3, 0, 10, 0, 0, 0, 12}
	b = append(b, 0, 12, 0, 0)
	b = binary.BigEndian.AppendUint32(b, 28)
	b = binary.BigEndian.AppendUint32(b, 0)
	b = binary.BigEndian.AppendUint32(b, 1)
	b = binary.BigEndian.AppendUint32(b, start)
	b = binary.BigEndian.AppendUint32(b, end)
	return binary.BigEndian.AppendUint32(b, g)
}

func minimalTables() map[string][]byte {
	head := make([]byte, 54)
	binary.BigEndian.PutUint16(head[18:], 1000)
	hhea := make([]byte, 36)
	binary.BigEndian.PutUint16(hhea[34:], 2)
	maxp := make([]byte, 6)
	binary.BigEndian.PutUint16(maxp[4:], 10)
	hmtx := []byte{0x01, 0xf4, 0, 0, 0x02, 0x58, 0, 0} // 500, 600
	return map[string][]byte{"head": head, "hhea": hhea, "maxp": maxp, "hmtx": hmtx,
		"cmap": cmap12('A', 'C', 1), "glyf": {0}, "loca": {0}}
}

// format4Tables is minimalTables with a format 4 cmap: 'a'-'c' by delta.
func format4Tables() map[string][]byte {
	t := minimalTables()
	t["cmap"] = []byte{0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 12,
		0, 4, 0, 32, 0, 0, 0, 4, 0, 4, 0, 1, 0, 0, // format, length, language, segCountX2, search fields
		0, 'c', 0xff, 0xff, 0, 0, 0, 'a', 0xff, 0xff, // end codes, pad, start codes
		0xff, 0xa0, 0, 1, 0, 0, 0, 0} // deltas (-96, 1), range offsets
	return t
}

func TestParseTrueType(t *testing.T) {
	f4, err := parseTrueType(sfnt("\x00\x01\x00\x00", format4Tables()))
	if err != nil || len(f4.glyph) != 3 || f4.glyph['a'] != 1 || f4.glyph['c'] != 3 {
		t.Errorf("format 4 cmap read as %v, %v", f4, err)
	}
	good := sfnt("\x00\x01\x00\x00", minimalTables())
	fi, err := parseTrueType(good)
	if err != nil {
		t.Fatalf("minimal font: %v", err)
	}
	if fi.glyph['A'] != 1 || fi.glyph['C'] != 3 || fi.advance(1) != 600 || fi.advance(5) != 600 || fi.advance(0) != 500 {
		t.Errorf("minimal font read wrong: %v, advances %v", fi.glyph, fi.advances)
	}
	noGlyf := minimalTables()
	delete(noGlyf, "glyf")
	overlapping := minimalTables()
	overlapping["cmap"] = cmap12(0, 0x10FFFF, 1)
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"collection", append([]byte("ttcf"), good[4:]...), "collection"},
		{"CFF", append([]byte("OTTO"), good[4:]...), "CFF"},
		{"no glyf", sfnt("\x00\x01\x00\x00", noGlyf), "glyf"},
		{"truncated", good[:40], "past the end"},
		{"huge cmap group", sfnt("\x00\x01\x00\x00", overlapping), "invalid"},
		{"empty", nil, "too short"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseTrueType(tc.data)
			if !errors.Is(err, errFont) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want errFont mentioning %q", err, tc.want)
			}
		})
	}
}

func TestMissingGlyphIsAnErrorNamingIt(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(in *Input)
		r     rune
		where string
	}{
		{"Thai in a text", func(in *Input) { setText(in, "en", "# Title\n\nAbc ก def\n") }, 'ก', "text en, line 3, column 5"},
		{"emoji beyond the BMP", func(in *Input) { setText(in, "ru", "Текст 😀\n") }, '😀', "text ru, line 1, column 7"},
		{"Arabic in a name", func(in *Input) { in.Signatories[2].Name = "Rector ب" }, 'ب', "signatory demo-uz, name"},
		{"Devanagari in the title", func(in *Input) { in.Title = "क" }, 'क', "document title"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := demoInput(t)
			tc.edit(in)
			_, err := Render(in)
			var mg *MissingGlyphError
			if !errors.As(err, &mg) {
				t.Fatalf("Render: %v, want a *MissingGlyphError", err)
			}
			if mg.Rune != tc.r || mg.Where != tc.where {
				t.Errorf("got %U at %q, want %U at %q", mg.Rune, mg.Where, tc.r, tc.where)
			}
			if !strings.Contains(err.Error(), string(tc.r)) || mg.Hint() == "" {
				t.Errorf("message %q does not name the character", err)
			}
		})
	}
	// Joiners and variation selectors no font has are left out, not refused.
	in := demoInput(t)
	setText(in, "en", "a\u200db\ufe0f c\n")
	if _, err := Render(in); err != nil {
		t.Errorf("ignorable characters: %v", err)
	}
}

// setText replaces the text of lang, keeping its hash right.
func setText(in *Input, lang, text string) {
	for i := range in.Texts {
		if in.Texts[i].Lang == lang {
			sum := sha256.Sum256([]byte(text))
			in.Texts[i].Data, in.Texts[i].SHA256 = []byte(text), hex.EncodeToString(sum[:])
		}
	}
}

func TestChooserPicksPerCharacter(t *testing.T) {
	fs, err := loadFaces()
	if err != nil {
		t.Fatal(err)
	}
	latin, zh := chooser{fs: fs}, chooser{fs: fs, cjk: true}
	for _, tc := range []struct {
		c    chooser
		r    rune
		st   style
		want *face
		fake bool
	}{
		{latin, 'A', regular, fs.serif, false},
		{latin, 'қ', bold, fs.serifBold, false},
		{latin, '中', regular, fs.cjk, false},
		{latin, '中', bold, fs.cjk, true},
		{latin, '，', regular, fs.cjk, false},
		{latin, '“', regular, fs.serif, false},
		{zh, '“', regular, fs.cjk, false},
		{zh, 'a', regular, fs.serif, false},
		{latin, '0', mono, fs.mono, false},
		{latin, '中', mono, fs.cjk, false},
	} {
		f, skip, ok := tc.c.pick(tc.r, tc.st)
		if !ok || skip || f.face != tc.want || f.fakeBold != tc.fake {
			t.Errorf("pick(%q, %d, cjk=%v) = %s fake=%v ok=%v, want %s fake=%v", tc.r, tc.st, tc.c.cjk, f.face.name, f.fakeBold, ok, tc.want.name, tc.fake)
		}
	}
	if !unicode.Is(unicode.Han, '中') {
		t.Fatal("unicode tables")
	}
}

func FuzzParseTrueType(f *testing.F) {
	f.Add(sfnt("\x00\x01\x00\x00", minimalTables()))
	f.Add(sfnt("\x00\x01\x00\x00", format4Tables()))
	f.Fuzz(func(t *testing.T, data []byte) {
		fi, err := parseTrueType(data)
		if err != nil {
			return
		}
		for _, g := range fi.glyph {
			if g == 0 || g >= fi.numGlyphs {
				t.Fatalf("glyph %d outside 1..%d", g, fi.numGlyphs-1)
			}
			_ = fi.advance(g)
		}
	})
}
