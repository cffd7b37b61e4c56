package ledger

import (
	"errors"

	"github.com/concord-ledger/concord/documents"
	"github.com/concord-ledger/concord/ledger/rules"
)

// Glyphs says which characters every later view of the ledger can draw;
// documents/pdf.Coverage is the one concord's commands pass (Env.Glyphs).
// It is an interface so that this package does not link the PDF writer.
type Glyphs = documents.Glyphs

// Limits of the free-text fields, in characters, when they are written.
const (
	maxTitle  = 300 // a ledger's or a document's title
	maxMember = 200 // a member's name, title, institution, country
	maxReason = 500 // a roster change's reason
	maxNote   = 500 // a version's note
)

// errNoGlyphs is returned by every write of free text or texts when
// Env.Glyphs is nil: without the PDF's coverage the write cannot know that
// the entry stays exportable, so it fails closed.
var errNoGlyphs = errors.New("internal error: no glyph coverage given (Env.Glyphs is nil), so nothing that holds text can be written")

// field is one free-text field of an entry about to be written.
type field struct {
	name, value string
	max         int
	optional    bool // may be empty
}

// checkFields applies the write-time rule to fields: documents.CheckField
// (the text rules of docs/TEXT.md, on one line), then glyph coverage by g,
// so that nothing written can make a later view or export fail. Reading
// keeps the looser rule older entries were written under (checkField).
func checkFields(g Glyphs, fields ...field) error {
	if g == nil {
		return errNoGlyphs
	}
	for _, f := range fields {
		if f.optional && f.value == "" {
			continue
		}
		if err := documents.CheckField(f.name, f.value, f.max); err != nil {
			return err
		}
		if err := documents.CheckGlyphs(f.name, f.value, g, false); err != nil {
			return err
		}
	}
	return nil
}

// memberFields are the free-text fields of m, named for messages.
func memberFields(m *rules.Member) []field {
	p := "member " + m.ID + ": "
	return []field{
		{name: p + "name", value: m.Name, max: maxMember},
		{name: p + "title", value: m.Title, max: maxMember},
		{name: p + "institution", value: m.Institution, max: maxMember},
		{name: p + "country", value: m.Country, max: maxMember},
	}
}

// checkTextGlyphs checks a canonical text against g.
func checkTextGlyphs(g Glyphs, t TextInput, canonical []byte) error {
	if g == nil {
		return errNoGlyphs
	}
	if err := documents.CheckGlyphs("", string(canonical), g, true); err != nil {
		return &TextError{Name: t.Name, Lang: t.Lang, Err: err}
	}
	return nil
}
