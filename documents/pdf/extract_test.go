package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestExtractGivesBackTheEvidence renders the fixture and reads its
// embedded files back: the same names, descriptions, data and order.
func TestExtractGivesBackTheEvidence(t *testing.T) {
	in := demoInput(t)
	out := renderDemo(t)
	files, err := Extract(out)
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	if len(files) != len(in.Evidence) {
		t.Fatalf("%d files, want %d", len(files), len(in.Evidence))
	}
	for i, f := range files {
		w := in.Evidence[i]
		if f.Name != w.Name || f.Description != w.Description || !bytes.Equal(f.Data, w.Data) {
			t.Errorf("file %d is %q (%q, %d bytes), want %q (%q, %d bytes)", i, f.Name, f.Description, len(f.Data), w.Name, w.Description, len(w.Data))
		}
	}
}

// TestExtractNonASCIIName checks that names outside ASCII come back from
// /UF, not from the ASCII /F.
func TestExtractNonASCIIName(t *testing.T) {
	in := demoInput(t)
	in.Evidence = append(in.Evidence, File{Name: "мәтін-文本.txt", Data: []byte("x\n"), Description: "Қазақша"})
	out, err := Render(in)
	if err != nil {
		t.Fatal(err)
	}
	files, err := Extract(out)
	if err != nil {
		t.Fatal(err)
	}
	last := files[len(files)-1]
	if last.Name != "мәтін-文本.txt" || last.Description != "Қазақша" || string(last.Data) != "x\n" {
		t.Errorf("got %q %q %q", last.Name, last.Description, last.Data)
	}
}

func TestExtractRefuses(t *testing.T) {
	good := renderDemo(t)
	replace := func(old, new string) []byte {
		if !bytes.Contains(good, []byte(old)) {
			t.Fatalf("the PDF has no %q", old)
		}
		return bytes.Replace(bytes.Clone(good), []byte(old), []byte(new), 1)
	}
	startxref := good[bytes.LastIndex(good, []byte("startxref")):]
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "PDF header"},
		{"garbage", []byte("this is not a PDF at all\n"), "PDF header"},
		{"cut short", good[:len(good)/2], "no startxref"},
		{"bytes appended", append(bytes.Clone(good), "\n% x\n"...), "follow the %%EOF"},
		{"incremental update", append(bytes.Clone(good), fmt.Sprintf("1 0 obj\n<< >>\nendobj\nxref\n0 1\n0000000000 65535 f \ntrailer\n<<\n/Size 1\n/Prev %s\n>>\nstartxref\n%d\n%%%%EOF\n",
			strings.Fields(string(startxref))[1], len(good)+21)...), "/Prev"},
		{"startxref past the end", bytes.Replace(bytes.Clone(good), startxref, []byte("startxref\n999999999\n%%EOF\n"), 1), "outside the file"},
		{"no catalog type", replace("/Type /Catalog", "/Type /Katalog"), "Catalog"},
		{"name tree with kids", replace("/EmbeddedFiles << /Names [", "/EmbeddedFiles << /Kids  ["), "/Kids"},
		{"keys out of order", replace("(0002)", "(0000)"), "ascending"},
		{"unknown filter", replace("/Type /EmbeddedFile /Length 535 /Filter /FlateDecode", "/Type /EmbeddedFile /Length 535 /Filter /LZWDecode__"), "not FlateDecode"},
		{"wrong size", replace("/Size 777 >>", "/Size 778 >>"), "/Params say"},
		{"wrong checksum", replace("/CheckSum <430c", "/CheckSum <530c"), "MD5"},
		{"folder in the name", replace("/F (text-zh.txt) /UF (\xfe\xff\x00t", "/F (text/zh.txt) /UF (\xfe\xff\x00/"), "folder"},
		{"nesting too deep", buildPDF("<< /Type /Catalog /X " + strings.Repeat("[", 40) + strings.Repeat("]", 40) + " >>"), "nested"},
		{"no embedded files", buildPDF("<< /Type /Catalog >>"), "/Names"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Extract(tt.data)
			var ee *ExtractError
			if !errors.As(err, &ee) || !ee.InvalidEvidence() {
				t.Fatalf("Extract: %v, want an *ExtractError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

// FuzzExtract feeds Extract damaged concord PDFs and other bytes: it must
// never panic, and what it accepts must hold to its promises (plain,
// unique names; sizes within the limits; the same result every time).
func FuzzExtract(f *testing.F) {
	good, err := Render(demoInput(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)-10])
	f.Add([]byte("%PDF-1.3\nxref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1 /Root 1 0 R >>\nstartxref\n9\n%%EOF\n"))
	// A small file with the whole structure, so mutations reach every part.
	f.Add(miniPDF())
	f.Fuzz(func(t *testing.T, data []byte) {
		files, err := Extract(data)
		if err != nil {
			var ee *ExtractError
			if !errors.As(err, &ee) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		seen := map[string]bool{}
		total := 0
		for _, f := range files {
			if p := checkEvidenceName(f.Name); p != "" || seen[f.Name] {
				t.Fatalf("accepted the file name %q (%s)", f.Name, p)
			}
			seen[f.Name] = true
			if len(f.Data) > MaxEvidenceFile {
				t.Fatalf("accepted a file of %d bytes", len(f.Data))
			}
			total += len(f.Data)
		}
		if total > MaxEvidenceTotal || len(files) > MaxEvidenceFiles {
			t.Fatalf("accepted %d files of %d bytes", len(files), total)
		}
		again, err := Extract(data)
		if err != nil || len(again) != len(files) {
			t.Fatalf("a second read differs: %v", err)
		}
		for i := range files {
			if again[i].Name != files[i].Name || !bytes.Equal(again[i].Data, files[i].Data) {
				t.Fatalf("a second read differs at file %d", i)
			}
		}
	})
}

// miniPDF is a small PDF shaped as concord writes it, with one unfiltered
// embedded file whose description uses the string escapes.
func miniPDF() []byte {
	return buildPDF(
		"<< /Type /EmbeddedFile /Length 3 >>\nstream\nabc\nendstream",
		"<< /Type /Filespec /F (a.txt) /UF <FEFF0061 002E0074 00780074> /EF << /F 1 0 R >> /Desc (d\\(\\051) >>",
		"<< /Type /Catalog % a comment\n /Names << /EmbeddedFiles << /Names [(0001) 2 0 R] >> >> >>",
	)
}

// buildPDF writes objs as objects 1, 2, … of a PDF with a classic
// cross-reference table; the last object is the catalog.
func buildPDF(objs ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, len(objs), xref)
	return b.Bytes()
}

func TestExtractMiniPDF(t *testing.T) {
	files, err := Extract(miniPDF())
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Name != "a.txt" || string(files[0].Data) != "abc" || files[0].Description != "d()" {
		t.Errorf("got %+v", files)
	}
}
