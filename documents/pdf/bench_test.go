package pdf

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

// bigInput is the benchmark's agreement: each of the four demo texts
// repeated to about 20 pages, and 200 signatories, all approved.
func bigInput(b *testing.B) (*Input, int) {
	in := demoInput(b)
	textBytes := 0
	for i := range in.Texts {
		var t bytes.Buffer
		for n := range 20 {
			fmt.Fprintf(&t, "## Part %d\n\n", n+1)
			t.Write(in.Texts[i].Data)
			t.WriteString("\n")
		}
		setText(in, in.Texts[i].Lang, t.String())
		textBytes += t.Len()
	}
	one := in.Signatories[0]
	in.Signatories = nil
	for i := range 200 {
		s := one
		s.ID = fmt.Sprintf("signatory-%03d", i+1)
		s.Name = fmt.Sprintf("Rector %d", i+1)
		s.Institution = fmt.Sprintf("University number %d", i+1)
		sum := sha256.Sum256([]byte(s.ID))
		s.Commit = hex.EncodeToString(sum[:20])
		in.Signatories = append(in.Signatories, s)
		in.Evidence = append(in.Evidence, File{Name: "decision-" + s.ID + ".sig", Data: s.Signature},
			File{Name: "decision-" + s.ID + ".statement", Data: []byte(strings.Repeat("statement\n", 40))})
	}
	return in, textBytes
}

// BenchmarkRender20PagesFourLanguages200Signatories reports the time to
// render, the PDF's size and the size of the texts alone.
func BenchmarkRender20PagesFourLanguages200Signatories(b *testing.B) {
	in, textBytes := bigInput(b)
	var out []byte
	for b.Loop() {
		var err error
		if out, err = Render(in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(out)), "pdf-bytes")
	b.ReportMetric(float64(textBytes), "text-bytes")
	b.ReportMetric(float64(bytes.Count(out, []byte("/Type /Page\n"))), "pages")
}
