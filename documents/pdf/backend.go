package pdf

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"

	"codeberg.org/go-pdf/fpdf"
)

// This file is the only one that knows the PDF library: it draws the laid
// out pages and embeds the evidence. finish.go then makes the few changes
// to the library's output that reproducibility and the PDF standard ask
// for.

// fontFamily is the name a face is registered under in the PDF library.
// The library writes it as the font's PDF name, lower-cased and prefixed
// with "utf8"; finish replaces "utf8xx+" with a six-letter subset tag of
// the same length, as the PDF standard names subset fonts.
func fontFamily(f *face) string { return "xx+" + f.name }

// writePDF draws pages and returns the finished PDF.
func writePDF(in *Input, pages []*page, fs *faceSet) ([]byte, error) {
	used := map[*face]map[rune]bool{}
	for _, p := range pages {
		for _, o := range p.ops {
			if o.kind != opText {
				continue
			}
			m := used[o.seg.f.face]
			if m == nil {
				m = map[rune]bool{}
				used[o.seg.f.face] = m
			}
			for _, r := range o.seg.text {
				m[r] = true
			}
		}
	}

	f := fpdf.New("P", "pt", "A4", "")
	f.SetCatalogSort(true) // objects in a fixed order
	f.SetCompression(true)
	f.SetAutoPageBreak(false, 0)
	f.SetMargins(0, 0, 0)
	date := in.Date.UTC()
	f.SetCreationDate(date)
	f.SetModificationDate(date)
	producer := in.Producer
	if producer == "" {
		producer = "concord"
	}
	f.SetProducer(producer, true)
	f.SetCreator(producer, true)
	f.SetTitle(in.Title, true)
	f.SetSubject(fmt.Sprintf("%s, version %d", in.Document, in.Version), true)
	if in.LedgerTitle != "" {
		f.SetAuthor(in.LedgerTitle, true)
	}
	f.SetKeywords(fmt.Sprintf("concord ledger %s document %s version %d", in.Ledger, in.Document, in.Version), true)

	renames := map[string]string{}
	for _, fc := range []*face{fs.serif, fs.serifBold, fs.mono, fs.cjk} {
		runes := used[fc]
		if runes == nil {
			continue // an unused font would still be embedded
		}
		f.AddUTF8FontFromBytes(fontFamily(fc), "", fc.data)
		if f.Err() {
			return nil, fmt.Errorf("adding font %s: %w", fc.name, f.Error())
		}
		renames["utf8"+strings.ToLower(fontFamily(fc))] = subsetTag(fc.name, runes) + "+" + fc.name
	}

	for _, p := range pages {
		f.AddPage()
		for _, o := range p.ops {
			switch o.kind {
			case opRect:
				f.SetFillColor(int(o.color.r), int(o.color.g), int(o.color.b))
				f.Rect(o.x, o.y, o.w, o.h, "F")
			case opLine:
				f.SetDrawColor(int(o.color.r), int(o.color.g), int(o.color.b))
				f.SetLineWidth(o.lw)
				f.Line(o.x, o.y, o.x+o.w, o.y+o.h)
			case opText:
				f.SetFont(fontFamily(o.seg.f.face), "", o.seg.size)
				f.SetTextColor(int(o.color.r), int(o.color.g), int(o.color.b))
				if o.seg.f.fakeBold {
					// The CJK face has no bold: stroke the outlines too.
					f.SetDrawColor(int(o.color.r), int(o.color.g), int(o.color.b))
					f.SetLineWidth(o.seg.size * 0.035)
					f.SetTextRenderingMode(2)
				}
				f.Text(o.x, o.y, o.seg.text)
				if o.seg.f.fakeBold {
					f.SetTextRenderingMode(0)
				}
			}
		}
	}

	var as []fpdf.Attachment
	var names []string
	for _, e := range in.Evidence {
		as = append(as, fpdf.Attachment{Content: e.Data, Filename: e.Name, Description: e.Description})
		names = append(names, e.Name)
	}
	f.SetAttachments(as)

	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("writing the PDF: %w", err)
	}
	return finish(buf.Bytes(), renames, names)
}

// subsetTag is the six capital letters that name a font subset: derived
// from the font and the characters in the subset, so the same text always
// gives the same tag.
func subsetTag(name string, runes map[rune]bool) string {
	list := make([]rune, 0, len(runes))
	for r := range runes {
		list = append(list, r)
	}
	slices.Sort(list)
	h := sha256.Sum256([]byte(name + "\x00" + string(list)))
	tag := make([]byte, 6)
	for i := range tag {
		tag[i] = 'A' + h[i]%26
	}
	return string(tag)
}
