package rules

import (
	"fmt"
	"sort"
	"strings"
)

// Entry kinds, as named in each commit's Concord-Kind trailer.
const (
	KindGenesis  = "genesis"
	KindRoster   = "roster-change"
	KindApprove  = "roster-approve"
	KindPropose  = "propose"
	KindAmend    = "amend"
	KindDecision = "decision"
)

// Entry is the meaning of one commit's added files.
type Entry struct {
	Kind  string
	Actor string // the member whose key must sign the commit ("" for genesis)
	Doc   string
	Apply func(st *State) []error
}

// Classify works out which entry a commit at position p is from the files
// it adds, or says why the files fit no entry.
func Classify(p int, files map[string][]byte) (*Entry, error) {
	paths := make([]string, 0, len(files))
	for f := range files {
		paths = append(paths, f)
	}
	sort.Strings(paths)
	if len(paths) == 0 {
		return nil, fmt.Errorf("commit adds no file")
	}
	if _, ok := files[GenesisPath]; ok {
		if p != 0 || len(files) != 1 {
			return nil, fmt.Errorf("genesis.json may only be the first entry's only file")
		}
		raw := files[GenesisPath]
		return &Entry{Kind: KindGenesis, Apply: func(st *State) []error { return st.ApplyGenesis(raw) }}, nil
	}
	if p == 0 {
		return nil, fmt.Errorf("the first entry must add genesis.json")
	}
	first := paths[0]
	switch {
	case strings.HasPrefix(first, ChangesDir+"/"):
		// A proposal (change.json and the proposer's approval) or an approval.
		var cid, steward, changeRaw string
		var stmt, sig []byte
		hasChange := false
		for _, f := range paths {
			pp, _ := ParsePath(f)
			if pp.Kind == PathChange {
				if hasChange || (cid != "" && pp.Change != cid) {
					return nil, foreignFile(f, "a roster entry about change "+cid)
				}
				hasChange, cid, changeRaw = true, pp.Change, string(files[f])
				continue
			}
			if pp.Kind != PathRosterApproval || (cid != "" && pp.Change != cid) || (steward != "" && pp.Who != steward) {
				return nil, foreignFile(f, "a roster entry")
			}
			if pp.Pos != p {
				return nil, fmt.Errorf("%s names entry %s, but stands at entry %d", f, PosString(pp.Pos), p)
			}
			cid, steward = pp.Change, pp.Who
			if pp.Ext == "statement" {
				stmt = files[f]
			} else {
				sig = files[f]
			}
		}
		if stmt == nil || sig == nil {
			return nil, fmt.Errorf("a roster entry needs one approval statement and its signature")
		}
		if hasChange {
			return &Entry{Kind: KindRoster, Actor: steward, Apply: func(st *State) []error {
				return st.ApplyRosterProposal(p, cid, []byte(changeRaw), steward, stmt, sig)
			}}, nil
		}
		return &Entry{Kind: KindApprove, Actor: steward, Apply: func(st *State) []error {
			return st.ApplyRosterApproval(p, cid, steward, stmt, sig)
		}}, nil
	case strings.HasPrefix(first, DocsDir+"/"):
		return classifyDocument(p, paths, files)
	case strings.HasPrefix(first, WitnessDir+"/"):
		return classifyWitness(p, paths, files)
	}
	return nil, foreignFile(first, "a ledger")
}

func foreignFile(f, where string) error {
	return fmt.Errorf("%s does not belong in %s", f, where)
}

// classifyDocument handles entries under documents/.
func classifyDocument(p int, paths []string, files map[string][]byte) (*Entry, error) {
	var doc string
	version := 0
	same := func(f string, pp Path) error {
		if (doc != "" && pp.Doc != doc) || (version != 0 && pp.Version != version) {
			return foreignFile(f, "an entry about "+doc)
		}
		doc, version = pp.Doc, pp.Version
		return nil
	}
	var docRaw, versionRaw, ratifiedRaw []byte
	texts := map[string][]byte{}
	var who string
	var stmt, sig []byte
	for _, f := range paths {
		var err error
		switch pp, _ := ParsePath(f); pp.Kind {
		case PathDocument:
			if doc != "" && pp.Doc != doc {
				return nil, foreignFile(f, "an entry about "+doc)
			}
			doc, docRaw = pp.Doc, files[f]
		case PathVersion:
			err, versionRaw = same(f, pp), files[f]
		case PathText:
			err, texts[pp.Lang] = same(f, pp), files[f]
		case PathRatified:
			err, ratifiedRaw = same(f, pp), files[f]
		case PathDecision:
			if err = same(f, pp); err != nil {
				break
			}
			if pp.Pos != p {
				return nil, fmt.Errorf("%s names entry %s, but stands at entry %d", f, PosString(pp.Pos), p)
			}
			if who != "" && who != pp.Who {
				return nil, fmt.Errorf("an entry holds one decision, not those of %s and %s", who, pp.Who)
			}
			who = pp.Who
			if pp.Ext == "statement" {
				stmt = files[f]
			} else {
				sig = files[f]
			}
		default:
			return nil, foreignFile(f, "a ledger")
		}
		if err != nil {
			return nil, err
		}
	}
	switch {
	case who != "":
		if docRaw != nil || versionRaw != nil || len(texts) > 0 || stmt == nil || sig == nil {
			return nil, fmt.Errorf("a decision entry holds one statement, its signature and at most a ratification")
		}
		var rat *Ratified
		if ratifiedRaw != nil {
			rat = new(Ratified)
			if err := DecodeJSON(ratifiedRaw, rat); err != nil {
				return nil, fmt.Errorf("%s: %v", RatifiedFile(doc, version), err)
			}
		}
		return &Entry{Kind: KindDecision, Actor: who, Doc: doc, Apply: func(st *State) []error {
			return st.ApplyDecision(p, doc, version, who, stmt, sig, rat)
		}}, nil
	case ratifiedRaw != nil:
		return nil, fmt.Errorf("%s: a ratification must be recorded with the approval that meets the rule", RatifiedFile(doc, version))
	case versionRaw == nil:
		return nil, fmt.Errorf("entry about %s adds no version", doc)
	}
	var v Version
	if err := DecodeJSON(versionRaw, &v); err != nil {
		return nil, fmt.Errorf("%s: %v", VersionFile(doc, version), err)
	}
	if v.Document != doc || v.Number != version {
		return nil, fmt.Errorf("%s names %s v%d", VersionFile(doc, version), v.Document, v.Number)
	}
	if docRaw != nil {
		if version != 1 {
			return nil, fmt.Errorf("a new document starts at version 1, not %d", version)
		}
		var d Document
		if err := DecodeJSON(docRaw, &d); err != nil {
			return nil, fmt.Errorf("%s: %v", DocFile(doc), err)
		}
		if d.ID != doc {
			return nil, fmt.Errorf("%s names document %q", DocFile(doc), d.ID)
		}
		return &Entry{Kind: KindPropose, Actor: d.Proposer, Doc: doc, Apply: func(st *State) []error {
			return st.ApplyPropose(p, &d, &v, texts)
		}}, nil
	}
	return &Entry{Kind: KindAmend, Actor: v.Author, Doc: doc, Apply: func(st *State) []error {
		return st.ApplyAmend(p, &v, texts)
	}}, nil
}
