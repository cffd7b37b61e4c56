package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"time"

	"github.com/concord-ledger/concord/documents/pdf"
	"github.com/concord-ledger/concord/signing"
)

// PDFEvidenceFormat names the layout of the evidence a PDF embeds.
const PDFEvidenceFormat = "concord-pdf-evidence-v1"

// PDFEvidenceScript is the verify.sh embedded in every PDF: POSIX sh that
// re-checks, in the folder the embedded files were saved to (pdfdetach
// -saveall), every decision's signature with ssh-keygen -Y verify against
// allowed_signers, that it names this ledger (the SHA-256 of genesis.json),
// and every text hash it names with sha256sum. Exit status 0: all holds.
const PDFEvidenceScript = `#!/bin/sh
# concord PDF evidence: re-check every signature and text hash with
# ssh-keygen and sha256sum only. Exit status 0: everything holds; 1: not.
set -u
cd "$(dirname "$0")" || exit 1
fail=0
checked=0
ledger=$(sha256sum genesis.json | cut -d' ' -f1)
echo "ledger $ledger"
for st in decision-*.statement; do
	[ -e "$st" ] || continue
	sig="${st%.statement}.sig"
	who=$(sed -n 's/^signatory //p' "$st")
	if ! ssh-keygen -Y verify -f allowed_signers -I "$who" -n concord -s "$sig" < "$st" >/dev/null 2>&1; then
		echo "FAIL signature: $sig does not verify for $who"
		fail=1
	fi
	if [ "$(sed -n 's/^ledger //p' "$st")" != "$ledger" ]; then
		echo "FAIL ledger: $st names another ledger"
		fail=1
	fi
	if ! sed -n 's/^text //p' "$st" | {
		ok=0
		while read -r lang hash; do
			got=$(sha256sum "text-$lang.txt" 2>/dev/null | cut -d' ' -f1)
			if [ "$got" != "$hash" ]; then
				echo "FAIL text: text-$lang.txt does not have the SHA-256 $st names"
				ok=1
			fi
		done
		exit $ok
	}; then
		fail=1
	fi
	checked=$((checked + 1))
done
` + scriptVerdict

// PDFManifest is the manifest.json a PDF embeds: what the other embedded
// files are, and the ledger facts that are not in them (the head, the
// commits and times of the version's entries, the roster records of the
// required signatories, the amendment that superseded the version), so
// that the PDF can be re-rendered, and its evidence re-checked, from the
// PDF alone (VerifyPDF).
type PDFManifest struct {
	Format   string             `json:"format"`
	Ledger   string             `json:"ledger"`
	Head     string             `json:"head"`
	Time     string             `json:"time"` // the head commit's time, RFC 3339 UTC
	Document string             `json:"document"`
	Version  int                `json:"version"`
	Entries  []PDFManifestEntry `json:"entries"`
	Roster   []Member           `json:"roster"` // the required signatories, in the document's order, as at the head
	// Superseded is the entry of the amendment that made the next version,
	// 0 if the version is the latest at the head.
	Superseded int               `json:"superseded,omitempty"`
	Files      []PDFManifestFile `json:"files"` // every other embedded file
}

// PDFManifestEntry is a ledger entry the PDF refers to.
type PDFManifestEntry struct {
	Entry  int    `json:"entry"`
	Commit string `json:"commit"`
	Time   string `json:"time"` // the committer's claimed time, RFC 3339 UTC
}

// PDFManifestFile is one embedded file.
type PDFManifestFile struct {
	Name   string `json:"name"`
	Path   string `json:"path,omitempty"` // where it is in the ledger, if it is a ledger file
	SHA256 string `json:"sha256"`
}

// ExportPDF renders version n (0: the latest) of document id, with its
// signature appendix and evidence, as a PDF. The same ledger head always
// gives the same bytes.
func (l *Ledger) ExportPDF(id string, n int) ([]byte, error) {
	in, err := l.PDFInput(id, n)
	if err != nil {
		return nil, err
	}
	return pdf.Render(in)
}

// pdfSource is everything a PDF is made from. PDFInput fills it from the
// ledger and VerifyPDF from a PDF's embedded evidence; assemblePDF turns
// it into the Input, so that both give the same Input for the same facts.
type pdfSource struct {
	ledgerID    string
	genesisRaw  []byte
	genesis     *Genesis
	docRaw      []byte
	doc         *Document
	versionRaw  []byte
	v           *Version
	ratifiedRaw []byte    // nil if the version is not ratified
	ratified    *Ratified // nil if the version is not ratified
	texts       map[string][]byte
	decisions   []pdfDecision // the version's decisions, in ledger order
	roster      []Member      // the required signatories, in the document's order
	allowed     []byte        // the allowed_signers file
	head        string
	headTime    time.Time
	superseded  int // entry of the next version, 0 if none
	// at gives the commit and committer time of entry p.
	at func(p int) (string, time.Time, error)
}

// pdfDecision is one signed decision with its files.
type pdfDecision struct {
	decision
	stmt, sig []byte
}

// PDFInput gathers what the PDF of version n (0: the latest) of document
// id shows and embeds, from the ledger at its head.
func (l *Ledger) PDFInput(id string, n int) (*pdf.Input, error) {
	ds, err := loadDoc(l.st, l.repo, l.head, id)
	if err != nil {
		return nil, err
	}
	vs, err := pickVersion(ds, n)
	if err != nil {
		return nil, err
	}
	chain, err := l.repo.FirstParentChain(l.head)
	if err != nil {
		return nil, err
	}
	if len(chain) != l.entry+1 {
		return nil, fmt.Errorf("the ledger has %d commits on its first-parent chain, not %d entries", len(chain), l.entry+1)
	}
	src := &pdfSource{ledgerID: l.ID(), genesis: l.st.Genesis, doc: ds.doc, v: vs.v, ratified: vs.ratified,
		head: l.head, headTime: chain[l.entry].When.UTC(), superseded: vs.superseded, allowed: l.AllowedSigners(),
		texts: map[string][]byte{}}
	src.at = func(p int) (string, time.Time, error) {
		if p < 0 || p >= len(chain) {
			return "", time.Time{}, fmt.Errorf("entry %d is not in the ledger", p)
		}
		return chain[p].ID, chain[p].When.UTC(), nil
	}
	read := func(path string) ([]byte, error) {
		data, err := l.repo.ReadFile(l.head, path)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		return data, nil
	}
	v := vs.v
	if src.genesisRaw, err = read(genesisPath); err != nil {
		return nil, err
	}
	if src.docRaw, err = read(docFile(id)); err != nil {
		return nil, err
	}
	if src.versionRaw, err = read(versionFile(id, v.Number)); err != nil {
		return nil, err
	}
	if vs.ratified != nil {
		if src.ratifiedRaw, err = read(ratifiedFile(id, v.Number)); err != nil {
			return nil, err
		}
	}
	for _, t := range v.Texts {
		data, ok := vs.texts[t.Lang]
		if !ok {
			if data, err = read(textFile(id, v.Number, t.Lang)); err != nil {
				return nil, err
			}
		}
		src.texts[t.Lang] = data
	}
	for _, d := range vs.decisions {
		base := decisionBase(id, v.Number, d.pos, d.signatory)
		pd := pdfDecision{decision: d}
		if pd.stmt, err = read(base + statementSuffix); err != nil {
			return nil, err
		}
		if pd.sig, err = read(base + sigSuffix); err != nil {
			return nil, err
		}
		src.decisions = append(src.decisions, pd)
	}
	for _, who := range ds.doc.Signers {
		m, ok := l.st.members[who]
		if !ok {
			return nil, fmt.Errorf("signatory %s of %s is not on the roster", who, id)
		}
		src.roster = append(src.roster, m.Member)
	}
	return assemblePDF(src)
}

// assemblePDF makes the Input, and the manifest it embeds, from src.
func assemblePDF(src *pdfSource) (*pdf.Input, error) {
	doc, v, id := src.doc, src.v, src.doc.ID
	in := &pdf.Input{
		LedgerTitle: src.genesis.Title, Title: doc.Title, Document: id, Version: v.Number,
		Ledger: src.ledgerID, Head: src.head, Date: src.headTime, Demo: src.genesis.Demo,
		Namespace: signing.Namespace, Producer: "concord",
	}
	vs := &versionState{v: v}
	for _, d := range src.decisions {
		vs.decisions = append(vs.decisions, d.decision)
	}
	approvals, _ := approvalsOf(doc, vs)
	in.Status = pdf.Status{Rule: doc.Rule.Describe(len(doc.Signers)), Approvals: len(approvals), Required: len(doc.Signers)}
	if doc.Rule.Kind == "quorum" {
		in.Status.Required = doc.Rule.Quorum
	}
	if src.ratified != nil {
		in.Status.Ratified, in.Status.RatifiedEntry = true, src.ratified.Entry
	}
	if src.superseded != 0 {
		in.Status.SupersededBy, in.Status.SupersededAt = v.Number+1, src.superseded
	}

	man := &PDFManifest{Format: PDFEvidenceFormat, Ledger: src.ledgerID, Head: src.head, Time: src.headTime.Format(time.RFC3339),
		Document: id, Version: v.Number, Superseded: src.superseded}
	addFile := func(name, ledgerPath string, data []byte) {
		in.Evidence = append(in.Evidence, pdf.File{Name: name, Data: data})
		sum := sha256.Sum256(data)
		man.Files = append(man.Files, PDFManifestFile{Name: name, Path: ledgerPath, SHA256: hex.EncodeToString(sum[:])})
	}
	addFile("genesis.json", genesisPath, src.genesisRaw)
	addFile("document.json", docFile(id), src.docRaw)
	addFile("version.json", versionFile(id, v.Number), src.versionRaw)
	if src.ratified != nil {
		addFile("ratified.json", ratifiedFile(id, v.Number), src.ratifiedRaw)
	}
	for _, t := range v.Texts {
		data, ok := src.texts[t.Lang]
		if !ok {
			return nil, fmt.Errorf("no %s text of %s v%d", t.Lang, id, v.Number)
		}
		in.Texts = append(in.Texts, pdf.Text{Lang: t.Lang, Data: data, SHA256: t.SHA256})
		addFile("text-"+t.Lang+".txt", textFile(id, v.Number, t.Lang), data)
	}

	entries := map[int]bool{}
	event := func(p int, what string) error {
		commit, when, err := src.at(p)
		if err != nil {
			return err
		}
		in.Timeline = append(in.Timeline, pdf.Event{Entry: p, Time: when, What: what, Commit: commit})
		entries[p] = true
		return nil
	}
	what := fmt.Sprintf("proposed by %s", v.Author)
	if v.Number > 1 {
		what = fmt.Sprintf("version %d proposed by %s as an amendment", v.Number, v.Author)
	}
	if v.Note != "" {
		what += " (" + v.Note + ")"
	}
	if err := event(v.Entry, what); err != nil {
		return nil, err
	}
	for _, d := range src.decisions {
		what := "approved by " + d.signatory
		if d.decision.decision == signing.Withdraw {
			what = "approval withdrawn by " + d.signatory
		}
		if err := event(d.pos, what); err != nil {
			return nil, err
		}
		base := decisionBase(id, v.Number, d.pos, d.signatory)
		name := fmt.Sprintf("decision-%s-%s", posString(d.pos), d.signatory)
		addFile(name+statementSuffix, base+statementSuffix, d.stmt)
		addFile(name+sigSuffix, base+sigSuffix, d.sig)
	}
	if src.ratified != nil {
		if err := event(src.ratified.Entry, "ratified: "+in.Status.Rule); err != nil {
			return nil, err
		}
	}
	if src.superseded != 0 {
		if err := event(src.superseded, fmt.Sprintf("superseded by version %d", v.Number+1)); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(in.Timeline, func(i, j int) bool { return in.Timeline[i].Entry < in.Timeline[j].Entry })

	if len(src.roster) != len(doc.Signers) {
		return nil, fmt.Errorf("%d roster records for %d signatories", len(src.roster), len(doc.Signers))
	}
	for i, who := range doc.Signers {
		m := src.roster[i]
		if m.ID != who {
			return nil, fmt.Errorf("roster record %d is of %s, not of the signatory %s", i+1, m.ID, who)
		}
		man.Roster = append(man.Roster, m)
		s := pdf.Signatory{ID: who, Name: m.Name, Title: m.Title, Institution: m.Institution, Country: m.Country,
			Decision: pdf.Pending}
		if key, err := parseKey(m.Key); err == nil {
			s.Fingerprint = signing.Fingerprint(key)
		}
		var last *pdfDecision
		for i := range src.decisions {
			if src.decisions[i].signatory == who {
				last = &src.decisions[i]
			}
		}
		if last != nil {
			s.Decision = pdf.Approved
			if last.decision.decision == signing.Withdraw {
				s.Decision = pdf.Withdrawn
			}
			s.Entry, s.Time = last.pos, last.statement.Time.UTC()
			s.Fingerprint = signing.Fingerprint(last.key)
			var err error
			if s.Commit, _, err = src.at(last.pos); err != nil {
				return nil, err
			}
			s.Signature = last.sig
		}
		in.Signatories = append(in.Signatories, s)
	}

	addFile("allowed_signers", "", src.allowed)
	addFile("verify.sh", "", []byte(PDFEvidenceScript))
	var ps []int
	for p := range entries {
		ps = append(ps, p)
	}
	sort.Ints(ps)
	for _, p := range ps {
		commit, when, _ := src.at(p)
		man.Entries = append(man.Entries, PDFManifestEntry{Entry: p, Commit: commit, Time: when.Format(time.RFC3339)})
	}
	// The manifest lists the files before it; it is the last file.
	in.Evidence = append(in.Evidence, pdf.File{Name: "manifest.json", Data: encodeJSON(man)})
	return in, nil
}

// PDFArchiveFile is one PDF of an archive export.
type PDFArchiveFile struct {
	File     string `json:"file"` // DOC-vN.pdf, in the archive folder
	Document string `json:"document"`
	Version  int    `json:"version"`
	Bytes    int    `json:"bytes"`
	SHA256   string `json:"sha256"`
}

// PDFArchive is the MANIFEST.json of an archive export: the ledger state
// the PDFs were made from, and every PDF.
type PDFArchive struct {
	Format string           `json:"format"`
	Ledger string           `json:"ledger"`
	Head   string           `json:"head"`
	Files  []PDFArchiveFile `json:"files"`
}

// PDFArchiveFormat names the layout of an archive export's MANIFEST.json.
const PDFArchiveFormat = "concord-pdf-archive-v1"

// ExportPDFArchive writes into out, which must be absent or empty, the PDF
// of every ratified version of every document (DOC-vN.pdf, documents in
// id order, versions in order), MANIFEST.json (PDFArchive) and SHA256SUMS
// (as sha256sum -c reads it). The same ledger head always gives the same
// files.
func (l *Ledger) ExportPDFArchive(out string) (*PDFArchive, error) {
	rep, err := l.ExportPDFArchiveAll(out) // pdfarchive.go: one version that fails does not block the others
	if rep == nil {
		return nil, err
	}
	return rep.PDFArchive, err
}
