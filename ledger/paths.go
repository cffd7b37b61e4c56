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
	genesisPath = "genesis.json"
	changesDir  = "roster/changes"
	docsDir     = "documents"
	witnessDir  = "witnesses"
)

func posString(p int) string { return fmt.Sprintf("%08d", p) }

func changeFile(cid string) string { return path.Join(changesDir, cid, "change.json") }

func rosterApprovalBase(cid string, p int, steward string) string {
	return path.Join(changesDir, cid, "approvals", posString(p)+"-"+steward)
}

func docFile(doc string) string { return path.Join(docsDir, doc, "document.json") }

func versionDir(doc string, n int) string { return path.Join(docsDir, doc, "v"+strconv.Itoa(n)) }

func versionFile(doc string, n int) string { return path.Join(versionDir(doc, n), "version.json") }

func textFile(doc string, n int, lang string) string {
	return path.Join(versionDir(doc, n), "text", lang+".txt")
}

func decisionBase(doc string, n, p int, who string) string {
	return path.Join(versionDir(doc, n), "decisions", posString(p)+"-"+who)
}

func ratifiedFile(doc string, n int) string { return path.Join(versionDir(doc, n), "ratified.json") }

func witnessFile(p int, who string) string {
	return path.Join(witnessDir, posString(p)+"-"+who+".note")
}

// Suffixes of a signed statement's two files.
const (
	statementSuffix = ".statement"
	sigSuffix       = ".sig"
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
