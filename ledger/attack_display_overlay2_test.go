//go:build unix

package ledger

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDisplayOverlaysMissed: settings that make stock git log/show print
// other text than the objects hold, which verify's display overlays did
// not see, each checked against stock git first:
//   - a textconv in a file the repository's config includes
//     ([include] path), which go-git does not follow;
//   - format.pretty with a format of the outsider's words: 'git log'
//     prints them for every entry; log.date likewise for every date;
//   - a notes ref git log shows by default (refs/notes/commits), and
//     notes.displayRef naming another: 'git log' prints 'Notes:' with
//     the outsider's text under each entry;
//   - a pager command (core.pager, pager.log): what git log prints on a
//     terminal goes through the outsider's sed;
//   - in a checkout, a .gitattributes in the working tree giving the
//     files a textconv of the config's, and a .mailmap there;
//   - diff.external: 'git diff' between two entries prints its words.
//
// A pager that only pages (less), a builtin format, and a mailmap file
// that is absent or maps nothing are not reported.
func TestDisplayOverlaysMissed(t *testing.T) {
	r := gitWorld(t)
	r.sign("pact", "a")
	write := func(p, s string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mustReport := func(what, want string) {
		t.Helper()
		if rep := r.verify(VerifyOptions{}); rep.OK() || !strings.Contains(fmtProblems(rep), want) {
			t.Errorf("%s is not reported:\n%s", what, fmtProblems(rep))
		}
	}
	gitShows := func(want string, args ...string) {
		t.Helper()
		if out := runGit(t, r.dir, args...); !strings.Contains(out, want) {
			t.Fatalf("stock git %v does not show %q:\n%s", args, want, out)
		}
	}

	// An included file's textconv.
	inc := filepath.Join(t.TempDir(), "inc")
	write(inc, "[diff \"conv\"]\n\ttextconv = sed s/Pact/Treaty/g\n")
	write(filepath.Join(r.dir, "info", "attributes"), "*.txt diff=conv\n")
	runGit(t, r.dir, "config", "include.path", inc)
	gitShows("Treaty", "log", "-p")
	mustReport("a textconv in an included file", "textconv")
	runGit(t, r.dir, "config", "--unset", "include.path")
	runGit(t, r.dir, "config", "includeIf.gitdir:/.path", inc)
	gitShows("Treaty", "log", "-p")
	mustReport("a textconv in a file includeIf names", "textconv")
	runGit(t, r.dir, "config", "--unset", "includeIf.gitdir:/.path")
	r.mustVerify()

	// A mailmap file that is not there, or maps nothing, changes nothing.
	runGit(t, r.dir, "config", "mailmap.file", filepath.Join(t.TempDir(), "absent"))
	r.mustVerify()
	empty := filepath.Join(t.TempDir(), "mailmap")
	write(empty, "# no one\n\n")
	runGit(t, r.dir, "config", "mailmap.file", empty)
	r.mustVerify()
	runGit(t, r.dir, "config", "--unset", "mailmap.file")

	// format.pretty of the outsider's words, directly or through an alias.
	runGit(t, r.dir, "config", "format.pretty", "format:%h ratified in Bishkek")
	gitShows("Bishkek", "log")
	mustReport("format.pretty", "format.pretty")
	runGit(t, r.dir, "config", "format.pretty", "fake")
	runGit(t, r.dir, "config", "pretty.fake", "format:%h ratified in Bishkek")
	gitShows("Bishkek", "log")
	mustReport("format.pretty through pretty.fake", "format.pretty")
	runGit(t, r.dir, "config", "format.pretty", "fuller")
	r.mustVerify()
	runGit(t, r.dir, "config", "format.pretty", "format:%h %an <%ae> %ad%n%s%n%b")
	r.mustVerify()
	runGit(t, r.dir, "config", "format.pretty", "tformat:%C(yellow)%h%Creset %<(20)%an %s")
	r.mustVerify()
	runGit(t, r.dir, "config", "format.pretty", "tformat:%Cred%h%Creset %>>|(30)%an %s")
	r.mustVerify()
	for _, f := range []string{"tformat:%h%x09Bishkek", "tformat:%Creset Bishkek %<(20)%s", "format:%(Bishkek"} {
		runGit(t, r.dir, "config", "format.pretty", f)
		mustReport("format.pretty "+f, "format.pretty")
	}
	runGit(t, r.dir, "config", "--unset", "format.pretty")

	// log.date with text of its own; a strftime format of directives is
	// none.
	runGit(t, r.dir, "config", "log.date", "format:2020-01-01 in Bishkek")
	gitShows("Bishkek", "log")
	mustReport("log.date", "log.date")
	runGit(t, r.dir, "config", "log.date", "format:%Y-%m-%d %H:%M:%S %z")
	r.mustVerify()
	runGit(t, r.dir, "config", "log.date", "iso")
	r.mustVerify()
	runGit(t, r.dir, "config", "--unset", "log.date")

	// Notes git log shows.
	runGit(t, r.dir, "-c", "user.name=Eve", "-c", "user.email=eve@example.org", "notes", "add", "-m", "Ratified in Bishkek", "main")
	gitShows("Bishkek", "log")
	mustReport("refs/notes/commits", "refs/notes/commits")
	runGit(t, r.dir, "update-ref", "refs/notes/other", "refs/notes/commits")
	runGit(t, r.dir, "update-ref", "-d", "refs/notes/commits")
	if rep := r.verify(VerifyOptions{}); !rep.OK() {
		t.Errorf("a notes ref git log does not show is a problem:\n%s", fmtProblems(rep))
	}
	runGit(t, r.dir, "config", "notes.displayRef", "refs/notes/oth*")
	gitShows("Bishkek", "log")
	mustReport("notes.displayRef", "refs/notes/other")
	runGit(t, r.dir, "config", "--unset", "notes.displayRef")
	runGit(t, r.dir, "update-ref", "-d", "refs/notes/other")

	// A pager that rewrites; one that only pages is no overlay.
	runGit(t, r.dir, "config", "core.pager", "sed s/Pact/Treaty/g | less")
	mustReport("core.pager", "core.pager")
	runGit(t, r.dir, "config", "core.pager", "less -FRX")
	runGit(t, r.dir, "config", "pager.log", "false")
	r.mustVerify()
	runGit(t, r.dir, "config", "pager.log", "sed s/Pact/Treaty/g")
	mustReport("pager.log", "pager.log")
	runGit(t, r.dir, "config", "--unset", "pager.log")
	runGit(t, r.dir, "config", "--unset", "core.pager")
	os.Remove(filepath.Join(r.dir, "info", "attributes"))
	r.mustVerify()

	// A checkout's working-tree .gitattributes.
	co := filepath.Join(t.TempDir(), "co")
	runGit(t, filepath.Dir(co), "clone", "-q", r.dir, co)
	runGit(t, co, "config", "diff.conv.textconv", "sed s/Pact/Treaty/g")
	write(filepath.Join(co, "documents", ".gitattributes"), "*.txt diff=conv\n")
	if out := runGit(t, co, "log", "-p"); !strings.Contains(out, "Treaty") {
		t.Fatalf("stock git does not convert in the checkout:\n%s", out)
	}
	c := &world{t: t, dir: co, env: r.env, people: r.people}
	if rep := c.verify(VerifyOptions{}); rep.OK() || !strings.Contains(fmtProblems(rep), "textconv") {
		t.Errorf("a checkout's .gitattributes textconv is not reported:\n%s", fmtProblems(rep))
	}
	os.Remove(filepath.Join(co, "documents", ".gitattributes"))
	c.mustVerify()

	// A checkout's .mailmap.
	write(filepath.Join(co, ".mailmap"), "Eve <eve@example.org> <a>\n")
	if out := runGit(t, co, "log", "--format=%aN"); !strings.Contains(out, "Eve") {
		t.Fatalf("stock git does not map the author in the checkout:\n%s", out)
	}
	if rep := c.verify(VerifyOptions{}); rep.OK() || !strings.Contains(fmtProblems(rep), ".mailmap") {
		t.Errorf("a checkout's .mailmap is not reported:\n%s", fmtProblems(rep))
	}
	os.Remove(filepath.Join(co, ".mailmap"))

	// diff.external: git diff between two entries prints its words.
	ext := filepath.Join(t.TempDir(), "ext.sh")
	write(ext, "#!/bin/sh\necho ratified in Bishkek\n")
	os.Chmod(ext, 0o755)
	runGit(t, co, "config", "diff.external", ext)
	if out := runGit(t, co, "diff", "HEAD~1", "HEAD"); !strings.Contains(out, "Bishkek") {
		t.Fatalf("stock git diff does not run diff.external:\n%s", out)
	}
	if rep := c.verify(VerifyOptions{}); rep.OK() || !strings.Contains(fmtProblems(rep), "diff.external") {
		t.Errorf("diff.external is not reported:\n%s", fmtProblems(rep))
	}
}
