package ledger

import (
	"fmt"
	"sort"

	"github.com/concord-ledger/concord/ledger/gitstore"
	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/signing"
)

// entryDescription is what an entry is, worked out from the files it adds
// by the rules' classification (rules.Classify), never from its commit
// message, which its signer wrote as they liked.
type entryDescription struct {
	kind, actor, summary string
}

// describer describes the entries of one history in order, oldest first;
// it remembers the roster changes proposed so far, to name what an
// approval approves.
type describer struct {
	changes map[string]*rules.RosterChange
}

// describe describes the entry at position p, whose parent is commit
// parent, from changes, the files its commit changes from its parent. The
// summaries take the forms concord writes in its commit messages, so that
// for an entry concord wrote the two agree. An entry the rules cannot
// classify is described as such, with the reason; 'concord verify'
// reports it.
func (dr *describer) describe(p int, parent string, changes []gitstore.Change) entryDescription {
	files := map[string][]byte{}
	for _, ch := range changes {
		if ch.Malformed != "" || ch.Kind != gitstore.Added || ch.Irregular {
			return entryDescription{summary: fmt.Sprintf("not a ledger entry: %s %s", ch.Path, changeWhat(ch))}
		}
		files[ch.Path] = ch.Data
	}
	e, err := rules.Classify(p, files)
	if err != nil {
		return entryDescription{summary: fmt.Sprintf("not a ledger entry: %v", err)}
	}
	d := entryDescription{kind: e.Kind, actor: e.Actor}
	names := make([]string, 0, len(files))
	for f := range files {
		names = append(names, f)
	}
	sort.Strings(names)
	var first rules.Path
	var stmt, ratifiedRaw, changeRaw, docRaw []byte
	for i, f := range names {
		pp, _ := rules.ParsePath(f)
		if i == 0 {
			first = pp
		}
		switch {
		case (pp.Kind == rules.PathDecision || pp.Kind == rules.PathRosterApproval) && pp.Ext == "statement":
			stmt = files[f]
		case pp.Kind == rules.PathRatified:
			ratifiedRaw = files[f]
		case pp.Kind == rules.PathChange:
			changeRaw = files[f]
		case pp.Kind == rules.PathDocument:
			docRaw = files[f]
		}
		if pp.Version > first.Version {
			first.Version = pp.Version
		}
	}
	switch e.Kind {
	case rules.KindGenesis:
		var g rules.Genesis
		if err := rules.DecodeJSON(files[rules.GenesisPath], &g); err != nil {
			d.summary = fmt.Sprintf("Found a ledger (genesis.json unreadable: %v)", err)
			break
		}
		d.actor = g.Founder
		d.summary = fmt.Sprintf("Found the ledger %q", g.Title)
	case rules.KindRoster:
		var ch rules.RosterChange
		if err := rules.DecodeJSON(changeRaw, &ch); err != nil {
			d.summary = fmt.Sprintf("Propose change %s (change.json unreadable: %v)", first.Change, err)
			break
		}
		if dr.changes == nil {
			dr.changes = map[string]*rules.RosterChange{}
		}
		dr.changes[first.Change] = &ch
		d.summary = fmt.Sprintf("Propose to %s %s (change %s)", ch.Action, ch.Subject(), first.Change)
	case rules.KindApprove:
		d.summary = fmt.Sprintf("Approve change %s", first.Change)
		if ch := dr.changes[first.Change]; ch != nil {
			d.summary += fmt.Sprintf(": %s %s", ch.Action, ch.Subject())
		}
	case rules.KindPropose:
		var doc rules.Document
		if err := rules.DecodeJSON(docRaw, &doc); err == nil {
			d.summary = fmt.Sprintf("Propose %s: %s", e.Doc, doc.Title)
		} else {
			d.summary = fmt.Sprintf("Propose %s", e.Doc)
		}
	case rules.KindAmend:
		d.summary = fmt.Sprintf("Amend %s: version %d", e.Doc, first.Version)
	case rules.KindDecision:
		verb := "Decide on"
		if s, err := signing.ParseStatement(stmt); err == nil {
			switch s.Decision {
			case signing.Approve:
				verb = "Approve"
			case signing.Withdraw:
				verb = "Withdraw approval of"
			}
		}
		d.summary = fmt.Sprintf("%s %s v%d (%s)", verb, e.Doc, first.Version, e.Actor)
		var rat rules.Ratified
		if ratifiedRaw != nil && rules.DecodeJSON(ratifiedRaw, &rat) == nil {
			d.summary += fmt.Sprintf(": ratified by %s", rat.Rule)
		}
	case rules.KindWitness:
		d.summary = fmt.Sprintf("Witness the head %.12s (%d entries)", parent, p)
	default:
		d.summary = e.Kind
	}
	return d
}

func changeWhat(ch gitstore.Change) string {
	switch {
	case ch.Malformed != "":
		return ch.Malformed
	case ch.Irregular:
		return "is not a regular file"
	}
	return ch.Kind.String()
}
