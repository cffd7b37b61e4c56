package evidence

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"

	"github.com/concord-ledger/concord/documents/pdf"
	"github.com/concord-ledger/concord/ledger"
	"github.com/concord-ledger/concord/ledger/gitstore"
	"github.com/concord-ledger/concord/ledger/rules"
)

// PDFReport is what VerifyPDF found. The PDF holds when Problems is empty.
type PDFReport struct {
	Ledger string `json:"ledger"` // the ledger id of the history the PDF carries
	Title  string `json:"title"`  // the ledger's title
	Demo   bool   `json:"demo"`   // a demonstration ledger
	// Stewards are the genesis stewards and their keys' fingerprints, as
	// the PDF's own history gives them: with Ledger, the trust anchor.
	Stewards []ledger.Anchor `json:"stewards"`
	// Pinned is the ledger id the caller pinned, "" if none.
	Pinned   string `json:"pinned,omitempty"`
	Head     string `json:"head"`    // the rendered entry's commit
	Entry    int    `json:"entry"`   // its position
	Entries  int    `json:"entries"` // entries in the history the PDF carries
	Document string `json:"document"`
	Version  int    `json:"version"`
	Ratified bool   `json:"ratified"`
	Files    int    `json:"files"` // embedded files read
	// Signatures counts the signatures checked in the history the PDF
	// carries: every commit's and every statement's.
	Signatures int `json:"signatures"`
	// Decisions counts the signed decisions on the version.
	Decisions int  `json:"decisions"`
	Rendered  bool `json:"rendered"` // the file is byte for byte what concord renders from its evidence
	// LedgerDir is the ledger the PDF was also checked against, if any.
	LedgerDir string       `json:"ledger_dir"`
	Problems  []PDFProblem `json:"problems"`
}

// PDFProblem is one thing VerifyPDF found wrong.
type PDFProblem struct {
	// Code is the kind of problem: one of ledger.ProblemCodes for a
	// problem of the history the PDF carries, else one of the Code…
	// constants here (docs/JSON.md lists them all).
	Code string `json:"code"`
	What string `json:"what"` // for people; says where it is
	// Entry, Commit and Path locate a problem of the history the PDF
	// carries: Entry is -1, Commit and Path "" when not known.
	Entry  int    `json:"entry"`
	Commit string `json:"commit,omitempty"`
	Path   string `json:"path,omitempty"`
}

// String returns the message.
func (p PDFProblem) String() string { return p.What }

// Codes of the problems of a PDF file (docs/JSON.md).
const (
	CodeBundleInvalid     = "bundle-invalid"     // the embedded git bundle cannot be read
	CodeManifestMismatch  = "manifest-mismatch"  // manifest.json names another head than the history ends at
	CodeNotRendered       = "pdf-not-rendered"   // the PDF cannot be rendered from the history it carries
	CodeIncrementalUpdate = "incremental-update" // bytes appended after the rendered PDF
	CodeEvidenceMismatch  = "evidence-mismatch"  // the embedded files are not those the history gives
	CodeResaved           = "pdf-resaved"        // re-saved by another program; evidence intact
	CodePagesDiffer       = "pages-differ"       // pages not the ones rendered from the intact evidence
	CodeLedgerMismatch    = "ledger-mismatch"    // --ledger holds another ledger
	CodeNotInLedger       = "not-in-ledger"      // the PDF's entry is not in --ledger's history
	CodeEntryMismatch     = "entry-mismatch"     // the PDF's entry is at another position in --ledger
)

// PDFProblemCodes returns the codes of problems of a PDF file itself, in
// the order docs/JSON.md lists them; a problem of the history it carries
// has one of ledger.ProblemCodes.
func PDFProblemCodes() []string {
	return []string{CodeBundleInvalid, CodeManifestMismatch, CodeNotRendered, CodeIncrementalUpdate, CodeEvidenceMismatch,
		CodeResaved, CodePagesDiffer, CodeLedgerMismatch, CodeNotInLedger, CodeEntryMismatch}
}

// OK reports whether every check held.
func (r *PDFReport) OK() bool { return len(r.Problems) == 0 }

// PDFEvidenceError is a PDF whose evidence cannot be read at all: no
// manifest or no history, or one that is not concord's. It is invalid
// evidence.
type PDFEvidenceError struct{ Problem string }

func (e *PDFEvidenceError) Error() string { return "the PDF's evidence: " + e.Problem }

// InvalidEvidence reports that the PDF is not a valid concord PDF.
func (e *PDFEvidenceError) InvalidEvidence() bool { return true }

// Hint says what to try next.
func (e *PDFEvidenceError) Hint() string {
	return "the file is not a PDF as this concord release exports it, or it was changed since; export it again from the ledger"
}

// VerifyPDFOptions control VerifyPDF.
type VerifyPDFOptions struct {
	// LedgerDir, if set, is a ledger the PDF is also checked against: the
	// same ledger id, and the PDF's rendered entry in its history.
	LedgerDir string
	// LedgerID, if set, pins the ledger: a PDF of any other ledger is
	// invalid.
	LedgerID string
}

// VerifyPDF checks a PDF that concord exported, from the PDF alone. The
// PDF embeds the ledger's history up to the entry it shows (a git bundle,
// BundleName); VerifyPDF
//
//   - audits that history exactly as 'concord verify' audits a ledger,
//     through the one rules engine (package rules): every commit signed by
//     a key valid at its position, every roster change by the steward
//     threshold, every statement and text, ratification recomputed;
//   - renders the PDF again, with the code 'concord export pdf' uses, from
//     the ledger that history gives, and requires the file to be that
//     rendering, byte for byte.
//
// So every fact the PDF shows or embeds — the document's definition, the
// signatories' names, titles, institutions and keys, every decision with
// its position, the absence of later withdrawals, the ratification —
// follows from signed entries back to the genesis. The trust anchor (the
// ledger id and the genesis stewards) comes from the PDF itself: the report
// names it, and opts.LedgerID pins it.
//
// A file that is not a concord PDF at all is a *pdf.ExtractError or
// *PDFEvidenceError; problems with the evidence are in the report; other
// errors are operational (opts.LedgerDir cannot be read).
func VerifyPDF(data []byte, opts VerifyPDFOptions) (*PDFReport, error) {
	files, err := pdf.Extract(data)
	if err != nil {
		return nil, err
	}
	rep := &PDFReport{Files: len(files), Problems: []PDFProblem{}, Stewards: []ledger.Anchor{}, Pinned: opts.LedgerID}
	problem := func(code, format string, a ...any) {
		rep.Problems = append(rep.Problems, PDFProblem{Code: code, Entry: -1, What: fmt.Sprintf(format, a...)})
	}
	if len(files) == 0 || files[len(files)-1].Name != "manifest.json" {
		return nil, &PDFEvidenceError{Problem: "manifest.json is not the last embedded file"}
	}
	var man PDFManifest
	if err := rules.DecodeJSON(files[len(files)-1].Data, &man); err != nil {
		return nil, &PDFEvidenceError{Problem: fmt.Sprintf("manifest.json: %v", err)}
	}
	if man.Format != PDFEvidenceFormat {
		return nil, &PDFEvidenceError{Problem: fmt.Sprintf("manifest.json: format %q is not %q (the PDF was exported by another concord release, or not by concord)", man.Format, PDFEvidenceFormat)}
	}
	rep.Document, rep.Version = man.Document, man.Version
	var bundle []byte
	for _, f := range files {
		if f.Name == BundleName {
			bundle = f.Data
		}
	}
	if bundle == nil {
		return nil, &PDFEvidenceError{Problem: "it embeds no " + BundleName + ", the ledger's history every fact of the PDF rests on"}
	}
	audit, l, err := ledger.VerifyBundle(bundle, ledger.VerifyOptions{LedgerID: opts.LedgerID})
	var be *gitstore.BundleError
	if errors.As(err, &be) {
		problem(CodeBundleInvalid, "%v", err)
		return rep, nil
	}
	if err != nil {
		return nil, err
	}
	rep.Ledger, rep.Title, rep.Demo, rep.Stewards = audit.Ledger, audit.Title, audit.Demo, audit.Stewards
	rep.Head, rep.Entries, rep.Entry, rep.Signatures = audit.Head, audit.Entries, max(audit.Entries-1, 0), audit.Signatures
	for _, p := range audit.Problems {
		rep.Problems = append(rep.Problems, PDFProblem{Code: p.Code, What: "the ledger history the PDF carries: " + p.String(),
			Entry: p.Entry, Commit: p.Commit, Path: p.Path})
	}
	if l == nil {
		return rep, nil
	}
	if man.Head != l.Head() {
		problem(CodeManifestMismatch, "manifest.json names the head %s, the history the PDF carries ends at %s", man.Head, l.Head())
	}
	in, rec, err := input(l, man.Document, man.Version)
	if rec != nil {
		rep.Ratified, rep.Decisions = rec.Ratified != nil, len(rec.Decisions)
	}
	if err != nil {
		problem(CodeNotRendered, "the PDF cannot be rendered from the history it carries: %v", err)
	} else if want, err := pdf.Render(in); err != nil {
		problem(CodeNotRendered, "the PDF cannot be rendered from the history it carries: %v", err)
	} else if !bytes.Equal(want, data) {
		code, what := diagnose(want, data, in.Evidence, files)
		problem(code, "%s", what)
	} else {
		rep.Rendered = true
	}
	if opts.LedgerDir != "" {
		rep.LedgerDir = opts.LedgerDir
		if err := checkAgainstLedger(opts.LedgerDir, rep, problem); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// diagnose says how file (the PDF checked) differs from want, the PDF
// concord renders from file's own evidence, with the problem's code; files
// is what file embeds and evidence what want does.
func diagnose(want, file []byte, evidence []pdf.File, files []pdf.File) (code, what string) {
	if len(file) > len(want) && bytes.HasPrefix(file, want) {
		return CodeIncrementalUpdate, fmt.Sprintf("an incremental update of %d bytes was appended after the end of the PDF concord rendered: what it changes is not covered by the evidence", len(file)-len(want))
	}
	same := len(evidence) == len(files)
	for i := 0; same && i < len(files); i++ {
		same = files[i].Name == evidence[i].Name && bytes.Equal(files[i].Data, evidence[i].Data)
	}
	if !same {
		for i, f := range files {
			switch {
			case i >= len(evidence):
				return CodeEvidenceMismatch, fmt.Sprintf("the PDF embeds %s, which concord does not embed for this version", f.Name)
			case f.Name != evidence[i].Name:
				return CodeEvidenceMismatch, fmt.Sprintf("embedded file %d is %s, where concord embeds %s", i+1, f.Name, evidence[i].Name)
			case !bytes.Equal(f.Data, evidence[i].Data):
				return CodeEvidenceMismatch, fmt.Sprintf("the embedded %s is not the one the ledger history the PDF carries gives", f.Name)
			}
		}
		return CodeEvidenceMismatch, fmt.Sprintf("the PDF lacks %s, which concord embeds for this version", evidence[len(files)].Name)
	}
	// The evidence is intact and valid; the file around it is not the one
	// concord rendered.
	if i := bytes.Index(want, []byte(" 0 obj")); i > 0 && !bytes.HasPrefix(file, want[:i]) {
		return CodeResaved, "the file was re-saved by another program (its header is not the one concord writes): its embedded evidence is intact and valid, but the file is not the one concord rendered from it, so what its pages show is not covered"
	}
	switch {
	case bytes.Contains(file[:min(len(file), 4096)], []byte("/Linearized")):
		return CodeResaved, "the file was rewritten by another program (it is linearized): its embedded evidence is intact and valid, but the file is not the one concord rendered from it, so what its pages show is not covered"
	case bytes.Contains(file, []byte("/ObjStm")) || bytes.Contains(file, []byte("/Type /XRef")) || bytes.Contains(file, []byte("/Type/XRef")):
		return CodeResaved, "the file was re-saved by another program (it holds object or cross-reference streams, which concord never writes): its embedded evidence is intact and valid, but the file is not the one concord rendered from it, so what its pages show is not covered"
	}
	return CodePagesDiffer, "its pages are not the ones concord renders from its embedded evidence, which is intact and valid: " + firstDifference(want, file)
}

// checkAgainstLedger checks that the ledger in dir is the one the PDF's
// history is of, and that the PDF's rendered entry is in its history: the
// commits are content-addressed, so the whole history up to it is then the
// ledger's own.
func checkAgainstLedger(dir string, rep *PDFReport, problem func(string, string, ...any)) error {
	l, err := ledger.Open(dir)
	if err != nil {
		return err
	}
	defer l.Close()
	if l.ID() != rep.Ledger {
		problem(CodeLedgerMismatch, "the PDF is of ledger %s, %s holds ledger %s", rep.Ledger, dir, l.ID())
		return nil
	}
	p, err := l.EntryOf(rep.Head)
	if err != nil {
		return err
	}
	if p < 0 {
		problem(CodeNotInLedger, "the PDF's entry %s is not in the history of the ledger in %s: it was made from another copy, or the ledger was rewritten", rep.Head, dir)
	} else if p != rep.Entry {
		problem(CodeEntryMismatch, "the PDF's entry %s is entry %d of the ledger in %s, not %d", rep.Head, p, dir, rep.Entry)
	}
	return nil
}

// firstDifference describes where got (the file) first differs from want
// (what concord renders), or returns "" if they are equal.
func firstDifference(want, got []byte) string {
	if bytes.Equal(want, got) {
		return ""
	}
	if len(got) > len(want) && bytes.HasPrefix(got, want) {
		return fmt.Sprintf("%d bytes were appended after its end", len(got)-len(want))
	}
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	where := fmt.Sprintf("the first difference is at byte %d", i)
	if j := bytes.LastIndex(want[:i], []byte(" 0 obj\n")); j >= 0 {
		k := bytes.LastIndexByte(want[:j], '\n')
		if n, err := strconv.Atoi(string(want[k+1 : j])); err == nil {
			where += fmt.Sprintf(", in object %d", n)
			switch {
			case bytes.Contains(want, []byte(fmt.Sprintf("/Contents %d 0 R", n))):
				where += " (a page's content: its visible text or drawing)"
			case bytes.HasPrefix(want[j:], []byte(" 0 obj\n<< /Type /EmbeddedFile")):
				where += " (an embedded file)"
			}
		}
	}
	if len(got) != len(want) {
		where += fmt.Sprintf("; the file has %d bytes, concord renders %d", len(got), len(want))
	}
	return where
}
