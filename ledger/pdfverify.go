package ledger

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/concord-ledger/concord/documents"
	"github.com/concord-ledger/concord/documents/pdf"
	"github.com/concord-ledger/concord/ledger/gitstore"
	"github.com/concord-ledger/concord/signing"
)

// PDFReport is what VerifyPDF found. The PDF holds when Problems is empty.
type PDFReport struct {
	Ledger     string   `json:"ledger"`
	Head       string   `json:"head"`
	Document   string   `json:"document"`
	Version    int      `json:"version"`
	Ratified   bool     `json:"ratified"`
	Files      int      `json:"files"`      // embedded files read
	Signatures int      `json:"signatures"` // signatures that verify
	Rendered   bool     `json:"rendered"`   // the file is byte for byte what concord renders from its evidence
	LedgerDir  string   `json:"ledger_dir,omitempty"`
	Problems   []string `json:"problems"`
}

// OK reports whether every check held.
func (r *PDFReport) OK() bool { return len(r.Problems) == 0 }

// PDFEvidenceError is a PDF whose evidence cannot be read at all: no
// manifest, or one that is not concord's. It is invalid evidence.
type PDFEvidenceError struct{ Problem string }

func (e *PDFEvidenceError) Error() string { return "the PDF's evidence: " + e.Problem }

// InvalidEvidence reports that the PDF is not a valid concord PDF.
func (e *PDFEvidenceError) InvalidEvidence() bool { return true }

// Hint says what to try next.
func (e *PDFEvidenceError) Hint() string {
	return "the file is not a PDF as concord exports it, or it was changed since; export it again from the ledger"
}

var pdfDecisionRe = regexp.MustCompile(`^decision-([0-9]{8})-([a-z0-9-]{1,64})\.statement$`)

// VerifyPDF checks a PDF that concord exported, from the PDF alone:
//
//   - every embedded file is the one the manifest lists;
//   - the ledger id is the SHA-256 of the embedded genesis.json, and the
//     document, version and statements name it;
//   - every text has the SHA-256 the version records, and every statement
//     names exactly those hashes;
//   - every signature verifies (ed25519 SSHSIG, namespace concord) for a
//     key the embedded allowed_signers lists for its signatory, and the
//     roster records the manifest carries hold keys listed there;
//   - ratified.json follows from the signed decisions, and a version whose
//     rule the decisions meet records its ratification;
//   - the PDF is byte for byte what concord renders from that evidence, so
//     a changed visible text, an appended update, a replaced appendix or
//     the appendix of another version are all found.
//
// With ledgerDir, it also checks the evidence against that ledger: the
// same ledger id, the head in its history, and every embedded file as the
// ledger holds it at that head. A file that is not a concord PDF at all is
// a *pdf.ExtractError or *PDFEvidenceError; problems with the evidence
// are in the report; other errors are operational (the ledger cannot be
// read).
func VerifyPDF(data []byte, ledgerDir string) (*PDFReport, error) {
	files, err := pdf.Extract(data)
	if err != nil {
		return nil, err
	}
	rep := &PDFReport{Files: len(files), Problems: []string{}}
	if len(files) == 0 || files[len(files)-1].Name != "manifest.json" {
		return nil, &PDFEvidenceError{Problem: "manifest.json is not the last embedded file"}
	}
	var man PDFManifest
	if err := DecodeJSON(files[len(files)-1].Data, &man); err != nil {
		return nil, &PDFEvidenceError{Problem: fmt.Sprintf("manifest.json: %v", err)}
	}
	if man.Format != PDFEvidenceFormat {
		return nil, &PDFEvidenceError{Problem: fmt.Sprintf("manifest.json: format %q is not %q", man.Format, PDFEvidenceFormat)}
	}
	rep.Ledger, rep.Head, rep.Document, rep.Version = man.Ledger, man.Head, man.Document, man.Version
	problem := func(format string, a ...any) { rep.Problems = append(rep.Problems, fmt.Sprintf(format, a...)) }

	byName := map[string][]byte{}
	for _, f := range files {
		byName[f.Name] = f.Data
	}
	if len(man.Files) != len(files)-1 {
		problem("the manifest lists %d files, the PDF embeds %d besides it", len(man.Files), len(files)-1)
	}
	for i, mf := range man.Files {
		if i >= len(files)-1 {
			break
		}
		sum := sha256.Sum256(files[i].Data)
		switch f := files[i]; {
		case f.Name != mf.Name:
			problem("embedded file %d is %s, the manifest lists %s there", i+1, f.Name, mf.Name)
		case hex.EncodeToString(sum[:]) != mf.SHA256:
			problem("the embedded %s has the SHA-256 %x, the manifest lists %s: it was replaced", f.Name, sum, mf.SHA256)
		}
	}

	src, err := pdfSourceFromEvidence(&man, byName, rep, problem)
	if err != nil {
		problem("%v", err)
	}
	if src != nil {
		rep.Ratified = src.ratified != nil
		in, err := assemblePDF(src)
		if err != nil {
			problem("the evidence cannot be rendered: %v", err)
		} else {
			if want := in.Evidence[len(in.Evidence)-1].Data; !bytes.Equal(want, files[len(files)-1].Data) {
				problem("manifest.json is not the manifest concord writes for this evidence")
			}
			out, err := pdf.Render(in)
			if err != nil {
				problem("the evidence cannot be rendered: %v", err)
			} else if d := firstDifference(out, data); d != "" {
				problem("the PDF is not the one concord renders from its embedded evidence: %s", d)
			} else {
				rep.Rendered = true
			}
		}
	}

	if ledgerDir != "" {
		rep.LedgerDir = ledgerDir
		if err := checkPDFAgainstLedger(ledgerDir, &man, files, problem); err != nil {
			return nil, err
		}
	}
	return rep, nil
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

// pdfSourceFromEvidence checks the embedded evidence and rebuilds from it
// what the PDF was made from. Problems are reported through problem; the
// error says why nothing could be rebuilt.
func pdfSourceFromEvidence(man *PDFManifest, files map[string][]byte, rep *PDFReport, problem func(string, ...any)) (*pdfSource, error) {
	need := func(name string) ([]byte, error) {
		data, ok := files[name]
		if !ok {
			return nil, fmt.Errorf("the PDF embeds no %s", name)
		}
		return data, nil
	}
	src := &pdfSource{head: man.Head, superseded: man.Superseded, roster: man.Roster, texts: map[string][]byte{}}
	var err error
	if src.genesisRaw, err = need("genesis.json"); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(src.genesisRaw)
	src.ledgerID = hex.EncodeToString(sum[:])
	if src.ledgerID != man.Ledger {
		problem("the ledger id is %s (the SHA-256 of genesis.json), the manifest says %s", src.ledgerID, man.Ledger)
	}
	src.genesis = new(Genesis)
	if err := DecodeJSON(src.genesisRaw, src.genesis); err != nil {
		return nil, fmt.Errorf("genesis.json: %v", err)
	}
	if src.docRaw, err = need("document.json"); err != nil {
		return nil, err
	}
	src.doc = new(Document)
	if err := DecodeJSON(src.docRaw, src.doc); err != nil {
		return nil, fmt.Errorf("document.json: %v", err)
	}
	if src.versionRaw, err = need("version.json"); err != nil {
		return nil, err
	}
	src.v = new(Version)
	if err := DecodeJSON(src.versionRaw, src.v); err != nil {
		return nil, fmt.Errorf("version.json: %v", err)
	}
	doc, v := src.doc, src.v
	if doc.ID != man.Document || doc.Ledger != src.ledgerID || v.Document != doc.ID || v.Number != man.Version || v.Ledger != src.ledgerID {
		problem("document.json and version.json are of %s v%d in ledger %.12s…, the manifest names %s v%d in ledger %.12s…",
			v.Document, v.Number, v.Ledger, man.Document, man.Version, man.Ledger)
	}
	if src.headTime, err = time.Parse(time.RFC3339, man.Time); err != nil {
		return nil, fmt.Errorf("manifest.json: time %q: %v", man.Time, err)
	}
	src.headTime = src.headTime.UTC()
	entries := map[int]PDFManifestEntry{}
	for _, e := range man.Entries {
		entries[e.Entry] = e
	}
	src.at = func(p int) (string, time.Time, error) {
		e, ok := entries[p]
		if !ok {
			return "", time.Time{}, fmt.Errorf("the manifest gives no commit for entry %d", p)
		}
		t, err := time.Parse(time.RFC3339, e.Time)
		if err != nil {
			return "", time.Time{}, fmt.Errorf("manifest.json: entry %d: time %q: %v", p, e.Time, err)
		}
		return e.Commit, t.UTC(), nil
	}

	for _, t := range v.Texts {
		name := "text-" + t.Lang + ".txt"
		data, err := need(name)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != t.SHA256 {
			problem("%s has the SHA-256 %x, version.json and the signed statements name %s", name, sum, t.SHA256)
		}
		if !documents.IsCanonical(data) {
			problem("%s is not in canonical form", name)
		}
		src.texts[t.Lang] = data
	}

	if src.allowed, err = need("allowed_signers"); err != nil {
		return nil, err
	}
	allowed, err := parseAllowedSigners(src.allowed)
	if err != nil {
		return nil, fmt.Errorf("allowed_signers: %v", err)
	}
	if vs, ok := files["verify.sh"]; !ok || string(vs) != PDFEvidenceScript {
		problem("verify.sh is missing or is not the script concord embeds")
	}

	all := make([]string, 0, len(files))
	for name := range files {
		all = append(all, name)
	}
	slices.Sort(all) // decisions by entry: the position has a fixed width
	for _, name := range all {
		if !knownEvidenceName(name, v) {
			problem("the PDF embeds %s, a file concord does not embed", name)
		}
	}
	for _, name := range all {
		m := pdfDecisionRe.FindStringSubmatch(name)
		if m == nil {
			continue
		}
		pos, _ := strconv.Atoi(m[1])
		who := m[2]
		sigName := strings.TrimSuffix(name, StatementSuffix) + SigSuffix
		stmt := files[name]
		sig, ok := files[sigName]
		if !ok {
			problem("%s has no signature %s", name, sigName)
			continue
		}
		s, err := signing.ParseStatement(stmt)
		if err != nil {
			problem("%s: %v", name, err)
			continue
		}
		if s.Ledger != src.ledgerID || s.Document != doc.ID || s.Version != v.Number || s.Signatory != who {
			problem("%s is about ledger %.12s…, %s v%d by %s: not the decision it is filed as", name, s.Ledger, s.Document, s.Version, s.Signatory)
			continue
		}
		if !SameTexts(s.Texts, v.Texts) {
			problem("%s names text hashes other than those of %s v%d", name, doc.ID, v.Number)
			continue
		}
		if !slices.Contains(doc.Signers, who) {
			problem("%s: %s is not a signatory of %s", name, who, doc.ID)
			continue
		}
		key, err := signing.SignatureKey(sig)
		if err != nil {
			problem("%s: %v", sigName, err)
			continue
		}
		if !slices.ContainsFunc(allowed[who], func(k ssh.PublicKey) bool { return signing.SameKey(k, key) }) {
			problem("%s is signed with %s, a key allowed_signers does not list for %s", sigName, signing.Fingerprint(key), who)
			continue
		}
		if err := signing.Verify(sig, key, signing.Namespace, stmt); err != nil {
			problem("%s does not verify: %v", sigName, err)
			continue
		}
		rep.Signatures++
		late := false
		if r, ok := files["ratified.json"]; ok {
			var rat Ratified
			if DecodeJSON(r, &rat) == nil && pos > rat.Entry {
				late = true
			}
		}
		src.decisions = append(src.decisions, pdfDecision{
			Decision: Decision{Pos: pos, Signatory: who, Decision: s.Decision, Key: key, Statement: s, Late: late},
			stmt:     stmt, sig: sig})
	}

	for i, m := range man.Roster {
		key, err := m.Validate()
		if err != nil {
			problem("the manifest's roster record %d: %v", i+1, err)
			continue
		}
		if !slices.ContainsFunc(allowed[m.ID], func(k ssh.PublicKey) bool { return signing.SameKey(k, key) }) {
			problem("the manifest's roster gives %s the key %s, which allowed_signers does not list", m.ID, signing.Fingerprint(key))
		}
	}

	checkRatification(src, files, problem)
	return src, nil
}

// checkRatification checks ratified.json against the signed decisions:
// what the ledger would have recorded at its entry, and that a version
// whose rule the decisions meet records its ratification.
func checkRatification(src *pdfSource, files map[string][]byte, problem func(string, ...any)) {
	doc, v := src.doc, src.v
	raw, ok := files["ratified.json"]
	if !ok {
		vs := &VersionState{V: v}
		for _, d := range src.decisions {
			vs.Decisions = append(vs.Decisions, d.Decision)
		}
		if approvals, distinct := ApprovalsOf(doc, vs); RuleMet(doc, len(approvals), distinct) {
			problem("the signed decisions meet the rule %s, but the PDF embeds no ratification", doc.Rule)
		}
		return
	}
	rat := new(Ratified)
	if err := DecodeJSON(raw, rat); err != nil {
		problem("ratified.json: %v", err)
		return
	}
	src.ratifiedRaw, src.ratified = raw, rat
	vs := &VersionState{V: v}
	for _, d := range src.decisions {
		if d.Pos <= rat.Entry {
			vs.Decisions = append(vs.Decisions, d.Decision)
		}
	}
	approvals, distinct := ApprovalsOf(doc, vs)
	want := &Ratified{Ledger: src.ledgerID, Document: doc.ID, Version: v.Number, Rule: doc.Rule, Entry: rat.Entry, Approvals: approvals}
	switch {
	case !RuleMet(doc, len(approvals), distinct):
		problem("ratified.json records a ratification at entry %d, but the signed decisions up to it do not meet the rule %s (%d approvals)", rat.Entry, doc.Rule, len(approvals))
	case !bytes.Equal(EncodeJSON(want), raw):
		problem("ratified.json is not the ratification the signed decisions imply")
	case !slices.ContainsFunc(src.decisions, func(d pdfDecision) bool { return d.Pos == rat.Entry }):
		problem("ratified.json names entry %d, which holds no signed decision", rat.Entry)
	}
}

// knownEvidenceName reports whether concord embeds a file of this name in
// the PDF of version v.
func knownEvidenceName(name string, v *Version) bool {
	switch name {
	case "genesis.json", "document.json", "version.json", "ratified.json", "allowed_signers", "verify.sh", "manifest.json":
		return true
	}
	for _, t := range v.Texts {
		if name == "text-"+t.Lang+".txt" {
			return true
		}
	}
	if base, ok := strings.CutSuffix(name, SigSuffix); ok {
		name = base + StatementSuffix
	}
	return pdfDecisionRe.MatchString(name)
}

// parseAllowedSigners reads an allowed_signers file as concord writes it
// (signing.AllowedSigners) and returns the keys each principal may sign
// with in the namespace concord. Anything else is an error.
func parseAllowedSigners(b []byte) (map[string][]ssh.PublicKey, error) {
	var entries []signing.AllowedSigner
	for i, line := range strings.SplitAfter(string(b), "\n") {
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 4 || !strings.HasSuffix(line, "\n") {
			return nil, fmt.Errorf("line %d is not as concord writes it", i+1)
		}
		nsList, ok := strings.CutPrefix(f[1], `namespaces="`)
		if !ok || !strings.HasSuffix(nsList, `"`) {
			return nil, fmt.Errorf("line %d has no namespaces", i+1)
		}
		key, err := signing.ParsePublicKey([]byte(f[2] + " " + f[3]))
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", i+1, err)
		}
		e := signing.AllowedSigner{Principal: f[0], Key: key, Namespaces: strings.Split(strings.TrimSuffix(nsList, `"`), ",")}
		if err := e.Check(); err != nil {
			return nil, fmt.Errorf("line %d: %v", i+1, err)
		}
		entries = append(entries, e)
	}
	if !bytes.Equal(signing.AllowedSigners(entries), b) {
		return nil, fmt.Errorf("not in the form concord writes (sorted, one line per key)")
	}
	out := map[string][]ssh.PublicKey{}
	for _, e := range entries {
		if slices.Contains(e.Namespaces, signing.Namespace) {
			out[e.Principal] = append(out[e.Principal], e.Key)
		}
	}
	return out, nil
}

// checkPDFAgainstLedger checks the PDF's evidence against the ledger in
// dir: the same ledger, the manifest's head in its history, and every
// embedded file as the ledger gives it at that head.
func checkPDFAgainstLedger(dir string, man *PDFManifest, files []pdf.File, problem func(string, ...any)) error {
	l, err := openUncached(dir)
	if err != nil {
		return err
	}
	if l.ID() != man.Ledger {
		problem("the PDF is of ledger %s, %s holds ledger %s", man.Ledger, dir, l.ID())
		return nil
	}
	chain, err := l.repo.FirstParentChain(l.head)
	if err != nil {
		return err
	}
	entry := slices.IndexFunc(chain, func(c *gitstore.Commit) bool { return c.ID == man.Head })
	if entry < 0 {
		problem("the PDF's head %s is not in the history of the ledger in %s: it was made from another copy, or the ledger was rewritten", man.Head, dir)
		return nil
	}
	at, err := l.at(man.Head, entry)
	if err != nil {
		return err
	}
	in, err := at.PDFInput(man.Document, man.Version)
	if err != nil {
		var r *RefusedError
		if errors.As(err, &r) {
			problem("the ledger in %s at %.12s: %v", dir, man.Head, err)
			return nil
		}
		return err
	}
	want := map[string][]byte{}
	for _, f := range in.Evidence {
		want[f.Name] = f.Data
	}
	got := map[string]bool{}
	for _, f := range files {
		got[f.Name] = true
		if w, ok := want[f.Name]; !ok {
			problem("the ledger in %s has no %s for %s v%d at %.12s", dir, f.Name, man.Document, man.Version, man.Head)
		} else if !bytes.Equal(w, f.Data) {
			problem("the embedded %s differs from the ledger's in %s at %.12s", f.Name, dir, man.Head)
		}
	}
	for _, f := range in.Evidence {
		if !got[f.Name] {
			problem("the PDF lacks %s, which the ledger in %s holds for %s v%d at %.12s", f.Name, dir, man.Document, man.Version, man.Head)
		}
	}
	return nil
}

// at returns the ledger as it was at commit head, entry number entry of
// its history.
func (l *Ledger) at(head string, entry int) (*Ledger, error) {
	st, err := readRoster(l.repo, head, !l.noCache)
	if err != nil {
		return nil, err
	}
	return &Ledger{Dir: l.Dir, repo: l.repo, head: head, entry: entry, st: st, noCache: l.noCache}, nil
}
