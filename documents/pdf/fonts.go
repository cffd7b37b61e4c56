package pdf

import (
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
)

//go:embed fonts/*.ttf
var fontFiles embed.FS

// face is one embedded TrueType font with what layout needs of it: which
// characters it has and how wide they are.
type face struct {
	name string // PostScript name, e.g. "NotoSerif-Regular"
	data []byte
	info *fontInfo
}

// has reports whether f has a glyph for r.
func (f *face) has(r rune) bool {
	_, ok := f.info.glyph[r]
	return ok
}

// width returns the advance width of r at size points (0 if f lacks r).
func (f *face) width(r rune, size float64) float64 {
	g, ok := f.info.glyph[r]
	if !ok {
		return 0
	}
	return float64(f.info.advance(g)) * size / float64(f.info.unitsPerEm)
}

// stringWidth returns the advance width of s at size points.
func (f *face) stringWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		w += f.width(r, size)
	}
	return w
}

// The embedded faces. serif and serifBold carry Latin and Cyrillic text,
// mono carries hashes, keys and signatures, cjk carries Chinese (and any
// character the others lack that it has).
type faceSet struct {
	serif, serifBold, mono, cjk *face
}

var (
	facesOnce sync.Once
	faces     *faceSet
	facesErr  error
)

// loadFaces parses the embedded fonts once.
func loadFaces() (*faceSet, error) {
	facesOnce.Do(func() {
		load := func(file, name string) *face {
			if facesErr != nil {
				return nil
			}
			data, err := fontFiles.ReadFile("fonts/" + file)
			if err != nil {
				facesErr = fmt.Errorf("reading embedded font %s: %w", file, err)
				return nil
			}
			info, err := parseTrueType(data)
			if err != nil {
				facesErr = fmt.Errorf("embedded font %s: %w", file, err)
				return nil
			}
			return &face{name: name, data: data, info: info}
		}
		fs := &faceSet{
			serif:     load("NotoSerif-Regular.ttf", "NotoSerif-Regular"),
			serifBold: load("NotoSerif-Bold.ttf", "NotoSerif-Bold"),
			mono:      load("DejaVuSansMono.ttf", "DejaVuSansMono"),
			cjk:       load("WenQuanYiMicroHei.ttf", "WenQuanYiMicroHei"),
		}
		if facesErr == nil {
			faces = fs
		}
	})
	return faces, facesErr
}

// fontInfo is what parseTrueType reads from a font file.
type fontInfo struct {
	unitsPerEm uint16
	glyph      map[rune]uint16 // the character map
	advances   []uint16        // per glyph, from hmtx (the last repeats)
	numGlyphs  uint16
}

// advance returns glyph g's advance width in font units.
func (fi *fontInfo) advance(g uint16) uint16 {
	if len(fi.advances) == 0 {
		return 0
	}
	if int(g) < len(fi.advances) {
		return fi.advances[g]
	}
	return fi.advances[len(fi.advances)-1]
}

// errFont is wrapped by every error parseTrueType returns.
var errFont = errors.New("not a usable TrueType font")

// parseTrueType reads a TrueType (glyf-outline) font: its units per em,
// character map and advance widths. It refuses what the PDF library cannot
// embed — a font collection (TTC), CFF outlines (.otf), a font without a
// Unicode character map — so that no font fails silently later.
func parseTrueType(data []byte) (*fontInfo, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", errFont, fmt.Sprintf(format, a...))
	}
	if len(data) < 12 {
		return nil, bad("file too short")
	}
	switch tag := string(data[:4]); tag {
	case "\x00\x01\x00\x00", "true":
	case "ttcf":
		return nil, bad("a font collection (TTC): extract one face to a .ttf first")
	case "OTTO":
		return nil, bad("CFF outlines (OpenType .otf): only TrueType glyf outlines can be embedded")
	default:
		return nil, bad("unknown signature %q", tag)
	}
	n := int(binary.BigEndian.Uint16(data[4:]))
	if 12+16*n > len(data) {
		return nil, bad("table directory runs past the end of the file")
	}
	tables := map[string][]byte{}
	for i := range n {
		rec := data[12+16*i:]
		tag := string(rec[:4])
		off, length := binary.BigEndian.Uint32(rec[8:]), binary.BigEndian.Uint32(rec[12:])
		if uint64(off)+uint64(length) > uint64(len(data)) {
			return nil, bad("table %q runs past the end of the file", tag)
		}
		tables[tag] = data[off : off+length]
	}
	for _, tag := range []string{"head", "hhea", "hmtx", "maxp", "cmap", "glyf", "loca"} {
		if _, ok := tables[tag]; !ok {
			if tag == "glyf" {
				return nil, bad("no glyf table (not TrueType outlines)")
			}
			return nil, bad("no %s table", tag)
		}
	}
	fi := &fontInfo{}
	head, hhea, maxp := tables["head"], tables["hhea"], tables["maxp"]
	if len(head) < 54 || len(hhea) < 36 || len(maxp) < 6 {
		return nil, bad("head, hhea or maxp table too short")
	}
	fi.unitsPerEm = binary.BigEndian.Uint16(head[18:])
	if fi.unitsPerEm < 16 || fi.unitsPerEm > 16384 {
		return nil, bad("unitsPerEm %d out of range", fi.unitsPerEm)
	}
	fi.numGlyphs = binary.BigEndian.Uint16(maxp[4:])
	numH := int(binary.BigEndian.Uint16(hhea[34:]))
	hmtx := tables["hmtx"]
	if numH == 0 || 4*numH > len(hmtx) {
		return nil, bad("hmtx table too short for %d metrics", numH)
	}
	fi.advances = make([]uint16, numH)
	for i := range numH {
		fi.advances[i] = binary.BigEndian.Uint16(hmtx[4*i:])
	}
	glyph, err := parseCmap(tables["cmap"])
	if err != nil {
		return nil, bad("cmap: %v", err)
	}
	for r, g := range glyph {
		if g == 0 || g >= fi.numGlyphs {
			delete(glyph, r) // maps to .notdef or out of range: not a glyph
		}
	}
	fi.glyph = glyph
	return fi, nil
}

// parseCmap reads the best Unicode subtable of a cmap table: format 12
// (full Unicode) if there is one, else format 4 (the BMP).
func parseCmap(cmap []byte) (map[rune]uint16, error) {
	if len(cmap) < 4 {
		return nil, errors.New("table too short")
	}
	n := int(binary.BigEndian.Uint16(cmap[2:]))
	if 4+8*n > len(cmap) {
		return nil, errors.New("encoding records run past the table")
	}
	var best []byte
	bestRank := 0
	for i := range n {
		rec := cmap[4+8*i:]
		platform, encoding := binary.BigEndian.Uint16(rec), binary.BigEndian.Uint16(rec[2:])
		off := binary.BigEndian.Uint32(rec[4:])
		if uint64(off)+2 > uint64(len(cmap)) {
			return nil, errors.New("subtable offset out of range")
		}
		sub := cmap[off:]
		format := binary.BigEndian.Uint16(sub)
		rank := 0
		switch {
		case format == 12 && (platform == 3 && encoding == 10 || platform == 0):
			rank = 3
		case format == 4 && (platform == 3 && encoding == 1 || platform == 0):
			rank = 2
		}
		if rank > bestRank {
			best, bestRank = sub, rank
		}
	}
	switch bestRank {
	case 3:
		return parseCmap12(best)
	case 2:
		return parseCmap4(best)
	}
	return nil, errors.New("no Unicode subtable of format 4 or 12")
}

func parseCmap4(sub []byte) (map[rune]uint16, error) {
	if len(sub) < 14 {
		return nil, errors.New("format 4 subtable too short")
	}
	segX2 := int(binary.BigEndian.Uint16(sub[6:]))
	if segX2%2 != 0 || 16+4*segX2 > len(sub) {
		return nil, errors.New("format 4 segments run past the subtable")
	}
	ends, starts := sub[14:], sub[16+segX2:]
	deltas, rangeOffs := sub[16+2*segX2:], sub[16+3*segX2:]
	out := map[rune]uint16{}
	budget := 0x10000 // a BMP character map has at most this many entries
	for i := 0; i < segX2; i += 2 {
		end, start := binary.BigEndian.Uint16(ends[i:]), binary.BigEndian.Uint16(starts[i:])
		delta, ro := binary.BigEndian.Uint16(deltas[i:]), binary.BigEndian.Uint16(rangeOffs[i:])
		if start > end {
			continue
		}
		for c := uint32(start); c <= uint32(end) && c != 0xFFFF; c++ {
			if budget--; budget < 0 {
				return nil, errors.New("format 4 segments overlap")
			}
			var g uint16
			if ro == 0 {
				g = uint16(c) + delta
			} else {
				// The offset is relative to the idRangeOffset word itself.
				p := 16 + 3*segX2 + i + int(ro) + 2*int(c-uint32(start))
				if p+2 > len(sub) {
					return nil, errors.New("format 4 glyph index out of range")
				}
				g = binary.BigEndian.Uint16(sub[p:])
				if g != 0 {
					g += delta
				}
			}
			if g != 0 {
				out[rune(c)] = g
			}
		}
	}
	return out, nil
}

func parseCmap12(sub []byte) (map[rune]uint16, error) {
	if len(sub) < 16 {
		return nil, errors.New("format 12 subtable too short")
	}
	n := binary.BigEndian.Uint32(sub[12:])
	if uint64(16)+12*uint64(n) > uint64(len(sub)) {
		return nil, errors.New("format 12 groups run past the subtable")
	}
	out := map[rune]uint16{}
	budget := 0x110000 // at most one entry per code point
	for i := range int(n) {
		grp := sub[16+12*i:]
		start, end, g := binary.BigEndian.Uint32(grp), binary.BigEndian.Uint32(grp[4:]), binary.BigEndian.Uint32(grp[8:])
		if start > end || end > 0x10FFFF || end-start > 0x10000 {
			return nil, fmt.Errorf("format 12 group %d (%X-%X) is invalid", i, start, end)
		}
		if budget -= int(end-start) + 1; budget < 0 {
			return nil, errors.New("format 12 groups overlap")
		}
		if g > 0xFFFF {
			continue
		}
		for c := start; c <= end; c++ {
			gid := g + (c - start)
			if gid > 0xFFFF {
				break
			}
			out[rune(c)] = uint16(gid)
		}
	}
	return out, nil
}
