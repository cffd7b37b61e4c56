package pdf

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// finish makes the changes to the PDF library's output that it cannot be
// asked for:
//
//   - subset fonts get a six-letter subset tag ("ABCDEF+NotoSerif-Regular"),
//     as the PDF standard names them, instead of the library's "utf8…"
//     name (renames maps the old names to the new, of the same length);
//   - each embedded file's specification gets its name in /F, which the
//     library leaves empty, besides /UF;
//   - the embedded files' name tree gets keys in sorted order (the
//     library's "Attachement10" sorts before "Attachement2"), so readers
//     list them in the order given;
//   - the dates say they are UTC;
//   - the trailer gets a file identifier (/ID), derived from the content.
//
// It works on the library's classic cross-reference table, rewrites it for
// the changed objects, and fails rather than guess if the output is not
// shaped as expected.
func finish(raw []byte, renames map[string]string, names []string) ([]byte, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("internal error finishing the PDF: "+format, a...)
	}
	// Font names: same length, so no offset moves.
	for old, new := range renames {
		if len(old) != len(new) {
			return nil, bad("font name %q and tag %q differ in length", old, new)
		}
		re := regexp.MustCompile(`/` + regexp.QuoteMeta(old) + `[\s/>\[]`)
		if n := len(re.FindAllIndex(raw, -1)); n != 3 {
			return nil, bad("font name %q occurs %d times, want 3", old, n)
		}
		raw = re.ReplaceAllFunc(raw, func(m []byte) []byte {
			return append([]byte("/"+new), m[len(m)-1])
		})
	}

	objs, trailer, err := splitObjects(raw)
	if err != nil {
		return nil, bad("%v", err)
	}
	specs := 0
	for i := range objs {
		o := &objs[i]
		switch {
		case bytes.Contains(o.data, []byte("/Type /Filespec /F () ")):
			if specs >= len(names) {
				return nil, bad("more file specifications than files")
			}
			o.data = bytes.Replace(o.data, []byte("/F () "), []byte("/F "+pdfString(asciiName(names[specs]))+" "), 1)
			specs++
		case bytes.Contains(o.data, []byte("/CreationDate (D:")):
			o.data = infoDate.ReplaceAll(o.data, []byte("${1}Z)"))
		case bytes.Contains(o.data, []byte("/Type /Catalog")) && len(names) > 0:
			if o.data, err = sortNameTree(o.data, len(names)); err != nil {
				return nil, bad("%v", err)
			}
		}
	}
	if specs != len(names) {
		return nil, bad("%d file specifications for %d files", specs, len(names))
	}
	return joinObjects(raw[:objs[0].start], objs, trailer)
}

var infoDate = regexp.MustCompile(`(/(?:CreationDate|ModDate) \(D:[0-9]{14})\)`)

// object is one indirect object of the file, in file order.
type object struct {
	num   int
	start int    // offset in the original file
	data  []byte // "N 0 obj ... endobj\n"
}

var (
	startxrefRe = regexp.MustCompile(`startxref\n([0-9]+)\n%%EOF\n?$`)
	xrefHeadRe  = regexp.MustCompile(`^xref\n0 ([0-9]+)\n`)
	trailerRe   = regexp.MustCompile(`(?s)^trailer\n<<\n(.*?)>>\n`)
)

// splitObjects cuts a PDF with one classic cross-reference table into its
// objects (in file order) and its trailer dictionary's entries.
func splitObjects(b []byte) ([]object, []byte, error) {
	m := startxrefRe.FindSubmatch(b)
	if m == nil {
		return nil, nil, fmt.Errorf("no startxref at the end")
	}
	xref, err := strconv.Atoi(string(m[1]))
	if err != nil || xref >= len(b) {
		return nil, nil, fmt.Errorf("bad startxref %q", m[1])
	}
	h := xrefHeadRe.FindSubmatch(b[xref:])
	if h == nil {
		return nil, nil, fmt.Errorf("no cross-reference table at %d", xref)
	}
	size, _ := strconv.Atoi(string(h[1]))
	table := b[xref+len(h[0]):]
	if len(table) < 20*size {
		return nil, nil, fmt.Errorf("cross-reference table cut short")
	}
	var objs []object
	for i := 1; i < size; i++ {
		e := table[20*i : 20*i+20]
		if e[17] != 'n' {
			return nil, nil, fmt.Errorf("object %d is not in use", i)
		}
		off, err := strconv.Atoi(string(e[:10]))
		if err != nil || off >= xref || !bytes.HasPrefix(b[off:], []byte(fmt.Sprintf("%d 0 obj", i))) {
			return nil, nil, fmt.Errorf("object %d is not at offset %s", i, e[:10])
		}
		objs = append(objs, object{num: i, start: off})
	}
	slices.SortFunc(objs, func(a, b object) int { return a.start - b.start })
	for i := range objs {
		end := xref
		if i+1 < len(objs) {
			end = objs[i+1].start
		}
		objs[i].data = b[objs[i].start:end]
	}
	t := trailerRe.FindSubmatch(table[20*size:])
	if t == nil {
		return nil, nil, fmt.Errorf("no trailer after the cross-reference table")
	}
	return objs, t[1], nil
}

// joinObjects writes header, the objects, a new cross-reference table and
// the trailer with a file identifier derived from everything before it.
func joinObjects(header []byte, objs []object, trailer []byte) ([]byte, error) {
	var out bytes.Buffer
	out.Write(header)
	offsets := make([]int, len(objs)+1)
	for _, o := range objs {
		if o.num < 1 || o.num > len(objs) || offsets[o.num] != 0 {
			return nil, fmt.Errorf("internal error finishing the PDF: object numbers are not 1 to %d", len(objs))
		}
		offsets[o.num] = out.Len()
		out.Write(o.data)
	}
	id := sha256.Sum256(out.Bytes())
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets[1:] {
		fmt.Fprintf(&out, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&out, "trailer\n<<\n%s/ID [<%X> <%X>]\n>>\nstartxref\n%d\n%%%%EOF\n", trailer, id[:16], id[:16], xref)
	return out.Bytes(), nil
}

var nameTreeRe = regexp.MustCompile(`(?s)/EmbeddedFiles << /Names \[(.*?)\] >>`)
var nameEntryRe = regexp.MustCompile(`\(Attachement([0-9]+)\) ([0-9]+) 0 R`)

// sortNameTree rewrites the catalog's embedded-files name tree with keys
// "0001", "0002", … (in the order the files were given), which sort as
// the standard requires.
func sortNameTree(catalog []byte, n int) ([]byte, error) {
	m := nameTreeRe.FindSubmatchIndex(catalog)
	if m == nil {
		return nil, fmt.Errorf("no embedded-files name tree in the catalog")
	}
	entries := nameEntryRe.FindAllSubmatch(catalog[m[2]:m[3]], -1)
	if len(entries) != n {
		return nil, fmt.Errorf("%d embedded-file names for %d files", len(entries), n)
	}
	refs := make([]string, n)
	for _, e := range entries {
		k, _ := strconv.Atoi(string(e[1]))
		if k < 1 || k > n || refs[k-1] != "" {
			return nil, fmt.Errorf("unexpected embedded-file key %s", e[1])
		}
		refs[k-1] = string(e[2])
	}
	var b strings.Builder
	b.WriteString("/EmbeddedFiles << /Names [")
	for i, r := range refs {
		fmt.Fprintf(&b, "(%04d) %s 0 R ", i+1, r)
	}
	b.WriteString("] >>")
	return slices.Concat(catalog[:m[0]], []byte(b.String()), catalog[m[1]:]), nil
}

// asciiName is name with every character outside printable ASCII replaced
// by "_", for /F (the full name is in /UF).
func asciiName(name string) string {
	var b strings.Builder
	for _, r := range name {
		if r < 0x20 || r > 0x7e {
			r = '_'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// pdfString is s as a PDF literal string.
func pdfString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`)
	return "(" + r.Replace(s) + ")"
}
