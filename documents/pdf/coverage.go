package pdf

import (
	"fmt"
	"unicode"
)

// Coverage is what concord's PDFs can draw: a character is covered when an
// embedded face has a glyph for it in both the regular and the bold style
// (a text's headings are bold), it is within U+FFFF (the PDF writer maps
// 16-bit character codes only), and its script needs no shaping the
// renderer lacks. It implements documents.Glyphs, documents.Shaper and
// documents.Encoder, and is what the ledger's write path checks every field
// and text against, so that no entry can make a later export fail.
type Coverage struct{ c chooser }

// NewCoverage parses the embedded fonts (once per process) and returns
// their coverage. It fails only if an embedded font is unusable.
func NewCoverage() (*Coverage, error) {
	fs, err := loadFaces()
	if err != nil {
		return nil, err
	}
	return &Coverage{c: chooser{fs: fs}}, nil
}

// Covers reports whether every PDF concord writes can draw r.
func (cv *Coverage) Covers(r rune) bool {
	if cv.Unshaped(r) != "" {
		return false
	}
	for _, st := range []style{regular, bold} {
		if _, _, ok := cv.c.pick(r, st); !ok {
			return false
		}
	}
	return true
}

// unshapedScripts are the scripts the renderer cannot lay out correctly:
// it places one glyph after another, left to right, with no joining forms,
// reordering or mark positioning. A font having glyphs for them would not
// help; they are refused by name.
var unshapedScripts = []struct {
	name  string
	table *unicode.RangeTable
}{
	{"Arabic", unicode.Arabic}, {"Hebrew", unicode.Hebrew}, {"Syriac", unicode.Syriac},
	{"Thaana", unicode.Thaana}, {"Nko", unicode.Nko}, {"Samaritan", unicode.Samaritan},
	{"Mandaic", unicode.Mandaic}, {"Mongolian", unicode.Mongolian},
	{"Devanagari", unicode.Devanagari}, {"Bengali", unicode.Bengali}, {"Gurmukhi", unicode.Gurmukhi},
	{"Gujarati", unicode.Gujarati}, {"Oriya", unicode.Oriya}, {"Tamil", unicode.Tamil},
	{"Telugu", unicode.Telugu}, {"Kannada", unicode.Kannada}, {"Malayalam", unicode.Malayalam},
	{"Sinhala", unicode.Sinhala}, {"Tibetan", unicode.Tibetan}, {"Myanmar", unicode.Myanmar},
	{"Khmer", unicode.Khmer}, {"Thai", unicode.Thai}, {"Lao", unicode.Lao},
}

// Unencodable says why r cannot be drawn whatever the fonts hold: for a
// character beyond U+FFFF (CJK Extension B and later, emoji), which the
// PDF writer (codeberg.org/go-pdf/fpdf) encodes as no 16-bit code
// (docs/TEXT.md); else "". It implements documents.Encoder.
func (cv *Coverage) Unencodable(r rune) string {
	if r > 0xFFFF {
		return "beyond U+FFFF, and concord's PDF writer encodes characters up to U+FFFF only"
	}
	return ""
}

// Unshaped returns the name of r's script if the renderer cannot lay that
// script out (Arabic, Hebrew, the Indic scripts…), else "".
func (cv *Coverage) Unshaped(r rune) string {
	if r < 0x0590 {
		return "" // Latin, Greek, Cyrillic, Armenian: no shaping needed
	}
	for _, s := range unshapedScripts {
		if unicode.Is(s.table, r) {
			return s.name
		}
	}
	return ""
}

// CoverageSamples are the alphabets concord's PDFs must be able to set, by
// name: the letters of every language of the forum's member countries and
// the working languages, lower and upper case, as `concord doctor` checks
// them against the embedded fonts.
var CoverageSamples = []struct{ Name, Text string }{
	{"Latin (English)", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;:!?()[]§%&'\"-–—“”‘’…"},
	{"Russian", "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ№"},
	{"Kazakh", "әғқңөұүһіӘҒҚҢӨҰҮҺІ"},
	{"Kyrgyz", "ңөүҢӨҮ"},
	{"Tajik", "ғӣқӯҳҷҒӢҚӮҲҶ"},
	{"Uzbek (Latin)", "oʻgʻOʻGʻshchng"},
	{"Turkmen (Latin)", "äçňöşüýžÄÇŇÖŞÜÝŽ"},
	{"Chinese", "中华人民共和国哈萨克斯坦乌兹别克吉尔吉斯塔吉克土库曼高等教育合作论坛协议第条。，、：；（）《》"},
}

// MissingGlyphs returns the characters of text, in order and each once,
// that an export cannot draw (Coverage, as the write-time checks use it), or
// an error if the embedded fonts cannot be read. cjk is accepted for the
// callers' sake: which face draws shared punctuation does not change what
// can be drawn.
func MissingGlyphs(text string, cjk bool) ([]rune, error) {
	cv, err := NewCoverage()
	if err != nil {
		return nil, fmt.Errorf("loading the embedded fonts: %w", err)
	}
	var missing []rune
	seen := map[rune]bool{}
	for _, r := range text {
		if r == '\n' || r == '\t' || seen[r] {
			continue
		}
		seen[r] = true
		if !cv.Covers(r) {
			missing = append(missing, r)
		}
	}
	return missing, nil
}
