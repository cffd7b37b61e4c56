package pdf

// The layout engine: pages of drawing operations, in points from the top
// left corner of an A4 page. Nothing here knows about the PDF library.

const (
	pageW        = 595.28
	pageH        = 841.89
	marginX      = 72.0
	contentTop   = 78.0
	contentBot   = pageH - 74.0
	contentW     = pageW - 2*marginX
	footerRuleY  = pageH - 56.0
	footerTextY  = pageH - 44.0
	demoBandTop  = 20.0
	demoBandH    = 20.0
	runningHeadY = 58.0
)

// rgb is a colour.
type rgb struct{ r, g, b uint8 }

var (
	black     = rgb{0x1a, 0x1a, 0x1a}
	grey      = rgb{0x5f, 0x63, 0x68}
	lightGrey = rgb{0xc8, 0xcc, 0xd0}
	paleFill  = rgb{0xf3, 0xf4, 0xf6}
	accent    = rgb{0x1f, 0x3a, 0x5f}
	green     = rgb{0x1e, 0x6b, 0x3a}
	amber     = rgb{0x8a, 0x5a, 0x00}
	red       = rgb{0xb3, 0x26, 0x1e}
	demoFill  = rgb{0xfd, 0xec, 0xea}
	white     = rgb{0xff, 0xff, 0xff}
)

type opKind int

const (
	opText opKind = iota
	opRect
	opLine
)

// op is one drawing operation. Text: seg at (x, y) on the baseline. Rect:
// filled, (x, y, w, h). Line: from (x, y) to (x+w, y+h), width lw.
type op struct {
	kind       opKind
	x, y, w, h float64
	lw         float64
	seg        segment
	color      rgb
}

// page is one page's operations, in drawing order.
type page struct {
	ops     []op
	section string // the running head, "" for none
}

// layout places content on pages, top to bottom, starting new pages as
// needed. The first error (a missing glyph) sticks and ends the work.
type layout struct {
	fs      *faceSet
	ch      chooser
	pages   []*page
	y       float64
	section string
	err     error
	// verifyPage is the page "How to verify" starts on.
	verifyPage int
}

func newLayout(fs *faceSet) *layout {
	return &layout{fs: fs, ch: chooser{fs: fs}}
}

// cur is the current page.
func (l *layout) cur() *page { return l.pages[len(l.pages)-1] }

// newPage starts a page and puts y at the top of its content area.
func (l *layout) newPage() {
	l.pages = append(l.pages, &page{section: l.section})
	l.y = contentTop
}

// need starts a new page unless h more points fit on this one.
func (l *layout) need(h float64) {
	if len(l.pages) == 0 || l.y+h > contentBot {
		l.newPage()
	}
}

// space adds vertical space, not carried over to a new page.
func (l *layout) space(h float64) {
	l.y += h
	if l.y > contentBot {
		l.newPage()
	}
}

func (l *layout) rect(x, y, w, h float64, c rgb) {
	l.cur().ops = append(l.cur().ops, op{kind: opRect, x: x, y: y, w: w, h: h, color: c})
}

func (l *layout) hline(x, y, w, lw float64, c rgb) {
	l.cur().ops = append(l.cur().ops, op{kind: opLine, x: x, y: y, w: w, lw: lw, color: c})
}

func (l *layout) draw(segs []segment, x, baseline float64, c rgb) {
	for _, s := range segs {
		l.cur().ops = append(l.cur().ops, op{kind: opText, x: x + s.x, y: baseline, seg: s, color: c})
	}
}

// lines breaks spans into lines of width w (first line firstW).
func (l *layout) lines(spans []span, firstW, w float64, where string) [][]item {
	if l.err != nil {
		return nil
	}
	items, err := l.ch.items(spans, min(firstW, w), where)
	if err != nil {
		l.err = err
		return nil
	}
	return breakLines(items, firstW, w)
}

// measure returns the natural width of spans on one line.
func (l *layout) measure(spans ...span) float64 {
	if l.err != nil {
		return 0
	}
	items, err := l.ch.items(spans, 1e9, "")
	if err != nil {
		l.err = err
		return 0
	}
	return lineWidth(items)
}

// para holds how to set a paragraph.
type para struct {
	x, w     float64 // left edge and width
	indent   float64 // first-line indent
	leading  float64 // line height
	justify  bool
	align    int // 0 left, 1 centre, 2 right (only without justify)
	color    rgb
	keepNext float64 // keep this much space after the last line on the page
}

// paragraph sets spans as a paragraph starting at l.y and moves l.y past
// it. Lines break across pages.
func (l *layout) paragraph(p para, where string, spans ...span) {
	lines := l.lines(spans, p.w-p.indent, p.w, where)
	for i, line := range lines {
		keep := p.leading
		if i == len(lines)-1 {
			keep += p.keepNext
		}
		l.need(keep)
		x, w := p.x, p.w
		if i == 0 {
			x, w = x+p.indent, w-p.indent
		}
		segs := place(line, w, p.justify && i < len(lines)-1)
		switch nw := lineWidth(line); p.align {
		case 1:
			x += (w - nw) / 2
		case 2:
			x += w - nw
		}
		l.draw(segs, x, l.baseline(p.leading, line), p.color)
		l.y += p.leading
	}
}

// baseline returns where the baseline of a line of the given height
// starting at l.y goes: the glyphs are centred in the line box.
func (l *layout) baseline(leading float64, line []item) float64 {
	size := 0.0
	for _, it := range line {
		size = max(size, it.size)
	}
	return l.y + (leading+size*0.70)/2
}

// textAt draws spans on one line at (x, baseline) without breaking;
// align 1 centres them on x, 2 ends them at x. It returns their width.
func (l *layout) textAt(x, baseline float64, align int, c rgb, spans ...span) float64 {
	if l.err != nil {
		return 0
	}
	items, err := l.ch.items(spans, 1e9, "")
	if err != nil {
		l.err = err
		return 0
	}
	w := lineWidth(items)
	switch align {
	case 1:
		x -= w / 2
	case 2:
		x -= w
	}
	l.draw(place(items, w, false), x, baseline, c)
	return w
}
