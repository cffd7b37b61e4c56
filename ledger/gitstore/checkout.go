package gitstore

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
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

// updateCheckout brings the checkout whose branch moved from old to id
// forward, as git's receive.denyCurrentBranch = updateInstead does for a
// push (receive-pack's push_to_deploy): only when its files and index
// are as old has them (an untracked file of the user's is no obstacle),
// then 'git read-tree -u -m old id'. Otherwise, or without the git
// program, the checkout is left as it was (git status then shows the
// difference). Entries only add files, so the merge never touches a
// file the user has.
func (g *Repo) updateCheckout(old, id string) {
	wt := g.checkout()
	if wt == "" || g.git == "" || old == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), checkoutTimeout)
	defer cancel()
	run := func(args ...string) error {
		cmd := exec.CommandContext(ctx, g.git, append([]string{"-C", wt}, args...)...)
		cmd.Env = gitEnv()
		killGroupOnCancel(cmd)
		cmd.WaitDelay = 2 * time.Second
		return cmd.Run()
	}
	for _, args := range [][]string{
		{"update-index", "-q", "--ignore-submodules", "--refresh"},
		{"diff-files", "--quiet", "--ignore-submodules", "--"},
		{"diff-index", "--quiet", "--cached", "--ignore-submodules", old, "--"},
		{"read-tree", "-u", "-m", old, id},
	} {
		if err := run(args...); err != nil {
			return
		}
	}
}
