package ledger

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/concord-ledger/concord/ledger/gitstore"
	"github.com/concord-ledger/concord/ledger/rules"
)

// VersionRecord is everything the ledger holds, at its head, about one
// version of a document, with the bytes of every file it comes from: what
// a PDF of the version shows and embeds (package evidence).
type VersionRecord struct {
	Ledger      string // the ledger id
	Genesis     *rules.Genesis
	GenesisRaw  []byte
	Document    *rules.Document
	DocumentRaw []byte
	Version     *rules.Version
	VersionRaw  []byte
	// Ratified is the version's ratification, nil if it is not ratified
	// at the head; RatifiedRaw is its file.
	Ratified    *rules.Ratified
	RatifiedRaw []byte
	Texts       map[string][]byte // language -> canonical text
	// Decisions are the version's decisions in ledger order, with their
	// files.
	Decisions []DecisionRecord
	// Roster holds the record of each signatory the document requires, as
	// at the head, in the document's order.
	Roster []rules.Member
	// AllowedSigners is the roster's allowed_signers file at the head.
	AllowedSigners []byte
	Head           string // the head commit
	HeadEntry      int    // its position
	// Superseded is the entry of the amendment that made the next version,
	// 0 if the version is the latest at the head.
	Superseded int
	// entries gives the commit of every position up to the head.
	entries []*gitstore.Commit
}

// DecisionRecord is one signed decision with the bytes of its statement
// and signature files.
type DecisionRecord struct {
	rules.Decision
	StatementRaw, SignatureRaw []byte
}

// EntryCommit returns the commit id of entry p and its committer's claimed
// time (UTC), or an error if p is not on the record's history.
func (r *VersionRecord) EntryCommit(p int) (string, time.Time, error) {
	if p < 0 || p >= len(r.entries) {
		return "", time.Time{}, fmt.Errorf("entry %d is not in the ledger up to entry %d", p, r.HeadEntry)
	}
	c := r.entries[p]
	return c.ID, c.When.UTC(), nil
}

// VersionRecord gathers the record of version n (0: the latest) of
// document id at the ledger's head.
func (l *Ledger) VersionRecord(id string, n int) (*VersionRecord, error) {
	ds, vs, err := l.loadVersion(id, n)
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
	v := vs.V
	rec := &VersionRecord{Ledger: l.ID(), Genesis: l.st.Genesis, Document: ds.Doc, Version: v, Ratified: vs.Ratified,
		Texts: map[string][]byte{}, AllowedSigners: l.AllowedSigners(), Head: l.head, HeadEntry: l.entry,
		Superseded: vs.Superseded, entries: chain}
	read := func(path string) ([]byte, error) {
		data, err := l.repo.ReadFile(l.head, path)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		return data, nil
	}
	if rec.GenesisRaw, err = read(rules.GenesisPath); err != nil {
		return nil, err
	}
	if rec.DocumentRaw, err = read(rules.DocFile(id)); err != nil {
		return nil, err
	}
	if rec.VersionRaw, err = read(rules.VersionFile(id, v.Number)); err != nil {
		return nil, err
	}
	if vs.Ratified != nil {
		if rec.RatifiedRaw, err = read(rules.RatifiedFile(id, v.Number)); err != nil {
			return nil, err
		}
	}
	for _, t := range v.Texts {
		data, ok := vs.Texts[t.Lang]
		if !ok {
			if data, err = read(rules.TextFile(id, v.Number, t.Lang)); err != nil {
				return nil, err
			}
		}
		rec.Texts[t.Lang] = data
	}
	for _, d := range vs.Decisions {
		base := rules.DecisionBase(id, v.Number, d.Pos, d.Signatory)
		dr := DecisionRecord{Decision: d}
		if dr.StatementRaw, err = read(base + rules.StatementSuffix); err != nil {
			return nil, err
		}
		if dr.SignatureRaw, err = read(base + rules.SigSuffix); err != nil {
			return nil, err
		}
		rec.Decisions = append(rec.Decisions, dr)
	}
	for _, who := range ds.Doc.Signers {
		m, ok := l.st.Members[who]
		if !ok {
			return nil, fmt.Errorf("signatory %s of %s is not on the roster", who, id)
		}
		rec.Roster = append(rec.Roster, m.Member)
	}
	return rec, nil
}

// At returns the ledger as it was at entry p of its history (0 ≤ p ≤ the
// head's position): its roster and documents are those of the tree at that
// entry's commit.
func (l *Ledger) At(p int) (*Ledger, error) {
	if p == l.entry {
		return l, nil
	}
	ids, err := l.repo.FirstParentIDs(l.head)
	if err != nil {
		return nil, err
	}
	if p < 0 || p >= len(ids) {
		return nil, fmt.Errorf("entry %d is not in the ledger (entries 0 to %d)", p, len(ids)-1)
	}
	return l.at(ids[p], p)
}

// Bundle returns the ledger's history up to its head as a git bundle
// (gitstore.Bundle): 'git clone' and 'git bundle verify' read it, and
// VerifyBundle audits it.
func (l *Ledger) Bundle() ([]byte, error) { return l.repo.Bundle(l.head) }

// VerifyBundle audits the history a git bundle holds exactly as Verify
// audits a ledger's repository (the same replay through package rules),
// from the bytes alone. It returns the report and, when the history was
// read to its end (whatever problems the report lists), the ledger at the
// bundle's head, read without the state cache. A bundle that is not one
// gitstore.ReadBundle accepts is a *gitstore.BundleError.
func VerifyBundle(data []byte, opts VerifyOptions) (*Report, *Ledger, error) {
	repo, err := gitstore.ReadBundle(data)
	if err != nil {
		return nil, nil, err
	}
	head, err := repo.Head()
	if err != nil {
		return nil, nil, err
	}
	rep, err := verifyRepo(repo, head, opts)
	if err != nil {
		var ce *gitstore.CorruptError
		if errors.As(err, &ce) {
			return nil, nil, &gitstore.BundleError{Reason: ce.Error()}
		}
		return nil, nil, err
	}
	if !rep.OK() {
		return rep, nil, nil
	}
	l, err := openRepo("", repo, nil)
	if err != nil {
		return rep, nil, err
	}
	return rep, l, nil
}

// EntryOf returns the position of commit id in the ledger's history, or
// -1.
func (l *Ledger) EntryOf(id string) (int, error) {
	ids, err := l.repo.FirstParentIDs(l.head)
	if err != nil {
		return -1, err
	}
	return slices.Index(ids, id), nil
}

// Walk calls fn with the path and content of every file of the ledger at
// its head, in path order, each object checked against its id.
func (l *Ledger) Walk(fn func(path string, data []byte) error) error {
	return l.repo.Walk(l.head, fn)
}

// at returns the ledger as it was at commit head, entry number entry of
// its history.
func (l *Ledger) at(head string, entry int) (*Ledger, error) {
	st, key, err := readRoster(l.repo, head, l.cache)
	if err != nil {
		return nil, err
	}
	return &Ledger{Dir: l.Dir, repo: l.repo, head: head, entry: entry, st: st, cache: l.cache, rosterKey: key}, nil
}

// notALedger reports whether the repository's history at head is plainly
// not a concord ledger's: its head commit carries no Concord-Entry trailer
// and its first commit adds no genesis.json (a source repository, say). Such
// a repository is *NotLedgerError, "cannot check", never tampered evidence.
// Reading the history is only done when the head has no trailer.
func notALedger(repo *gitstore.Repo, head string) bool {
	c, err := repo.ReadCommit(head)
	if err != nil || hasEntryTrailer(c.Message) {
		return false
	}
	ids, err := repo.FirstParentIDs(head)
	if err != nil || len(ids) == 0 {
		return false
	}
	_, err = repo.ReadFile(ids[0], rules.GenesisPath)
	return errors.Is(err, gitstore.ErrNotFound)
}
