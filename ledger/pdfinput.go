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
if [ "$checked" -eq 0 ]; then
	echo "FAIL: no statement found"
	exit 1
fi
if [ "$fail" -ne 0 ]; then
	echo "FAILED: some checks did not hold"
	exit 1
fi
echo "OK: $checked statements: every signature and hash holds"
`

// PDFManifest is the manifest.json a PDF embeds: what the other embedded
// files are, and the ledger facts that are not in them (the head, the
// commits and times of the version's entries, the roster records of the
// required signatories), so that the PDF can be re-rendered, and its
// evidence re-checked, from the PDF alone.
type PDFManifest struct {
	Format   string             `json:"format"`
	Ledger   string             `json:"ledger"`
	Head     string             `json:"head"`
	Time     string             `json:"time"` // the head commit's time, RFC 3339 UTC
	Document string             `json:"document"`
	Version  int                `json:"version"`
	Entries  []PDFManifestEntry `json:"entries"`
	Roster   []Member           `json:"roster"` // the required signatories, in the document's order, as at the head
	Files    []PDFManifestFile  `json:"files"`  // every other embedded file
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
	at := func(p int) (string, time.Time, error) {
		if p < 0 || p >= len(chain) {
			return "", time.Time{}, fmt.Errorf("entry %d is not in the ledger", p)
		}
		return chain[p].ID, chain[p].When.UTC(), nil
	}
	doc, v := ds.doc, vs.v
	_, headTime, _ := at(l.entry)
	in := &pdf.Input{
		LedgerTitle: l.st.Genesis.Title, Title: doc.Title, Document: id, Version: v.Number,
		Ledger: l.ID(), Head: l.head, Date: headTime, Demo: l.st.Genesis.Demo,
		Namespace: signing.Namespace, Producer: "concord",
	}
	approvals, _ := approvalsOf(doc, vs)
	in.Status = pdf.Status{Rule: doc.Rule.Describe(len(doc.Signers)), Approvals: len(approvals), Required: len(doc.Signers)}
	if doc.Rule.Kind == "quorum" {
		in.Status.Required = doc.Rule.Quorum
	}
	if vs.ratified != nil {
		in.Status.Ratified, in.Status.RatifiedEntry = true, vs.ratified.Entry
	}
	if vs.superseded != 0 {
		in.Status.SupersededBy, in.Status.SupersededAt = v.Number+1, vs.superseded
	}

	man := &PDFManifest{Format: PDFEvidenceFormat, Ledger: l.ID(), Head: l.head, Time: headTime.Format(time.RFC3339),
		Document: id, Version: v.Number}
	addFile := func(name, ledgerPath string, data []byte) {
		in.Evidence = append(in.Evidence, pdf.File{Name: name, Data: data})
		sum := sha256.Sum256(data)
		man.Files = append(man.Files, PDFManifestFile{Name: name, Path: ledgerPath, SHA256: hex.EncodeToString(sum[:])})
	}
	readFile := func(name, ledgerPath string) error {
		data, err := l.repo.ReadFile(l.head, ledgerPath)
		if err != nil {
			return fmt.Errorf("reading %s: %w", ledgerPath, err)
		}
		addFile(name, ledgerPath, data)
		return nil
	}
	for _, f := range []struct{ name, path string }{
		{"genesis.json", genesisPath}, {"document.json", docFile(id)}, {"version.json", versionFile(id, v.Number)},
	} {
		if err := readFile(f.name, f.path); err != nil {
			return nil, err
		}
	}
	if vs.ratified != nil {
		if err := readFile("ratified.json", ratifiedFile(id, v.Number)); err != nil {
			return nil, err
		}
	}

	for _, t := range v.Texts {
		data, ok := vs.texts[t.Lang]
		if !ok {
			if data, err = l.repo.ReadFile(l.head, textFile(id, v.Number, t.Lang)); err != nil {
				return nil, fmt.Errorf("reading the %s text: %w", t.Lang, err)
			}
		}
		in.Texts = append(in.Texts, pdf.Text{Lang: t.Lang, Data: data, SHA256: t.SHA256})
		addFile("text-"+t.Lang+".txt", textFile(id, v.Number, t.Lang), data)
	}

	entries := map[int]bool{}
	event := func(p int, what string) error {
		commit, when, err := at(p)
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
	for _, d := range vs.decisions {
		what := "approved by " + d.signatory
		if d.decision == signing.Withdraw {
			what = "approval withdrawn by " + d.signatory
		}
		if err := event(d.pos, what); err != nil {
			return nil, err
		}
		base := decisionBase(id, v.Number, d.pos, d.signatory)
		name := fmt.Sprintf("decision-%s-%s", posString(d.pos), d.signatory)
		if err := readFile(name+statementSuffix, base+statementSuffix); err != nil {
			return nil, err
		}
		if err := readFile(name+sigSuffix, base+sigSuffix); err != nil {
			return nil, err
		}
	}
	if vs.ratified != nil {
		if err := event(vs.ratified.Entry, "ratified: "+in.Status.Rule); err != nil {
			return nil, err
		}
	}
	if vs.superseded != 0 {
		if err := event(vs.superseded, fmt.Sprintf("superseded by version %d", v.Number+1)); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(in.Timeline, func(i, j int) bool { return in.Timeline[i].Entry < in.Timeline[j].Entry })

	for _, who := range doc.Signers {
		m, ok := l.st.members[who]
		if !ok {
			return nil, fmt.Errorf("signatory %s of %s is not on the roster", who, id)
		}
		man.Roster = append(man.Roster, m.Member)
		s := pdf.Signatory{ID: who, Name: m.Name, Title: m.Title, Institution: m.Institution, Country: m.Country,
			Decision: pdf.Pending}
		if len(m.keys) > 0 {
			s.Fingerprint = signing.Fingerprint(m.keys[len(m.keys)-1].key)
		}
		var last *decision
		for i := range vs.decisions {
			if vs.decisions[i].signatory == who {
				last = &vs.decisions[i]
			}
		}
		if last != nil {
			s.Decision = pdf.Approved
			if last.decision == signing.Withdraw {
				s.Decision = pdf.Withdrawn
			}
			s.Entry, s.Time = last.pos, last.statement.Time.UTC()
			s.Fingerprint = signing.Fingerprint(last.key)
			if s.Commit, _, err = at(last.pos); err != nil {
				return nil, err
			}
			sig, err := l.repo.ReadFile(l.head, decisionBase(id, v.Number, last.pos, who)+sigSuffix)
			if err != nil {
				return nil, fmt.Errorf("reading the signature of %s: %w", who, err)
			}
			s.Signature = sig
		}
		in.Signatories = append(in.Signatories, s)
	}

	addFile("allowed_signers", "", l.AllowedSigners())
	addFile("verify.sh", "", []byte(PDFEvidenceScript))
	var ps []int
	for p := range entries {
		ps = append(ps, p)
	}
	sort.Ints(ps)
	for _, p := range ps {
		commit, when, _ := at(p)
		man.Entries = append(man.Entries, PDFManifestEntry{Entry: p, Commit: commit, Time: when.Format(time.RFC3339)})
	}
	// The manifest lists the files before it; it is the last file.
	in.Evidence = append(in.Evidence, pdf.File{Name: "manifest.json", Data: encodeJSON(man)})
	return in, nil
}
