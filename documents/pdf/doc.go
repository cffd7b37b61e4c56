// Package pdf renders one version of an agreement, with its signature
// appendix and its evidence, into a byte-reproducible PDF.
//
// The caller (the ledger layer) fills a plain Input: the texts in every
// language, the status, each required signatory's decision and signature,
// the version's timeline and the evidence files to embed. Render lays it
// out — a title page, each language text typeset from its light markup
// (docs/TEXT.md), and an appendix with the signatures, the timeline, a QR
// code and how to verify the file — and writes the PDF.
//
// Fonts are embedded in the binary (fonts/README.md lists them with their
// licences) and subset into the PDF. The font is chosen per character, so
// Chinese, Kazakh, Russian and English mix freely; a character that no
// embedded font has is a *MissingGlyphError, never a missing-glyph box.
//
// The same Input always gives the same bytes: dates come from Input.Date,
// object order, font subset tags and the file identifier are derived from
// the content, and nothing reads the clock or a random source. The PDF
// library (codeberg.org/go-pdf/fpdf) is used only in backend.go; layout,
// line breaking and font selection are this package's own.
package pdf
