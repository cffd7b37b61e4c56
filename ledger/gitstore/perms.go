package gitstore

import (
	"bufio"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/go-git/go-billy/v5"
	git "github.com/go-git/go-git/v5"
)

// perms are the modes git gives the files it writes in a repository: the
// process's umask applied, then core.sharedRepository (git-config(1)):
// "group" (or true) adds the owner's read and write permissions for the
// group, "all" (world, everybody) read for others too, an octal mode
// (0640, …) sets the permissions outright; folders also get the setgid bit
// so that new files keep the group. Objects are read-only: 0444 before
// the umask, as git writes them.
type perms struct {
	umask os.FileMode
	// shared is 0 (umask), -1 (group), -2 (everybody), or an octal mode.
	shared os.FileMode
	mode   bool // shared holds an octal mode
	group  bool
	world  bool
}

// repoPerms reads the umask and r's core.sharedRepository.
func repoPerms(r *git.Repository) perms {
	p := perms{umask: processUmask()}
	cfg, err := r.Config()
	if err != nil {
		return p
	}
	v := strings.ToLower(strings.TrimSpace(cfg.Raw.Section("core").Option("sharedRepository")))
	switch v {
	case "", "false", "umask", "0":
	case "true", "group", "1":
		p.group = true
	case "all", "world", "everybody", "2":
		p.world = true
	default:
		if m, err := strconv.ParseUint(v, 8, 32); err == nil {
			p.shared, p.mode = os.FileMode(m)&0o777, true
		}
	}
	return p
}

// processUmask returns the umask, read from /proc/self/status (Linux
// 4.7 and later) without changing it; 022 where that cannot be read.
func processUmask() os.FileMode {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0o022
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "Umask:"); ok {
			if m, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32); err == nil {
				return os.FileMode(m)
			}
		}
	}
	return 0o022
}

// shared applies core.sharedRepository to mode, as git's calc_shared_perm.
func (p perms) sharedPerm(mode os.FileMode) os.FileMode {
	var tweak os.FileMode
	switch {
	case p.mode:
		tweak = p.shared
	case p.group:
		tweak = 0o660
	case p.world:
		tweak = 0o664
	default:
		return mode
	}
	if mode&0o200 == 0 {
		tweak &^= 0o222
	}
	if mode&0o100 != 0 {
		tweak |= (tweak & 0o444) >> 2
	}
	if p.mode {
		return mode&^0o777 | tweak
	}
	return mode | tweak
}

// file returns the mode of a new file git would create with mode.
func (p perms) file(mode os.FileMode) os.FileMode { return p.sharedPerm(mode &^ p.umask) }

// dir returns the mode git gives a folder it creates, and whether it
// changes anything (only when the repository is shared).
func (p perms) dir() (os.FileMode, bool) {
	if !p.mode && !p.group && !p.world {
		return 0, false
	}
	return p.sharedPerm(0o777&^p.umask) | os.ModeSetgid, true
}

// Chmod is called by go-git with 0444 for every loose object it writes:
// the object gets the mode git gives it (umask and
// core.sharedRepository), and its folder too when the repository is
// shared.
func (fs *objectsFS) Chmod(name string, mode os.FileMode) error {
	c, ok := fs.Filesystem.(billy.Chmod)
	if !ok {
		return billy.ErrNotSupported
	}
	if err := c.Chmod(name, fs.perm.file(mode)); err != nil {
		return err
	}
	if dm, ok := fs.perm.dir(); ok {
		dir := path.Dir(name)
		if fi, err := fs.Filesystem.Stat(dir); err == nil && fi.Mode()&(os.ModePerm|os.ModeSetgid) != dm {
			return c.Chmod(dir, dm)
		}
	}
	return nil
}
