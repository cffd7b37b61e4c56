package ledger

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDisplayOverlays: settings in the repository's own config that make
// stock git print other text than the objects hold are overlays, as
// refs/replace is. A diff driver with a textconv (diff.NAME.textconv) that
// info/attributes gives the texts makes 'git show COMMIT' and 'git log -p'
// print the converted text — here another city's name in the agreement —
// and a mailmap (mailmap.file) makes 'git log' print other authors; verify
// said OK. Each is reported (exit 3); a driver no attribute uses, or
// attributes naming no driver, change nothing and are not.
func TestDisplayOverlays(t *testing.T) {
	r := gitWorld(t)
	r.sign("pact", "a")
	info := filepath.Join(r.dir, "info")
	if err := os.MkdirAll(info, 0o755); err != nil {
		t.Fatal(err)
	}
	attrs := filepath.Join(info, "attributes")
	write := func(p, s string) {
		t.Helper()
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	write(attrs, "# text files\n*.txt text\n")
	r.mustVerify()
	runGit(t, r.dir, "config", "diff.conv.textconv", "sed s/Pact/Treaty/g")
	r.mustVerify() // no attribute names the driver
	write(attrs, "*.txt diff=conv\n")
	if out := runGit(t, r.dir, "show", "HEAD~1"); !strings.Contains(out, "Treaty") {
		t.Fatalf("stock git does not show the converted text:\n%s", out)
	}
	if rep := r.verify(VerifyOptions{}); rep.OK() || !strings.Contains(fmtProblems(rep), "textconv") {
		t.Errorf("a textconv overlay is not reported:\n%s", fmtProblems(rep))
	}
	os.Remove(attrs)
	runGit(t, r.dir, "config", "--unset", "diff.conv.textconv")
	r.mustVerify()

	mailmap := filepath.Join(r.dir, "info", "mailmap")
	write(mailmap, "Eve <eve@example.org> <a>\n")
	runGit(t, r.dir, "config", "mailmap.file", mailmap)
	if out := runGit(t, r.dir, "log", "-1", "--format=%aN <%aE>"); !strings.Contains(out, "Eve") {
		t.Fatalf("stock git does not map the author: %s", out)
	}
	if rep := r.verify(VerifyOptions{}); rep.OK() || !strings.Contains(fmtProblems(rep), "mailmap") {
		t.Errorf("a mailmap overlay is not reported:\n%s", fmtProblems(rep))
	}
}
