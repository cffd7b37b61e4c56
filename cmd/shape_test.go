package cmd

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// notYetThin are the command files another change owns, whose RunE bodies
// still do the work; they are to get the shape the others have.
var notYetThin = []string{"clone.go", "sync.go", "verify.go", "verify_pdf.go"}

// TestCommandsAreThin keeps every command in one shape: its RunE only puts
// flags and arguments into its options struct and returns runX(…) (or
// printX(…) of a result), and calls no library (ledger, evidence, signing,
// documents, internal/demo) itself; the library call and the printing are
// in runX, where no cobra is needed.
func TestCommandsAreThin(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	libraries := []string{"ledger", "evidence", "signing", "documents", "demo", "rules", "pdf"}
	seen := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || slices.Contains(notYetThin, name) {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			var lit *ast.FuncLit
			switch n := n.(type) {
			case *ast.KeyValueExpr:
				if k, ok := n.Key.(*ast.Ident); ok && k.Name == "RunE" {
					lit, _ = n.Value.(*ast.FuncLit)
				}
			case *ast.AssignStmt:
				if sel, ok := n.Lhs[0].(*ast.SelectorExpr); ok && sel.Sel.Name == "RunE" && len(n.Rhs) == 1 {
					lit, _ = n.Rhs[0].(*ast.FuncLit)
				}
			}
			if lit == nil {
				return true
			}
			seen++
			if name == "root.go" { // wrapUsage's stand-in for commands that need a subcommand
				return true
			}
			where := name
			last, _ := lit.Body.List[len(lit.Body.List)-1].(*ast.ReturnStmt)
			call, _ := func() (*ast.CallExpr, bool) {
				if last == nil || len(last.Results) != 1 {
					return nil, false
				}
				c, ok := last.Results[0].(*ast.CallExpr)
				return c, ok
			}()
			fn, _ := func() (*ast.Ident, bool) {
				if call == nil {
					return nil, false
				}
				id, ok := call.Fun.(*ast.Ident)
				return id, ok
			}()
			if fn == nil || !strings.HasPrefix(fn.Name, "run") && !strings.HasPrefix(fn.Name, "print") {
				t.Errorf("%s: a RunE does not end in return runX(…): move its work into a run function", where)
			}
			ast.Inspect(lit.Body, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok {
					if pkg, ok := sel.X.(*ast.Ident); ok && slices.Contains(libraries, pkg.Name) {
						t.Errorf("%s: a RunE calls %s.%s itself: calls to the libraries belong in its run function", where, pkg.Name, sel.Sel.Name)
					}
				}
				return true
			})
			return true
		})
	}
	if seen < 25 {
		t.Fatalf("only %d RunE functions found", seen)
	}
}

// TestRosterApproveDeclined checks the steward's "no" at the question of
// roster approve: nothing signed, exit status 1, the ledger as it was.
func TestRosterApproveDeclined(t *testing.T) {
	h := newHarness(t)
	f := newFixture(t, h)
	h.mustRun(runOpts{}, "key", "new", "--no-passphrase", "--output", f.key("dave"), "--comment", "dave")
	r := h.mustRun(runOpts{}, "roster", "add", "dave", "--ledger", f.ledger, "--name", "Signatory dave", "--title", "Rector",
		"--institution", "University of dave", "--country", "Kyrgyzstan", "--pubkey", f.key("dave")+".pub",
		"--as", "alice", "--key", f.key("alice"), "--json")
	var res struct{ Change string }
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || res.Change == "" {
		t.Fatalf("roster add: %v from %q", err, r.stdout)
	}
	before := f.head()
	r = h.run(runOpts{terminal: true, stdin: "n\n"}, "roster", "approve", res.Change, "--ledger", f.ledger, "--as", "carol", "--key", f.key("carol"))
	if r.code != ExitError || !strings.HasSuffix(r.stderr, "? [y/N] nothing signed\n") || r.stdout != "" {
		t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit 1 and the question answered with \"nothing signed\"", r.code, r.stdout, r.stderr)
	}
	if after := f.head(); after != before {
		t.Errorf("ledger head moved from %s to %s: something was signed", before, after)
	}
}
