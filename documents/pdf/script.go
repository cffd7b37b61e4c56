package pdf

import (
	"fmt"
	"strings"
	"unicode"
)

// style is the typographic role of a piece of text.
type style int

const (
	regular style = iota
	bold
	mono
)

// font is a face as drawn: fakeBold strokes the outlines too, for faces
// that have no bold (the CJK face).
type font struct {
	face     *face
	fakeBold bool
}

// isCJK reports whether r is a Chinese, Japanese or Korean character or
// CJK punctuation, which the CJK face draws even where another face has a
// glyph for it.
func isCJK(r rune) bool {
	switch {
	case unicode.Is(unicode.Han, r), unicode.Is(unicode.Hiragana, r), unicode.Is(unicode.Katakana, r),
		unicode.Is(unicode.Hangul, r), unicode.Is(unicode.Bopomofo, r):
		return true
	case r >= 0x2E80 && r <= 0x2FDF, // radicals
		r >= 0x3000 && r <= 0x303F, // CJK symbols and punctuation
		r >= 0x3200 && r <= 0x33FF, // enclosed letters, compatibility
		r >= 0xFE30 && r <= 0xFE4F, // compatibility forms
		r >= 0xFF00 && r <= 0xFFEF: // half- and full-width forms
		return true
	}
	return false
}

// sharedPunct is punctuation both scripts use; in a CJK text the CJK
// face's full-width forms are the right ones.
const sharedPunct = "“”‘’…—·"

// ignorable characters are Unicode's default ignorable code points
// (DerivedCoreProperties.txt, Default_Ignorable_Code_Point): joiners,
// variation selectors, bidirectional and other format controls. They
// change how neighbours join, which glyph variant is used or in which
// order a terminal shows text, and draw nothing themselves; if no face has
// them they are left out rather than refused, as Unicode recommends
// (section 5.21). A text that holds bidirectional controls (accepted only
// with --allow-invisible) is thus drawn in its byte order.
func ignorable(r rune) bool {
	switch {
	case r == 0x00AD, r == 0x034F, r == 0x061C, r == 0x115F, r == 0x1160,
		r == 0x17B4, r == 0x17B5, r >= 0x180B && r <= 0x180F,
		r >= 0x200B && r <= 0x200F, r >= 0x202A && r <= 0x202E,
		r >= 0x2060 && r <= 0x206F, r == 0x3164, r >= 0xFE00 && r <= 0xFE0F,
		r == 0xFEFF, r == 0xFFA0, r >= 0xFFF0 && r <= 0xFFF8,
		r >= 0x1BCA0 && r <= 0x1BCA3, r >= 0x1D173 && r <= 0x1D17A,
		r >= 0xE0000 && r <= 0xE0FFF:
		return true
	}
	return false
}

// chooser picks the face for each character of a text.
type chooser struct {
	fs  *faceSet
	cjk bool // the text is in a CJK language: shared punctuation is CJK
}

// chain is the order in which faces are tried for r in style st.
func (c chooser) chain(r rune, st style) []font {
	fs := c.fs
	preferCJK := isCJK(r) || (c.cjk && strings.ContainsRune(sharedPunct, r))
	var main []font
	switch st {
	case bold:
		main = []font{{face: fs.serifBold}}
	case mono:
		main = []font{{face: fs.mono}, {face: fs.serif}}
	default:
		main = []font{{face: fs.serif}}
	}
	cjk := font{face: fs.cjk, fakeBold: st == bold}
	if preferCJK {
		return append([]font{cjk}, main...)
	}
	return append(main, cjk)
}

// pick returns the face that draws r in style st. ok is false when no
// face has it; skip is true for an ignorable character no face has.
func (c chooser) pick(r rune, st style) (f font, skip, ok bool) {
	if r <= 0xFFFF { // the PDF writer maps 16-bit character codes only
		for _, f := range c.chain(r, st) {
			if f.face.has(r) {
				return f, false, true
			}
		}
	}
	if ignorable(r) {
		return font{}, true, true
	}
	return font{}, false, false
}

// MissingGlyphError is a character that no embedded font can draw. The
// PDF is not written: it would show a box where the character should be.
type MissingGlyphError struct {
	Rune  rune
	Where string // where the character is, e.g. "text kk, line 3, column 7"
}

func (e *MissingGlyphError) Error() string {
	what := "no embedded font has a glyph for"
	if e.Rune > 0xFFFF {
		what = "the PDF writer cannot encode characters beyond U+FFFF, such as"
	}
	return fmt.Sprintf("%s %U %q (%s)", what, e.Rune, e.Rune, e.Where)
}

// Hint says what the embedded fonts cover.
func (e *MissingGlyphError) Hint() string {
	return "the PDF fonts cover Latin, Cyrillic (including Kazakh) and Chinese up to U+FFFF; concord refuses other characters when an entry is written (docs/TEXT.md, \"Characters the PDF can draw\"), so an entry holding one was written before that check"
}

// checkGlyphs returns a *MissingGlyphError for the first character of s
// that no face can draw in style st; where names s for the message.
func (c chooser) checkGlyphs(s string, st style, where string) error {
	line, col := 1, 0
	for _, r := range s {
		col++
		if r == '\n' {
			line, col = line+1, 0
			continue
		}
		if r == '\t' {
			continue
		}
		if _, _, ok := c.pick(r, st); !ok {
			w := where
			if strings.Contains(s, "\n") || len(s) > 80 {
				w = fmt.Sprintf("%s, line %d, column %d", where, line, col)
			}
			return &MissingGlyphError{Rune: r, Where: w}
		}
	}
	return nil
}

// isCJKLang reports whether a language tag names a language written in
// CJK characters.
func isCJKLang(lang string) bool {
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	return base == "zh" || base == "ja" || base == "ko" || base == "yue" || base == "lzh"
}

// Line breaking rules for CJK text (kinsoku), kept simple: these never
// start a line ...
const noLineStart = "，。、；：！？）》」』】〕〉〗〙〛”’…‥·・～ー％,.;:!?)]}%"

// ... and these never end one.
const noLineEnd = "（《「『【〔〈〖〘〚“‘([{"
