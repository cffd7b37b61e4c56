package ledger_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/internal/testtool"
)

// goList runs 'go list' with args in the repository and returns its lines.
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	gobin := testtool.Require(t, "go")
	cmd := exec.Command(gobin, append([]string{"list"}, args...)...)
	cmd.Dir = testtool.RepoRoot(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.Fields(string(out))
}

// What 'concord verify' needs links no PDF code: the PDF evidence imports
// the ledger, never the reverse.
func TestLedgerLinksNoPDF(t *testing.T) {
	for _, dep := range goList(t, "-deps", "github.com/concord-ledger/concord/ledger") {
		if strings.Contains(dep, "fpdf") || dep == "rsc.io/qr" || strings.HasSuffix(dep, "/documents/pdf") || strings.HasSuffix(dep, "/evidence") {
			t.Errorf("package ledger links %s", dep)
		}
	}
}

// The rules package does no I/O: it imports no package that reaches files,
// processes, the network or the repository.
func TestRulesImportNoIO(t *testing.T) {
	for _, imp := range goList(t, "-f", "{{join .Imports \" \"}}", "github.com/concord-ledger/concord/ledger/rules") {
		switch {
		case imp == "os", imp == "os/exec", imp == "io/fs", imp == "io/ioutil", imp == "net", strings.HasPrefix(imp, "net/"),
			imp == "syscall", strings.Contains(imp, "go-git"), strings.HasSuffix(imp, "/gitstore"), strings.HasSuffix(imp, "/statecache"):
			t.Errorf("package rules imports %s", imp)
		}
	}
}
