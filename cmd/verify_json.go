package cmd

import (
	"github.com/concord-ledger/concord/evidence"
	"github.com/concord-ledger/concord/ledger"
)

// The JSON contract of verify and verify-pdf (see jsonout.go for the
// rules): docs/schema/verify.json and docs/schema/verify-pdf.json.

// problemJSON is one problem: docs/schema/defs.json#/$defs/problem. Entry,
// commit and path are present only when the problem is tied to one.
type problemJSON struct {
	Code   string `json:"code"`
	What   string `json:"what"`
	Entry  *int   `json:"entry,omitempty"`
	Commit string `json:"commit,omitempty"`
	Path   string `json:"path,omitempty"`
}

func problemOf(code, what string, entry int, commit, path string) problemJSON {
	p := problemJSON{Code: code, What: what, Commit: commit, Path: path}
	if entry >= 0 {
		p.Entry = &entry
	}
	return p
}

// anchorJSON is a genesis steward of the trust anchor.
type anchorJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Fingerprint string `json:"fingerprint"`
}

func anchorsJSON(as []ledger.Anchor) []anchorJSON {
	out := make([]anchorJSON, 0, len(as))
	for _, a := range as {
		out = append(out, anchorJSON(a))
	}
	return out
}

// verifyJSON: docs/schema/verify.json.
type verifyJSON struct {
	OK          bool                   `json:"ok"`
	Ledger      string                 `json:"ledger"`
	Title       string                 `json:"title"`
	Demo        bool                   `json:"demo"`
	Head        string                 `json:"head"`
	Entries     int                    `json:"entries"`
	Signatures  int                    `json:"signatures"`
	Stewards    []anchorJSON           `json:"stewards"`
	Pinned      string                 `json:"pinned"`
	Documents   []verifyDocJSON        `json:"documents"`
	Ratified    []ratifiedJSON         `json:"ratified"`
	Since       *verifySinceJSON       `json:"since,omitempty"`
	Checkpoints []verifyCheckpointJSON `json:"checkpoints"`
	Problems    []problemJSON          `json:"problems"`
	Notes       []string               `json:"notes"`
}

type verifyDocJSON struct {
	Document string              `json:"document"`
	Title    string              `json:"title"`
	Entry    int                 `json:"entry"`
	Proposer string              `json:"proposer"`
	Rule     string              `json:"rule"`
	RuleText string              `json:"rule_text"`
	Signers  []string            `json:"signers"`
	Versions []verifyVersionJSON `json:"versions"`
}

type verifyVersionJSON struct {
	Version    int                  `json:"version"`
	Entry      int                  `json:"entry"`
	Texts      []jsonText           `json:"texts"`
	State      string               `json:"state"`
	Ratified   int                  `json:"ratified"`
	Superseded int                  `json:"superseded"`
	Approvals  int                  `json:"approvals"`
	Required   int                  `json:"required"`
	Decisions  []verifyDecisionJSON `json:"decisions"`
}

type verifyDecisionJSON struct {
	Entry     int    `json:"entry"`
	Signatory string `json:"signatory"`
	Name      string `json:"name"`
	Decision  string `json:"decision"`
	Key       string `json:"key"`
	Time      string `json:"time"`
	Late      bool   `json:"late"`
}

type ratifiedJSON struct {
	Document string `json:"document"`
	Version  int    `json:"version"`
	Entry    int    `json:"entry"`
}

// ratifiedOut is rs as JSON (defs.json ratified_version), never nil.
func ratifiedOut(rs []ledger.RatifiedVersion) []ratifiedJSON {
	out := []ratifiedJSON{}
	for _, rv := range rs {
		out = append(out, ratifiedJSON(rv))
	}
	return out
}

type verifySinceJSON struct {
	Head  string `json:"head"`
	Found bool   `json:"found"`
	Entry *int   `json:"entry,omitempty"`
}

type verifyCheckpointJSON struct {
	File    string       `json:"file"`
	Head    string       `json:"head"`
	Entry   int          `json:"entry"`
	Signers []signerJSON `json:"signers"`
	Held    bool         `json:"held"`
}

type signerJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// verifyReportJSON converts the audit's report to the contract.
func verifyReportJSON(r *ledger.Report) *verifyJSON {
	out := &verifyJSON{OK: r.OK(), Ledger: r.Ledger, Title: r.Title, Demo: r.Demo, Head: r.Head, Entries: r.Entries,
		Signatures: r.Signatures, Stewards: anchorsJSON(r.Stewards), Pinned: r.Pinned, Documents: []verifyDocJSON{},
		Checkpoints: []verifyCheckpointJSON{}, Problems: []problemJSON{}, Notes: nonNil(r.Notes)}
	for _, d := range r.Documents {
		dj := verifyDocJSON{Document: d.Document, Title: d.Title, Entry: d.Entry, Proposer: d.Proposer, Rule: d.Rule,
			RuleText: d.RuleText, Signers: nonNil(d.Signers), Versions: []verifyVersionJSON{}}
		for _, v := range d.Versions {
			vj := verifyVersionJSON{Version: v.Version, Entry: v.Entry, Texts: textsJSON(v.Texts), State: v.State(),
				Ratified: v.Ratified, Superseded: v.Superseded, Approvals: v.Approvals, Required: v.Required,
				Decisions: []verifyDecisionJSON{}}
			for _, dec := range v.Decisions {
				vj.Decisions = append(vj.Decisions, verifyDecisionJSON(dec))
			}
			dj.Versions = append(dj.Versions, vj)
		}
		out.Documents = append(out.Documents, dj)
	}
	out.Ratified = ratifiedOut(r.Ratified)
	if r.Since != nil {
		out.Since = &verifySinceJSON{Head: r.Since.Head, Found: r.Since.Found}
		if r.Since.Found && r.Since.Entry >= 0 {
			e := r.Since.Entry
			out.Since.Entry = &e
		}
	}
	for _, c := range r.Checkpoints {
		cj := verifyCheckpointJSON{File: c.File, Head: c.Head, Entry: c.Entry, Signers: []signerJSON{}, Held: c.Held}
		for _, s := range c.Signers {
			cj.Signers = append(cj.Signers, signerJSON(s))
		}
		out.Checkpoints = append(out.Checkpoints, cj)
	}
	for _, p := range r.Problems {
		out.Problems = append(out.Problems, problemOf(p.Code, p.What, p.Entry, p.Commit, p.Path))
	}
	return out
}

// verifyPDFJSON: docs/schema/verify-pdf.json.
type verifyPDFJSON struct {
	OK         bool          `json:"ok"`
	File       string        `json:"file"`
	Ledger     string        `json:"ledger"`
	Title      string        `json:"title"`
	Demo       bool          `json:"demo"`
	Stewards   []anchorJSON  `json:"stewards"`
	Pinned     string        `json:"pinned"`
	Document   string        `json:"document"`
	Version    int           `json:"version"`
	Head       string        `json:"head"`
	Entry      int           `json:"entry"`
	Entries    int           `json:"entries"`
	Ratified   bool          `json:"ratified"`
	Files      int           `json:"files"`
	Signatures int           `json:"signatures"`
	Decisions  int           `json:"decisions"`
	Rendered   bool          `json:"rendered"`
	LedgerDir  string        `json:"ledger_dir"`
	Problems   []problemJSON `json:"problems"`
}

// verifyPDFReportJSON converts VerifyPDF's report on file to the contract.
func verifyPDFReportJSON(file string, r *evidence.PDFReport) *verifyPDFJSON {
	out := &verifyPDFJSON{OK: r.OK(), File: file, Ledger: r.Ledger, Title: r.Title, Demo: r.Demo, Stewards: anchorsJSON(r.Stewards),
		Pinned: r.Pinned, Document: r.Document, Version: r.Version, Head: r.Head, Entry: r.Entry, Entries: r.Entries,
		Ratified: r.Ratified, Files: r.Files, Signatures: r.Signatures, Decisions: r.Decisions, Rendered: r.Rendered,
		LedgerDir: r.LedgerDir, Problems: []problemJSON{}}
	for _, p := range r.Problems {
		out.Problems = append(out.Problems, problemOf(p.Code, p.What, p.Entry, p.Commit, p.Path))
	}
	return out
}
