package ledger

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/concord-ledger/concord/documents"
	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/signing"
)

// SignerState is one required signatory's standing on a version.
type SignerState struct {
	Signatory string `json:"signatory"`
	Name      string `json:"name"`
	State     string `json:"state"`           // "approved", "withdrawn" or "pending"
	Entry     int    `json:"entry,omitempty"` // of the latest decision
	Time      string `json:"time,omitempty"`  // the signer's claimed time
	// History lists every decision of this signatory on the version, oldest
	// first, when there is more than one.
	History []DecisionEvent `json:"history,omitempty"`
}

// DecisionEvent is one recorded decision.
type DecisionEvent struct {
	Decision string `json:"decision"` // "approve" or "withdraw"
	Entry    int    `json:"entry"`
	Time     string `json:"time"` // the signer's claimed time
}

// VersionStatus is the state of one version.
type VersionStatus struct {
	Version    int           `json:"version"`
	Entry      int           `json:"entry"`
	Texts      []rules.Text  `json:"texts"`
	Superseded int           `json:"superseded,omitempty"` // entry of the next version
	Ratified   int           `json:"ratified,omitempty"`   // entry of ratification
	Approvals  int           `json:"approvals"`
	Signers    []SignerState `json:"signers"`
}

// DocumentStatus is the state of one document.
type DocumentStatus struct {
	Ledger   string          `json:"ledger"`
	Demo     bool            `json:"demo"`
	Document string          `json:"document"`
	Title    string          `json:"title"`
	Rule     string          `json:"rule"`
	RuleText string          `json:"rule_text"`
	Versions []VersionStatus `json:"versions"`
}

// Documents lists the ids of the ledger's documents.
func (l *Ledger) Documents() ([]string, error) {
	list, err := l.repo.List(l.head, rules.DocsDir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range list {
		out = append(out, e.Name)
	}
	return out, nil
}

// Status returns the state of document id at the head: for each version,
// who approved, who withdrew, who is pending, and whether and when it was
// ratified. It reads only that document's files.
func (l *Ledger) Status(id string) (*DocumentStatus, error) {
	ds, err := l.loadDoc(id)
	if err != nil {
		return nil, err
	}
	out := &DocumentStatus{Ledger: l.ID(), Demo: l.st.Genesis.Demo, Document: id, Title: ds.Doc.Title,
		Rule: ds.Doc.Rule.String(), RuleText: ds.Doc.Rule.Describe(len(ds.Doc.Signers))}
	for _, vs := range ds.Versions {
		st := VersionStatus{Version: vs.V.Number, Entry: vs.V.Entry, Texts: vs.V.Texts, Superseded: vs.Superseded}
		if vs.Ratified != nil {
			st.Ratified = vs.Ratified.Entry
		}
		approvals, _ := rules.ApprovalsOf(ds.Doc, vs)
		st.Approvals = len(approvals)
		for _, who := range ds.Doc.Signers {
			ss := SignerState{Signatory: who, State: "pending"}
			if m, ok := l.st.Members[who]; ok {
				ss.Name = m.Name
			}
			for _, d := range vs.Decisions {
				if d.Signatory == who {
					ss.Entry, ss.Time = d.Pos, d.Statement.Time.UTC().Format(time.RFC3339)
					ss.State = "approved"
					if d.Decision == signing.Withdraw {
						ss.State = "withdrawn"
					}
					ss.History = append(ss.History, DecisionEvent{Decision: string(d.Decision), Entry: d.Pos, Time: ss.Time})
				}
			}
			if len(ss.History) < 2 {
				ss.History = nil
			}
			st.Signers = append(st.Signers, ss)
		}
		out.Versions = append(out.Versions, st)
	}
	return out, nil
}

// VersionText is one version's texts.
type VersionText struct {
	Ledger   string            `json:"ledger"`
	Demo     bool              `json:"demo"`
	Document string            `json:"document"`
	Title    string            `json:"title"`
	Version  int               `json:"version"`
	Latest   int               `json:"latest"`
	Texts    []rules.Text      `json:"texts"`
	Content  map[string]string `json:"content"`
}

// Show returns version n (0: the latest) of document id.
func (l *Ledger) Show(id string, n int) (*VersionText, error) {
	ds, vs, err := l.loadVersion(id, n)
	if err != nil {
		return nil, err
	}
	out := &VersionText{Ledger: l.ID(), Demo: l.st.Genesis.Demo, Document: id, Title: ds.Doc.Title,
		Version: vs.V.Number, Latest: len(ds.Versions), Texts: vs.V.Texts, Content: map[string]string{}}
	for lang, data := range vs.Texts {
		out.Content[lang] = string(data)
	}
	return out, nil
}

// loadVersion reads document id and returns it with its version n (0: the
// latest).
func (l *Ledger) loadVersion(id string, n int) (*rules.DocState, *rules.VersionState, error) {
	ds, err := l.loadDoc(id)
	if err != nil {
		return nil, nil, err
	}
	vs, err := pickVersion(ds, n)
	return ds, vs, err
}

func pickVersion(ds *rules.DocState, n int) (*rules.VersionState, error) {
	if n == 0 {
		n = len(ds.Versions)
	}
	if n < 1 || n > len(ds.Versions) {
		return nil, refused(versionsHint(ds.Doc.ID, len(ds.Versions)), "no version %d of %s", n, ds.Doc.ID)
	}
	return ds.Versions[n-1], nil
}

// LangDiff is the diff of one language between two versions.
type LangDiff struct {
	Lang string `json:"lang"`
	Diff string `json:"diff"` // unified diff, "" when equal
	Note string `json:"note,omitempty"`
}

// Diff compares versions a and b of document id, language by language.
func (l *Ledger) Diff(id string, a, b int) ([]LangDiff, error) {
	ds, err := l.loadDoc(id)
	if err != nil {
		return nil, err
	}
	va, err := pickVersion(ds, a)
	if err != nil {
		return nil, err
	}
	vb, err := pickVersion(ds, b)
	if err != nil {
		return nil, err
	}
	var langs []string
	for _, t := range va.V.Texts {
		langs = append(langs, t.Lang)
	}
	for _, t := range vb.V.Texts {
		if !slices.Contains(langs, t.Lang) {
			langs = append(langs, t.Lang)
		}
	}
	slices.Sort(langs)
	var out []LangDiff
	for _, lang := range langs {
		ta, okA := va.Texts[lang]
		tb, okB := vb.Texts[lang]
		d := LangDiff{Lang: lang, Diff: documents.Diff(fmt.Sprintf("%s v%d %s", id, va.V.Number, lang),
			fmt.Sprintf("%s v%d %s", id, vb.V.Number, lang), ta, tb)}
		switch {
		case !okA:
			d.Note = fmt.Sprintf("added in v%d", vb.V.Number)
		case !okB:
			d.Note = fmt.Sprintf("removed in v%d", vb.V.Number)
		}
		out = append(out, d)
	}
	return out, nil
}

// LogEntry is one entry of the ledger's history, described from the files
// it adds (as the rules classify them), not from its commit message.
type LogEntry struct {
	Entry  int    `json:"entry"`
	Commit string `json:"commit"`
	// Kind is the entry's kind as its files make it (rules.Classify), ""
	// when they fit no entry.
	Kind string `json:"kind"`
	// Actor is the roster id whose entry it is, from its files; for an
	// entry whose files fit no entry, the committer's e-mail.
	Actor string `json:"actor"`
	Time  string `json:"time"` // the committer's claimed time
	// Summary says what the entry adds, from its files.
	Summary string `json:"summary"`
	// Message is the first line of the commit message, as its signer
	// wrote it: nothing checks that it says what the entry does.
	Message string `json:"message"`

	subject *EntrySubject // what LogSubjects returns, read by Log
}

// Log returns the ledger's history, oldest first, each entry described
// from the files it adds (see LogEntry). It reads every entry's files but
// checks no signature: 'concord verify' does.
func (l *Ledger) Log() ([]LogEntry, error) {
	chain, err := l.repo.FirstParentChain(l.head)
	if err != nil {
		return nil, err
	}
	out := make([]LogEntry, 0, len(chain))
	parent := ""
	var dr describer
	for i, c := range chain {
		changes, err := l.repo.Changes(parent, c.ID)
		if err != nil {
			return nil, err
		}
		message, _, _ := strings.Cut(c.Message, "\n")
		d := dr.describe(i, parent, changes)
		parent = c.ID
		if d.actor == "" {
			d.actor = c.Email
		}
		sub := subjectOf(changes)
		out = append(out, LogEntry{Entry: i, Commit: c.ID, Kind: d.kind, Actor: d.actor,
			Time: c.When.UTC().Format(time.RFC3339), Summary: d.summary, Message: message, subject: &sub})
	}
	return out, nil
}

// versionsHint is the hint of "no version N of DOC": the versions doc has
// (n of them, at least one).
func versionsHint(doc string, n int) string {
	if n == 1 {
		return doc + " has only version 1"
	}
	return fmt.Sprintf("%s has versions 1 to %d", doc, n)
}
