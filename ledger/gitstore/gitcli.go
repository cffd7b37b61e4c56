package gitstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/concord-ledger/concord/internal/shellword"
)

// The network is reached through the git program when one is given
// (UseGit): git fetch and git push run with the user's own configuration
// and environment, so ~/.ssh/config, known_hosts, ssh-agent and key files,
// GIT_SSH_COMMAND, credential helpers and ~/.netrc, http.sslCAInfo and
// GIT_SSL_CAINFO, proxies, and the server's hooks and rules (with their
// messages) all work as they do for git. Without it, go-git's built-in
// transport is used (see remote.go), with its limits.

// UseGit makes Fetch and Push run the git program at path, Preload read
// through it and MaybePack pack with it; "" makes them use go-git's
// built-in transport and reads (and not pack).
func (g *Repo) UseGit(path string) { g.git = path }

// Transport names what Fetch and Push use: "git" or "go-git".
func (g *Repo) Transport() string {
	if g.git != "" {
		return "git"
	}
	return "go-git"
}

// quarantinePrefix names the folders, in the git folder, that hold a
// fetch until it is accepted or refused (quarantine.go).
const quarantinePrefix = ".concord-incoming-"

// gitEnv returns the environment for a git command on this repository:
// the user's, without the variables that would point git at another
// repository, with git's messages in English (they are classified) and
// with extra added.
func gitEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
			"GIT_COMMON_DIR", "GIT_NAMESPACE", "GIT_QUARANTINE_PATH", "GIT_CEILING_DIRECTORIES", "LC_ALL", "LANGUAGE":
			continue
		}
		env = append(env, kv)
	}
	return append(append(env, "LC_ALL=C", "LANGUAGE=C"), extra...)
}

// runGit runs git on the repository with args. When ctx ends, git and
// everything it started (ssh, a local upload-pack) are killed.
func (g *Repo) runGit(ctx context.Context, env []string, args ...string) (stdout, stderr string, err error) {
	dir, err := filepath.Abs(g.GitDir())
	if err != nil {
		return "", "", err
	}
	return g.runGitIn(ctx, dir, env, args...)
}

// runGitIn runs git on the repository in git folder dir (an absolute
// path), as runGit.
func (g *Repo) runGitIn(ctx context.Context, dir string, env []string, args ...string) (stdout, stderr string, err error) {
	// core.hooksPath: no hook of the repository's (reference-transaction
	// on a fetch, pre-push) runs; a ledger copied from someone else
	// carries its config and hooks, and a concord command must not run
	// their programs.
	cmd := exec.CommandContext(ctx, g.git, append([]string{"--git-dir=" + dir,
		"-c", "gc.auto=0", "-c", "maintenance.auto=false", "-c", "fetch.writeCommitGraph=false",
		"-c", "core.hooksPath=" + os.DevNull}, args...)...)
	cmd.Env = env
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	killGroupOnCancel(cmd)
	cmd.WaitDelay = 2 * time.Second
	err = cmd.Run()
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return out.String(), errb.String(), err
}

// removeQuarantines removes what fetches killed on the way left behind.
func (g *Repo) removeQuarantines() {
	names, _ := filepath.Glob(filepath.Join(g.GitDir(), quarantinePrefix+"*"))
	for _, n := range names {
		os.RemoveAll(n)
	}
}

// alternateRefsArgs are the options that make a fetch into the quarantine
// list the repository's branches as its "haves": core.alternateRefsPrefixes
// (see fetchGit) and, when the repository's own config names a
// core.alternateRefsCommand (a program git would run, with the
// repository's path, in place of its own listing), a command doing what
// git's own listing does, with this git: the repository's program never
// runs.
func (g *Repo) alternateRefsArgs() []string {
	args := []string{"-c", "core.alternateRefsPrefixes=refs/heads/"}
	for _, c := range g.ownConfigs() {
		if c.HasSection("core") && len(c.Section("core").Options.GetAll("alternateRefsCommand")) > 0 {
			// git runs it as sh -c 'COMMAND "$@"' COMMAND PATH.
			list := "f() { " + shellword.Quote(g.git) + ` --git-dir="$1" for-each-ref --format='%(objectname)' refs/heads/; }; f`
			return append(args, "-c", "core.alternateRefsCommand="+list)
		}
	}
	return args
}

// fetchGit is Fetch through git into a quarantine (quarantine.go): a
// bare repository of its own in the git folder, with the repository's
// objects as its alternate, receives the objects and ref. It stays
// pending, its objects read before the repository's, until KeepFetched
// moves them into place or DiscardFetched removes it.
func (g *Repo) fetchGit(ctx context.Context, url, ref string) (string, error) {
	q, gitDir, err := g.startQuarantine()
	if err != nil {
		return "", err
	}
	env := gitEnv(alternatesEnv(filepath.Join(gitDir, "objects")))
	// The repository's branches are the fetch's "haves" (an alternate's
	// refs, git-config(1) core.alternateRefsPrefixes), not concord's own
	// refs: one that names a commit the repository does not hold would
	// make git fail the fetch ("bad object .alternate"), as if the remote
	// had sent too little.
	_, stderr, err := g.runGitIn(ctx, q.dir, env, append(g.alternateRefsArgs(),
		"fetch", "--quiet", "--no-tags", "--no-write-fetch-head",
		"--no-recurse-submodules", "--", url, "+"+Branch+":"+ref)...)
	if err != nil {
		q.remove()
		if ctx.Err() != nil {
			return "", err
		}
		if strings.Contains(stderr, "couldn't find remote ref "+Branch) {
			return "", g.noBranch(ctx, url)
		}
		if lock := localLock(stderr, gitDir); lock != "" {
			// A lock in this repository, not the remote's doing.
			return "", &RefLockError{Path: lock}
		}
		if we := localWriteFailure(gitDir, scrub(stderr, url)); we != nil {
			return "", we // this disk's doing, not the remote's
		}
		return "", classifyGit(stderr, url, err)
	}
	q.openStorage(g.perm)
	if err := q.readRef(ref); err != nil {
		q.remove()
		return "", err
	}
	g.quar = q
	g.step("fetch: objects fetched")
	return q.head, nil
}

// localLock returns the lock file in gitDir that git could not create
// ("Unable to create '…/refs/concord/incoming.lock': File exists."), or "".
func localLock(stderr, gitDir string) string {
	_, rest, ok := strings.Cut(stderr, "Unable to create '")
	if !ok {
		return ""
	}
	p, _, ok := strings.Cut(rest, "'")
	if !ok || !strings.HasSuffix(p, ".lock") || !strings.HasPrefix(p, gitDir+string(filepath.Separator)) {
		return ""
	}
	return p
}

// NoBranchError is returned by Fetch when the remote has branches, but no
// main: it holds something other than a ledger.
type NoBranchError struct {
	Branches []string // the remote's branches, "refs/heads/…"
}

func (e *NoBranchError) Error() string {
	return fmt.Sprintf("it has no %s, only %s", Branch, strings.Join(e.Branches, ", "))
}

// Is makes a NoBranchError an ErrNoRemoteBranch.
func (e *NoBranchError) Is(target error) bool { return target == ErrNoRemoteBranch }

// noBranch says what the remote has instead of main: nothing
// (ErrNoRemoteBranch) or other branches (NoBranchError).
func (g *Repo) noBranch(ctx context.Context, url string) error {
	out, _, err := g.runGit(ctx, gitEnv(), "ls-remote", "--heads", "--", url)
	if err != nil {
		return ErrNoRemoteBranch
	}
	var branches []string
	for _, line := range strings.Split(out, "\n") {
		if _, name, ok := strings.Cut(line, "\t"); ok {
			branches = append(branches, name)
		}
	}
	if len(branches) == 0 {
		return ErrNoRemoteBranch
	}
	return &NoBranchError{Branches: branches}
}

// migrateObjects moves the objects in folder q into the objects folder,
// as git moves a push's quarantine: loose objects one by one (one already
// there is left as it is), packs with their .idx last, so that a reader
// never finds an index without its pack. Folders it creates get the modes
// git gives them (perm). It returns the files it placed.
func migrateObjects(q, objects string, perm perms) ([]string, error) {
	var moved []string
	mkdir := func(dir string) error {
		if _, err := os.Stat(dir); err == nil {
			return nil
		}
		if err := os.MkdirAll(dir, 0o777); err != nil {
			return err
		}
		if dm, ok := perm.dir(); ok {
			return os.Chmod(dir, dm)
		}
		return nil
	}
	entries, err := os.ReadDir(q)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case name == "pack":
			packs, err := os.ReadDir(filepath.Join(q, "pack"))
			if err != nil {
				return moved, err
			}
			var names []string
			for _, p := range packs {
				if strings.HasPrefix(p.Name(), "pack-") {
					names = append(names, p.Name())
				}
			}
			// .pack first, .idx last, the rest between.
			rank := func(n string) int {
				switch filepath.Ext(n) {
				case ".pack":
					return 0
				case ".idx":
					return 2
				}
				return 1
			}
			slices.SortFunc(names, func(a, b string) int { return rank(a) - rank(b) })
			if err := mkdir(filepath.Join(objects, "pack")); err != nil {
				return moved, err
			}
			for _, n := range names {
				dst := filepath.Join(objects, "pack", n)
				if ok, err := place(filepath.Join(q, "pack", n), dst, perm); err != nil {
					return moved, err
				} else if ok {
					moved = append(moved, dst)
				}
			}
		case len(name) == 2 && e.IsDir():
			files, err := os.ReadDir(filepath.Join(q, name))
			if err != nil {
				return moved, err
			}
			if err := mkdir(filepath.Join(objects, name)); err != nil {
				return moved, err
			}
			for _, f := range files {
				dst := filepath.Join(objects, name, f.Name())
				if ok, err := place(filepath.Join(q, name, f.Name()), dst, perm); err != nil {
					return moved, err
				} else if ok {
					moved = append(moved, dst)
				}
			}
		}
	}
	return moved, nil
}

// place moves src to dst unless dst exists (an object file's content is
// its name: the one there is as good). It reports whether it moved. The
// folder of dst is made again (with perm's mode) when it is gone: git's
// gc and prune remove empty object folders, so one made for this move can
// vanish before it; git retries its own moves the same way.
func place(src, dst string, perm perms) (bool, error) {
	for attempt := 0; ; attempt++ {
		moved, err := placeOnce(src, dst)
		if err == nil || !errors.Is(err, os.ErrNotExist) || attempt == 4 {
			return moved, err
		}
		if _, serr := os.Lstat(src); serr != nil {
			return moved, err // the source is what is missing
		}
		if err := perm.mkdirAll(filepath.Dir(dst)); err != nil {
			return false, err
		}
	}
}

func placeOnce(src, dst string) (bool, error) {
	if _, err := os.Lstat(dst); err == nil {
		return false, nil
	}
	if err := os.Link(src, dst); err != nil {
		if errors.Is(err, os.ErrExist) {
			return false, nil
		}
		// A file system without hard links: rename (which would replace
		// a file appearing meanwhile with the same content).
		if err := os.Rename(src, dst); err != nil {
			return false, err
		}
	}
	return true, nil
}

// pushGit is Push through git: --force-with-lease makes git send the update
// only while the remote's branch is still old (absent when old is ""),
// and git's receive-pack on the other side checks it again under the
// branch's lock.
func (g *Repo) pushGit(ctx context.Context, url, old string) error {
	// --no-verify: no pre-push hook of the repository's runs. A ledger
	// copied from someone else carries its hooks folder; a concord
	// write must not run their program.
	out, stderr, err := g.runGit(ctx, gitEnv(), "push", "--no-verify", "--porcelain", "--force-with-lease="+Branch+":"+old,
		"--", url, Branch+":"+Branch)
	if err == nil {
		g.messages = serverLines(scrub(stderr, url))
		return nil
	}
	if ctx.Err() != nil {
		return err
	}
	moved, line := pushRejection(out)
	if moved && lockRejection(line) {
		return remoteLocked(stderr, url)
	}
	if moved {
		return fmt.Errorf("%w: %s", ErrRemoteMoved, strings.Join(strings.Fields(line), " "))
	}
	ne := classifyGit(stderr+"\n"+line, url, err)
	if line != "" && strings.Contains(line, "[remote rejected]") {
		ne.Kind = NetRefused
		ne.Detail = summarize(scrub(stderr+"\n"+line, url), NetRefused)
	}
	return ne
}

// ServerMessages returns what the server said ("remote: …" lines, from
// its hooks) during the last push that succeeded through git, credentials
// masked; nil if nothing.
func (g *Repo) ServerMessages() []string { return g.messages }

// serverLines returns the text of the "remote: " lines of git's stderr.
func serverLines(stderr string) []string {
	var out []string
	for _, line := range strings.Split(stderr, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimRight(line, "\r "), "remote: "); ok && strings.TrimSpace(rest) != "" {
			out = append(out, rest)
		}
	}
	return out
}

// refresh makes the next read find the packs as they are on disk now
// (after a fetch by git, a repack by git's maintenance, a removal):
// go-git lists the packs once and keeps them open.
func (g *Repo) refresh() {
	if g.sto != nil {
		g.sto.Close()
		g.sto.Reindex()
	}
}

// RemoteHeadNamesBranch reports, through git (git ls-remote --symref URL
// HEAD), whether the remote's HEAD names the ledger's branch. A remote
// made with another default branch (git init --bare with init.defaultBranch
// master, a forge's default) keeps HEAD on a branch that does not exist:
// stock git clones of it then check out nothing, and git advertises no
// HEAD at all. Without git it cannot tell: checked is false.
func (g *Repo) RemoteHeadNamesBranch(ctx context.Context, url string) (names, checked bool) {
	if g.git == "" {
		return false, false
	}
	out, _, err := g.runGit(ctx, gitEnv(), "ls-remote", "--symref", "--", url, "HEAD")
	if err != nil {
		return false, false
	}
	return strings.Contains(out, "ref: "+Branch+"\tHEAD\n"), true
}
