package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/concord-ledger/concord/documents"
	"github.com/concord-ledger/concord/ledger"
	"github.com/concord-ledger/concord/signing"
)

// TestLibraryErrorsInCLIWords checks what the user sees for the library
// errors whose next step names a command or flag: the libraries carry the
// facts, and hints.go words them as they were worded before they moved.
func TestLibraryErrorsInCLIWords(t *testing.T) {
	bidi := &documents.SuspiciousCharError{Line: 1, Column: 2, Rune: 0x202E, Kind: documents.KindBidi}
	control := &documents.SuspiciousCharError{Line: 1, Column: 2, Rune: 0x1B, Kind: documents.KindControl}
	prob := ledger.Problem{Entry: -1, What: "bad"}
	amend := ledger.RefusedError{Document: "almaty", Version: 2, Lang: "kk"}
	with := func(r ledger.Refusal, e ledger.RefusedError, msg string) error {
		e.Reason, e.Msg = r, msg
		return &e
	}
	for _, c := range []struct {
		name      string
		err       error
		msg, hint string
	}{
		{"not a ledger", &ledger.NotLedgerError{Dir: "x", Err: errors.New("no git repository there")},
			"x is not a concord ledger: no git repository there", "pass --ledger DIR or set CONCORD_LEDGER; 'concord init' founds a new ledger"},
		{"not a ledger, wrapped", fmt.Errorf("opening: %w", &ledger.NotLedgerError{Dir: "x", Err: errors.New("no entries")}),
			"opening: x is not a concord ledger: no entries", "pass --ledger DIR or set CONCORD_LEDGER; 'concord init' founds a new ledger"},
		{"inconsistent", &ledger.InconsistentError{Errs: []error{errors.New("bad entry")}},
			"the ledger is inconsistent: bad entry", "run 'concord verify' for a full report"},
		{"unverified", &ledger.UnverifiedError{What: "the ledger", Report: &ledger.Report{Problems: []ledger.Problem{prob}}},
			"the ledger does not verify: 1 problem, the first: " + prob.String(), "run 'concord verify' for the full report"},
		{"invisible character, may be allowed", &ledger.TextError{Name: "kk.txt", Lang: "kk", Err: bidi},
			"text kk.txt (kk): " + bidi.Error(), "remove the character (your editor may not show it), or pass --allow-invisible if the text needs it"},
		{"control character, never allowed", &ledger.TextError{Name: "kk.txt", Lang: "kk", Err: control},
			"text kk.txt (kk): " + control.Error(), control.Hint()},
		{"text not UTF-8", &ledger.TextError{Name: "kk.txt", Lang: "kk", Err: &documents.EncodingError{Line: 1, Column: 1, Byte: 0xFF}},
			"text kk.txt (kk): line 1, column 1: invalid UTF-8: byte 0xFF at byte offset 0", (&documents.EncodingError{}).Hint()},
		{"key type", &signing.KeyTypeError{Path: "k", Type: "ssh-rsa"},
			`key "k" is of type ssh-rsa: concord needs an ed25519 key`, "make an ed25519 key with 'concord key new' or 'ssh-keygen -t ed25519'"},
		{"sign, unsupported", &signing.SignError{Kind: signing.ErrUnsupported, Reason: `key type "ssh-rsa" is not ed25519`},
			`signing: unsupported signature algorithm: key type "ssh-rsa" is not ed25519`, "concord signs with ed25519 keys only; create one with `concord key new`"},
		{"sign, misbehaving signer (library hint)", &signing.SignError{Kind: signing.ErrSignerMisbehaved},
			"signing: signer returned a bad signature", (&signing.SignError{Kind: signing.ErrSignerMisbehaved}).Hint()},
		{"not enrolled", with(ledger.RefusedNotEnrolled, ledger.RefusedError{Actor: "xjtu"}, "xjtu is not on the roster"),
			"xjtu is not on the roster", "'concord roster list' shows who is enrolled"},
		{"wrong key", with(ledger.RefusedWrongKey, ledger.RefusedError{Actor: "xjtu"}, "the key you sign with is not xjtu's"),
			"the key you sign with is not xjtu's", "sign with the key enrolled for xjtu (see 'concord roster list')"},
		{"pending conflict", with(ledger.RefusedPendingConflict, ledger.RefusedError{}, "change c1, pending, adds x already"),
			"change c1, pending, adds x already", "approve or wait for the pending change ('concord roster list' shows it)"},
		{"no such change", with(ledger.RefusedNoSuchChange, ledger.RefusedError{}, `no roster change "c9"`),
			`no roster change "c9"`, "'concord roster list' shows pending changes"},
		{"no such document", with(ledger.RefusedNoSuchDocument, ledger.RefusedError{Document: "d"}, `no document "d" in this ledger`),
			`no document "d" in this ledger`, "'concord status' lists the ledger's documents"},
		{"document exists", with(ledger.RefusedDocumentExists, ledger.RefusedError{Document: "d"}, "document d exists already"),
			"document d exists already", "use 'concord amend' for a new version"},
		{"no text", with(ledger.RefusedNoText, ledger.RefusedError{}, "no text given"),
			"no text given", "give each language as --text LANG=FILE"},
		{"text left out", with(ledger.RefusedTextLeftOut, amend, "almaty v2 has a text in kk, which this amendment leaves out"),
			"almaty v2 has a text in kk, which this amendment leaves out", "give --text kk=FILE, or --drop kk to leave it out on purpose"},
		{"drop given", with(ledger.RefusedDropGiven, amend, "kk is dropped, but a text in kk is given"),
			"--drop kk, but a text in kk is given", ""},
		{"drop absent", with(ledger.RefusedDropAbsent, amend, "cannot drop kk: almaty v2 has no text in kk"),
			"--drop kk: almaty v2 has no text in kk", ""},
		{"keys needed", with(ledger.RefusedKeysNeeded, ledger.RefusedError{Actors: []string{"xjtu", "kaznu"}}, "entries by kaznu need kaznu's key"),
			"entries by kaznu need kaznu's key", "run 'concord sync --as xjtu --key FILE --as kaznu --key FILE' to re-create them with their signatories' keys"},
		{"cannot place", with(ledger.RefusedCannotPlace, ledger.RefusedError{Commit: "0123456789abcdef0123456789abcdef01234567", Entries: 2}, "both amended pact"),
			"both amended pact", "to take the remote's entries instead, dropping your 2 local entries after commit 0123456789ab (make them again afterwards, on the remote's): git -C LEDGER update-ref refs/heads/main 0123456789abcdef0123456789abcdef01234567, then 'concord sync'"},
		{"drop absent, wrapped", fmt.Errorf("amending: %w", with(ledger.RefusedDropAbsent, amend, "cannot drop kk: almaty v2 has no text in kk")),
			"amending: --drop kk: almaty v2 has no text in kk", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var w bytes.Buffer
			reportError(&w, c.err)
			want := "concord: " + c.msg + "\n"
			if c.hint != "" {
				want += "hint: " + c.hint + "\n"
			}
			if w.String() != want {
				t.Errorf("reported\n%s\nwant\n%s", w.String(), want)
			}
		})
	}
}

// TestNotLedgerHint checks, through the ledger, that opening a folder
// with no ledger gives the error hints.go words (ledger's own
// TestRefusalsCarryFacts does the same for the refusals).
func TestNotLedgerHint(t *testing.T) {
	_, err := ledger.Open(t.TempDir())
	var nl *ledger.NotLedgerError
	if !errors.As(err, &nl) {
		t.Fatalf("Open of no ledger: %v, want *NotLedgerError", err)
	}
	if h, _ := (invocation{}).hintFor(nl); !strings.Contains(h, "--ledger DIR") {
		t.Errorf("hint %q", h)
	}
}

// hintContexts are the places in library source whose strings reach the
// user as an error message or hint: the bodies of Hint and Error methods,
// the arguments of these calls, and the values of these fields.
var (
	hintCalls  = []string{"refused", "refusedFor", "Errorf", "New", "extractErr"}
	hintFields = []string{"hint", "Hint", "NextStep", "Fix", "Msg", "Reason", "Problem"}
)

// knownCLIWords are the strings in library packages that still name a
// concord command or flag, each in a file another change owns; a new one
// fails TestLibraryHintsNameNoFlags. Move them to hints.go with the facts
// they need, and delete them here.
var knownCLIWords = []struct{ file, literal, why string }{
	{"ledger/rules/checkpoint.go", `concord checkpoint v1`, "the checkpoint format's header line, not a command"},
	{"ledger/sync.go", "--timeout", "RemoteError.Hint (sync is another change's)"},
	{"ledger/gitstore/overlays.go", "or concord clone URL DIR", "IncompleteError.Fix"},
	{"internal/demo/demo.go", "e.g. concord demo", "NotEmptyError.Hint: the demo's own command line"},
}

// TestLibraryHintsNameNoFlags fails when a library package's error message
// or hint names a concord flag (--ledger, --text…) or a concord command
// line ('concord roster list'): those words are cmd's (hints.go), the
// library's errors carry the facts. It reads the source of every package
// outside cmd/, so a new hint is caught without a test reaching it.
func TestLibraryHintsNameNoFlags(t *testing.T) {
	var flags, commands []string
	for _, c := range allCommands(t) {
		for _, fs := range []*pflag.FlagSet{c.Flags(), c.PersistentFlags()} {
			fs.VisitAll(func(f *pflag.Flag) {
				if !slices.Contains(flags, f.Name) {
					flags = append(flags, f.Name)
				}
			})
		}
		if c.HasParent() && !c.Parent().HasParent() {
			commands = append(commands, c.Name())
		}
	}
	if !slices.Contains(flags, "ledger") || !slices.Contains(flags, "allow-invisible") || !slices.Contains(commands, "roster") {
		t.Fatalf("flags %v, commands %v: the command tree is not what this test expects", flags, commands)
	}
	quote := func(ss []string) string {
		q := make([]string, len(ss))
		for i, s := range ss {
			q[i] = regexp.QuoteMeta(s)
		}
		return strings.Join(q, "|")
	}
	cliWords := regexp.MustCompile(`(--(` + quote(flags) + `)|\bconcord (` + quote(commands) + `))([^a-z0-9-]|$)`)

	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "cmd" || rel == "testdata" || strings.HasSuffix(rel, "/testdata") || strings.HasPrefix(d.Name(), ".") && rel != "." {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for _, lit := range hintStrings(t, rel, src) {
			if !cliWords.MatchString(lit) {
				continue
			}
			if slices.ContainsFunc(knownCLIWords, func(k struct{ file, literal, why string }) bool {
				return k.file == rel && strings.Contains(lit, k.literal)
			}) {
				continue
			}
			t.Errorf("%s: %q names a concord command or flag (%s): give the error the facts and word the hint in cmd/hints.go",
				rel, lit, cliWords.FindString(lit))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("only %d library files read from %s", files, root)
	}
}

// hintStrings returns the string literals of a Go source file that are in
// a hint context (hintCalls, hintFields, Hint and Error methods).
func hintStrings(t *testing.T, name string, src []byte) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), name, src, 0)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var out []string
	seen := map[*ast.BasicLit]bool{}
	literals := func(n ast.Node) {
		ast.Inspect(n, func(n ast.Node) bool {
			if b, ok := n.(*ast.BasicLit); ok && b.Kind == token.STRING && !seen[b] {
				seen[b] = true
				if s, err := strconv.Unquote(b.Value); err == nil {
					out = append(out, s)
				}
			}
			return true
		})
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			if n.Recv != nil && (n.Name.Name == "Hint" || n.Name.Name == "Error") && n.Body != nil {
				literals(n.Body)
			}
		case *ast.CallExpr:
			var fn string
			switch f := n.Fun.(type) {
			case *ast.Ident:
				fn = f.Name
			case *ast.SelectorExpr:
				fn = f.Sel.Name
			}
			if slices.Contains(hintCalls, fn) {
				for _, a := range n.Args {
					literals(a)
				}
			}
		case *ast.KeyValueExpr:
			if k, ok := n.Key.(*ast.Ident); ok && slices.Contains(hintFields, k.Name) {
				literals(n.Value)
			}
		}
		return true
	})
	return out
}

// TestHintContextsSeen checks that hintStrings finds the strings of each
// kind of hint context, so TestLibraryHintsNameNoFlags is not blind.
func TestHintContextsSeen(t *testing.T) {
	src := `package p
func (e *E) Hint() string { return "pass --ledger DIR" }
func (e *E) Error() string { return "in error" }
func f() error { refused("a hint", "a message %s", "x"); return &E{Fix: "a fix", hint: "a field"} }
func g() error { return fmt.Errorf("wrapped: %w", errors.New("new")) }
func h() string { return "not a hint --ledger" }
`
	got := hintStrings(t, "p.go", []byte(src))
	want := []string{"pass --ledger DIR", "in error", "a hint", "a message %s", "x", "a fix", "a field", "wrapped: %w", "new"}
	if !slices.Equal(got, want) {
		t.Errorf("hintStrings = %q, want %q", got, want)
	}
}
