package evidence_test

import (
	"bytes"
	"io"
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
	"github.com/concord-ledger/concord/ledger/gitstore"
)

// The forgeries here are built as an attacker would: with stock git, with
// concord's own (open) code, and with no private key. Each must be refused
// by verify-pdf from the PDF alone (invalid evidence, exit 3) and by the
// verify.sh the PDF embeds (exit 3).

// stockGit runs git in dir with a configuration of its own, no signing.
func stockGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	git := testtool.Require(t, "git")
	cmd := exec.Command(git, args...)
	cmd.Dir = dir
	home := t.TempDir()
	cmd.Env = append(os.Environ(), "HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=Forger", "GIT_AUTHOR_EMAIL=xjtu", "GIT_COMMITTER_NAME=Forger", "GIT_COMMITTER_EMAIL=xjtu",
		"FILTER_BRANCH_SQUELCH_WARNING=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// forgeryClone clones the demo ledger into a working copy for a forger.
func forgeryClone(t *testing.T, l *ledger.Ledger) string {
	t.Helper()
	work := filepath.Join(t.TempDir(), "work")
	stockGit(t, t.TempDir(), "clone", "-q", l.Dir, work)
	stockGit(t, work, "config", "commit.gpgsign", "false")
	return work
}

// spliceBundle renders the genuine PDF of version n with the history in
// the ledger at forged embedded instead, and with change applied to the
// pages' input: a PDF any forger can make with concord's code.
func spliceBundle(t *testing.T, l *ledger.Ledger, forged string, n int, change func(*pdf.Input)) []byte {
	t.Helper()
	repo, err := gitstore.Open(forged)
	if err != nil {
		t.Fatalf("opening the forged repository: %v", err)
	}
	head, err := repo.Head()
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := repo.Bundle(head)
	if err != nil {
		t.Fatal(err)
	}
	in, err := evidence.Input(l, demo.DocID, n)
	if err != nil {
		t.Fatal(err)
	}
	for i := range in.Evidence {
		if in.Evidence[i].Name == evidence.BundleName {
			in.Evidence[i].Data = bundle
		}
	}
	if change != nil {
		change(in)
	}
	return render(t, in)
}

// refusedByScript extracts data's evidence with pdfdetach and requires the
// embedded verify.sh, run by shell, to exit 3 saying want; extra args go
// to the script.
func refusedByScript(t *testing.T, data []byte, shell, want string, args ...string) {
	t.Helper()
	out, code := runEmbeddedScript(t, data, shell, nil, args...)
	if code != 3 || !strings.Contains(out, want) {
		t.Errorf("%s verify.sh %s: exit %d, want 3 saying %q:\n%s", shell, strings.Join(args, " "), code, want, out)
	}
}

// runEmbeddedScript runs the verify.sh data embeds, with env added, and
// returns its output and exit status.
func runEmbeddedScript(t *testing.T, data []byte, shell string, env []string, args ...string) (string, int) {
	t.Helper()
	pdfdetach := testtool.Require(t, "pdfdetach")
	sh := testtool.Require(t, shell)
	testtool.Require(t, "ssh-keygen")
	testtool.Require(t, "sha256sum")
	dir := t.TempDir()
	file := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	ev := filepath.Join(dir, "evidence")
	if err := os.Mkdir(ev, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(pdfdetach, "-saveall", "-o", ev, file).CombinedOutput(); err != nil {
		t.Fatalf("pdfdetach -saveall: %v\n%s", err, out)
	}
	cmd := exec.Command(sh, append([]string{filepath.Join(ev, "verify.sh")}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

// refusedByVerifyPDF requires VerifyPDF to find data invalid, saying want.
func refusedByVerifyPDF(t *testing.T, data []byte, opts evidence.VerifyPDFOptions, want string) {
	t.Helper()
	rep, err := evidence.VerifyPDF(data, opts)
	if err != nil {
		t.Fatalf("VerifyPDF: %v", err)
	}
	if rep.OK() || !strings.Contains(problemText(rep), want) {
		t.Errorf("VerifyPDF: problems %q, want one saying %q", rep.Problems, want)
	}
}

// A forger rewrites the document's definition in the entry that ratified
// it (here its title; a rule or a signer list is the same) and exports the
// PDF with stock concord from the forged copy.
func TestForgedDocumentDefinition(t *testing.T) {
	l := demoLedger(t)
	work := forgeryClone(t, l)
	docPath := filepath.Join(work, "documents", demo.DocID, "document.json")
	raw, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	forged := bytes.Replace(raw, []byte(`"title": "Almaty Consensus`), []byte(`"title": "Forged Consensus`), 1)
	if bytes.Equal(forged, raw) {
		t.Fatal("the demo's title changed; the forgery does not apply")
	}
	if err := os.WriteFile(docPath, forged, 0o644); err != nil {
		t.Fatal(err)
	}
	stockGit(t, work, "commit", "-q", "-a", "--amend", "--no-edit")
	fl, err := ledger.Open(work)
	if err != nil {
		t.Fatal(err)
	}
	data, err := evidence.ExportPDF(fl, demo.DocID, 0)
	if err != nil {
		t.Fatalf("stock concord refuses to export the forged copy (%v); the forgery needs another route", err)
	}
	if !bytes.Contains(data, []byte("Forged Consensus")) && !bytes.Contains(data, []byte("Forged")) {
		// The pages are compressed; the evidence must at least differ.
		good, _ := evidence.ExportPDF(l, demo.DocID, 0)
		if bytes.Equal(good, data) {
			t.Fatal("the forged export is the genuine one")
		}
	}
	refusedByVerifyPDF(t, data, evidence.VerifyPDFOptions{}, "commit-unsigned: the ledger history the PDF carries: entry ")
	refusedByScript(t, data, "sh", "is not signed by a key the roster had enrolled")
	refusedByScript(t, data, "bash", "is not signed by a key the roster had enrolled")
}

// A forger drops a signed withdrawal from the history (git rebase) and
// puts the rewritten history in a PDF rendered with concord's code.
func TestForgedDroppedWithdrawal(t *testing.T) {
	l := demoLedger(t)
	work := forgeryClone(t, l)
	log, err := l.Log()
	if err != nil {
		t.Fatal(err)
	}
	withdrawal := ""
	for _, e := range log {
		if strings.Contains(e.Summary, "Withdraw") || strings.Contains(e.Summary, "withdraw") {
			withdrawal = e.Commit
		}
	}
	if withdrawal == "" {
		t.Fatal("the demo has no withdrawal")
	}
	stockGit(t, work, "rebase", "-q", "--onto", withdrawal+"^", withdrawal)
	data := spliceBundle(t, l, work, 2, nil)
	refusedByVerifyPDF(t, data, evidence.VerifyPDFOptions{}, "commit-unsigned: the ledger history the PDF carries: entry ")
	refusedByScript(t, data, "sh", "is not signed by a key the roster had enrolled")
}

// A forger changes a signatory's identity record (a genesis steward's
// name) throughout the history with git filter-branch, and shows the new
// name on the pages.
func TestForgedIdentityRecord(t *testing.T) {
	l := demoLedger(t)
	work := forgeryClone(t, l)
	stockGit(t, work, "filter-branch", "-f", "--tree-filter",
		`sed -i 's/Demo Rector of KazNU/Rector of Another University/' genesis.json`, "HEAD")
	data := spliceBundle(t, l, work, 2, func(in *pdf.Input) {
		for i := range in.Signatories {
			if in.Signatories[i].ID == "kaznu" {
				in.Signatories[i].Name = "Rector of Another University"
			}
		}
	})
	refusedByVerifyPDF(t, data, evidence.VerifyPDFOptions{}, "commit-unsigned: the ledger history the PDF carries: entry ")
	refusedByScript(t, data, "sh", "is not signed by a key the roster had enrolled")

	// The pages alone, over the genuine history: verify-pdf still sees it.
	data = spliceBundle(t, l, l.Dir, 2, func(in *pdf.Input) {
		in.Signatories[0].Name = "Someone Else"
	})
	refusedByVerifyPDF(t, data, evidence.VerifyPDFOptions{}, "pages are not the ones concord renders")
}

// A look-alike ledger (the same names, other keys) exports a PDF that holds
// by itself; pinning the genuine ledger id refuses it.
func TestLookAlikeLedgerPinned(t *testing.T) {
	l := demoLedger(t)
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	env := ledger.Env{Now: func() time.Time { now = now.Add(time.Minute); return now }, Rand: &pdfDetRand{state: [32]byte{7}}}
	res, err := demo.Run(filepath.Join(t.TempDir(), "lookalike"), env, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	other, err := ledger.Open(res.Ledger)
	if err != nil {
		t.Fatal(err)
	}
	if other.ID() == l.ID() {
		t.Fatal("the look-alike has the genuine ledger id")
	}
	data, err := evidence.ExportPDF(other, demo.DocID, 0)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := evidence.VerifyPDF(data, evidence.VerifyPDFOptions{})
	if err != nil || !rep.OK() {
		t.Fatalf("the look-alike's own PDF does not hold by itself: %v %+v", err, rep)
	}
	refusedByVerifyPDF(t, data, evidence.VerifyPDFOptions{LedgerID: l.ID()}, "ledger-not-pinned: the ledger history the PDF carries: the ledger id is ")
	refusedByScript(t, data, "sh", "not the "+l.ID()+" you pinned", l.ID())
	if out, code := runEmbeddedScript(t, data, "dash", nil, other.ID()); code != 0 || !strings.Contains(out, "trust anchor: the ledger id you pinned") {
		t.Errorf("verify.sh pinned to its own ledger: exit %d\n%s", code, out)
	}
}

// With an ssh-keygen that has no -Y (OpenSSH before 8.1), the script says
// it cannot check, exit 1, and never FAIL.
func TestScriptCannotCheckWithoutSSHKeygenY(t *testing.T) {
	real := testtool.Require(t, "ssh-keygen")
	l := demoLedger(t)
	data, err := evidence.ExportPDF(l, demo.DocID, 0)
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	standIn := "#!/bin/sh\n# ssh-keygen as OpenSSH 8.0 and earlier: no -Y\nfor a in \"$@\"; do\n\tif [ \"$a\" = -Y ]; then\n\t\techo 'ssh-keygen: illegal option -- Y' >&2\n\t\texit 1\n\tfi\ndone\nexec " + real + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "ssh-keygen"), []byte(standIn), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, shell := range []string{"dash", "bash"} {
		out, code := runEmbeddedScript(t, data, shell, []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")})
		if code != 1 || !strings.Contains(out, "cannot check: this ssh-keygen cannot sign and verify with -Y") || strings.Contains(out, "FAIL") {
			t.Errorf("%s: exit %d, want 1 and cannot check:\n%s", shell, code, out)
		}
	}
}

// The script holds on a genuine PDF under dash and bash, and refuses a
// file beside the evidence that is not a regular file or not the ledger's.
func TestScriptOnGenuineAndPlantedFiles(t *testing.T) {
	l := demoLedger(t)
	data, err := evidence.ExportPDF(l, demo.DocID, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, shell := range []string{"dash", "bash"} {
		out, code := runEmbeddedScript(t, data, shell, nil)
		if code != 0 || !strings.Contains(out, "OK: ") || !strings.Contains(out, "1 withdrawal,") {
			t.Errorf("%s on the genuine PDF: exit %d\n%s", shell, code, out)
		}
	}
}

// A kit whose copies went through a Windows checkout (core.autocrlf: every
// text file's line endings converted) still checks: verify.sh reads git's
// blobs from the bundle, and notes the converted copies.
func TestKitScriptIgnoresLineEndingConversion(t *testing.T) {
	testtool.Require(t, "git")
	l := demoLedger(t)
	kit := filepath.Join(t.TempDir(), "kit")
	if err := evidence.ExportAuditKit(l, kit); err != nil {
		t.Fatal(err)
	}
	converted := 0
	err := filepath.Walk(kit, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || filepath.Ext(p) == ".bundle" || filepath.Base(p) == "verify.sh" {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		crlf := bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
		if !bytes.Equal(crlf, data) {
			converted++
		}
		return os.WriteFile(p, crlf, info.Mode())
	})
	if err != nil || converted < 20 {
		t.Fatalf("converting the kit: %v (%d files)", err, converted)
	}
	for _, shell := range []string{"dash", "bash"} {
		cmd := exec.Command(testtool.Require(t, shell), filepath.Join(kit, "verify.sh"))
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "OK: ") || !strings.Contains(string(out), "differs from the ledger's only in line endings") {
			t.Errorf("%s verify.sh on a CRLF-converted kit: %v\n%s", shell, err, out)
		}
	}
}
