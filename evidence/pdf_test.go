package evidence_test

import (
	"bytes"
	"crypto/sha256"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/concord-ledger/concord/documents/pdf"
	"github.com/concord-ledger/concord/evidence"
	"github.com/concord-ledger/concord/internal/demo"
	"github.com/concord-ledger/concord/internal/testtool"
	"github.com/concord-ledger/concord/ledger"
)

// pdfDetRand is a deterministic randomness source.
type pdfDetRand struct{ state [32]byte }

func (r *pdfDetRand) Read(p []byte) (int, error) {
	for i := range p {
		if i%32 == 0 {
			r.state = sha256.Sum256(r.state[:])
		}
		p[i] = r.state[i%32]
	}
	return len(p), nil
}

// demoLedger builds the demo ledger with a fixed clock and randomness.
func demoLedger(t *testing.T) *ledger.Ledger {
	t.Helper()
	l, err := ledger.Open(demoRun(t).Ledger)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestPDFInputOfTheDemo(t *testing.T) {
	l := demoLedger(t)
	in, err := evidence.Input(l, demo.DocID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if in.Version != 2 || !in.Demo || !in.Status.Ratified || in.Status.Approvals != 6 || in.Head != l.Head() || in.Ledger != l.ID() {
		t.Errorf("input header wrong: version %d demo %v status %+v", in.Version, in.Demo, in.Status)
	}
	log, err := l.Log()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := in.Date.Format(time.RFC3339), log[len(log)-1].Time; got != want {
		t.Errorf("date %s, want the head commit's %s", got, want)
	}
	if len(in.Signatories) != 6 {
		t.Fatalf("%d signatories, want 6", len(in.Signatories))
	}
	for _, s := range in.Signatories {
		if s.Decision != pdf.Approved || s.Commit != log[s.Entry].Commit || !bytes.HasPrefix(s.Signature, []byte("-----BEGIN SSH SIGNATURE-----")) ||
			!strings.HasPrefix(s.Fingerprint, "SHA256:") {
			t.Errorf("signatory %+v", s)
		}
	}
	var withdrawn, ratified bool
	for _, e := range in.Timeline {
		withdrawn = withdrawn || e.What == "approval withdrawn by demo-uz"
		ratified = ratified || strings.HasPrefix(e.What, "ratified")
		if e.Commit != log[e.Entry].Commit {
			t.Errorf("timeline entry %d has commit %s, the log %s", e.Entry, e.Commit, log[e.Entry].Commit)
		}
	}
	if !withdrawn || !ratified {
		t.Errorf("timeline lacks the withdrawal or the ratification: %+v", in.Timeline)
	}
	v1, err := evidence.Input(l, demo.DocID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if v1.Status.Ratified || v1.Status.SupersededBy != 2 || v1.Status.Approvals != 3 {
		t.Errorf("version 1 status %+v", v1.Status)
	}
	if _, err := evidence.Input(l, demo.DocID, 3); err == nil {
		t.Error("version 3 of a document with 2 versions gave no error")
	}
}

// TestPDFEvidenceChecksWithStandardTools exports the demo PDF, extracts
// its evidence with pdfdetach and runs the embedded verify.sh, which uses
// only ssh-keygen and sha256sum; then changes one text byte and expects
// the script to fail naming it.
func TestPDFEvidenceChecksWithStandardTools(t *testing.T) {
	pdfdetach := testtool.Require(t, "pdfdetach")
	testtool.Require(t, "ssh-keygen")
	testtool.Require(t, "sha256sum")
	l := demoLedger(t)
	a, err := evidence.ExportPDF(l, demo.DocID, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := evidence.ExportPDF(l, demo.DocID, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("two exports of the same version differ")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(file, a, 0o644); err != nil {
		t.Fatal(err)
	}
	ev := filepath.Join(dir, "evidence")
	if err := os.Mkdir(ev, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(pdfdetach, "-saveall", "-o", ev, file).CombinedOutput(); err != nil {
		t.Fatalf("pdfdetach -saveall: %v\n%s", err, out)
	}
	out, err := exec.Command("sh", filepath.Join(ev, "verify.sh")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "OK: every commit and statement signature") {
		t.Fatalf("verify.sh on the extracted evidence: %v\n%s", err, out)
	}
	kk := filepath.Join(ev, "text-kk.txt")
	data, err := os.ReadFile(kk)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)-2] ^= 1
	if err := os.WriteFile(kk, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = exec.Command("sh", filepath.Join(ev, "verify.sh")).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "FAIL text-kk.txt differs from the ledger's documents/") {
		t.Fatalf("verify.sh accepted a changed text: %v\n%s", err, out)
	}
}
