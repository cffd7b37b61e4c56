package evidence

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"

	"github.com/concord-ledger/concord/documents/pdf"
	"github.com/concord-ledger/concord/ledger"
	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/signing"
)

// PDFEvidenceFormat names the layout of the evidence a PDF embeds.
const PDFEvidenceFormat = "concord-pdf-evidence-v2"

// BundleName is the embedded git bundle of the ledger's history up to the
// rendered entry (gitstore.Bundle).
const BundleName = "ledger.bundle"

// PDFManifest is the manifest.json a PDF embeds, last of its files: which
// ledger, entry, document and version the PDF is of, and every other
// embedded file with its ledger path and SHA-256. Each of its facts can be
// checked with stock tools against the embedded history (verify.sh does);
// everything else the PDF shows follows from that history (VerifyPDF
// renders it again). docs/EVIDENCE.md gives the exact form.
type PDFManifest struct {
	Format   string            `json:"format"`
	Ledger   string            `json:"ledger"`
	Head     string            `json:"head"` // the rendered entry's commit: the bundle's head
	Document string            `json:"document"`
	Version  int               `json:"version"`
	Files    []PDFManifestFile `json:"files"` // every other embedded file
}

// PDFManifestFile is one embedded file.
type PDFManifestFile struct {
	Name   string `json:"name"`
	Path   string `json:"path,omitempty"` // where it is in the ledger, if it is a ledger file
	SHA256 string `json:"sha256"`
}

// ExportPDF renders version n (0: the latest) of document id of ledger l,
// with its signature appendix and evidence, as a PDF.
//
// The PDF shows the version as the ledger stood at one entry, the
// rendered entry: the entry that ratified it, for a ratified version, so
// that its PDF depends only on the ledger up to that entry and exporting
// it at any later head gives the same bytes; otherwise the head. It embeds
// the ledger's history up to that entry as a git bundle, from which
// VerifyPDF replays every fact the PDF shows.
func ExportPDF(l *ledger.Ledger, id string, n int) ([]byte, error) {
	in, err := Input(l, id, n)
	if err != nil {
		return nil, err
	}
	return pdf.Render(in)
}

// Input gathers what the PDF of version n (0: the latest) of document id
// shows and embeds (see ExportPDF).
func Input(l *ledger.Ledger, id string, n int) (*pdf.Input, error) {
	in, _, err := input(l, id, n)
	return in, err
}

// input is Input, also returning the record of the version at the rendered
// entry that the Input was made from.
func input(l *ledger.Ledger, id string, n int) (*pdf.Input, *ledger.VersionRecord, error) {
	rec, err := l.VersionRecord(id, n)
	if err != nil {
		return nil, nil, err
	}
	if rec.Ratified != nil && rec.Ratified.Entry != rec.HeadEntry {
		if l, err = l.At(rec.Ratified.Entry); err != nil {
			return nil, nil, err
		}
		if rec, err = l.VersionRecord(id, rec.Version.Number); err != nil {
			return nil, nil, err
		}
	}
	bundle, err := l.Bundle()
	if err != nil {
		return nil, nil, fmt.Errorf("writing the ledger's history into the PDF: %w", err)
	}
	in, err := assemble(rec, bundle)
	return in, rec, err
}

// assemble makes the Input, and the manifest it embeds, from the record of
// a version at the rendered entry and the bundle of the history up to it.
func assemble(src *ledger.VersionRecord, bundle []byte) (*pdf.Input, error) {
	doc, v, id := src.Document, src.Version, src.Document.ID
	_, headTime, err := src.EntryCommit(src.HeadEntry)
	if err != nil {
		return nil, err
	}
	in := &pdf.Input{
		LedgerTitle: src.Genesis.Title, Title: doc.Title, Document: id, Version: v.Number,
		Ledger: src.Ledger, Head: src.Head, Date: headTime, Demo: src.Genesis.Demo,
		Namespace: signing.Namespace, Producer: "concord",
	}
	vs := &rules.VersionState{V: v}
	for _, d := range src.Decisions {
		vs.Decisions = append(vs.Decisions, d.Decision)
	}
	approvals, _ := rules.ApprovalsOf(doc, vs)
	in.Status = pdf.Status{Rule: doc.Rule.Describe(len(doc.Signers)), Approvals: len(approvals), Required: len(doc.Signers)}
	if doc.Rule.Kind == "quorum" {
		in.Status.Required = doc.Rule.Quorum
	}
	if src.Ratified != nil {
		in.Status.Ratified, in.Status.RatifiedEntry = true, src.Ratified.Entry
		if _, in.Status.RatifiedTime, err = src.EntryCommit(src.Ratified.Entry); err != nil {
			return nil, err
		}
	}
	if src.Superseded != 0 {
		in.Status.SupersededBy, in.Status.SupersededAt = v.Number+1, src.Superseded
	}

	man := &PDFManifest{Format: PDFEvidenceFormat, Ledger: src.Ledger, Head: src.Head, Document: id, Version: v.Number}
	addFile := func(name, ledgerPath string, data []byte) {
		in.Evidence = append(in.Evidence, pdf.File{Name: name, Data: data})
		sum := sha256.Sum256(data)
		man.Files = append(man.Files, PDFManifestFile{Name: name, Path: ledgerPath, SHA256: hex.EncodeToString(sum[:])})
	}
	addFile("genesis.json", rules.GenesisPath, src.GenesisRaw)
	addFile("document.json", rules.DocFile(id), src.DocumentRaw)
	addFile("version.json", rules.VersionFile(id, v.Number), src.VersionRaw)
	if src.Ratified != nil {
		addFile("ratified.json", rules.RatifiedFile(id, v.Number), src.RatifiedRaw)
	}
	for _, t := range v.Texts {
		data, ok := src.Texts[t.Lang]
		if !ok {
			return nil, fmt.Errorf("no %s text of %s v%d", t.Lang, id, v.Number)
		}
		in.Texts = append(in.Texts, pdf.Text{Lang: t.Lang, Data: data, SHA256: t.SHA256})
		addFile("text-"+t.Lang+".txt", rules.TextFile(id, v.Number, t.Lang), data)
	}

	event := func(p int, what string) error {
		commit, when, err := src.EntryCommit(p)
		if err != nil {
			return err
		}
		in.Timeline = append(in.Timeline, pdf.Event{Entry: p, Time: when, What: what, Commit: commit})
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
	for _, d := range src.Decisions {
		what := "approved by " + d.Signatory
		if d.Decision.Decision == signing.Withdraw {
			what = "approval withdrawn by " + d.Signatory
		}
		if err := event(d.Pos, what); err != nil {
			return nil, err
		}
		base := rules.DecisionBase(id, v.Number, d.Pos, d.Signatory)
		name := fmt.Sprintf("decision-%s-%s", rules.PosString(d.Pos), d.Signatory)
		addFile(name+rules.StatementSuffix, base+rules.StatementSuffix, d.StatementRaw)
		addFile(name+rules.SigSuffix, base+rules.SigSuffix, d.SignatureRaw)
	}
	if src.Ratified != nil {
		if err := event(src.Ratified.Entry, "ratified: "+in.Status.Rule); err != nil {
			return nil, err
		}
	}
	if src.Superseded != 0 {
		if err := event(src.Superseded, fmt.Sprintf("superseded by version %d", v.Number+1)); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(in.Timeline, func(i, j int) bool { return in.Timeline[i].Entry < in.Timeline[j].Entry })

	if len(src.Roster) != len(doc.Signers) {
		return nil, fmt.Errorf("%d roster records for %d signatories", len(src.Roster), len(doc.Signers))
	}
	for i, who := range doc.Signers {
		m := src.Roster[i]
		if m.ID != who {
			return nil, fmt.Errorf("roster record %d is of %s, not of the signatory %s", i+1, m.ID, who)
		}
		s := pdf.Signatory{ID: who, Name: m.Name, Title: m.Title, Institution: m.Institution, Country: m.Country,
			Decision: pdf.Pending}
		if key, err := rules.ParseKey(m.Key); err == nil {
			s.Fingerprint = signing.Fingerprint(key)
		}
		var last *ledger.DecisionRecord
		for i := range src.Decisions {
			if src.Decisions[i].Signatory == who {
				last = &src.Decisions[i]
			}
		}
		if last != nil {
			s.Decision = pdf.Approved
			if last.Decision.Decision == signing.Withdraw {
				s.Decision = pdf.Withdrawn
			}
			s.Entry, s.Time = last.Pos, last.Statement.Time.UTC()
			s.Fingerprint = signing.Fingerprint(last.Key)
			var err error
			if s.Commit, _, err = src.EntryCommit(last.Pos); err != nil {
				return nil, err
			}
			s.Signature = last.SignatureRaw
		}
		in.Signatories = append(in.Signatories, s)
	}

	addFile("allowed_signers", "", src.AllowedSigners)
	addFile("verify.sh", "", []byte(VerifyScript))
	addFile(BundleName, "", bundle)
	// The manifest lists the files before it; it is the last file.
	in.Evidence = append(in.Evidence, pdf.File{Name: "manifest.json", Data: rules.EncodeJSON(man)})
	return in, nil
}
