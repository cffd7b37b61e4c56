package ledger

import (
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/concord-ledger/concord/documents"
	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/signing"
)

// TextInput is one language text given to propose or amend.
type TextInput struct {
	Lang string
	Name string // where it came from, for messages
	Data []byte
}

// ProposeOptions describe a new document.
type ProposeOptions struct {
	Document       string
	Title          string
	Texts          []TextInput
	Signers        []string
	Rule           rules.Rule
	Note           string
	AllowInvisible bool
	As             string
	Signer         ssh.Signer
}

// AgreementResult says what propose or amend wrote.
type AgreementResult struct {
	Document string              `json:"document"`
	Version  int                 `json:"version"`
	Entry    int                 `json:"entry"`
	Commit   string              `json:"commit"`
	Texts    []rules.Text        `json:"texts"`
	Changes  map[string][]string `json:"changes,omitempty"` // per language, what canonicalisation changed
}

// canonicalTexts canonicalises the inputs and returns the version's text
// list, the files' contents and what was changed.
func canonicalTexts(in []TextInput, allowInvisible bool, g Glyphs) ([]rules.Text, map[string][]byte, map[string][]string, error) {
	if len(in) == 0 {
		return nil, nil, nil, refusedFor(RefusedNoText, RefusedError{}, "no text given")
	}
	texts := map[string][]byte{}
	changes := map[string][]string{}
	var list []rules.Text
	for _, t := range in {
		lang, err := documents.ParseLang(t.Lang)
		if err != nil {
			return nil, nil, nil, err
		}
		if !signing.ValidLang(lang) {
			return nil, nil, nil, refused("use a language tag such as zh, kk, ru, en", "%q is not a language tag", t.Lang)
		}
		t.Lang = lang
		if _, dup := texts[t.Lang]; dup {
			return nil, nil, nil, refused("", "language %s given twice", t.Lang)
		}
		c, err := documents.Canonicalize(t.Data, documents.Options{AllowInvisible: allowInvisible})
		if err != nil {
			return nil, nil, nil, &TextError{Name: t.Name, Lang: t.Lang, Err: err}
		}
		if err := checkTextGlyphs(g, t, c.Bytes); err != nil {
			return nil, nil, nil, err
		}
		texts[t.Lang] = c.Bytes
		for _, ch := range c.Changes {
			changes[t.Lang] = append(changes[t.Lang], string(ch))
		}
		list = append(list, rules.Text{Lang: t.Lang, SHA256: hex.EncodeToString(c.SHA256[:])})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Lang < list[j].Lang })
	return list, texts, changes, nil
}

// TextError is a text that cannot be accepted as given.
type TextError struct {
	Name, Lang string
	Err        error
}

func (e *TextError) Error() string { return fmt.Sprintf("text %s (%s): %v", e.Name, e.Lang, e.Err) }
func (e *TextError) Unwrap() error { return e.Err }

// Propose adds a new document with its first version.
func Propose(dir string, env Env, opts ProposeOptions) (*AgreementResult, error) {
	if !signing.ValidID(opts.Document) {
		return nil, refused("use 1 to 64 of a-z, 0-9 and '-'", "%q is not a valid document id", opts.Document)
	}
	if err := checkFields(env.Glyphs, field{name: "title", value: opts.Title, max: maxTitle},
		field{name: "note", value: opts.Note, max: maxNote, optional: true}); err != nil {
		return nil, err
	}
	list, texts, changes, err := canonicalTexts(opts.Texts, opts.AllowInvisible, env.Glyphs)
	if err != nil {
		return nil, err
	}
	var res *AgreementResult
	err = withLock(dir, env, func(l *Ledger) error {
		if err := l.checkSigner(opts.As, opts.Signer); err != nil {
			return err
		}
		if _, err := l.loadDoc(opts.Document); err == nil {
			return refusedFor(RefusedDocumentExists, RefusedError{Document: opts.Document}, "document %s exists already", opts.Document)
		} else if _, ok := err.(*RefusedError); !ok {
			return err
		}
		p := l.entry + 1
		d := &rules.Document{Ledger: l.ID(), ID: opts.Document, Title: opts.Title, Signers: opts.Signers, Rule: opts.Rule, Proposer: opts.As, Entry: p}
		if err := rules.CheckField("title", d.Title, 300); err != nil {
			return refused("", "%v", err)
		}
		if r := d.Rule; r.Kind == "quorum" && r.Quorum > len(d.Signers) {
			return refused(fmt.Sprintf("a quorum is between 1 and the %s", rules.CountNoun(len(d.Signers), "signatory", "signatories")), "quorum %d does not fit %s", r.Quorum, rules.CountNoun(len(d.Signers), "signatory", "signatories"))
		}
		if err := l.st.CheckSigners(d, p); err != nil {
			return refusedFor(RefusedNotEnrolled, RefusedError{Actor: opts.As}, "%v", err)
		}
		v := &rules.Version{Ledger: l.ID(), Document: opts.Document, Number: 1, Texts: list, Author: opts.As, Note: opts.Note, Entry: p}
		files := versionFiles(v, texts)
		files[rules.DocFile(d.ID)] = rules.EncodeJSON(d)
		if err := l.verifyEntry(files, opts.As); err != nil {
			return err
		}
		commit, err := l.appendEntry(opts.As, opts.Signer, rules.KindPropose, fmt.Sprintf("Propose %s: %s", d.ID, d.Title), files, env.Now())
		if err != nil {
			return err
		}
		res = &AgreementResult{Document: d.ID, Version: 1, Entry: p, Commit: commit, Texts: list, Changes: changes}
		return nil
	})
	return res, err
}

func versionFiles(v *rules.Version, texts map[string][]byte) map[string][]byte {
	files := map[string][]byte{rules.VersionFile(v.Document, v.Number): rules.EncodeJSON(v)}
	for lang, data := range texts {
		files[rules.TextFile(v.Document, v.Number, lang)] = data
	}
	return files
}

// AmendOptions describe a new version of a document.
type AmendOptions struct {
	Document string
	Texts    []TextInput
	// Drop names the languages of the current version that the new one
	// leaves out; a language left out without being named is refused.
	Drop           []string
	Note           string
	AllowInvisible bool
	As             string
	Signer         ssh.Signer
}

// Amend adds a new version of a document. Earlier versions keep their
// signatures and their state; the new one needs its own.
func Amend(dir string, env Env, opts AmendOptions) (*AgreementResult, error) {
	if err := checkFields(env.Glyphs, field{name: "note", value: opts.Note, max: maxNote, optional: true}); err != nil {
		return nil, err
	}
	list, texts, changes, err := canonicalTexts(opts.Texts, opts.AllowInvisible, env.Glyphs)
	if err != nil {
		return nil, err
	}
	var res *AgreementResult
	err = withLock(dir, env, func(l *Ledger) error {
		if err := l.checkSigner(opts.As, opts.Signer); err != nil {
			return err
		}
		ds, err := l.loadDoc(opts.Document)
		if err != nil {
			return err
		}
		if m := l.st.Members[opts.As]; !slices.Contains(ds.Doc.Signers, opts.As) && !m.Steward {
			return refused("a signatory of the document or a steward may amend it", "%s is neither a signatory of %s nor a steward", opts.As, opts.Document)
		}
		last := ds.Versions[len(ds.Versions)-1]
		if slices.Equal(last.V.Texts, list) {
			return refused("", "the texts are those of %s v%d already", opts.Document, last.V.Number)
		}
		for _, t := range last.V.Texts {
			_, given := texts[t.Lang]
			dropped := slices.Contains(opts.Drop, t.Lang)
			switch {
			case !given && !dropped:
				return refusedFor(RefusedTextLeftOut, RefusedError{Document: opts.Document, Version: last.V.Number, Lang: t.Lang},
					"%s v%d has a text in %s, which this amendment leaves out", opts.Document, last.V.Number, t.Lang)
			case given && dropped:
				return refusedFor(RefusedDropGiven, RefusedError{Document: opts.Document, Version: last.V.Number, Lang: t.Lang},
					"%s is dropped, but a text in %s is given", t.Lang, t.Lang)
			}
		}
		for _, d := range opts.Drop {
			if !slices.ContainsFunc(last.V.Texts, func(t rules.Text) bool { return t.Lang == d }) {
				return refusedFor(RefusedDropAbsent, RefusedError{Document: opts.Document, Version: last.V.Number, Lang: d},
					"cannot drop %s: %s v%d has no text in %s", d, opts.Document, last.V.Number, d)
			}
		}
		p := l.entry + 1
		n := len(ds.Versions) + 1
		v := &rules.Version{Ledger: l.ID(), Document: opts.Document, Number: n, Texts: list, Author: opts.As, Note: opts.Note, Entry: p}
		files := versionFiles(v, texts)
		if err := l.verifyEntry(files, opts.As); err != nil {
			return err
		}
		commit, err := l.appendEntry(opts.As, opts.Signer, rules.KindAmend, fmt.Sprintf("Amend %s: version %d", opts.Document, n), files, env.Now())
		if err != nil {
			return err
		}
		res = &AgreementResult{Document: opts.Document, Version: n, Entry: p, Commit: commit, Texts: list, Changes: changes}
		return nil
	})
	return res, err
}

// DecisionOptions describe a signature or a withdrawal.
type DecisionOptions struct {
	Document string
	Version  int // 0: the latest
	As       string
	Decision signing.Decision
	// Cache holds the states the plan's reads compute; nil: none.
	Cache Cache
	// Key is the public key the decision will be signed with. When set, it
	// is checked (enrolled for As, valid for the next entry) before
	// anything is shown or a passphrase asked, and the plan says whether
	// the approval would ratify.
	Key ssh.PublicKey
}

// DecisionPlan is a decision ready to be signed: what the signatory will
// sign, and what to show them first.
type DecisionPlan struct {
	dir       string
	head      string
	Demo      bool
	Title     string
	Document  string
	Version   int
	Statement []byte            // the exact bytes to be signed (time filled in at Commit)
	Texts     []rules.Text      // the version's languages and hashes
	Show      map[string][]byte // the full texts, when no earlier approval exists
	Diffs     map[string]string // or, per language, the diff to the version this signatory last approved
	DiffFrom  int               // that version
	Note      string            // the version's note, as its author wrote it
	// Compared is the version Added and Dropped are relative to: DiffFrom
	// if set, else the version before this one (0 for version 1).
	Compared int
	Added    []string // languages in this version and not in Compared
	Dropped  []string // languages in Compared and not in this version
	// With DecisionOptions.Key: the key that will sign, whether this
	// approval ratifies the version, and the rule in words.
	SignerFingerprint string
	Ratifies          bool
	Required          string
	statement         *signing.Statement
	// read is the ledger as the plan read it, which Commit reuses when
	// the head has not moved; nil once Commit has used it.
	read *Ledger
}

// PrepareDecision checks that opts.As may make the decision and returns
// what they would sign. Nothing is written.
func PrepareDecision(dir string, opts DecisionOptions) (plan *DecisionPlan, err error) {
	l, err := OpenWith(dir, opts.Cache)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			l.Close()
		}
	}()
	ds, err := l.loadDoc(opts.Document)
	if err != nil {
		return nil, err
	}
	n := opts.Version
	if n == 0 {
		n = len(ds.Versions)
	}
	if n < 1 || n > len(ds.Versions) {
		return nil, refused(versionsHint(opts.Document, len(ds.Versions)), "no version %d of %s", n, opts.Document)
	}
	vs := ds.Versions[n-1]
	if err := checkDecision(l, ds, vs, opts.As, opts.Decision); err != nil {
		return nil, err
	}
	if opts.Key != nil {
		if err := l.checkKey(opts.As, opts.Key); err != nil {
			return nil, err
		}
	}
	plan = &DecisionPlan{dir: dir, head: l.head, Demo: l.st.Genesis.Demo, Title: ds.Doc.Title, Document: opts.Document,
		Version: n, Texts: vs.V.Texts, read: l}
	plan.statement = &signing.Statement{Ledger: l.ID(), Document: opts.Document, Version: n, Texts: rules.TextHashes(vs.V),
		Signatory: opts.As, Decision: opts.Decision}
	// Show the diff to the last version this signatory still approves, if
	// any; a language new in this version is shown in full.
	for i := n - 1; i >= 1 && opts.Decision == signing.Approve; i-- {
		if hasApproved(ds.Versions[i-1], opts.As) {
			plan.DiffFrom = i
			plan.Diffs = map[string]string{}
			plan.Show = map[string][]byte{}
			old := ds.Versions[i-1]
			for _, t := range vs.V.Texts {
				prev, ok := old.Texts[t.Lang]
				if !ok {
					plan.Show[t.Lang] = vs.Texts[t.Lang]
					continue
				}
				plan.Diffs[t.Lang] = documents.Diff(fmt.Sprintf("%s v%d %s", opts.Document, i, t.Lang),
					fmt.Sprintf("%s v%d %s", opts.Document, n, t.Lang), prev, vs.Texts[t.Lang])
			}
			break
		}
	}
	if plan.Diffs == nil {
		plan.Show = vs.Texts
	}
	plan.Note = vs.V.Note
	plan.Required = ds.Doc.Rule.Describe(len(ds.Doc.Signers))
	plan.Compared = plan.DiffFrom
	if plan.Compared == 0 {
		plan.Compared = n - 1
	}
	if plan.Compared > 0 {
		plan.Added, plan.Dropped = langChanges(ds.Versions[plan.Compared-1].V.Texts, vs.V.Texts)
	}
	if opts.Key != nil {
		plan.SignerFingerprint = signing.Fingerprint(opts.Key)
		if opts.Decision == signing.Approve {
			_, rat := rules.AfterDecision(l.ID(), ds.Doc, vs, l.entry+1, opts.As, opts.Decision, opts.Key)
			plan.Ratifies = rat != nil
		}
	}
	return plan, nil
}

// hasApproved reports whether who's latest decision on vs is an approval.
func hasApproved(vs *rules.VersionState, who string) bool {
	last := vs.LastDecision(who)
	return last != nil && last.Decision == signing.Approve
}

// checkDecision applies the rules for who may sign or withdraw what.
func checkDecision(l *Ledger, ds *rules.DocState, vs *rules.VersionState, who string, dec signing.Decision) error {
	n := vs.V.Number
	if !slices.Contains(ds.Doc.Signers, who) {
		return refused(fmt.Sprintf("%s needs: %s", ds.Doc.ID, strings.Join(ds.Doc.Signers, ", ")), "%s is not a signatory of %s", who, ds.Doc.ID)
	}
	if _, err := l.st.ActiveKey(who, l.entry+1); err != nil {
		return refused("", "%v", err)
	}
	if vs.Ratified != nil {
		return refused("", "%s v%d was ratified at entry %d; it takes no more decisions", ds.Doc.ID, n, vs.Ratified.Entry)
	}
	if vs.Superseded != 0 {
		return refused(fmt.Sprintf("sign the current version, %d", len(ds.Versions)), "%s v%d was superseded by an amendment at entry %d", ds.Doc.ID, n, vs.Superseded)
	}
	switch conflict, last := vs.DecisionConflict(who, dec); conflict {
	case rules.ConflictApprovedAlready:
		return refused("", "%s approved %s v%d already at entry %d", who, ds.Doc.ID, n, last.Pos)
	case rules.ConflictNoApproval:
		return refused("", "%s has no approval of %s v%d to withdraw", who, ds.Doc.ID, n)
	}
	return nil
}

// DecisionResult says what sign or withdraw wrote.
type DecisionResult struct {
	Document  string `json:"document"`
	Version   int    `json:"version"`
	Signatory string `json:"signatory"`
	Decision  string `json:"decision"`
	Entry     int    `json:"entry"`
	Commit    string `json:"commit"`
	Ratified  bool   `json:"ratified"` // this decision ratified the version
	Approvals int    `json:"approvals"`
	Required  string `json:"required"` // the rule in words
}

// Commit signs the plan's statement with signer and appends it, with the
// ratification if this approval meets the rule. It fails, writing nothing,
// if the ledger moved since the plan was made.
func (plan *DecisionPlan) Commit(env Env, signer ssh.Signer) (*DecisionResult, error) {
	var res *DecisionResult
	read := plan.read
	plan.read = nil
	if read != nil {
		read.Close()
	}
	err := withLockFrom(plan.dir, env, read, func(l *Ledger) error {
		if l.head != plan.head {
			return fmt.Errorf("the ledger changed while you were reading; nothing was signed, run the command again")
		}
		who := plan.statement.Signatory
		if err := l.checkSigner(who, signer); err != nil {
			return err
		}
		ds, err := l.loadDoc(plan.Document)
		if err != nil {
			return err
		}
		vs := ds.Versions[plan.Version-1]
		now := env.Now().UTC().Truncate(time.Second)
		s := *plan.statement
		s.Time = now
		stmt, err := s.Format()
		if err != nil {
			return err
		}
		sig, err := signing.Sign(signer, signing.Namespace, stmt)
		if err != nil {
			return fmt.Errorf("signing: %w", err)
		}
		p := l.entry + 1
		base := rules.DecisionBase(plan.Document, plan.Version, p, who)
		files := map[string][]byte{base + rules.StatementSuffix: stmt, base + rules.SigSuffix: sig}
		// Would this decision meet the rule?
		approvals, rat := rules.AfterDecision(l.ID(), ds.Doc, vs, p, who, s.Decision, signer.PublicKey())
		ratified := rat != nil
		if ratified {
			files[rules.RatifiedFile(plan.Document, plan.Version)] = rules.EncodeJSON(rat)
		}
		rosterKey := l.rosterKey // verifyEntry clears it
		if err := l.verifyEntry(files, who); err != nil {
			return err
		}
		verb := "Approve"
		if s.Decision == signing.Withdraw {
			verb = "Withdraw approval of"
		}
		summary := fmt.Sprintf("%s %s v%d (%s)", verb, plan.Document, plan.Version, who)
		if ratified {
			summary += fmt.Sprintf(": ratified by %s", ds.Doc.Rule)
		}
		commit, err := l.appendEntry(who, signer, rules.KindDecision, summary, files, now)
		if err != nil {
			return err
		}
		l.fileDecided(plan.Document, rosterKey)
		res = &DecisionResult{Document: plan.Document, Version: plan.Version, Signatory: who, Decision: string(s.Decision),
			Entry: p, Commit: commit, Ratified: ratified, Approvals: approvals, Required: ds.Doc.Rule.Describe(len(ds.Doc.Signers))}
		return nil
	})
	return res, err
}

// langChanges returns the languages of b not in a, and of a not in b.
func langChanges(a, b []rules.Text) (added, dropped []string) {
	has := func(ts []rules.Text, lang string) bool {
		return slices.ContainsFunc(ts, func(t rules.Text) bool { return t.Lang == lang })
	}
	for _, t := range b {
		if !has(a, t.Lang) {
			added = append(added, t.Lang)
		}
	}
	for _, t := range a {
		if !has(b, t.Lang) {
			dropped = append(dropped, t.Lang)
		}
	}
	return added, dropped
}
