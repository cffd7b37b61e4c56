package cmd

// The JSON contract: what --json prints, command by command. These types,
// not the library's, are the contract, so the library may change its own
// structs freely. Every type here has a JSON Schema in docs/schema/ (named
// in each type's comment) and TestJSONSchemas validates real output of every
// command against it. The rules (docs/JSON.md): field names are stable and
// snake_case; every field is always present; lists are [] when empty, never
// null; a document's version is an object or a "document" and "version"
// pair, never a "doc v2" string; streams print one object per line.

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"

	"github.com/concord-ledger/concord/evidence"
	"github.com/concord-ledger/concord/ledger"
	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/signing"
)

// nonNil returns s, or an empty slice for nil.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// jsonText is one language text of a version: docs/schema/defs.json#/$defs/text.
type jsonText struct {
	Lang   string `json:"lang"`
	SHA256 string `json:"sha256"`
}

func textsJSON(ts []rules.Text) []jsonText {
	out := make([]jsonText, 0, len(ts))
	for _, t := range ts {
		out = append(out, jsonText{Lang: t.Lang, SHA256: t.SHA256})
	}
	return out
}

// initJSON: docs/schema/init.json.
type initJSON struct {
	Ledger string `json:"ledger"`
	Head   string `json:"head"`
	Dir    string `json:"dir"`
}

// agreementJSON: docs/schema/agreement.json (propose, amend).
type agreementJSON struct {
	Document string              `json:"document"`
	Version  int                 `json:"version"`
	Entry    int                 `json:"entry"`
	Commit   string              `json:"commit"`
	Texts    []jsonText          `json:"texts"`
	Changes  map[string][]string `json:"changes"` // per language, what canonicalisation changed
}

func agreementOut(r *ledger.AgreementResult) agreementJSON {
	ch := map[string][]string{}
	for k, v := range r.Changes {
		ch[k] = nonNil(v)
	}
	return agreementJSON{Document: r.Document, Version: r.Version, Entry: r.Entry, Commit: r.Commit, Texts: textsJSON(r.Texts), Changes: ch}
}

// decisionJSON: docs/schema/decision.json (sign, withdraw).
type decisionJSON struct {
	Document  string `json:"document"`
	Version   int    `json:"version"`
	Signatory string `json:"signatory"`
	Decision  string `json:"decision"`
	Entry     int    `json:"entry"`
	Commit    string `json:"commit"`
	Ratified  bool   `json:"ratified"`
	Approvals int    `json:"approvals"`
	Rule      string `json:"rule"`
}

func decisionOut(r *ledger.DecisionResult) decisionJSON {
	return decisionJSON{Document: r.Document, Version: r.Version, Signatory: r.Signatory, Decision: r.Decision,
		Entry: r.Entry, Commit: r.Commit, Ratified: r.Ratified, Approvals: r.Approvals, Rule: r.Required}
}

// statusJSON: docs/schema/status.json.
type statusJSON struct {
	Ledger    string           `json:"ledger"`
	Demo      bool             `json:"demo"`
	Head      string           `json:"head"`
	Entries   int              `json:"entries"`
	Documents []statusDocument `json:"documents"`
}

type statusDocument struct {
	Document string          `json:"document"`
	Title    string          `json:"title"`
	Rule     string          `json:"rule"`
	RuleText string          `json:"rule_text"`
	Versions []statusVersion `json:"versions"`
}

type statusVersion struct {
	Version    int            `json:"version"`
	Entry      int            `json:"entry"`
	Texts      []jsonText     `json:"texts"`
	State      string         `json:"state"`      // "ratified", "superseded" or "open"
	Ratified   int            `json:"ratified"`   // entry of ratification, 0 if not ratified
	Superseded int            `json:"superseded"` // entry of the next version, 0 if none
	Approvals  int            `json:"approvals"`
	Required   int            `json:"required"` // approvals the rule needs
	Signers    []statusSigner `json:"signers"`
}

type statusSigner struct {
	Signatory string          `json:"signatory"`
	Name      string          `json:"name"`
	State     string          `json:"state"` // approved, withdrawn, pending, not-needed
	Entry     int             `json:"entry"` // of the latest decision, 0 if none
	Time      string          `json:"time"`  // the signer's claimed time, "" if none
	History   []statusHistory `json:"history"`
}

type statusHistory struct {
	Decision string `json:"decision"`
	Entry    int    `json:"entry"`
	Time     string `json:"time"`
}

func statusDocOut(st *ledger.DocumentStatus) statusDocument {
	d := statusDocument{Document: st.Document, Title: st.Title, Rule: st.Rule, RuleText: st.RuleText, Versions: []statusVersion{}}
	for _, v := range st.Versions {
		sv := statusVersion{Version: v.Version, Entry: v.Entry, Texts: textsJSON(v.Texts), Ratified: v.Ratified,
			Superseded: v.Superseded, Approvals: v.Approvals, Required: required(st, v), Signers: []statusSigner{}}
		sv.State = "open"
		switch {
		case v.Ratified != 0:
			sv.State = "ratified"
		case v.Superseded != 0:
			sv.State = "superseded"
		}
		for _, sg := range v.Signers {
			out := statusSigner{Signatory: sg.Signatory, Name: sg.Name, State: signerState(v, sg), Entry: sg.Entry, Time: sg.Time, History: []statusHistory{}}
			for _, h := range sg.History {
				out.History = append(out.History, statusHistory{Decision: h.Decision, Entry: h.Entry, Time: h.Time})
			}
			sv.Signers = append(sv.Signers, out)
		}
		d.Versions = append(d.Versions, sv)
	}
	return d
}

// logJSON: docs/schema/log.json, one object per line.
type logJSON struct {
	Entry    int     `json:"entry"`
	Commit   string  `json:"commit"`
	Kind     string  `json:"kind"`
	Actor    string  `json:"actor"`
	Time     string  `json:"time"`
	Summary  string  `json:"summary"`
	Message  string  `json:"message"`  // the commit message's first line, as its signer wrote it
	Document *string `json:"document"` // null when the entry is about no document
	Version  *int    `json:"version"`  // null when it is about no one version
	Change   *string `json:"change"`   // roster change id, null when none
}

func logOut(e ledger.LogEntry, sub ledger.EntrySubject) logJSON {
	out := logJSON{Entry: e.Entry, Commit: e.Commit, Kind: e.Kind, Actor: e.Actor, Time: e.Time, Summary: e.Summary, Message: e.Message}
	if sub.Document != "" {
		out.Document = &sub.Document
	}
	if sub.Version != 0 {
		out.Version = &sub.Version
	}
	if sub.Change != "" {
		out.Change = &sub.Change
	}
	return out
}

// showJSON: docs/schema/show.json.
type showJSON struct {
	Ledger   string         `json:"ledger"`
	Demo     bool           `json:"demo"`
	Document string         `json:"document"`
	Title    string         `json:"title"`
	Version  int            `json:"version"`
	Latest   int            `json:"latest"`
	Texts    []showJSONText `json:"texts"`
}

type showJSONText struct {
	Lang   string `json:"lang"`
	SHA256 string `json:"sha256"`
	Text   string `json:"text"`
}

// diffJSON: docs/schema/diff.json.
type diffJSON struct {
	Document  string         `json:"document"`
	From      int            `json:"from"`
	To        int            `json:"to"`
	Languages []diffJSONLang `json:"languages"`
}

type diffJSONLang struct {
	Lang    string `json:"lang"`
	Changed bool   `json:"changed"`
	Diff    string `json:"diff"` // unified diff, "" when unchanged
	Note    string `json:"note"` // e.g. "only in version 2", "" if none
}

// rosterJSON: docs/schema/roster-list.json.
type rosterJSON struct {
	Ledger    string              `json:"ledger"`
	Demo      bool                `json:"demo"`
	Threshold int                 `json:"threshold"`
	Members   []rosterMemberJSON  `json:"members"`
	Pending   []rosterPendingJSON `json:"pending"`
}

type rosterMemberJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Title       string `json:"title"`
	Institution string `json:"institution"`
	Country     string `json:"country"`
	Key         string `json:"key"`
	Fingerprint string `json:"fingerprint"`
	Steward     bool   `json:"steward"`
	Enrolled    int    `json:"enrolled"`
	Rotated     []int  `json:"rotated"`
	Revoked     int    `json:"revoked"` // entry, 0 if not revoked
}

type rosterPendingJSON struct {
	Change    string   `json:"change"`
	Action    string   `json:"action"`
	Subject   string   `json:"subject"`
	Proposer  string   `json:"proposer"`
	Reason    string   `json:"reason"`
	Approvals []string `json:"approvals"`
	Threshold int      `json:"threshold"`
}

func rosterOut(r *ledger.RosterList) rosterJSON {
	out := rosterJSON{Ledger: r.Ledger, Demo: r.Demo, Threshold: r.Threshold, Members: []rosterMemberJSON{}, Pending: []rosterPendingJSON{}}
	for _, m := range r.Members {
		out.Members = append(out.Members, rosterMemberJSON{ID: m.ID, Name: m.Name, Title: m.Title, Institution: m.Institution,
			Country: m.Country, Key: m.Key, Fingerprint: m.Fingerprint, Steward: m.Steward, Enrolled: m.Enrolled,
			Rotated: nonNil(m.Rotated), Revoked: m.Revoked})
	}
	for _, p := range r.Pending {
		out.Pending = append(out.Pending, rosterPendingJSON{Change: p.Change, Action: p.Proposal.Action, Subject: p.Proposal.Subject(),
			Proposer: p.Proposal.Proposer, Reason: p.Proposal.Reason, Approvals: nonNil(p.Approvals), Threshold: p.Threshold})
	}
	return out
}

// rosterChangeJSON: docs/schema/roster-change.json (add, rotate, revoke, approve).
type rosterChangeJSON struct {
	Change    string `json:"change"`
	Entry     int    `json:"entry"`
	Commit    string `json:"commit"`
	Approvals int    `json:"approvals"`
	Threshold int    `json:"threshold"`
	Effective bool   `json:"effective"`
}

// allowedSignersJSON: docs/schema/allowed-signers.json.
type allowedSignersJSON struct {
	Ledger  string              `json:"ledger"`
	Signers []allowedSignerJSON `json:"signers"`
	File    string              `json:"file"` // the allowed_signers file itself
}

type allowedSignerJSON struct {
	Principal   string   `json:"principal"`
	Namespaces  []string `json:"namespaces"`
	Key         string   `json:"key"`
	Fingerprint string   `json:"fingerprint"`
}

// allowedSignersOut reads back the allowed_signers file concord writes
// (one "principal namespaces=\"a,b\" type base64" line per key).
func allowedSignersOut(ledgerID string, file []byte) (allowedSignersJSON, error) {
	out := allowedSignersJSON{Ledger: ledgerID, Signers: []allowedSignerJSON{}, File: string(file)}
	for _, line := range strings.Split(strings.TrimSpace(string(file)), "\n") {
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 4 {
			continue
		}
		ns := strings.Trim(strings.TrimPrefix(f[1], "namespaces="), `"`)
		key := f[2] + " " + f[3]
		pub, err := signing.ParsePublicKey([]byte(key))
		if err != nil {
			return out, err
		}
		out.Signers = append(out.Signers, allowedSignerJSON{Principal: f[0], Namespaces: strings.Split(ns, ","), Key: key, Fingerprint: signing.Fingerprint(pub)})
	}
	return out, nil
}

// auditKitJSON: docs/schema/audit-kit.json.
type auditKitJSON struct {
	Ledger string `json:"ledger"`
	Head   string `json:"head"`
	Dir    string `json:"dir"`
	Script string `json:"script"` // the kit's verify.sh
}

// pdfArchiveJSON: docs/schema/export-pdf-all.json.
type pdfArchiveJSON struct {
	Format string                      `json:"format"`
	Ledger string                      `json:"ledger"`
	Head   string                      `json:"head"`
	Dir    string                      `json:"dir"`
	Files  []evidence.PDFArchiveFile   `json:"files"`
	Failed []evidence.PDFExportFailure `json:"failed"` // the versions that could not be rendered, and why
}

// checkpointJSON: docs/schema/checkpoint.json.
type checkpointJSON struct {
	Ledger  string  `json:"ledger"`
	Entries int     `json:"entries"`
	Head    string  `json:"head"`
	Signer  string  `json:"signer"`
	File    *string `json:"file"` // null when the note is only in "note"
	Note    string  `json:"note"` // the signed note itself
}

// syncJSON: docs/schema/sync.json (clone, sync).
type syncJSON struct {
	Remote    string `json:"remote"`
	Ledger    string `json:"ledger"`
	Head      string `json:"head"`
	Entries   int    `json:"entries"`
	Fetched   int    `json:"fetched"`
	Pushed    int    `json:"pushed"`
	Recreated int    `json:"recreated"`
	Attempts  int    `json:"attempts"`
	// Transport is "git" (the installed git program) or "go-git" (the
	// built-in fallback).
	Transport string `json:"transport"`
	// ServerMessages are the lines the remote's hooks printed.
	ServerMessages []string `json:"server_messages"`
	// RemoteHeadNotMain: the empty remote this sync gave the ledger to
	// has its HEAD elsewhere than main.
	RemoteHeadNotMain bool `json:"remote_head_not_main"`
	// CheckoutNotUpdated: the sync moved the branch of a checkout and
	// left its files as they were.
	CheckoutNotUpdated bool `json:"checkout_not_updated"`
	// RecreatedEntries: this ledger's entries written again on top of the
	// remote's, each with its position and commit before and now.
	RecreatedEntries []recreatedJSON `json:"recreated_entries"`
	// Ratified: the versions ratified by an entry taken or re-created.
	Ratified []ratifiedJSON `json:"ratified"`
}

type recreatedJSON struct {
	Was       int    `json:"was"`
	WasCommit string `json:"was_commit"`
	Entry     int    `json:"entry"`
	Commit    string `json:"commit"`
}

func syncOut(r *ledger.SyncResult) syncJSON {
	out := syncJSON{Remote: r.Remote, Ledger: r.Ledger, Head: r.Head, Entries: r.Entries, Fetched: r.Fetched,
		Pushed: r.Pushed, Recreated: r.Recreated, Attempts: r.Attempts, Transport: r.Transport, ServerMessages: nonNil(r.ServerMessages), RemoteHeadNotMain: r.RemoteHeadNotMain,
		CheckoutNotUpdated: r.CheckoutLeft != "",
		RecreatedEntries:   []recreatedJSON{}, Ratified: ratifiedOut(r.Ratified)}
	for _, e := range r.RecreatedEntries {
		out.RecreatedEntries = append(out.RecreatedEntries, recreatedJSON(e))
	}
	return out
}

// witnessJSON: docs/schema/witness.json.
type witnessJSON struct {
	Witness    string             `json:"witness"`
	Entry      int                `json:"entry"`
	Commit     string             `json:"commit"`
	Checkpoint witnessCheckpointJ `json:"checkpoint"`
}

type witnessCheckpointJ struct {
	Ledger  string `json:"ledger"`
	Entries int    `json:"entries"`
	Head    string `json:"head"`
}

// writeJSONLines writes each value as one compact JSON object per line.
func writeJSONLines[T any](w io.Writer, vs []T) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(inertJSON{&buf})
	enc.SetEscapeHTML(false)
	for _, v := range vs {
		if err := enc.Encode(v); err != nil {
			return err
		}
		if buf.Len() > 64<<10 {
			if _, err := w.Write(buf.Bytes()); err != nil {
				return err
			}
			buf.Reset()
		}
	}
	_, err := w.Write(buf.Bytes())
	return err
}
