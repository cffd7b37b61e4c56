//go:build unix

package ledger

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckoutUpdateRunsNoRepositoryCommand: bringing a checkout forward
// after a write ran git with the repository's own config and hooks. A
// ledger checkout copied from someone else (cp -r, a USB stick, an
// archive) whose .git/config names a core.fsmonitor command or a filter's
// clean/smudge command (with info/attributes giving it to every file),
// or whose .git/hooks holds a post-index-change hook, had that code run
// by 'concord sign': the outsider's program ran as the user. No command
// of the repository's may run; the checkout is still brought forward with
// the ledger's own bytes, and core.worktree does not send the files
// elsewhere.
func TestCheckoutUpdateRunsNoRepositoryCommand(t *testing.T) {
	r := gitWorld(t)
	tmp := t.TempDir()
	co := filepath.Join(tmp, "checkout")
	runGit(t, tmp, "clone", "-q", r.dir, co)
	marker := filepath.Join(tmp, "ran")
	script := filepath.Join(tmp, "evil.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho \"$0 $*\" >> '"+marker+"'\ncat\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	hook := filepath.Join(co, ".git", "hooks", "post-index-change")
	if err := os.WriteFile(hook, []byte("#!/bin/sh\necho hook >> '"+marker+"'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(co, ".git", "info", "attributes"), []byte("* filter=x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	runGit(t, co, "config", "core.fsmonitor", script)
	runGit(t, co, "config", "filter.x.smudge", script+" smudge")
	runGit(t, co, "config", "filter.x.clean", script+" clean")
	runGit(t, co, "config", "filter.x.required", "true")

	c := &world{t: t, dir: co, env: r.env, people: r.people}
	c.sign("pact", "a")
	if data, err := os.ReadFile(marker); err == nil {
		t.Fatalf("a write ran the repository's commands:\n%s", data)
	}
	// Brought forward all the same: the new entry's files are in the
	// index and on disk, with the ledger's bytes.
	files := runGit(t, co, "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "ls-files")
	var found bool
	for _, f := range strings.Split(files, "\n") {
		if strings.Contains(f, "/decisions/") {
			if _, err := os.Stat(filepath.Join(co, f)); err != nil {
				t.Errorf("%s is in the index but not on disk: %v", f, err)
			}
			found = true
		}
	}
	if !found {
		t.Errorf("the checkout was not brought forward: %s", files)
	}

	// core.worktree (set where the checkout's files are as the old head
	// has them) does not send the new files there.
	co2 := filepath.Join(tmp, "checkout2")
	runGit(t, tmp, "clone", "-q", r.dir, co2)
	elsewhere := filepath.Join(tmp, "elsewhere")
	runGit(t, tmp, "clone", "-q", r.dir, elsewhere)
	runGit(t, co2, "config", "core.worktree", elsewhere)
	before := runGit(t, elsewhere, "ls-files")
	c2 := &world{t: t, dir: co2, env: r.env, people: r.people}
	c2.sign("pact", "b")
	if after := runGit(t, elsewhere, "ls-files"); after != before {
		t.Errorf("the checkout update wrote into core.worktree's %s", elsewhere)
	}
	ents, _ := os.ReadDir(filepath.Join(elsewhere, "documents", "pact", "v1", "decisions"))
	for _, e := range ents {
		if strings.Contains(e.Name(), "-b.") {
			t.Errorf("the new entry's file is in core.worktree's %s: %s", elsewhere, e.Name())
		}
	}
}

// TestCheckoutUpdateKeepsUserFiles: bringing a checkout forward never
// writes through a symlink the user made in it (documents pointing at a
// folder elsewhere), nor over an untracked file of the user's at a path
// the new entry adds: the checkout is then left as it was, the entry
// written all the same.
func TestCheckoutUpdateKeepsUserFiles(t *testing.T) {
	r := gitWorld(t)
	tmp := t.TempDir()

	co := filepath.Join(tmp, "symlinked")
	runGit(t, tmp, "clone", "-q", r.dir, co)
	elsewhere := filepath.Join(tmp, "elsewhere")
	if err := os.Rename(filepath.Join(co, "documents"), elsewhere); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, filepath.Join(co, "documents")); err != nil {
		t.Fatal(err)
	}
	c := &world{t: t, dir: co, env: r.env, people: r.people}
	c.sign("pact", "a")
	filepath.WalkDir(elsewhere, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), "-a.") {
			t.Errorf("the update wrote through the user's symlink: %s", p)
		}
		return nil
	})

	co2 := filepath.Join(tmp, "untracked")
	runGit(t, tmp, "clone", "-q", r.dir, co2)
	c2 := &world{t: t, dir: co2, env: r.env, people: r.people}
	// The path the proposal of pact2 adds, taken by a file of the user's.
	mine := filepath.Join(co2, "documents", "pact2", "v1", "text", "en.txt")
	if err := os.MkdirAll(filepath.Dir(mine), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mine, []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c2.propose("pact2", []string{"a"}, "all", "en", "Two.\n")
	if data, err := os.ReadFile(mine); err != nil || string(data) != "mine\n" {
		t.Errorf("the user's untracked file: %q, %v", data, err)
	}
	c2.mustVerify()
}
