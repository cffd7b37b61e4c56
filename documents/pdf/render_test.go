package pdf

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var (
	update = flag.Bool("update", false, "rewrite testdata/demo.pdf.sha256 with the demo PDF's hash")
	pdfOut = flag.String("pdfout", "", "also write the demo PDF to this file, to look at it")
)

// renderDemo renders the fixture once per test binary.
func renderDemo(t testing.TB) []byte {
	t.Helper()
	out, err := Render(demoInput(t))
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	if *pdfOut != "" {
		if err := os.WriteFile(*pdfOut, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestRenderIsReproducible(t *testing.T) {
	a := renderDemo(t)
	b, err := Render(demoInput(t))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatalf("two renders of the same input differ (%d and %d bytes)", len(a), len(b))
	}
	// A different ledger time, and nothing else, gives different bytes:
	// the dates really come from the input.
	in := demoInput(t)
	in.Date = in.Date.Add(1e9)
	c, err := Render(in)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, c) {
		t.Fatal("changing the ledger time did not change the PDF")
	}
	for _, unwanted := range []string{"FPDF", "Attachement", "/F ()", "utf8xx"} {
		if bytes.Contains(a, []byte(unwanted)) {
			t.Errorf("the PDF contains %q", unwanted)
		}
	}
}

// TestGoldenHash guards against unintended layout drift: the demo PDF's
// SHA-256 is in testdata/demo.pdf.sha256. After a deliberate change, look
// at the new PDF (-pdfout) and renew the hash with -update.
func TestGoldenHash(t *testing.T) {
	out := renderDemo(t)
	sum := sha256.Sum256(out)
	got := hex.EncodeToString(sum[:])
	golden := filepath.Join("testdata", "demo.pdf.sha256")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestGoldenHash -update to create it)", err)
	}
	if got != strings.TrimSpace(string(want)) {
		t.Fatalf("the demo PDF's SHA-256 is %s, the golden file says %s: the layout changed. "+
			"Look at it (go test -run TestGoldenHash -pdfout /tmp/demo.pdf) and, if the change is meant, renew it with -update", got, strings.TrimSpace(string(want)))
	}
}
