package pdf

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// span is a piece of text in one style and size.
type span struct {
	text string
	st   style
	size float64
}

// item is a unit of line breaking: a space (glue), a CJK character, or a
// run of other characters in one font that no line break may split.
type item struct {
	text string
	f    font
	size float64
	w    float64
	glue bool // a space: dropped at a line break, stretched in justified lines
	cjk  bool // a CJK character
	// breakBefore: a line may break between the previous item and this one
	// (for items that are not glue).
	breakBefore bool
}

// tabSpaces is how many spaces a tab stands for.
const tabSpaces = 4

// items turns spans into line-breaking items, choosing the face for each
// character. A word wider than maxW is split into characters so that it
// can be broken anywhere. where names the text for a *MissingGlyphError.
func (c chooser) items(spans []span, maxW float64, where string) ([]item, error) {
	var out []item
	for _, sp := range spans {
		for _, r := range sp.text {
			if r == '\t' {
				for range tabSpaces {
					out = c.appendSpace(out, sp.size)
				}
				continue
			}
			f, skip, ok := c.pick(r, sp.st)
			if !ok {
				return nil, &MissingGlyphError{Rune: r, Where: where}
			}
			if skip {
				continue
			}
			if r == ' ' {
				out = c.appendSpace(out, sp.size)
				continue
			}
			w := f.face.width(r, sp.size)
			cjk := isCJK(r) || f.face == c.fs.cjk
			if n := len(out); n > 0 && !cjk && !out[n-1].glue && !out[n-1].cjk &&
				out[n-1].f == f && out[n-1].size == sp.size && !breaksAfter(out[n-1].text) {
				out[n-1].text += string(r)
				out[n-1].w += w
				continue
			}
			it := item{text: string(r), f: f, size: sp.size, w: w, cjk: cjk}
			if n := len(out); n > 0 && !out[n-1].glue {
				prev := out[n-1]
				it.breakBefore = (prev.cjk || cjk || breaksAfter(prev.text)) &&
					!strings.ContainsRune(noLineStart, r) && !endsWithAny(prev.text, noLineEnd)
			}
			out = append(out, it)
		}
	}
	// Split words that cannot fit on a line at all.
	var fixed []item
	for _, it := range out {
		if it.glue || it.w <= maxW || utf8.RuneCountInString(it.text) < 2 {
			fixed = append(fixed, it)
			continue
		}
		for i, r := range it.text {
			fixed = append(fixed, item{text: string(r), f: it.f, size: it.size, w: it.f.face.width(r, it.size),
				breakBefore: i > 0 || it.breakBefore})
		}
	}
	return fixed, nil
}

func (c chooser) appendSpace(out []item, size float64) []item {
	f := font{face: c.fs.serif}
	return append(out, item{text: " ", f: f, size: size, w: f.face.width(' ', size), glue: true})
}

// breaksAfter reports whether a line may break after a word ending in a
// hyphen or dash (not after a lone dash).
func breaksAfter(word string) bool {
	r, n := utf8.DecodeLastRuneInString(word)
	if r != '-' && r != '–' && r != '—' && r != '/' || n == len(word) {
		return false
	}
	prev, _ := utf8.DecodeLastRuneInString(word[:len(word)-n])
	return unicode.IsLetter(prev) || unicode.IsDigit(prev)
}

func endsWithAny(s, set string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return strings.ContainsRune(set, r)
}

// breakLines fills lines greedily: firstW wide for the first line, restW
// for the others. Lines break at spaces, between CJK characters (except
// before closing and after opening punctuation), after hyphens and dashes
// inside words, and — only when nothing else fits — anywhere. Spaces at a
// break are dropped; spaces at the very start (indentation) are kept.
func breakLines(items []item, firstW, restW float64) [][]item {
	var lines [][]item
	start := 0
	for start < len(items) {
		if len(lines) > 0 {
			for start < len(items) && items[start].glue {
				start++
			}
			if start == len(items) {
				break
			}
		}
		maxW := restW
		if len(lines) == 0 {
			maxW = firstW
		}
		w, lastBreak, end := 0.0, -1, len(items)
		for j := start; j < len(items); j++ {
			it := items[j]
			if j > start && (it.glue && !items[j-1].glue || !it.glue && it.breakBefore) {
				lastBreak = j
			}
			if !it.glue && j > start && w+it.w > maxW+1e-9 {
				end = j
				if lastBreak > start {
					end = lastBreak
				}
				break
			}
			w += it.w
		}
		line := items[start:end]
		for len(line) > 0 && line[len(line)-1].glue {
			line = line[:len(line)-1]
		}
		lines = append(lines, line)
		start = end
	}
	return lines
}

// segment is a piece of a laid-out line, drawn with one call.
type segment struct {
	x    float64 // from the line's start
	text string
	f    font
	size float64
}

// lineWidth is the natural width of a line.
func lineWidth(line []item) float64 {
	w := 0.0
	for _, it := range line {
		w += it.w
	}
	return w
}

// place positions a line's items. With justify, the line is stretched to
// maxW: at its spaces, or for a line of CJK text at every gap between
// characters; a line that would need more than a modest stretch is left
// ragged.
func place(line []item, maxW float64, justify bool) []segment {
	natural := lineWidth(line)
	extra := maxW - natural
	var stretchAt []bool // stretch before item i
	gaps := 0
	if justify && extra > 0 {
		stretchAt = make([]bool, len(line))
		for i := 1; i < len(line); i++ {
			if line[i].glue || (!line[i-1].glue && (line[i].cjk || line[i-1].cjk)) {
				stretchAt[i] = true
				gaps++
			}
		}
		// Wide spaces read better than one ragged line in a justified
		// paragraph, but not without limit.
		if gaps == 0 || extra/float64(gaps) > line[0].size*1.6 {
			gaps = 0
		}
	}
	var segs []segment
	x, joinable := 0.0, false
	for i, it := range line {
		if gaps > 0 && stretchAt[i] {
			x += extra / float64(gaps)
			joinable = false
			if it.glue { // the widened gap stands for the space
				x += it.w
				continue
			}
		}
		if n := len(segs); joinable && segs[n-1].f == it.f && segs[n-1].size == it.size {
			segs[n-1].text += it.text
		} else {
			segs = append(segs, segment{x: x, text: it.text, f: it.f, size: it.size})
		}
		joinable = true
		x += it.w
	}
	// A segment that is only spaces draws nothing.
	out := segs[:0]
	for _, s := range segs {
		if strings.Trim(s.text, " ") != "" {
			out = append(out, s)
		}
	}
	return out
}
