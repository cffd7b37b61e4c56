package gitstore

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/concord-ledger/concord/internal/shellword"
)

// Overlay is something in the repository besides the ledger's branch and
// objects that stock git reads: refs/replace, info/grafts, a shallow file,
// a HEAD that is not the branch, other refs, objects read from elsewhere.
type Overlay struct {
	What string // one line: what is there and what it does
	// ChangesGit is true when stock git (git log, show, verify-commit)
	// then shows something other than the ledger's history.
	ChangesGit bool
}

// concordRefs is the prefix of the refs concord keeps beside the branch.
const concordRefs = "refs/concord/"

// Overlays lists the repository's overlays, those that change what stock
// git shows first. Nothing is read from the objects.
func (g *Repo) Overlays() []Overlay {
	var out, notes []Overlay
	add := func(changes bool, format string, args ...any) {
		o := Overlay{What: fmt.Sprintf(format, args...), ChangesGit: changes}
		if changes {
			out = append(out, o)
		} else {
			notes = append(notes, o)
		}
	}
	dir := g.GitDir()
	if s, err := readHEAD(g.headDir()); err != nil {
		add(true, "HEAD cannot be read: %v", err)
	} else if s != "ref: "+Branch {
		add(true, "HEAD is %q, not \"ref: %s\": stock git shows another history", s, Branch)
	}
	notesShown := g.notesShown()
	iter, err := g.r.Storer.IterReferences()
	if err != nil {
		add(true, "the refs cannot be listed: %v", err)
	} else {
		iter.ForEach(func(r *plumbing.Reference) error {
			name := r.Name().String()
			switch {
			case name == "HEAD", strings.HasPrefix(name, concordRefs):
			case name == Branch:
				if r.Type() != plumbing.HashReference {
					add(true, "%s is a symbolic ref to %s, not a commit", Branch, r.Target())
				}
			case strings.HasPrefix(name, "refs/replace/"):
				add(true, "%s: stock git shows object %s as %s", name, strings.TrimPrefix(name, "refs/replace/"), r.Hash())
			case notesShown(name):
				add(true, "%s: stock git log prints its notes, text no entry holds, under the entries", name)
			default:
				target := r.Hash().String()
				if r.Type() != plumbing.HashReference {
					target = r.Target().String()
				}
				add(false, "ref %s (at %s) is not the ledger's branch", name, target)
			}
			return nil
		})
	}
	for _, d := range g.displayOverlays() {
		add(true, "%s", d)
	}
	if data, err := os.ReadFile(filepath.Join(dir, "info", "grafts")); err == nil && hasGraftLines(data) {
		add(true, "info/grafts gives commits other parents in stock git")
	}
	if ids := g.shallowIDs(); len(ids) > 0 {
		add(true, "the shallow file cuts the history at %s in stock git", strings.Join(ids, ", "))
	}
	for _, alt := range g.alternates() {
		add(false, "objects are also read from %s (objects/info/alternates)", alt)
	}
	return append(out, notes...)
}

// shallowIDs returns the commits the shallow file names.
func (g *Repo) shallowIDs() []string {
	data, err := os.ReadFile(filepath.Join(g.GitDir(), "shallow"))
	if err != nil {
		return nil
	}
	return strings.Fields(string(data))
}

// alternates returns the object folders objects/info/alternates names,
// and those their own alternates name, as git reads them (alternatesOf).
func (g *Repo) alternates() []string {
	data, err := os.ReadFile(filepath.Join(g.GitDir(), alternatesPath))
	if err != nil {
		return nil
	}
	return alternatesOf(filepath.Join(g.GitDir(), "objects"), data)
}

// IncompleteError is returned by Complete for a copy of a repository that
// lacks part of its history by design: shallow, partial (cloned with
// --filter), or reading objects from a folder that is gone. What it lacks
// cannot be told from tampering, so it is not verified.
type IncompleteError struct {
	Dir    string
	Reason string
	Fix    string // the command that completes it
}

func (e *IncompleteError) Error() string {
	return fmt.Sprintf("cannot verify %s: incomplete copy: %s", e.Dir, e.Reason)
}

// Hint gives the command that completes the copy.
func (e *IncompleteError) Hint() string { return "complete it, then verify again: " + e.Fix }

// UnsupportedError is a repository in a format concord does not read.
type UnsupportedError struct {
	Dir, What string
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("cannot read %s: %s is not supported", e.Dir, e.What)
}

// Hint says what to do instead.
func (e *UnsupportedError) Hint() string {
	return "keep the ledger in a repository of git's default format (sha1 objects, files for refs): git clone --bare it into one"
}

// Complete checks that the repository can be verified at all: its format
// is one concord reads (not sha256 objects, not reftable), and it is not
// an incomplete copy (*IncompleteError): a shallow clone whose cut commits'
// parents are absent, a partial clone (a promisor remote, objects fetched
// on demand), or objects/info/alternates naming a folder that is gone.
func (g *Repo) Complete() error {
	dir := g.GitDir()
	cfg, err := g.r.Config()
	if err != nil {
		return fmt.Errorf("reading %s's configuration: %w", dir, err)
	}
	ext := cfg.Raw.Section("extensions")
	if f := strings.ToLower(ext.Option("objectFormat")); f != "" && f != "sha1" {
		return &UnsupportedError{Dir: dir, What: "the object format " + f}
	}
	if f := strings.ToLower(ext.Option("refStorage")); f != "" && f != "files" {
		return &UnsupportedError{Dir: dir, What: "the ref storage " + f}
	}
	for _, id := range g.shallowIDs() {
		c, err := g.ReadCommit(id)
		missing := err != nil
		if err == nil {
			for _, p := range c.Parents {
				if h, err := parseHash(p); err != nil || !g.has(h) {
					missing = true
				}
			}
		}
		if missing {
			return &IncompleteError{Dir: g.dir, Reason: fmt.Sprintf("a shallow clone: the history before %.12s is not here", id),
				Fix: fmt.Sprintf("git -C %s fetch --unshallow", shellword.Quote(g.dir))}
		}
	}
	promisor := ext.Option("partialClone") != ""
	for _, s := range cfg.Raw.Section("remote").Subsections {
		promisor = promisor || strings.EqualFold(s.Option("promisor"), "true")
	}
	if ps, _ := filepath.Glob(filepath.Join(dir, "objects", "pack", "*.promisor")); len(ps) > 0 {
		promisor = true
	}
	if promisor {
		return &IncompleteError{Dir: g.dir, Reason: "a partial clone (made with --filter): objects are left on the server until git needs them",
			Fix: "make a full copy: git clone --bare URL DIR (without --filter), or concord clone URL DIR"}
	}
	for _, alt := range g.alternates() {
		if _, err := os.Stat(alt); err != nil {
			return &IncompleteError{Dir: g.dir, Reason: fmt.Sprintf("its objects are read from %s, which is gone", alt),
				Fix: fmt.Sprintf("restore %s, or remove objects/info/alternates and fetch the objects again", alt)}
		}
	}
	return nil
}

// has reports whether object h is in the repository.
func (g *Repo) has(h plumbing.Hash) bool {
	_, err := g.r.Storer.EncodedObject(plumbing.AnyObject, h)
	if packsMoved(err) {
		g.refresh()
		_, err = g.r.Storer.EncodedObject(plumbing.AnyObject, h)
	}
	return err == nil
}

// readHEAD returns the HEAD file in dir as git reads it: its content, or
// for a symbolic link (git writes one with core.preferSymlinkRefs) inside
// the folder's refs/, "ref: " and the ref it links to.
func readHEAD(dir string) (string, error) {
	p := filepath.Join(dir, "HEAD")
	if fi, err := os.Lstat(p); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		target, err := os.Readlink(p)
		if err != nil {
			return "", err
		}
		if t := filepath.ToSlash(target); strings.HasPrefix(t, "refs/") {
			return "ref: " + t, nil
		}
		return "a symbolic link to " + target, nil
	}
	data, err := os.ReadFile(p)
	s := strings.TrimSpace(string(data))
	if target, ok := strings.CutPrefix(s, "ref:"); ok {
		// git skips any white space after "ref:" (refs/files-backend.c).
		s = "ref: " + strings.TrimSpace(target)
	}
	return s, err
}

// hasGraftLines reports whether an info/grafts file gives any commit
// parents: git skips its empty lines and the lines starting with '#'.
func hasGraftLines(data []byte) bool {
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			return true
		}
	}
	return false
}
