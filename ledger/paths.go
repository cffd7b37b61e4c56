package ledger

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
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
)
