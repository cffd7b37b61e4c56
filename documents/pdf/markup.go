package pdf

import "strings"

// blockKind is the kind of one block of light markup (docs/TEXT.md).
type blockKind int

const (
	blankBlock     blockKind = iota // one or more blank lines
	heading1Block                   // "# text"
	heading2Block                   // "## text"
	bulletBlock                     // "- text"
	numberedBlock                   // "12. text"
	paragraphBlock                  // any other lines
)

// block is one block of a text. Lines holds the content lines (markers
// removed; a list item or paragraph can span several lines, each kept as a
// line break); Raw holds the exact source lines, so joining every block's
// Raw gives the text back byte for byte.
type block struct {
	kind   blockKind
	number string // numbered items: the number as written, with its dot
	lines  []string
	raw    []string
}

// parseMarkup splits a text into blocks:
//
//   - a line starting "# " is a level-1 heading, "## " a level-2 heading;
//   - a line starting "- " is a bullet item, one starting with digits, "."
//     and a space a numbered item (the number printed as written);
//   - blank lines (empty, or only spaces and tabs) separate blocks;
//   - every other line is paragraph text. Following a list item directly
//     (no blank line between) it continues that item; otherwise it
//     continues the paragraph before it, or starts one.
//
// It never fails: any text is a sequence of blocks.
func parseMarkup(text string) []block {
	var out []block
	for _, raw := range strings.SplitAfter(text, "\n") {
		if raw == "" {
			continue // after a final newline
		}
		line := strings.TrimSuffix(raw, "\n")
		var last *block
		if len(out) > 0 {
			last = &out[len(out)-1]
		}
		switch {
		case strings.Trim(line, " \t") == "":
			if last != nil && last.kind == blankBlock {
				last.raw = append(last.raw, raw)
				continue
			}
			out = append(out, block{kind: blankBlock, raw: []string{raw}})
		case strings.HasPrefix(line, "# "):
			out = append(out, block{kind: heading1Block, lines: []string{line[2:]}, raw: []string{raw}})
		case strings.HasPrefix(line, "## "):
			out = append(out, block{kind: heading2Block, lines: []string{line[3:]}, raw: []string{raw}})
		case strings.HasPrefix(line, "- "):
			out = append(out, block{kind: bulletBlock, lines: []string{line[2:]}, raw: []string{raw}})
		case numberedPrefix(line) > 0:
			n := numberedPrefix(line)
			out = append(out, block{kind: numberedBlock, number: line[:n-1], lines: []string{line[n:]}, raw: []string{raw}})
		case last != nil && (last.kind == paragraphBlock || last.kind == bulletBlock || last.kind == numberedBlock):
			last.lines = append(last.lines, line)
			last.raw = append(last.raw, raw)
		default:
			out = append(out, block{kind: paragraphBlock, lines: []string{line}, raw: []string{raw}})
		}
	}
	return out
}

// numberedPrefix returns the length of a numbered item's marker ("12. "),
// or 0 if line does not start with one.
func numberedPrefix(line string) int {
	i := 0
	for i < len(line) && line[i] >= '0' && line[i] <= '9' {
		i++
	}
	if i == 0 || i+1 >= len(line) || line[i] != '.' || line[i+1] != ' ' {
		return 0
	}
	return i + 2
}
