package rules

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// Paths of ledger files. Positions are written with eight digits so that
// names sort in ledger order. See docs/LEDGER.md.
const (
	GenesisPath = "genesis.json"
	ChangesDir  = "roster/changes"
	DocsDir     = "documents"
	WitnessDir  = "witnesses"
)

func PosString(p int) string { return fmt.Sprintf("%08d", p) }

func ChangeFile(cid string) string { return path.Join(ChangesDir, cid, "change.json") }

func RosterApprovalBase(cid string, p int, steward string) string {
	return path.Join(ChangesDir, cid, "approvals", PosString(p)+"-"+steward)
}

func DocFile(doc string) string { return path.Join(DocsDir, doc, "document.json") }

func VersionDir(doc string, n int) string { return path.Join(DocsDir, doc, "v"+strconv.Itoa(n)) }

func VersionFile(doc string, n int) string { return path.Join(VersionDir(doc, n), "version.json") }

func TextFile(doc string, n int, lang string) string {
	return path.Join(VersionDir(doc, n), "text", lang+".txt")
}

func DecisionBase(doc string, n, p int, who string) string {
	return path.Join(VersionDir(doc, n), "decisions", PosString(p)+"-"+who)
}

func RatifiedFile(doc string, n int) string { return path.Join(VersionDir(doc, n), "ratified.json") }

func WitnessFile(p int, who string) string {
	return path.Join(WitnessDir, PosString(p)+"-"+who+".note")
}

// Suffixes of a signed statement's two files.
const (
	StatementSuffix = ".statement"
	SigSuffix       = ".sig"
)

// Patterns of every file a ledger may hold; anything else is foreign.
var (
	idRe           = `[a-z0-9][a-z0-9-]{0,63}`
	changeFileRe   = regexp.MustCompile(`^roster/changes/([0-9a-f]{16})/change\.json$`)
	rosterApprRe   = regexp.MustCompile(`^roster/changes/([0-9a-f]{16})/approvals/([0-9]{8})-(` + idRe + `)\.(statement|sig)$`)
	docFileRe      = regexp.MustCompile(`^documents/(` + idRe + `)/document\.json$`)
	versionFileRe  = regexp.MustCompile(`^documents/(` + idRe + `)/v([1-9][0-9]{0,5})/version\.json$`)
	textFileRe     = regexp.MustCompile(`^documents/(` + idRe + `)/v([1-9][0-9]{0,5})/text/([a-z]{2,3}(?:-[a-z0-9]{2,8})?)\.txt$`)
	decisionFileRe = regexp.MustCompile(`^documents/(` + idRe + `)/v([1-9][0-9]{0,5})/decisions/([0-9]{8})-(` + idRe + `)\.(statement|sig)$`)
	ratifiedFileRe = regexp.MustCompile(`^documents/(` + idRe + `)/v([1-9][0-9]{0,5})/ratified\.json$`)
	witnessFileRe  = regexp.MustCompile(`^witnesses/([0-9]{8})-(` + idRe + `)\.note$`)
	signedNameRe   = regexp.MustCompile(`^([0-9]{8})-(` + idRe + `)\.(statement|sig)$`)
)

// PathKind names which ledger file a path is.
type PathKind int

// The kinds of ledger file, as docs/LEDGER.md lays them out.
const (
	PathGenesis        PathKind = iota + 1 // genesis.json
	PathChange                             // roster/changes/CID/change.json
	PathRosterApproval                     // roster/changes/CID/approvals/POS-STEWARD.(statement|sig)
	PathDocument                           // documents/DOC/document.json
	PathVersion                            // documents/DOC/vN/version.json
	PathText                               // documents/DOC/vN/text/LANG.txt
	PathRatified                           // documents/DOC/vN/ratified.json
	PathDecision                           // documents/DOC/vN/decisions/POS-WHO.(statement|sig)
	PathWitness                            // witnesses/POS-WHO.note
)

// Path is a ledger file's path, parsed by the one grammar of the ledger's
// paths (ParsePath). Fields a kind has no part for are zero.
type Path struct {
	Kind    PathKind
	Change  string // the roster change id (16 hex digits)
	Doc     string // the document id
	Version int    // the version number, 1 or more
	Lang    string // a text's language
	Pos     int    // the ledger position a signed file or witness note names
	Who     string // the steward, signatory or witness of a signed file
	Ext     string // "statement" or "sig" for a signed file
}

// ParsePath parses p, a path in a ledger's tree, by the ledger's one path
// grammar (docs/LEDGER.md, "Layout"). ok is false for any path a ledger may
// not hold.
func ParsePath(p string) (out Path, ok bool) {
	num := func(s string) int { n, _ := strconv.Atoi(s); return n }
	switch {
	case p == GenesisPath:
		return Path{Kind: PathGenesis}, true
	case strings.HasPrefix(p, ChangesDir+"/"):
		if m := changeFileRe.FindStringSubmatch(p); m != nil {
			return Path{Kind: PathChange, Change: m[1]}, true
		}
		if m := rosterApprRe.FindStringSubmatch(p); m != nil {
			return Path{Kind: PathRosterApproval, Change: m[1], Pos: num(m[2]), Who: m[3], Ext: m[4]}, true
		}
	case strings.HasPrefix(p, DocsDir+"/"):
		if m := docFileRe.FindStringSubmatch(p); m != nil {
			return Path{Kind: PathDocument, Doc: m[1]}, true
		}
		if m := versionFileRe.FindStringSubmatch(p); m != nil {
			return Path{Kind: PathVersion, Doc: m[1], Version: num(m[2])}, true
		}
		if m := textFileRe.FindStringSubmatch(p); m != nil {
			return Path{Kind: PathText, Doc: m[1], Version: num(m[2]), Lang: m[3]}, true
		}
		if m := ratifiedFileRe.FindStringSubmatch(p); m != nil {
			return Path{Kind: PathRatified, Doc: m[1], Version: num(m[2])}, true
		}
		if m := decisionFileRe.FindStringSubmatch(p); m != nil {
			return Path{Kind: PathDecision, Doc: m[1], Version: num(m[2]), Pos: num(m[3]), Who: m[4], Ext: m[5]}, true
		}
	case strings.HasPrefix(p, WitnessDir+"/"):
		if m := witnessFileRe.FindStringSubmatch(p); m != nil {
			return Path{Kind: PathWitness, Pos: num(m[1]), Who: m[2]}, true
		}
	}
	return Path{}, false
}

// String returns the path p names: ParsePath(p.String()) is p.
func (p Path) String() string {
	switch p.Kind {
	case PathGenesis:
		return GenesisPath
	case PathChange:
		return ChangeFile(p.Change)
	case PathRosterApproval:
		return RosterApprovalBase(p.Change, p.Pos, p.Who) + "." + p.Ext
	case PathDocument:
		return DocFile(p.Doc)
	case PathVersion:
		return VersionFile(p.Doc, p.Version)
	case PathText:
		return TextFile(p.Doc, p.Version, p.Lang)
	case PathRatified:
		return RatifiedFile(p.Doc, p.Version)
	case PathDecision:
		return DecisionBase(p.Doc, p.Version, p.Pos, p.Who) + "." + p.Ext
	case PathWitness:
		return WitnessFile(p.Pos, p.Who)
	}
	return ""
}

// ParseSignedName parses the name of a signed file in a roster change's
// approvals/ or a version's decisions/ folder: POS-WHO.statement or
// POS-WHO.sig, POS eight digits.
func ParseSignedName(name string) (pos int, who, ext string, ok bool) {
	m := signedNameRe.FindStringSubmatch(name)
	if m == nil {
		return 0, "", "", false
	}
	pos, _ = strconv.Atoi(m[1])
	return pos, m[2], m[3], true
}
