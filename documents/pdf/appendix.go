package pdf

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// appendix lays out the signature appendix: the texts signed, every
// required signatory's decision and signature, the timeline, how to verify
// (with the QR code), and the embedded evidence.
func (l *layout) appendix(in *Input, toc *[]tocEntry) {
	l.section = "Signature appendix"
	l.newPage()
	*toc = append(*toc, tocEntry{label: "Signature appendix", page: len(l.pages) - 1})
	l.paragraph(para{x: marginX, w: contentW, leading: 28, color: accent}, "", span{"Signature appendix", bold, 18})
	l.paragraph(para{x: marginX, w: contentW, leading: 14, justify: true, color: black}, "",
		span{fmt.Sprintf("This appendix records who signed version %d of “%s”, which exact texts they signed, and where the evidence is in ledger ", in.Version, in.Document), regular, 9.5},
		span{shortHash(in.Ledger), mono, 8.5},
		span{" at head ", regular, 9.5},
		span{shortHash(in.Head), mono, 8.5},
		span{". Full identifiers are on the title page; all evidence is embedded in this file.", regular, 9.5})
	l.space(14)

	l.heading("1  Texts signed", 11)
	var rows [][]string
	for _, t := range in.Texts {
		rows = append(rows, []string{langLabel(t.Lang), fmt.Sprint(len(t.Data)), t.SHA256})
	}
	l.table([]column{{"Language", 130, regular, 9}, {"Bytes", 40, regular, 9}, {"SHA-256 of the canonical text", 0, mono, 7}}, rows)
	l.space(16)

	l.heading("2  Signatures", 11)
	l.paragraph(para{x: marginX, w: contentW, leading: 12.5, justify: true, color: grey}, "",
		span{"Each signatory signs a statement naming the ledger, the document, the version, the SHA-256 of every text above and the decision, " +
			"as an OpenSSH signature (ssh-keygen -Y sign) in the namespace “" + in.Namespace + "”. Times are as the signer’s computer claimed them; " +
			"the order that counts is the ledger entry.", regular, 8.5})
	l.space(8)
	for i, s := range in.Signatories {
		l.signatoryCard(i+1, s)
	}
	if len(in.Signatories) == 0 {
		l.paragraph(para{x: marginX, w: contentW, leading: 14, color: black}, "", span{"No signatory is required.", regular, 9.5})
	}
	l.space(10)

	l.heading(fmt.Sprintf("3  Timeline of version %d", in.Version), 11)
	rows = nil
	for _, e := range in.Timeline {
		rows = append(rows, []string{fmt.Sprint(e.Entry), when(e.Time), e.What, shortHash(e.Commit)})
	}
	l.table([]column{{"Entry", 38, regular, 9}, {"Time (claimed)", 118, regular, 9}, {"Event", 0, regular, 9}, {"Commit", 70, mono, monoSize}}, rows)
	l.space(16)

	l.verification(in)
	*toc = append(*toc, tocEntry{label: "How to verify", page: l.verifyPage})
	l.space(16)

	l.heading("5  Embedded evidence", 11)
	l.paragraph(para{x: marginX, w: contentW, leading: 12.5, justify: true, color: grey}, "",
		span{"These files are embedded in this PDF (any PDF reader’s attachments panel, or pdfdetach -saveall, extracts them).", regular, 8.5})
	l.space(4)
	rows = nil
	for _, f := range in.Evidence {
		sum := sha256.Sum256(f.Data)
		rows = append(rows, []string{f.Name, fmt.Sprint(len(f.Data)), hex.EncodeToString(sum[:])[:16]})
	}
	l.table([]column{{"File", 0, mono, monoSize}, {"Bytes", 46, regular, 9}, {"SHA-256 (first 16)", 96, mono, monoSize}}, rows)
}

// column is a table column; w 0 takes the width left over.
type column struct {
	title string
	w     float64
	st    style
	size  float64
}

// table sets rows under a header row, which is repeated on every page the
// table continues on. Cells wrap within their column.
func (l *layout) table(cols []column, rows [][]string) {
	const pad, leading = 6.0, 12.5
	fixed := 0.0
	for _, c := range cols {
		fixed += c.w
	}
	widths := make([]float64, len(cols))
	for i, c := range cols {
		widths[i] = c.w
		if c.w == 0 {
			widths[i] = contentW - fixed
		}
	}
	header := func() {
		l.rect(marginX, l.y, contentW, leading+4, paleFill)
		x := marginX
		for i, c := range cols {
			l.textAt(x+3, l.y+2+(leading+8*0.7)/2, 0, grey, span{c.title, bold, 8})
			x += widths[i]
		}
		l.y += leading + 4
	}
	l.need(2 * (leading + 4))
	header()
	for _, r := range rows {
		cells := make([][][]item, len(cols))
		height := 0.0
		for i, c := range cols {
			cells[i] = l.lines([]span{{r[i], c.st, c.size}}, widths[i]-pad, widths[i]-pad, c.title)
			height = max(height, float64(len(cells[i]))*leading)
		}
		if l.err != nil {
			return
		}
		pages := len(l.pages)
		l.need(height + 4)
		if len(l.pages) != pages {
			header()
		}
		x := marginX
		for i := range cols {
			y := l.y + 2
			for _, line := range cells[i] {
				base := y + (leading+9*0.7)/2 // one baseline for the row
				l.draw(place(line, widths[i]-pad, false), x+3, base, black)
				y += leading
			}
			x += widths[i]
		}
		l.y += height + 4
		l.hline(marginX, l.y, contentW, 0.3, lightGrey)
	}
}

// signatoryCard sets one signatory's block, kept on one page.
func (l *layout) signatoryCard(n int, s Signatory) {
	const labelW, leading = 92.0, 12.5
	type row struct {
		label string
		lines [][]item
		lead  float64
	}
	valueW := contentW - labelW
	var rows []row
	add := func(label string, lead float64, spans ...span) {
		rows = append(rows, row{label, l.lines(spans, valueW, valueW, "signatory "+s.ID), lead})
	}
	add("Signatory id", leading, span{s.ID, regular, 9})
	add("Key", leading, span{s.Fingerprint, mono, monoSize})
	switch s.Decision {
	case Pending:
		add("Decision", leading, span{"pending: no decision recorded", regular, 9})
	default:
		add("Decision", leading, span{fmt.Sprintf("%s at ledger entry %d", s.Decision, s.Entry), regular, 9})
		add("Claimed time", leading, span{when(s.Time), regular, 9})
		add("Commit", leading, span{s.Commit, mono, monoSize})
	}
	var sigLines []string
	if len(s.Signature) > 0 {
		sigLines = strings.Split(strings.TrimRight(string(s.Signature), "\n"), "\n")
	}
	// The heading: name, then title · institution · country.
	sub := strings.Join(nonEmpty(s.Title, s.Institution, s.Country), " · ")
	subLines := l.lines([]span{{sub, regular, 9}}, contentW-28, contentW-28, "signatory "+s.ID)
	if l.err != nil {
		return
	}
	height := 20 + float64(len(subLines))*12 + 6
	for _, r := range rows {
		height += float64(len(r.lines)) * r.lead
	}
	const sigLead = 8.2
	height += float64(len(sigLines))*sigLead + 14
	l.need(min(height, contentBot-contentTop))

	badge, bc := "PENDING", amber
	switch s.Decision {
	case Approved:
		badge, bc = "APPROVED", green
	case Withdrawn:
		badge, bc = "WITHDRAWN", red
	}
	base := l.y + 14
	l.textAt(marginX, base, 0, grey, span{fmt.Sprint(n), bold, 11})
	l.textAt(marginX+28, base, 0, black, span{s.Name, bold, 11})
	bw := l.measure(span{badge, bold, 7.5}) + 12
	l.rect(marginX+contentW-bw, l.y+3, bw, 14, bc)
	l.textAt(marginX+contentW-bw/2, l.y+3+(14+7.5*0.7)/2, 1, white, span{badge, bold, 7.5})
	l.y += 20
	for _, line := range subLines {
		l.draw(place(line, contentW-28, false), marginX+28, l.y+9, grey)
		l.y += 12
	}
	l.y += 6
	for _, r := range rows {
		for i, line := range r.lines {
			l.need(r.lead)
			b := l.baseline(r.lead, line)
			if i == 0 {
				l.textAt(marginX+28, b, 0, grey, span{r.label, regular, 8})
			}
			l.draw(place(line, valueW, false), marginX+labelW, b, black)
			l.y += r.lead
		}
	}
	if len(sigLines) > 0 {
		l.need(sigLead + 4)
		l.textAt(marginX+28, l.y+sigLead, 0, grey, span{"Signature", regular, 8})
		for _, sl := range sigLines {
			l.need(sigLead)
			l.textAt(marginX+labelW, l.y+sigLead-1.5, 0, black, span{sl, mono, 6.3})
			l.y += sigLead
		}
	}
	l.y += 7
	l.hline(marginX, l.y, contentW, 0.4, lightGrey)
	l.y += 7
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// qrPayload is what the QR code holds: enough for a phone to identify the
// document, the version and the exact texts.
func qrPayload(in *Input) string {
	var b strings.Builder
	fmt.Fprintf(&b, "concord document\nledger %s\ndocument %s\nversion %d\n", in.Ledger, in.Document, in.Version)
	for _, t := range in.Texts {
		fmt.Fprintf(&b, "text %s %s\n", t.Lang, t.SHA256)
	}
	return b.String()
}

// verification sets "How to verify": the QR code beside one paragraph on
// checking the file with concord and one on checking it without.
func (l *layout) verification(in *Input) {
	const qrSize = 128.0
	l.need(qrSize + 60)
	l.verifyPage = len(l.pages) - 1
	l.heading("4  How to verify", 11)
	top := l.y
	textW := contentW - qrSize - 18
	p := para{x: marginX, w: textW, leading: 12.6, justify: true, color: black}
	const sz, mz = 9.0, 7.8
	l.paragraph(p, "",
		span{"With concord. ", bold, sz},
		span{"Run ", regular, sz}, span{"concord verify-pdf FILE", mono, mz},
		span{". It extracts the evidence embedded in this file, checks every signature and text hash against its statement and the signatories’ keys, " +
			"and re-renders the PDF from that evidence to confirm that the visible pages are exactly what that evidence gives. " +
			"With ", regular, sz}, span{"--ledger DIR", mono, mz},
		span{" it also checks the evidence against a copy of the ledger, where ", regular, sz}, span{"concord verify", mono, mz},
		span{" re-checks the keys’ validity by ledger position and the ratification rule.", regular, sz})
	l.space(6)
	l.paragraph(p, "",
		span{"Without concord. ", bold, sz},
		span{"Extract the embedded files with any PDF tool, e.g. ", regular, sz}, span{"pdfdetach -saveall FILE", mono, mz},
		span{". Check each text with ", regular, sz}, span{"sha256sum", mono, mz},
		span{" against the hashes printed here and named in every statement, and each signature with OpenSSH: ", regular, sz},
		span{"ssh-keygen -Y verify -f allowed_signers -I SIGNATORY -n " + in.Namespace + " -s SIG < STATEMENT", mono, mz},
		span{". The QR code holds the ledger id, the document id, the version and the SHA-256 of each text.", regular, sz})
	bottom := l.y
	if len(l.pages)-1 != l.verifyPage {
		// The text ran onto the next page: put the code beside its end.
		top = contentTop
	}
	l.qrCode(qrPayload(in), marginX+contentW-qrSize, top+4, qrSize)
	l.y = max(bottom, top+qrSize+8)
}
