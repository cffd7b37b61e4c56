package pdf

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/concord-ledger/concord/documents"
)

// Typographic sizes, in points.
const (
	bodySize  = 10.5
	smallSize = 8.5
	monoSize  = 7.5
)

// langNames gives the native and English names of the languages concord's
// agreements are usually written in, by primary language subtag; other
// languages are named in English (documents.LangName).
var langNames = map[string][2]string{
	"zh": {"中文", "Chinese"},
	"kk": {"Қазақ тілі", "Kazakh"},
	"ru": {"Русский", "Russian"},
	"en": {"English", "English"},
	"ky": {"Кыргызча", "Kyrgyz"},
	"uz": {"Oʻzbekcha", "Uzbek"},
	"tg": {"Тоҷикӣ", "Tajik"},
	"tk": {"Türkmençe", "Turkmen"},
}

// langLabel names the language of a stored tag with its tag in the case
// BCP 47 recommends (documents.DisplayLang): "中文 · Chinese (zh-Hans)",
// "English (en)", "Cantonese (yue)"; the tag alone when no name is known.
func langLabel(lang string) string {
	tag := documents.DisplayLang(lang)
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	n, ok := langNames[base]
	switch {
	case ok && n[0] != n[1]:
		return fmt.Sprintf("%s · %s (%s)", n[0], n[1], tag)
	case ok:
		return fmt.Sprintf("%s (%s)", n[1], tag)
	case documents.LangName(lang) != "":
		return fmt.Sprintf("%s (%s)", documents.LangName(lang), tag)
	}
	return tag
}

// langShort is the title page's shorter label: the native name where
// langNames has one, else the English name, and the tag, e.g.
// "中文 (zh-Hans)", "Cantonese (yue)"; the tag alone when no name is known.
func langShort(lang string) string {
	tag := documents.DisplayLang(lang)
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	name := documents.LangName(lang)
	if n, ok := langNames[base]; ok {
		name = n[0]
	}
	if name == "" {
		return tag
	}
	return fmt.Sprintf("%s (%s)", name, tag)
}

// Render lays out in and returns the PDF's bytes. The same Input always
// gives the same bytes. A character no embedded font has is a
// *MissingGlyphError; an inconsistent Input an *InputError.
func Render(in *Input) ([]byte, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	fs, err := loadFaces()
	if err != nil {
		return nil, err
	}
	if err := checkInputGlyphs(fs, in); err != nil {
		return nil, err
	}

	// The body first, so that the title page's contents know its pages.
	body := newLayout(fs)
	var toc []tocEntry
	for i, t := range in.Texts {
		body.section = "Authentic text · " + langLabel(t.Lang)
		body.newPage()
		toc = append(toc, tocEntry{label: "Authentic text: " + langLabel(t.Lang), page: len(body.pages) - 1})
		body.textSection(in, t, i)
	}
	body.appendix(in, &toc)
	if body.err != nil {
		return nil, body.err
	}

	// The title page, twice: once to count its pages, once numbered.
	title := newLayout(fs)
	title.titlePage(in, toc, 0)
	offset := len(title.pages)
	title = newLayout(fs)
	title.titlePage(in, toc, offset)
	if title.err != nil {
		return nil, title.err
	}
	if len(title.pages) != offset {
		return nil, fmt.Errorf("internal error: the title page changed length when numbered")
	}
	pages := append(title.pages, body.pages...)
	deco := newLayout(fs)
	deco.decorate(in, pages)
	if deco.err != nil {
		return nil, deco.err
	}
	return writePDF(in, pages, fs)
}

// checkInputGlyphs finds, before any layout, the first character of in
// that no embedded font can draw, and says exactly where it is.
func checkInputGlyphs(fs *faceSet, in *Input) error {
	plain := chooser{fs: fs}
	check := func(c chooser, s, where string, styles ...style) error {
		for _, st := range styles {
			if err := c.checkGlyphs(s, st, where); err != nil {
				return err
			}
		}
		return nil
	}
	fields := []struct{ v, where string }{{in.LedgerTitle, "ledger title"}, {in.Title, "document title"}, {in.Document, "document id"}}
	for _, f := range fields {
		if err := check(plain, f.v, f.where, regular, bold); err != nil {
			return err
		}
	}
	for _, t := range in.Texts {
		c := chooser{fs: fs, cjk: isCJKLang(t.Lang)}
		if err := check(c, string(t.Data), "text "+t.Lang, regular, bold); err != nil {
			return err
		}
		if err := check(plain, langLabel(t.Lang)+langShort(t.Lang), "language "+t.Lang, regular, bold); err != nil {
			return err
		}
	}
	for _, s := range in.Signatories {
		for _, f := range []struct{ v, what string }{{s.ID, "id"}, {s.Name, "name"}, {s.Title, "title"}, {s.Institution, "institution"}, {s.Country, "country"}} {
			if err := check(plain, f.v, fmt.Sprintf("signatory %s, %s", s.ID, f.what), regular, bold); err != nil {
				return err
			}
		}
		if err := check(plain, s.Fingerprint+s.Commit+string(s.Signature), "signatory "+s.ID+", key or signature", mono); err != nil {
			return err
		}
	}
	for _, e := range in.Timeline {
		if err := check(plain, e.What, fmt.Sprintf("timeline entry %d", e.Entry), regular); err != nil {
			return err
		}
	}
	for _, f := range in.Evidence {
		if err := check(plain, f.Name, "evidence file name", mono); err != nil {
			return err
		}
	}
	return check(plain, in.Status.Rule, "ratification rule", regular)
}

// tocEntry is a line of the title page's contents.
type tocEntry struct {
	label string
	page  int // index among the body's pages
}

// shortHash is the first 12 hex digits of a hash.
func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// when formats a ledger time.
func when(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// titlePage lays out the title page: what the document is, its status,
// the ledger record it comes from, and the contents. offset is the number
// of title pages, to number the contents.
func (l *layout) titlePage(in *Input, toc []tocEntry, offset int) {
	l.newPage()
	l.y = 118
	if in.LedgerTitle != "" {
		l.paragraph(para{x: marginX, w: contentW, leading: 15, align: 1, color: grey}, "ledger title",
			span{in.LedgerTitle, regular, 10.5})
		l.space(10)
		l.hline(pageW/2-40, l.y, 80, 0.8, accent)
		l.space(26)
	}
	l.paragraph(para{x: marginX + 20, w: contentW - 40, leading: 30, align: 1, color: accent}, "document title",
		span{in.Title, bold, 22})
	l.space(10)
	l.paragraph(para{x: marginX, w: contentW, leading: 18, align: 1, color: black}, "",
		span{fmt.Sprintf("Version %d", in.Version), regular, 13})
	var langs []string
	for _, t := range in.Texts {
		langs = append(langs, langShort(t.Lang))
	}
	l.space(4)
	l.paragraph(para{x: marginX, w: contentW, leading: 14, align: 1, color: grey}, "",
		span{"Equally authentic texts", regular, 9})
	l.paragraph(para{x: marginX, w: contentW, leading: 15, align: 1, color: black}, "",
		span{strings.Join(langs, "  ·  "), regular, 10})
	l.space(26)

	l.statusBox(in)
	l.space(22)

	l.heading("Record", 11)
	rows := [][2]string{
		{"Document", in.Document},
		{"Version", fmt.Sprint(in.Version)},
		{"Ledger", in.Ledger},
		{"Ledger head", in.Head},
		{"Ledger time", when(in.Date)},
	}
	for _, r := range rows {
		st := regular
		if r[0] == "Ledger" || r[0] == "Ledger head" {
			st = mono
		}
		l.field(r[0], 92, span{r[1], st, valueSize(st)})
	}
	for _, t := range in.Texts {
		l.field("SHA-256 "+documents.DisplayLang(t.Lang), 92, span{t.SHA256, mono, monoSize})
	}
	l.space(16)

	l.heading("Contents", 11)
	for _, e := range toc {
		l.need(16)
		base := l.y + 11
		w := l.textAt(marginX, base, 0, black, span{e.label, regular, 10})
		num := fmt.Sprint(e.page + offset + 1)
		nw := l.textAt(marginX+contentW, base, 2, black, span{num, regular, 10})
		// Dot leaders between the label and the page number.
		dot := l.measure(span{". ", regular, 10})
		if dot > 0 {
			for x := marginX + w + 8; x+dot < marginX+contentW-nw-6; x += dot {
				l.textAt(x, base, 0, lightGrey, span{".", regular, 10})
			}
		}
		l.y += 16
	}
	l.space(18)
	l.paragraph(para{x: marginX, w: contentW, leading: 11.5, justify: true, color: grey}, "",
		span{"This file was rendered by concord from the ledger state named above; the same state always renders to the same bytes. " +
			"It carries its own evidence — the canonical texts, every signed statement and signature, the signatories' public keys and a manifest — " +
			"as embedded files, so that it can be checked with nothing else in hand: see “How to verify” in the signature appendix.", regular, 8})
}

// valueSize is the size of a record value in style st.
func valueSize(st style) float64 {
	if st == mono {
		return monoSize
	}
	return 9.5
}

// heading sets a small section heading with a rule under it.
func (l *layout) heading(s string, size float64) {
	l.need(size*1.6 + 40)
	l.paragraph(para{x: marginX, w: contentW, leading: size * 1.6, color: accent}, "", span{s, bold, size})
	l.hline(marginX, l.y, contentW, 0.5, lightGrey)
	l.space(6)
}

// field sets a label and a value that wraps in the column beside it.
func (l *layout) field(label string, labelW float64, value ...span) {
	leading := 13.0
	lines := l.lines(value, contentW-labelW, contentW-labelW, label)
	l.need(leading * float64(min(len(lines), 3)))
	first := true
	for _, line := range lines {
		l.need(leading)
		base := l.baseline(leading, line)
		if first {
			l.textAt(marginX, base, 0, grey, span{label, regular, 8.5})
			first = false
		}
		l.draw(place(line, contentW-labelW, false), marginX+labelW, base, black)
		l.y += leading
	}
}

// statusBox shows whether the version is ratified, and by which rule.
func (l *layout) statusBox(in *Input) {
	s := in.Status
	head, c := "NOT RATIFIED", amber
	detail := fmt.Sprintf("%d of %d required approvals. Rule: %s.", s.Approvals, s.Required, s.Rule)
	if s.Ratified {
		head, c = "RATIFIED", green
		detail = fmt.Sprintf("Ratified at ledger entry %d, %s (the time its signer gives), under the rule: %s.", s.RatifiedEntry, when(s.RatifiedTime), s.Rule)
	}
	if s.SupersededBy > 0 {
		detail += fmt.Sprintf(" Superseded by version %d (ledger entry %d).", s.SupersededBy, s.SupersededAt)
		if !s.Ratified {
			head = "NOT RATIFIED · SUPERSEDED"
		}
	}
	l.need(70)
	top, pg := l.y, l.cur()
	at := len(pg.ops)
	l.y += 10
	l.paragraph(para{x: marginX + 18, w: contentW - 30, leading: 18, color: c}, "", span{head, bold, 13})
	l.paragraph(para{x: marginX + 18, w: contentW - 30, leading: 14, color: black}, "", span{detail, regular, 10})
	l.y += 8
	// The box goes behind the text: before its operations.
	box := []op{
		{kind: opRect, x: marginX, y: top, w: contentW, h: l.y - top, color: paleFill},
		{kind: opRect, x: marginX, y: top, w: 4, h: l.y - top, color: c},
	}
	pg.ops = append(pg.ops[:at], append(box, pg.ops[at:]...)...)
}

// textSection typesets one language text from its light markup.
func (l *layout) textSection(in *Input, t Text, i int) {
	cjk := isCJKLang(t.Lang)
	l.ch = chooser{fs: l.fs, cjk: cjk}
	defer func() { l.ch = chooser{fs: l.fs} }()

	l.textAt(marginX, l.y+8, 0, grey, span{fmt.Sprintf("AUTHENTIC TEXT %d OF %d", i+1, len(in.Texts)), regular, 7.5})
	l.y += 14
	l.paragraph(para{x: marginX, w: contentW, leading: 24, color: accent}, "", span{langLabel(t.Lang), bold, 16})
	l.textAt(marginX, l.y+8, 0, grey, span{"SHA-256 of the canonical text  ", regular, 7.5}, span{t.SHA256, mono, 7.5})
	l.y += 14
	l.hline(marginX, l.y, contentW, 0.6, accent)
	l.space(18)

	leading := bodySize * 1.55
	indent := 0.0
	if cjk {
		leading = bodySize * 1.85
		indent = 2 * bodySize // Chinese paragraphs indent two characters
	}
	body := para{x: marginX, w: contentW, leading: leading, justify: true, color: black}
	lineNo := 1
	for _, b := range parseMarkup(string(t.Data)) {
		where := fmt.Sprintf("text %s, line %d", t.Lang, lineNo)
		lineNo += len(b.raw)
		switch b.kind {
		case blankBlock:
			l.space(leading * 0.5)
		case heading1Block:
			l.space(4)
			l.paragraph(para{x: marginX, w: contentW, leading: 15 * 1.45, align: 1, color: black, keepNext: 2 * leading}, where,
				span{b.lines[0], bold, 15})
			l.space(4)
		case heading2Block:
			l.space(6)
			l.paragraph(para{x: marginX, w: contentW, leading: 12 * 1.5, color: accent, keepNext: 2 * leading}, where,
				span{b.lines[0], bold, 12})
			l.space(2)
		case paragraphBlock:
			for j, line := range b.lines {
				p := body
				if j == 0 {
					p.indent = indent
				}
				l.paragraph(p, where, span{line, regular, bodySize})
			}
		case bulletBlock, numberedBlock:
			marker, hang := "•", 16.0
			if b.kind == numberedBlock {
				marker = b.number
				hang = max(22, l.measure(span{marker, regular, bodySize})+6)
			}
			for j, line := range b.lines {
				l.need(leading)
				if j == 0 {
					l.textAt(marginX+indent/2, l.y+(leading+bodySize*0.7)/2, 0, black, span{marker, regular, bodySize})
				}
				p := body
				p.x, p.w = marginX+indent/2+hang, contentW-indent/2-hang
				l.paragraph(p, where, span{line, regular, bodySize})
			}
		}
	}
}

// demoNotice is the mark on every page of a demonstration PDF.
const demoNotice = "DEMONSTRATION — illustrative text and demo keys: not a real agreement, not signed by real persons"

// decorate adds what every page carries: the demonstration mark, the
// running head, and the footer with the document id, the version, a short
// hash of each text, and the page number.
func (l *layout) decorate(in *Input, pages []*page) {
	// The footer names as many texts' short hashes as fit beside the page
	// number (all of them, for up to about eight languages).
	hashes := []span{{fmt.Sprintf("%s · version %d · SHA-256", in.Document, in.Version), regular, 7}}
	for i, t := range in.Texts {
		more := []span{{" " + documents.DisplayLang(t.Lang) + " ", regular, 7}, {t.SHA256[:min(8, len(t.SHA256))], mono, 6.5}}
		if l.measure(append(slices.Clone(hashes), more...)...) > contentW-80 {
			hashes = append(hashes, span{fmt.Sprintf(" and %d more in the appendix", len(in.Texts)-i), regular, 7})
			break
		}
		hashes = append(hashes, more...)
	}
	for i, p := range pages {
		l.pages = []*page{p}
		if in.Demo {
			l.rect(0, demoBandTop, pageW, demoBandH, demoFill)
			l.textAt(pageW/2, demoBandTop+(demoBandH+7.5*0.7)/2, 1, red, span{demoNotice, bold, 7.5})
		}
		if p.section != "" {
			l.textAt(marginX+contentW, runningHeadY, 2, grey, span{p.section, regular, 7.5})
			l.textAt(marginX, runningHeadY, 0, grey, span{in.Document + " · version " + fmt.Sprint(in.Version), regular, 7.5})
			l.hline(marginX, runningHeadY+5, contentW, 0.3, lightGrey)
		}
		l.hline(marginX, footerRuleY, contentW, 0.3, lightGrey)
		l.textAt(marginX, footerTextY, 0, grey, hashes...)
		l.textAt(marginX+contentW, footerTextY, 2, grey, span{fmt.Sprintf("Page %d of %d", i+1, len(pages)), regular, 7})
	}
}
