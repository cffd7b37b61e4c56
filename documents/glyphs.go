package documents

import (
	"fmt"
	"strings"
)

// Glyphs says which characters a renderer can draw: the PDF's embedded
// fonts (documents/pdf.Coverage), or a stand-in in tests.
type Glyphs interface {
	Covers(r rune) bool
}

// Shaper is implemented by a Glyphs that refuses whole scripts because it
// cannot lay them out (letters that join, text that runs right to left):
// Unshaped returns the script's name for such a character, else "".
type Shaper interface {
	Unshaped(r rune) string
}

// Encoder is implemented by a Glyphs that cannot encode some characters
// at all, whatever glyphs its fonts hold: Unencodable returns why for such
// a character (e.g. "beyond U+FFFF, …"), else "".
type Encoder interface {
	Unencodable(r rune) string
}

// GlyphError is a character the renderer cannot draw: written to the
// ledger, it would make every later export of the entry fail.
type GlyphError struct {
	Where  string // the field or text, e.g. "title" or "text kk.txt (kk)"
	Line   int    // line of the character, from 1; 0 in a single-line field
	Column int    // column, from 1, counted in characters
	Rune   rune
	Name   string // its Unicode name, or ""
	Script string // set when the renderer cannot lay out the character's script at all
	Limit  string // set when the renderer cannot encode the character at all (Encoder): why
}

// Error names the character, its code point and where it is.
func (e *GlyphError) Error() string {
	var b strings.Builder
	switch {
	case e.Line > 0 && e.Where != "":
		fmt.Fprintf(&b, "%s: line %d, column %d", e.Where, e.Line, e.Column)
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d, column %d", e.Line, e.Column)
	default:
		fmt.Fprintf(&b, "%s, column %d", e.Where, e.Column)
	}
	fmt.Fprintf(&b, ": %q %U", e.Rune, e.Rune)
	if e.Name != "" {
		fmt.Fprintf(&b, " (%s)", e.Name)
	}
	switch {
	case e.Script != "":
		fmt.Fprintf(&b, ": %s script cannot be typeset by concord's PDF renderer (no joining of letters, no right-to-left layout)", e.Script)
	case e.Limit != "":
		fmt.Fprintf(&b, ": %s, so no PDF concord writes can show it", e.Limit)
	default:
		b.WriteString(": no font embedded in concord's PDFs can draw it")
	}
	return b.String()
}

// Hint says what the renderer covers.
func (e *GlyphError) Hint() string {
	if e.Limit != "" {
		return "rare CJK ideographs (Extension B and later), emoji and every other character beyond U+FFFF are refused; write the text without the character, e.g. with a common variant or a description (nothing was written; docs/TEXT.md, \"Characters the PDF can draw\")"
	}
	return "the PDF fonts cover Latin, Cyrillic (including Kazakh) and Chinese up to U+FFFF; write the text without the character (nothing was written)"
}

// CheckGlyphs returns a *GlyphError for the first character of s that g
// cannot draw; where names s in the message. For a multi-line s (a text)
// the error gives line and column; LF and tab are not drawn and not
// checked.
func CheckGlyphs(where, s string, g Glyphs, multiline bool) error {
	line, col := 1, 0
	for _, r := range s {
		col++
		if r == '\n' {
			line, col = line+1, 0
			continue
		}
		if r == '\t' || g.Covers(r) {
			continue
		}
		e := &GlyphError{Where: where, Line: line, Column: col, Rune: r, Name: runeName(r)}
		if !multiline {
			e.Line = 0
		}
		if sh, ok := g.(Shaper); ok {
			e.Script = sh.Unshaped(r)
		}
		if en, ok := g.(Encoder); ok && e.Script == "" {
			e.Limit = en.Unencodable(r)
		}
		return e
	}
	return nil
}
