package pdf

import (
	"bytes"
	"compress/zlib"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// This file reads the embedded files back out of a PDF that concord wrote.
// It is a parser of outside input — the PDF may come from anyone — so it is
// strict and bounded: it reads only the shape Render writes (one classic
// cross-reference table, no incremental update, a flat embedded-files name
// tree, FlateDecode or unfiltered streams), limits every size and every
// depth, and returns an *ExtractError, never a panic, for anything else.

// Limits on what Extract reads.
const (
	MaxPDFSize        = 256 << 20 // bytes of the PDF file
	MaxEvidenceFiles  = 4096      // embedded files
	MaxEvidenceFile   = 64 << 20  // bytes of one embedded file, decompressed
	MaxEvidenceTotal  = 256 << 20 // bytes of all embedded files, decompressed
	maxXrefEntries    = 1 << 20
	maxNesting        = 16
	maxEvidenceName   = 255 // bytes of a file name
	maxDirectElements = 1 << 16
)

// ExtractError says why a file is not a PDF whose evidence concord can
// read. It is invalid evidence: a file concord wrote always reads.
type ExtractError struct{ Problem string }

func (e *ExtractError) Error() string { return "reading the PDF's embedded evidence: " + e.Problem }

// InvalidEvidence reports that the file is not what concord writes.
func (e *ExtractError) InvalidEvidence() bool { return true }

// Hint says what to try next.
func (e *ExtractError) Hint() string {
	return "the file is not a PDF as concord exports it, or it was changed since; export it again from the ledger, or compare it with a copy you trust"
}

func extractErr(format string, a ...any) error {
	return &ExtractError{Problem: fmt.Sprintf(format, a...)}
}

var (
	trailerEnd  = regexp.MustCompile(`startxref\r?\n([0-9]{1,12})\r?\n%%EOF\r?\n?$`)
	xrefHead    = regexp.MustCompile(`^xref\r?\n0 ([0-9]{1,8})\r?\n`)
	xrefSection = regexp.MustCompile(`^xref\r?\n[0-9]+ [0-9]+\r?\n`)
	eofMarker   = []byte("%%EOF")
	errNotValue = errors.New("not a PDF value")
)

// Extract returns the files embedded in data (a PDF concord wrote), in the
// order of the document's embedded-files name tree, with their names and
// descriptions. Anything that is not shaped as concord writes it — an
// appended incremental update, a second cross-reference section, an
// unknown filter, a name tree with kids, a size over the limits — is an
// *ExtractError.
func Extract(data []byte) ([]File, error) {
	if len(data) > MaxPDFSize {
		return nil, extractErr("the file has %d bytes, more than the %d a concord PDF may have", len(data), MaxPDFSize)
	}
	if !bytes.HasPrefix(data, []byte("%PDF-1.")) {
		return nil, extractErr("the file does not start with a PDF header")
	}
	m := trailerEnd.FindSubmatch(data)
	if m == nil {
		if i := bytes.LastIndex(data, eofMarker); i >= 0 {
			return nil, extractErr("%d bytes follow the %%%%EOF marker at byte %d: data was appended to the file", len(data)-i-len(eofMarker), i)
		}
		return nil, extractErr("the file has no startxref and %%%%EOF at its end: it is cut short or not a PDF")
	}
	if rewritten := rewrittenBy(data, m); rewritten != "" {
		return nil, extractErr("the file was %s: concord reads only the PDFs it writes, so check the file concord exported (its embedded evidence may still be extracted with pdfdetach and checked with its verify.sh)", rewritten)
	}
	r := &reader{data: data}
	xref, err := strconv.Atoi(string(m[1]))
	if err != nil || xref <= 0 || xref >= len(data) {
		return nil, extractErr("startxref %s is outside the file", m[1])
	}
	r.xref = xref
	trailer, err := r.readXref()
	if err != nil {
		return nil, err
	}
	if _, ok := trailer["Prev"]; ok {
		return nil, extractErr("the trailer has /Prev: an incremental update was appended")
	}
	if _, ok := trailer["Encrypt"]; ok {
		return nil, extractErr("the file is encrypted; concord never encrypts its PDFs")
	}
	if size, ok := trailer["Size"].(int64); !ok || size != int64(len(r.offsets)) {
		return nil, extractErr("the trailer's /Size does not match the cross-reference table's %d entries", len(r.offsets))
	}
	root, ok := trailer["Root"].(pRef)
	if !ok {
		return nil, extractErr("the trailer names no document catalog (/Root)")
	}
	catalog, err := r.dictAt(root, "Catalog")
	if err != nil {
		return nil, err
	}
	names, err := r.resolveDict(catalog["Names"], "the catalog's /Names")
	if err != nil {
		return nil, err
	}
	tree, err := r.resolveDict(names["EmbeddedFiles"], "the /EmbeddedFiles name tree")
	if err != nil {
		return nil, err
	}
	if _, ok := tree["Kids"]; ok {
		return nil, extractErr("the embedded-files name tree has /Kids; concord writes a flat one")
	}
	list, ok := tree["Names"].([]any)
	if !ok || len(list)%2 != 0 {
		return nil, extractErr("the embedded-files name tree has no /Names array of key and value pairs")
	}
	if len(list)/2 > MaxEvidenceFiles {
		return nil, extractErr("the file embeds %d files, more than %d", len(list)/2, MaxEvidenceFiles)
	}
	var files []File
	seen := map[string]bool{}
	total := 0
	var prevKey []byte
	for i := 0; i < len(list); i += 2 {
		key, ok := list[i].([]byte)
		if !ok {
			return nil, extractErr("embedded-files name tree entry %d has no string key", i/2+1)
		}
		if i > 0 && bytes.Compare(prevKey, key) >= 0 {
			return nil, extractErr("the embedded-files name tree's keys are not in ascending order at entry %d", i/2+1)
		}
		prevKey = key
		ref, ok := list[i+1].(pRef)
		if !ok {
			return nil, extractErr("embedded-files name tree entry %d is not an indirect reference", i/2+1)
		}
		f, err := r.embeddedFile(ref)
		if err != nil {
			return nil, err
		}
		if seen[f.Name] {
			return nil, extractErr("the file name %q is embedded twice", f.Name)
		}
		seen[f.Name] = true
		total += len(f.Data)
		if total > MaxEvidenceTotal {
			return nil, extractErr("the embedded files hold more than %d bytes in all", MaxEvidenceTotal)
		}
		files = append(files, f)
	}
	return files, nil
}

// embeddedFile reads the file specification ref and its embedded file.
func (r *reader) embeddedFile(ref pRef) (File, error) {
	spec, err := r.dictAt(ref, "Filespec")
	if err != nil {
		return File{}, err
	}
	raw, ok := spec["UF"].([]byte)
	if !ok {
		if raw, ok = spec["F"].([]byte); !ok {
			return File{}, extractErr("file specification %d has no file name", ref)
		}
	}
	name, err := decodeTextString(raw)
	if err != nil {
		return File{}, extractErr("file specification %d: the file name %v", ref, err)
	}
	if problem := checkEvidenceName(name); problem != "" {
		return File{}, extractErr("file specification %d: the file name %q %s", ref, name, problem)
	}
	f := File{Name: name}
	if d, ok := spec["Desc"]; ok {
		raw, ok := d.([]byte)
		if !ok {
			return File{}, extractErr("file %s: the description is not a string", name)
		}
		if f.Description, err = decodeTextString(raw); err != nil {
			return File{}, extractErr("file %s: the description %v", name, err)
		}
	}
	ef, ok := spec["EF"].(pDict)
	if !ok {
		return File{}, extractErr("file %s: the file specification has no /EF dictionary", name)
	}
	sref, ok := ef["F"].(pRef)
	if !ok {
		return File{}, extractErr("file %s: /EF names no embedded file stream", name)
	}
	if f.Data, err = r.embeddedStream(sref, name); err != nil {
		return File{}, err
	}
	return f, nil
}

// checkEvidenceName returns what is wrong with name as an embedded file's
// name, or "" if nothing is: it must be a plain file name, as Input.check
// requires of evidence.
func checkEvidenceName(name string) string {
	switch {
	case name == "" || name == "." || name == "..":
		return "is not a file name"
	case len(name) > maxEvidenceName:
		return fmt.Sprintf("is longer than %d bytes", maxEvidenceName)
	case strings.ContainsAny(name, `/\:`):
		return "has a folder in it"
	case strings.ContainsFunc(name, func(r rune) bool { return unicode.IsControl(r) || r == utf8.RuneError }):
		return "has a control character in it"
	}
	return ""
}

// embeddedStream reads and decodes the embedded file stream ref.
func (r *reader) embeddedStream(ref pRef, name string) ([]byte, error) {
	dict, raw, err := r.streamAt(ref)
	if err != nil {
		return nil, err
	}
	if t, ok := dict["Type"]; ok && t != pName("EmbeddedFile") {
		return nil, extractErr("file %s: object %d is not an embedded file", name, ref)
	}
	data := raw
	switch dict["Filter"] {
	case nil:
	case pName("FlateDecode"):
		if _, ok := dict["DecodeParms"]; ok {
			return nil, extractErr("file %s: a FlateDecode predictor is not what concord writes", name)
		}
		zr, err := zlib.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, extractErr("file %s: the compressed data is damaged: %v", name, err)
		}
		data, err = io.ReadAll(io.LimitReader(zr, MaxEvidenceFile+1))
		if err != nil {
			return nil, extractErr("file %s: the compressed data is damaged: %v", name, err)
		}
	default:
		return nil, extractErr("file %s: the stream filter is not FlateDecode", name)
	}
	if len(data) > MaxEvidenceFile {
		return nil, extractErr("file %s is larger than %d bytes", name, MaxEvidenceFile)
	}
	if p, ok := dict["Params"]; ok {
		params, ok := p.(pDict)
		if !ok {
			return nil, extractErr("file %s: /Params is not a dictionary", name)
		}
		if size, ok := params["Size"]; ok && size != int64(len(data)) {
			return nil, extractErr("file %s: has %d bytes, its /Params say %v", name, len(data), size)
		}
		if sum, ok := params["CheckSum"]; ok {
			got := md5.Sum(data)
			if s, ok := sum.([]byte); !ok || !bytes.Equal(s, got[:]) {
				return nil, extractErr("file %s: its MD5 checksum does not match its content", name)
			}
		}
	}
	return data, nil
}

// decodeTextString decodes a PDF text string: UTF-16BE with a byte order
// mark, or printable ASCII (the part of PDFDocEncoding concord writes).
func decodeTextString(b []byte) (string, error) {
	if rest, ok := bytes.CutPrefix(b, []byte{0xfe, 0xff}); ok {
		if len(rest)%2 != 0 {
			return "", fmt.Errorf("is UTF-16 of an odd length")
		}
		u := make([]uint16, len(rest)/2)
		for i := range u {
			u[i] = uint16(rest[2*i])<<8 | uint16(rest[2*i+1])
		}
		s := string(utf16.Decode(u))
		if strings.ContainsRune(s, utf8.RuneError) {
			return "", fmt.Errorf("is not valid UTF-16")
		}
		return s, nil
	}
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return "", fmt.Errorf("has the byte %#x, outside printable ASCII", c)
		}
	}
	return string(b), nil
}

// rewrittenBy says how another program rewrote data, a PDF whose trailer
// match is m, when its structure shows it: linearized (a /Linearized
// dictionary in the first object), or re-saved with a cross-reference
// stream or object streams, which concord never writes. "" otherwise.
func rewrittenBy(data []byte, m [][]byte) string {
	head := data[:min(len(data), 1024)]
	if bytes.Contains(head, []byte("/Linearized")) {
		return "rewritten by another program (it is linearized)"
	}
	if xref, err := strconv.Atoi(string(m[1])); err == nil && xref > 0 && xref < len(data) {
		rest := data[xref:min(len(data), xref+512)]
		if !bytes.HasPrefix(rest, []byte("xref")) && bytes.Contains(rest, []byte("/XRef")) {
			return "re-saved by another program (it has a cross-reference stream)"
		}
	}
	if bytes.Contains(data, []byte("/ObjStm")) {
		return "re-saved by another program (it has object streams)"
	}
	return ""
}

// The values of the PDF object syntax the reader knows: pName, []byte (a
// string), int64, float64, bool, nil (null), pRef, []any and pDict.
type (
	pName string
	pRef  int
	pDict map[pName]any
)

// reader reads objects from a PDF with one classic cross-reference table.
type reader struct {
	data    []byte
	xref    int
	offsets []int // offsets[n] is where object n starts; offsets[0] unused
}

// readXref reads the cross-reference table at r.xref and returns the
// trailer dictionary after it.
func (r *reader) readXref() (pDict, error) {
	rest := r.data[r.xref:]
	h := xrefHead.FindSubmatch(rest)
	if h == nil {
		if xrefSection.Match(rest) {
			return nil, extractErr("the last cross-reference section does not start at object 0: an incremental update was appended")
		}
		return nil, extractErr("no cross-reference table at byte %d (startxref)", r.xref)
	}
	n, _ := strconv.Atoi(string(h[1])) // at most 8 digits
	if n < 1 || n > maxXrefEntries {
		return nil, extractErr("the cross-reference table has %d entries", n)
	}
	table := rest[len(h[0]):]
	if len(table) < 20*n {
		return nil, extractErr("the cross-reference table is cut short")
	}
	r.offsets = make([]int, n)
	for i := 0; i < n; i++ {
		e := table[20*i : 20*i+20]
		if e[10] != ' ' || e[16] != ' ' || !(e[18] == ' ' && e[19] == '\n' || e[18] == '\r' && e[19] == '\n' || e[18] == ' ' && e[19] == '\r') {
			return nil, extractErr("cross-reference entry %d is malformed", i)
		}
		off, err1 := strconv.Atoi(string(e[:10]))
		gen, err2 := strconv.Atoi(string(e[11:16]))
		if err1 != nil || err2 != nil || off < 0 {
			return nil, extractErr("cross-reference entry %d is malformed", i)
		}
		if i == 0 {
			if e[17] != 'f' {
				return nil, extractErr("cross-reference entry 0 is not free")
			}
			continue
		}
		if e[17] != 'n' || gen != 0 {
			return nil, extractErr("object %d is free or of a later generation: not what concord writes", i)
		}
		if off >= r.xref {
			return nil, extractErr("object %d is said to start at byte %d, past the cross-reference table", i, off)
		}
		r.offsets[i] = off
	}
	after := table[20*n:]
	t, ok := bytes.CutPrefix(after, []byte("trailer"))
	if !ok {
		return nil, extractErr("no trailer after the cross-reference table")
	}
	p := &parser{b: t}
	v, err := p.value(0)
	if err != nil {
		return nil, extractErr("the trailer: %v", err)
	}
	d, ok := v.(pDict)
	if !ok {
		return nil, extractErr("the trailer is not a dictionary")
	}
	p.skipSpace()
	if !bytes.HasPrefix(p.b[p.i:], []byte("startxref")) {
		return nil, extractErr("the trailer is not followed by startxref")
	}
	return d, nil
}

// object parses indirect object ref and returns its value and a parser
// positioned after it.
func (r *reader) object(ref pRef) (any, *parser, error) {
	n := int(ref)
	if n < 1 || n >= len(r.offsets) {
		return nil, nil, extractErr("object %d is not in the cross-reference table", n)
	}
	p := &parser{b: r.data[r.offsets[n]:r.xref]}
	head := fmt.Sprintf("%d 0 obj", n)
	if !bytes.HasPrefix(p.b, []byte(head)) {
		return nil, nil, extractErr("object %d is not where the cross-reference table says", n)
	}
	p.i = len(head)
	v, err := p.value(0)
	if err != nil {
		return nil, nil, extractErr("object %d: %v", n, err)
	}
	return v, p, nil
}

// dictAt reads object ref, a dictionary whose /Type must be typ.
func (r *reader) dictAt(ref pRef, typ string) (pDict, error) {
	v, p, err := r.object(ref)
	if err != nil {
		return nil, err
	}
	d, ok := v.(pDict)
	if !ok || d["Type"] != pName(typ) {
		return nil, extractErr("object %d is not a /%s dictionary", ref, typ)
	}
	p.skipSpace()
	if !bytes.HasPrefix(p.b[p.i:], []byte("endobj")) {
		return nil, extractErr("object %d does not end with endobj", ref)
	}
	return d, nil
}

// resolveDict returns v as a dictionary, reading it first if it is a
// reference.
func (r *reader) resolveDict(v any, what string) (pDict, error) {
	if ref, ok := v.(pRef); ok {
		obj, _, err := r.object(ref)
		if err != nil {
			return nil, err
		}
		v = obj
	}
	d, ok := v.(pDict)
	if !ok {
		return nil, extractErr("%s is missing or not a dictionary", what)
	}
	return d, nil
}

// streamAt reads stream object ref: its dictionary and raw data.
func (r *reader) streamAt(ref pRef) (pDict, []byte, error) {
	v, p, err := r.object(ref)
	if err != nil {
		return nil, nil, err
	}
	d, ok := v.(pDict)
	if !ok {
		return nil, nil, extractErr("object %d is not a stream", ref)
	}
	length, ok := d["Length"].(int64)
	if !ok || length < 0 {
		return nil, nil, extractErr("stream %d has no direct /Length", ref)
	}
	p.skipSpace()
	rest, ok := bytes.CutPrefix(p.b[p.i:], []byte("stream"))
	if !ok {
		return nil, nil, extractErr("object %d is not a stream", ref)
	}
	if r, ok := bytes.CutPrefix(rest, []byte("\r\n")); ok {
		rest = r
	} else if r, ok := bytes.CutPrefix(rest, []byte("\n")); ok {
		rest = r
	} else {
		return nil, nil, extractErr("stream %d: no end of line after the stream keyword", ref)
	}
	if length > int64(len(rest)) {
		return nil, nil, extractErr("stream %d is cut short", ref)
	}
	data, tail := rest[:length], rest[length:]
	tail = bytes.TrimLeft(tail, "\r\n")
	if !bytes.HasPrefix(tail, []byte("endstream")) {
		return nil, nil, extractErr("stream %d does not end where its /Length says", ref)
	}
	return d, data, nil
}

// parser reads PDF values from b.
type parser struct {
	b []byte
	i int
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

func isDelim(c byte) bool { return strings.IndexByte("()<>[]{}/%", c) >= 0 }

// skipSpace skips white space and comments.
func (p *parser) skipSpace() {
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case isSpace(c):
			p.i++
		case c == '%':
			for p.i < len(p.b) && p.b[p.i] != '\n' && p.b[p.i] != '\r' {
				p.i++
			}
		default:
			return
		}
	}
}

// token returns the regular characters at p.i.
func (p *parser) token() []byte {
	start := p.i
	for p.i < len(p.b) && !isSpace(p.b[p.i]) && !isDelim(p.b[p.i]) {
		p.i++
	}
	return p.b[start:p.i]
}

// value parses one value; depth counts the arrays and dictionaries it is
// in.
func (p *parser) value(depth int) (any, error) {
	if depth > maxNesting {
		return nil, fmt.Errorf("values nested more than %d deep", maxNesting)
	}
	p.skipSpace()
	if p.i >= len(p.b) {
		return nil, fmt.Errorf("%w: the data ends", errNotValue)
	}
	switch c := p.b[p.i]; {
	case c == '/':
		p.i++
		return p.name()
	case c == '(':
		p.i++
		return p.literal()
	case c == '<' && p.i+1 < len(p.b) && p.b[p.i+1] == '<':
		p.i += 2
		return p.dict(depth)
	case c == '<':
		p.i++
		return p.hex()
	case c == '[':
		p.i++
		var arr []any
		for {
			p.skipSpace()
			if p.i < len(p.b) && p.b[p.i] == ']' {
				p.i++
				return arr, nil
			}
			if len(arr) >= maxDirectElements {
				return nil, fmt.Errorf("an array with more than %d elements", maxDirectElements)
			}
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
	case c == '+' || c == '-' || c == '.' || ('0' <= c && c <= '9'):
		return p.number()
	default:
		switch t := string(p.token()); t {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "null":
			return nil, nil
		case "":
			return nil, fmt.Errorf("%w: unexpected %q", errNotValue, c)
		default:
			return nil, fmt.Errorf("%w: unexpected keyword %.20q", errNotValue, t)
		}
	}
}

// name parses a name after its slash.
func (p *parser) name() (pName, error) {
	t := p.token()
	var b []byte
	for i := 0; i < len(t); i++ {
		if t[i] != '#' {
			b = append(b, t[i])
			continue
		}
		if i+2 >= len(t) {
			return "", fmt.Errorf("a name with a cut-short #-escape")
		}
		v, err := strconv.ParseUint(string(t[i+1:i+3]), 16, 8)
		if err != nil || v == 0 {
			return "", fmt.Errorf("a name with a bad #-escape")
		}
		b = append(b, byte(v))
		i += 2
	}
	return pName(b), nil
}

// number parses an integer, a real, or a reference "N 0 R".
func (p *parser) number() (any, error) {
	t := string(p.token())
	if strings.ContainsAny(t, ".") {
		f, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return nil, fmt.Errorf("a bad number %.20q", t)
		}
		return f, nil
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("a bad number %.20q", t)
	}
	// A reference: "N G R" with N ≥ 1 and G = 0.
	save := p.i
	p.skipSpace()
	if g := p.token(); len(g) > 0 {
		p.skipSpace()
		if r := p.token(); string(r) == "R" {
			if string(g) != "0" || n < 1 || n > maxXrefEntries {
				return nil, fmt.Errorf("a reference %d %s R is not what concord writes", n, g)
			}
			return pRef(n), nil
		}
	}
	p.i = save
	return n, nil
}

// literal parses a literal string after its opening parenthesis.
func (p *parser) literal() ([]byte, error) {
	var out []byte
	depth := 0
	for p.i < len(p.b) {
		c := p.b[p.i]
		p.i++
		switch c {
		case '(':
			depth++
		case ')':
			if depth == 0 {
				return out, nil
			}
			depth--
		case '\\':
			if p.i >= len(p.b) {
				return nil, fmt.Errorf("a cut-short string")
			}
			e := p.b[p.i]
			p.i++
			switch e {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '\r':
				if p.i < len(p.b) && p.b[p.i] == '\n' {
					p.i++
				}
				continue
			case '\n':
				continue
			default:
				if '0' <= e && e <= '7' {
					v := int(e - '0')
					for k := 0; k < 2 && p.i < len(p.b) && '0' <= p.b[p.i] && p.b[p.i] <= '7'; k++ {
						v = v*8 + int(p.b[p.i]-'0')
						p.i++
					}
					c = byte(v)
				} else {
					c = e
				}
			}
		}
		out = append(out, c)
	}
	return nil, fmt.Errorf("a string with no end")
}

// hex parses a hexadecimal string after its "<".
func (p *parser) hex() ([]byte, error) {
	var digits []byte
	for p.i < len(p.b) {
		c := p.b[p.i]
		p.i++
		switch {
		case c == '>':
			if len(digits)%2 == 1 {
				digits = append(digits, '0')
			}
			out := make([]byte, len(digits)/2)
			for k := range out {
				v, _ := strconv.ParseUint(string(digits[2*k:2*k+2]), 16, 8)
				out[k] = byte(v)
			}
			return out, nil
		case isSpace(c):
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
			digits = append(digits, c)
		default:
			return nil, fmt.Errorf("a hexadecimal string with %q in it", c)
		}
	}
	return nil, fmt.Errorf("a hexadecimal string with no end")
}

// dict parses a dictionary after its "<<".
func (p *parser) dict(depth int) (pDict, error) {
	d := pDict{}
	for {
		p.skipSpace()
		if bytes.HasPrefix(p.b[p.i:], []byte(">>")) {
			p.i += 2
			return d, nil
		}
		if p.i >= len(p.b) || p.b[p.i] != '/' {
			return nil, fmt.Errorf("a dictionary key that is not a name")
		}
		p.i++
		k, err := p.name()
		if err != nil {
			return nil, err
		}
		if _, dup := d[k]; dup {
			return nil, fmt.Errorf("the dictionary key /%s given twice", k)
		}
		if len(d) >= maxDirectElements {
			return nil, fmt.Errorf("a dictionary with more than %d entries", maxDirectElements)
		}
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		d[k] = v
	}
}
