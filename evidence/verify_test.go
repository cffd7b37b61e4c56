package evidence_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/concord-ledger/concord/documents/pdf"
	"github.com/concord-ledger/concord/evidence"
	"github.com/concord-ledger/concord/internal/demo"
	"github.com/concord-ledger/concord/internal/testtool"
	"github.com/concord-ledger/concord/ledger"
)

// render renders in, failing the test on error.
func render(t *testing.T, in *pdf.Input) []byte {
	t.Helper()
	out, err := pdf.Render(in)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return out
}

func TestVerifyPDFAcceptsExports(t *testing.T) {
	l := demoLedger(t)
	audit, err := ledger.Verify(l.Dir, ledger.VerifyOptions{})
	if err != nil || !audit.OK() {
		t.Fatalf("the demo ledger does not verify: %v %+v", err, audit)
	}
	for _, tt := range []struct {
		version, decisions int
		ratified           bool
	}{{2, 8, true}, {1, 3, false}} {
		data, err := evidence.ExportPDF(l, demo.DocID, tt.version)
		if err != nil {
			t.Fatal(err)
		}
		for _, dir := range []string{"", l.Dir} {
			rep, err := evidence.VerifyPDF(data, evidence.VerifyPDFOptions{LedgerDir: dir})
			if err != nil {
				t.Fatalf("v%d, ledger %q: %v", tt.version, dir, err)
			}
			if !rep.OK() || !rep.Rendered || rep.Decisions != tt.decisions || rep.Ratified != tt.ratified ||
				rep.Version != tt.version || rep.Ledger != l.ID() || rep.Head != l.Head() ||
				rep.Signatures != audit.Signatures || len(rep.Stewards) != 2 || rep.Stewards[0].Fingerprint == "" {
				t.Errorf("v%d, ledger %q: report %+v", tt.version, dir, rep)
			}
		}
	}
}

// TestVerifyPDFFindsTampering changes an exported PDF in each way an
// auditor must catch and expects VerifyPDF to report it (exit status 3 in
// the CLI: a problem in the report, or an error that is invalid evidence).
func TestVerifyPDFFindsTampering(t *testing.T) {
	l := demoLedger(t)
	input := func(v int) *pdf.Input {
		in, err := evidence.Input(l, demo.DocID, v)
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	good := render(t, input(2))
	file := func(in *pdf.Input, name string) *pdf.File {
		for i := range in.Evidence {
			if in.Evidence[i].Name == name {
				return &in.Evidence[i]
			}
		}
		t.Fatalf("no evidence file %s", name)
		return nil
	}
	tests := []struct {
		name string
		make func() []byte
		want string
	}{
		{"visible text changed, evidence intact", func() []byte {
			in := input(2)
			en := &in.Texts[0]
			for i := range in.Texts {
				if in.Texts[i].Lang == "en" {
					en = &in.Texts[i]
				}
			}
			en.Data = bytes.Replace(bytes.Clone(en.Data), []byte("Forum"), []byte("Forun"), 1)
			en.SHA256 = sha(en.Data)
			return render(t, in)
		}, "pages-differ: its pages are not the ones concord renders"},
		{"bytes appended after %%EOF", func() []byte { return append(bytes.Clone(good), "\n% x\n"...) }, "follow the %%EOF"},
		{"incremental update appended", func() []byte { return incrementalUpdate(good) }, "incremental update"},
		{"signature replaced by another signatory's", func() []byte {
			in := input(2)
			a, b := file(in, "decision-00000021-demo-tm.sig"), file(in, "decision-00000020-demo-tj.sig")
			a.Data = b.Data
			return render(t, in)
		}, "decision-00000021-demo-tm.sig"},
		{"statement replaced", func() []byte {
			in := input(2)
			f := file(in, "decision-00000021-demo-tm.statement")
			f.Data = bytes.Replace(bytes.Clone(f.Data), []byte("decision approve"), []byte("decision withdraw"), 1)
			return render(t, in)
		}, "evidence-mismatch: the embedded decision-00000021-demo-tm.statement is not the one the ledger history the PDF carries gives"},
		{"text replaced", func() []byte {
			in := input(2)
			f := file(in, "text-kk.txt")
			f.Data = bytes.Clone(f.Data)
			f.Data[len(f.Data)-2] ^= 1
			return render(t, in)
		}, "evidence-mismatch: the embedded text-kk.txt is not the one"},
		{"v1 pages with v2 evidence", func() []byte {
			in := input(1)
			in.Evidence = input(2).Evidence
			return render(t, in)
		}, "pages-differ: its pages are not the ones concord renders"},
		{"v2 pages with v1 appendix", func() []byte {
			in, v1 := input(2), input(1)
			in.Signatories, in.Timeline, in.Status = v1.Signatories, v1.Timeline, v1.Status
			return render(t, in)
		}, "pages-differ: its pages are not the ones concord renders"},
		{"ratification claimed for v1", func() []byte {
			in := input(1)
			in.Status.Ratified, in.Status.RatifiedEntry, in.Status.RatifiedTime = true, 21, in.Date
			return render(t, in)
		}, "pages-differ: its pages are not the ones concord renders"},
		{"garbage", func() []byte { return []byte("not a PDF\n") }, "PDF header"},
		{"truncated", func() []byte { return good[:len(good)/3] }, "no startxref"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectInvalid(t, tt.make(), "", tt.want)
		})
	}
}

// problemText returns rep's problems, one a line, each as "code: what".
func problemText(rep *evidence.PDFReport) string {
	var lines []string
	for _, p := range rep.Problems {
		lines = append(lines, p.Code+": "+p.What)
	}
	return strings.Join(lines, "\n")
}

// expectInvalid runs VerifyPDF and requires invalid evidence mentioning
// want.
func expectInvalid(t *testing.T, data []byte, dir, want string) {
	t.Helper()
	rep, err := evidence.VerifyPDF(data, evidence.VerifyPDFOptions{LedgerDir: dir})
	var msg string
	switch {
	case err != nil:
		var ie interface{ InvalidEvidence() bool }
		if !errors.As(err, &ie) || !ie.InvalidEvidence() {
			t.Fatalf("VerifyPDF: %v, an error that is not invalid evidence", err)
		}
		msg = err.Error()
	case rep.OK():
		t.Fatalf("VerifyPDF accepted it: %+v", rep)
	default:
		msg = problemText(rep)
	}
	if !strings.Contains(msg, want) {
		t.Errorf("VerifyPDF says\n%s\nwhich does not mention %q", msg, want)
	}
}

func sha(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// incrementalUpdate appends a well-formed incremental update to a PDF: a
// new object, a cross-reference section and a trailer with /Prev.
func incrementalUpdate(b []byte) []byte {
	prev := regexp.MustCompile(`startxref\n([0-9]+)\n%%EOF\n$`).FindSubmatch(b)[1]
	size := regexp.MustCompile(`/Size ([0-9]+)`).FindAllSubmatch(b, -1)
	n := string(size[len(size)-1][1])
	out := bytes.Clone(b)
	off := len(out)
	obj := fmt.Sprintf("%s 0 obj\n(added)\nendobj\n", n)
	out = append(out, obj...)
	xref := len(out)
	var num int
	fmt.Sscan(n, &num)
	out = append(out, fmt.Sprintf("xref\n%d 1\n%010d 00000 n \ntrailer\n<<\n/Size %d\n/Root 1 0 R\n/Prev %s\n>>\nstartxref\n%d\n%%%%EOF\n",
		num, off, num+1, prev, xref)...)
	return out
}

// TestVerifyPDFWithQPDFEdit edits one byte of a page's visible text the
// way the issue describes: qpdf --qdf to uncompress, change a byte in a
// content stream, fix-qdf, and repack with qpdf. VerifyPDF must refuse the
// result; the unedited qpdf round trip is refused too (any rewrite is),
// and the edited file must differ from it.
func TestVerifyPDFWithQPDFEdit(t *testing.T) {
	qpdf := testtool.Require(t, "qpdf")
	fixqdf := testtool.Require(t, "fix-qdf")
	l := demoLedger(t)
	data, err := evidence.ExportPDF(l, demo.DocID, 0)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in, qdf := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "qdf.pdf")
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(qpdf, "--qdf", "--object-streams=disable", in, qdf).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --qdf: %v\n%s", err, out)
	}
	q, err := os.ReadFile(qdf)
	if err != nil {
		t.Fatal(err)
	}
	// The first text shown with Tj on a page: change one byte of it.
	m := regexp.MustCompile(`\((?:[^()\\]|\\.){2,}\) Tj`).FindIndex(q)
	if m == nil {
		t.Fatal("no text (… ) Tj in the uncompressed PDF")
	}
	q[m[0]+2] ^= 0x01
	edited, fixed, packed := filepath.Join(dir, "edited.pdf"), filepath.Join(dir, "fixed.pdf"), filepath.Join(dir, "packed.pdf")
	if err := os.WriteFile(edited, q, 0o644); err != nil {
		t.Fatal(err)
	}
	fx := exec.Command(fixqdf, edited)
	var fout bytes.Buffer
	fx.Stdout = &fout
	if err := fx.Run(); err != nil {
		t.Fatalf("fix-qdf: %v", err)
	}
	if err := os.WriteFile(fixed, fout.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(qpdf, fixed, packed).CombinedOutput(); err != nil {
		t.Fatalf("qpdf repack: %v\n%s", err, out)
	}
	for _, f := range []string{qdf, fixed, packed} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := evidence.VerifyPDF(b, evidence.VerifyPDFOptions{LedgerDir: ""})
		if err == nil && rep.OK() {
			t.Errorf("%s: VerifyPDF accepted a rewritten file", filepath.Base(f))
		}
	}
}

func TestVerifyPDFAgainstAnotherLedger(t *testing.T) {
	l := demoLedger(t)
	data, err := evidence.ExportPDF(l, demo.DocID, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Another demo ledger: other keys, another genesis.
	now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	env := ledger.Env{Now: func() time.Time { now = now.Add(time.Minute); return now }, Rand: &pdfDetRand{state: [32]byte{1}}}
	res, err := demo.Run(filepath.Join(t.TempDir(), "other"), env, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	expectInvalid(t, data, res.Ledger, "ledger-mismatch: the PDF is of ledger")
	if _, err := evidence.VerifyPDF(data, evidence.VerifyPDFOptions{LedgerDir: filepath.Join(t.TempDir(), "none")}); err == nil {
		t.Error("a missing ledger folder gave no error")
	}
}

func TestExportPDFArchive(t *testing.T) {
	l := demoLedger(t)
	dir := filepath.Join(t.TempDir(), "archive")
	arch, err := evidence.ExportPDFArchive(l, dir)
	if err != nil {
		t.Fatal(err)
	}
	// Only version 2 of the demo is ratified.
	if len(arch.Files) != 1 || arch.Files[0].File != "almaty-consensus-v2.pdf" || arch.Files[0].Version != 2 ||
		arch.Ledger != l.ID() || arch.Head != l.Head() {
		t.Fatalf("archive %+v", arch)
	}
	want, err := evidence.ExportPDF(l, demo.DocID, 2)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "almaty-consensus-v2.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) || arch.Files[0].SHA256 != sha(got) || arch.Files[0].Bytes != len(got) {
		t.Error("the archived PDF is not the export of version 2, or the manifest's hash or size is wrong")
	}
	sums, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	if string(sums) != sha(got)+"  almaty-consensus-v2.pdf\n" {
		t.Errorf("SHA256SUMS is %q", sums)
	}
	man, err := os.ReadFile(filepath.Join(dir, "MANIFEST.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(man, []byte(`"sha256": "`+sha(got)+`"`)) || !bytes.Contains(man, []byte(`"format": "concord-pdf-archive-v1"`)) {
		t.Errorf("MANIFEST.json:\n%s", man)
	}
	// The same head gives the same archive; a folder with files is refused.
	again := filepath.Join(t.TempDir(), "again")
	if _, err := evidence.ExportPDFArchive(l, again); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"almaty-consensus-v2.pdf", "MANIFEST.json", "SHA256SUMS"} {
		a, _ := os.ReadFile(filepath.Join(dir, name))
		b, _ := os.ReadFile(filepath.Join(again, name))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s differs between two archive exports of the same head", name)
		}
	}
	var refused *ledger.RefusedError
	if _, err := evidence.ExportPDFArchive(l, dir); !errors.As(err, &refused) {
		t.Errorf("exporting into a folder with files: %v, want a refusal", err)
	}
}

// FuzzVerifyPDFManifest replaces the manifest a PDF embeds (the one file
// VerifyPDF trusts for facts it cannot derive: the head, the entries'
// commits and times, the roster records) with fuzzed bytes. VerifyPDF
// must never panic, and it may accept the file only when the manifest is
// the one concord wrote.
func FuzzVerifyPDFManifest(f *testing.F) {
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	env := ledger.Env{Now: func() time.Time { now = now.Add(time.Minute); return now }, Rand: &pdfDetRand{}}
	res, err := demo.Run(filepath.Join(f.TempDir(), "demo"), env, io.Discard)
	if err != nil {
		f.Fatal(err)
	}
	l, err := ledger.Open(res.Ledger)
	if err != nil {
		f.Fatal(err)
	}
	in, err := evidence.Input(l, demo.DocID, 1)
	if err != nil {
		f.Fatal(err)
	}
	man := in.Evidence[len(in.Evidence)-1].Data
	f.Add(man)
	f.Add(bytes.Replace(man, []byte(`"version": 1`), []byte(`"version": 2`), 1))
	f.Add(bytes.Replace(man, []byte(`"superseded": `), []byte(`"superseded": 1`), 1))
	f.Add(bytes.Replace(man, []byte(`"name": "Demo Rector A"`), []byte(`"name": "Demo Rector Z"`), 1))
	f.Add([]byte("{}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		mod := *in
		mod.Evidence = append([]pdf.File(nil), in.Evidence...)
		mod.Evidence[len(mod.Evidence)-1] = pdf.File{Name: "manifest.json", Data: data}
		out, err := pdf.Render(&mod)
		if err != nil {
			return
		}
		rep, err := evidence.VerifyPDF(out, evidence.VerifyPDFOptions{LedgerDir: ""})
		if err == nil && rep.OK() && !bytes.Equal(data, man) {
			t.Fatalf("VerifyPDF accepted a changed manifest:\n%s", data)
		}
	})
}

// A file rewritten by another program is diagnosed as such, never as an
// appended update: linearized, re-saved with streams concord never writes,
// or re-saved plainly (where the evidence is still read, and said valid).
func TestVerifyPDFRewrittenByAnotherProgram(t *testing.T) {
	qpdf := testtool.Require(t, "qpdf")
	l := demoLedger(t)
	data, err := evidence.ExportPDF(l, demo.DocID, 0)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"linearized", []string{"--linearize"}, "rewritten by another program (it is linearized)"},
		{"object streams", []string{"--object-streams=generate"}, "re-saved by another program (it has a cross-reference stream)"},
		{"re-saved", nil, "re-saved by another program (its header is not the one concord writes): its embedded evidence is intact and valid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, tc.name+".pdf")
			if msg, err := exec.Command(qpdf, append(append([]string{}, tc.args...), in, out)...).CombinedOutput(); err != nil {
				t.Fatalf("qpdf: %v\n%s", err, msg)
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			expectInvalid(t, b, "", tc.want)
			rep, err := evidence.VerifyPDF(b, evidence.VerifyPDFOptions{})
			if said := fmt.Sprint(err, rep); strings.Contains(said, "appended") {
				t.Errorf("a rewritten file is said to have an appended update: %s", said)
			}
		})
	}
}
