package gitstore

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// gitDirs are the folders of a repository opened at some folder, as git
// finds them (gitrepository-layout(5)).
type gitDirs struct {
	// common holds the objects, refs, config and the other files every
	// worktree shares: the folder itself (bare), its .git folder, the
	// folder a .git file names ("gitdir: PATH", as git init
	// --separate-git-dir and submodules write), or for a worktree made by
	// git worktree add, the repository its commondir file names.
	common string
	// head is the folder holding the HEAD stock git shows there: common,
	// except in a worktree (its worktrees/NAME folder).
	head string
	// viaFile is true when a .git file led there: go-git is then given
	// common to open, not the folder.
	viaFile bool
}

// findGitDirs returns the folders of the repository at dir. A .git file
// that does not read as "gitdir: PATH" is an error naming it.
func findGitDirs(dir string) (gitDirs, error) {
	dotGit := filepath.Join(dir, ".git")
	fi, err := os.Stat(dotGit)
	switch {
	case err != nil:
		return gitDirs{common: dir, head: dir}, nil
	case fi.IsDir():
		return gitDirs{common: dotGit, head: dotGit}, nil
	}
	data, err := os.ReadFile(dotGit)
	if err != nil {
		return gitDirs{}, err
	}
	target, ok := strings.CutPrefix(strings.TrimRight(string(data), "\r\n"), "gitdir: ")
	if !ok || target == "" {
		return gitDirs{}, fmt.Errorf("%s is a file that does not name a git folder (\"gitdir: PATH\")", dotGit)
	}
	if !filepath.IsAbs(target) {
		target = filepath.Join(dir, target)
	}
	d := gitDirs{common: filepath.Clean(target), head: filepath.Clean(target), viaFile: true}
	if data, err := os.ReadFile(filepath.Join(d.head, "commondir")); err == nil {
		common := strings.TrimRight(string(data), "\r\n")
		if !filepath.IsAbs(common) {
			common = filepath.Join(d.head, common)
		}
		d.common = filepath.Clean(common)
	}
	return d, nil
}
