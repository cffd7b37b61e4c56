package gitstore

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// checkoutTimeout bounds the git commands that bring a checkout forward.
const checkoutTimeout = time.Minute

// checkout returns the working tree of the repository as opened when the
// folder is a checkout (it holds a .git folder or file) whose HEAD is the
// branch; "" otherwise (a bare repository, another branch checked out).
func (g *Repo) checkout() string {
	fi, err := os.Stat(filepath.Join(g.dir, ".git"))
	if err != nil || (!fi.IsDir() && !fi.Mode().IsRegular()) {
		return ""
	}
	if head, err := readHEAD(g.headDir()); err != nil || head != "ref: "+Branch {
		return ""
	}
	// core.bare (a bare repository given a .git file) says there is no
	// working tree; a linked worktree (git worktree add) of a bare
	// repository is one all the same.
	linked := g.dirs.head != g.dirs.common
	if cfg, err := g.r.Config(); err == nil && cfg.Core.IsBare && !linked {
		return ""
	}
	return g.dir
}

// IsCheckout reports whether the repository as opened is a checkout of
// the branch: a working tree whose files follow it (see checkout).
func (g *Repo) IsCheckout() bool { return g.checkout() != "" }

// updateCheckout brings the checkout whose branch moved from old to id
// forward, as git's receive.denyCurrentBranch = updateInstead does for a
// push (receive-pack's push_to_deploy): only when its files and index
// are as old has them (an untracked file of the user's is no obstacle),
// then 'git read-tree -u -m old id'. Otherwise, or without the git
// program, the checkout is left as it was (git status then shows the
// difference). Entries only add files, so the merge never touches a
// file the user has.
func (g *Repo) updateCheckout(old, id string) {
	g.checkoutLeft = ""
	wt := g.checkout()
	if wt == "" || old == "" {
		return
	}
	if g.git == "" {
		g.checkoutLeft = CheckoutLeftNoGit
		return
	}
	g.checkoutLeft = CheckoutLeftFailed // until read-tree has run
	wt, err1 := filepath.Abs(wt)
	gitDir, err2 := filepath.Abs(g.headDir())
	if err1 != nil || err2 != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), checkoutTimeout)
	defer cancel()
	run := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, g.git, append(checkoutArgs(gitDir, wt), args...)...)
		cmd.Env = gitEnv("GIT_NO_LAZY_FETCH=1")
		cmd.Dir = wt
		killGroupOnCancel(cmd)
		cmd.WaitDelay = 2 * time.Second
		out, err := cmd.Output()
		return string(out), err
	}
	// The filters the configuration names (any scope, includes followed)
	// are each given empty commands: no clean, smudge or process runs, and
	// the files are the ledger's own bytes. A name git cannot be given
	// back on its command line makes git fail, and the checkout is left.
	names, err := run("config", "-z", "--name-only", "--get-regexp", `^filter\.`)
	if err != nil && !isExit(err, 1) { // 1: no such key
		return
	}
	var noFilters []string
	for _, key := range strings.Split(names, "\x00") {
		sub, ok := strings.CutPrefix(key, "filter.")
		if i := strings.LastIndexByte(sub, '.'); ok && i > 0 {
			sub = sub[:i]
			noFilters = append(noFilters, "-c", "filter."+sub+".clean=", "-c", "filter."+sub+".smudge=",
				"-c", "filter."+sub+".process=", "-c", "filter."+sub+".required=false")
		}
	}
	for _, args := range [][]string{
		{"update-index", "-q", "--ignore-submodules", "--refresh"},
		{"diff-files", "--quiet", "--ignore-submodules", "--"},
		{"diff-index", "--quiet", "--cached", "--ignore-submodules", old, "--"},
		{"read-tree", "-u", "-m", old, id},
	} {
		if _, err := run(append(slices.Clone(noFilters), args...)...); err != nil {
			if args[0] != "read-tree" && args[0] != "update-index" && isExit(err, 1) {
				g.checkoutLeft = CheckoutLeftChanged
			}
			return
		}
	}
	g.checkoutLeft = ""
}

// Why a move of the branch left a checkout's files as they were
// (CheckoutLeft).
const (
	// CheckoutLeftChanged: a file or the index there differs from the old
	// head's.
	CheckoutLeftChanged = "a file there differs from the ledger's"
	// CheckoutLeftNoGit: the git program, which updates the files, is not
	// at hand.
	CheckoutLeftNoGit = "concord has no git program to update them"
	// CheckoutLeftFailed: git failed to update them.
	CheckoutLeftFailed = "git could not update them"
)

// CheckoutLeft returns why the last move of the branch through this Repo
// (SetHead, Append) left the checkout's files as they were, one of the
// CheckoutLeft constants; "" when it brought them forward, or the
// repository is no checkout of the branch. git status there then shows
// the new entries as deleted files.
func (g *Repo) CheckoutLeft() string { return g.checkoutLeft }

// checkoutArgs are the options every git command on a checkout starts
// with: the git folder and working tree named (core.worktree in the
// repository's config sends nothing elsewhere), and none of the commands
// the repository's config or folder can name run - no core.fsmonitor
// program, no hook (post-index-change runs on every index write), no
// submodule recursion. A ledger copied from someone else carries its
// .git/config and .git/hooks; a concord write must not run their code.
func checkoutArgs(gitDir, wt string) []string {
	return []string{"--git-dir=" + gitDir, "--work-tree=" + wt,
		"-c", "core.fsmonitor=false", "-c", "core.hooksPath=" + os.DevNull,
		"-c", "submodule.recurse=false", "-c", "gc.auto=0", "-c", "maintenance.auto=false"}
}

// isExit reports whether err is the program's exit with status code.
func isExit(err error, code int) bool {
	var ee *exec.ExitError
	return errors.As(err, &ee) && ee.ExitCode() == code
}
