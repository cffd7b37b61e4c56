// Package gitstore is concord's seam over go-git: a bare git repository
// written only through the object storer (never a worktree or index, whose
// cost grows with the repository), with append-only commits on one branch.
//
// Nothing here knows what the files mean; package ledger does.
package gitstore

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Branch is the one branch a ledger has.
const Branch = "refs/heads/main"

// ErrNotFound is returned for a path or commit that does not exist.
var ErrNotFound = errors.New("not found")

// ErrHeadMoved is returned by Append when the branch no longer points at the
// parent the new commit was built on.
var ErrHeadMoved = errors.New("ledger head moved")

// Repo is a ledger's git repository.
type Repo struct {
	dir string
	r   *git.Repository
}

// Init creates a new bare repository in dir, which must not exist or be
// empty.
func Init(dir string) (*Repo, error) {
	r, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{
		Bare:        true,
		InitOptions: git.InitOptions{DefaultBranch: plumbing.ReferenceName(Branch)},
	})
	if err != nil {
		return nil, err
	}
	return &Repo{dir: dir, r: r}, nil
}

// Open opens the repository in dir (bare, or with a .git folder).
func Open(dir string) (*Repo, error) {
	r, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{})
	if err != nil {
		return nil, err
	}
	return &Repo{dir: dir, r: r}, nil
}

// GitDir returns the folder holding the repository's objects and refs.
func (g *Repo) GitDir() string {
	if fi, err := os.Stat(filepath.Join(g.dir, ".git")); err == nil && fi.IsDir() {
		return filepath.Join(g.dir, ".git")
	}
	return g.dir
}

// Head returns the commit the branch points at, or "" for an empty
// repository.
func (g *Repo) Head() (string, error) {
	ref, err := g.r.Storer.Reference(plumbing.ReferenceName(Branch))
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", Branch, err)
	}
	return ref.Hash().String(), nil
}

func parseHash(id string) (plumbing.Hash, error) {
	if len(id) != 40 || strings.Trim(id, "0123456789abcdef") != "" {
		return plumbing.ZeroHash, fmt.Errorf("%q is not a commit id", id)
	}
	return plumbing.NewHash(id), nil
}

// Commit is one commit as stored.
type Commit struct {
	ID      string
	Parents []string
	Tree    string
	Author  string // name
	Email   string
	// CommitterEmail is the committer's e-mail; concord writes the author's.
	CommitterEmail string
	When           time.Time
	Message        string
	Signature      []byte // the gpgsig header, "" if unsigned
	// Payload is the commit without its signature: the bytes the signature
	// signs (what git verify-commit checks).
	Payload []byte
	// Canonical is false when the stored object is not what go-git encodes
	// again from its parsed form (unknown headers, odd spacing): such a
	// commit was not written by concord.
	Canonical bool
}

// ReadCommit reads one commit.
func (g *Repo) ReadCommit(id string) (*Commit, error) {
	h, err := parseHash(id)
	if err != nil {
		return nil, err
	}
	obj, err := g.r.Storer.EncodedObject(plumbing.CommitObject, h)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return nil, fmt.Errorf("commit %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading commit %s: %w", id, err)
	}
	c, err := object.DecodeCommit(g.r.Storer, obj)
	if err != nil {
		return nil, fmt.Errorf("decoding commit %s: %w", id, err)
	}
	raw, err := readAll(obj)
	if err != nil {
		return nil, err
	}
	again := &plumbing.MemoryObject{}
	if err := c.Encode(again); err != nil {
		return nil, err
	}
	againRaw, err := readAll(again)
	if err != nil {
		return nil, err
	}
	payload := &plumbing.MemoryObject{}
	if err := c.EncodeWithoutSignature(payload); err != nil {
		return nil, err
	}
	payloadRaw, err := readAll(payload)
	if err != nil {
		return nil, err
	}
	out := &Commit{
		ID:             id,
		Tree:           c.TreeHash.String(),
		Author:         c.Author.Name,
		Email:          c.Author.Email,
		CommitterEmail: c.Committer.Email,
		When:           c.Author.When,
		Message:        c.Message,
		Signature:      []byte(c.PGPSignature),
		Payload:        payloadRaw,
		Canonical:      bytes.Equal(raw, againRaw) && len(c.ExtraHeaders) == 0,
	}
	for _, p := range c.ParentHashes {
		out.Parents = append(out.Parents, p.String())
	}
	return out, nil
}

func readAll(o plumbing.EncodedObject) ([]byte, error) {
	r, err := o.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// FirstParentChain returns the commits from the root to head following first
// parents, root first.
func (g *Repo) FirstParentChain(head string) ([]*Commit, error) {
	var chain []*Commit
	id := head
	for id != "" {
		c, err := g.ReadCommit(id)
		if err != nil {
			return nil, err
		}
		chain = append(chain, c)
		if len(c.Parents) == 0 {
			break
		}
		id = c.Parents[0]
	}
	for i, j := 0, len(chain)-1; i < j; i, j = i+1, j-1 {
		chain[i], chain[j] = chain[j], chain[i]
	}
	return chain, nil
}

// IsAncestor reports whether commit a is head or one of its first-parent
// ancestors (a ledger's history is one line; a commit reachable only through
// a merge's other parent is not in it).
func (g *Repo) IsAncestor(a, head string) (bool, error) {
	ah, err := parseHash(a)
	if err != nil {
		return false, err
	}
	if _, err := g.r.Storer.EncodedObject(plumbing.CommitObject, ah); err != nil {
		return false, nil
	}
	id := head
	seen := map[string]bool{}
	stack := []string{head}
	for len(stack) > 0 {
		id, stack = stack[len(stack)-1], stack[:len(stack)-1]
		if id == a {
			return true, nil
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		c, err := g.ReadCommit(id)
		if err != nil {
			return false, err
		}
		if len(c.Parents) > 0 {
			stack = append(stack, c.Parents[0])
		}
	}
	return false, nil
}

// ReadFile returns the content of the file at path in commit's tree.
func (g *Repo) ReadFile(commit, p string) ([]byte, error) {
	t, err := g.commitTree(commit)
	if err != nil {
		return nil, err
	}
	f, err := t.File(p)
	if errors.Is(err, object.ErrFileNotFound) || errors.Is(err, object.ErrDirectoryNotFound) || errors.Is(err, object.ErrEntryNotFound) {
		return nil, fmt.Errorf("%s: %w", p, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", p, err)
	}
	r, err := f.Blob.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// Entry is one name in a folder of a tree.
type Entry struct {
	Name  string
	IsDir bool
}

// List returns the entries of folder dir ("" for the root) in commit's
// tree, sorted by name. A missing folder lists as empty.
func (g *Repo) List(commit, dir string) ([]Entry, error) {
	t, err := g.commitTree(commit)
	if err != nil {
		return nil, err
	}
	if dir != "" {
		t, err = t.Tree(dir)
		if errors.Is(err, object.ErrDirectoryNotFound) || errors.Is(err, object.ErrEntryNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", dir, err)
		}
	}
	var out []Entry
	for _, e := range t.Entries {
		out = append(out, Entry{Name: e.Name, IsDir: e.Mode == filemode.Dir})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (g *Repo) commitTree(commit string) (*object.Tree, error) {
	h, err := parseHash(commit)
	if err != nil {
		return nil, err
	}
	c, err := object.GetCommit(g.r.Storer, h)
	if err != nil {
		return nil, fmt.Errorf("reading commit %s: %w", commit, err)
	}
	return c.Tree()
}

// ChangeKind says how a file differs between two trees.
type ChangeKind int

// Kinds of change.
const (
	Added ChangeKind = iota
	Modified
	Deleted
)

func (k ChangeKind) String() string {
	return [...]string{"added", "modified", "deleted"}[k]
}

// Change is one file that differs between a commit and its parent.
type Change struct {
	Path string
	Kind ChangeKind
	Data []byte // the new content (nil when deleted, irregular or malformed)
	// Mode problems: a non-regular file (symlink, submodule, executable).
	Irregular bool
	// Malformed says why a tree at Path is not one git and concord read
	// alike (duplicate or unsorted names, names with '/', odd modes); the
	// tree's files are not reported.
	Malformed string
}

// Changes returns the files that differ from parent's tree to commit's tree
// ("" parent: the empty tree), sorted by path. It descends only into
// folders whose hashes differ, so its cost follows the size of the change,
// not of the ledger.
func (g *Repo) Changes(parent, commit string) ([]Change, error) {
	var from *object.Tree
	if parent != "" {
		t, err := g.commitTree(parent)
		if err != nil {
			return nil, err
		}
		from = t
	}
	to, err := g.commitTree(commit)
	if err != nil {
		return nil, err
	}
	var out []Change
	if err := g.diffTrees("", from, to, &out); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func (g *Repo) diffTrees(prefix string, a, b *object.Tree, out *[]Change) error {
	if b != nil {
		if why := treeProblem(b); why != "" {
			*out = append(*out, Change{Path: prefix, Kind: Added, Malformed: why})
			return nil
		}
	}
	old := map[string]object.TreeEntry{}
	if a != nil {
		for _, e := range a.Entries {
			old[e.Name] = e
		}
	}
	seen := map[string]bool{}
	if b != nil {
		for _, e := range b.Entries {
			seen[e.Name] = true
			p := path.Join(prefix, e.Name)
			o, had := old[e.Name]
			if had && o.Hash == e.Hash && o.Mode == e.Mode {
				continue
			}
			switch {
			case e.Mode == filemode.Dir:
				var sub, oldSub *object.Tree
				sub, err := object.GetTree(g.r.Storer, e.Hash)
				if errors.Is(err, object.ErrMalformedTree) {
					*out = append(*out, Change{Path: p, Kind: Added, Malformed: err.Error()})
					continue
				}
				if err != nil {
					return err
				}
				if had && o.Mode == filemode.Dir {
					if oldSub, err = object.GetTree(g.r.Storer, o.Hash); err != nil {
						return err
					}
				} else if had {
					*out = append(*out, Change{Path: p, Kind: Deleted})
				}
				if err := g.diffTrees(p, oldSub, sub, out); err != nil {
					return err
				}
			default:
				kind := Added
				if had {
					kind = Modified
					if o.Mode == filemode.Dir {
						if err := g.deleted(p, o, out); err != nil {
							return err
						}
						kind = Added
					}
				}
				if e.Mode != filemode.Regular && e.Mode != filemode.Executable {
					// A symlink or submodule: nothing concord reads.
					*out = append(*out, Change{Path: p, Kind: kind, Irregular: true})
					continue
				}
				data, err := g.blob(e.Hash)
				if err != nil {
					return err
				}
				*out = append(*out, Change{Path: p, Kind: kind, Data: data, Irregular: e.Mode != filemode.Regular})
			}
		}
	}
	for name, o := range old {
		if !seen[name] {
			if err := g.deleted(path.Join(prefix, name), o, out); err != nil {
				return err
			}
		}
	}
	return nil
}

// treeProblem says why t is not a tree that git and concord read alike, or
// returns "": names must be allowed, unique and sorted as git sorts them,
// and the tree must encode back to its own hash (which catches modes
// written other than git writes them).
func treeProblem(t *object.Tree) string {
	names := map[string]bool{}
	prev := ""
	for i, e := range t.Entries {
		if e.Name == "" || e.Name == "." || e.Name == ".." || strings.EqualFold(e.Name, ".git") || strings.ContainsAny(e.Name, "/\x00") {
			return fmt.Sprintf("tree entry name %q is not allowed", e.Name)
		}
		if names[e.Name] {
			return fmt.Sprintf("tree has the name %q twice", e.Name)
		}
		names[e.Name] = true
		sortName := e.Name
		if e.Mode == filemode.Dir {
			sortName += "/"
		}
		if i > 0 && sortName <= prev {
			return "tree entries are not sorted as git sorts them"
		}
		prev = sortName
	}
	again := &plumbing.MemoryObject{}
	if err := t.Encode(again); err != nil {
		return err.Error()
	}
	if again.Hash() != t.Hash {
		return "tree is not in canonical form (a mode or entry written other than git writes it)"
	}
	return ""
}

func (g *Repo) deleted(p string, e object.TreeEntry, out *[]Change) error {
	if e.Mode != filemode.Dir {
		*out = append(*out, Change{Path: p, Kind: Deleted})
		return nil
	}
	t, err := object.GetTree(g.r.Storer, e.Hash)
	if err != nil {
		return err
	}
	for _, sub := range t.Entries {
		if err := g.deleted(path.Join(p, sub.Name), sub, out); err != nil {
			return err
		}
	}
	return nil
}

func (g *Repo) blob(h plumbing.Hash) ([]byte, error) {
	b, err := object.GetBlob(g.r.Storer, h)
	if err != nil {
		return nil, err
	}
	r, err := b.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// NewCommit describes a commit for Append.
type NewCommit struct {
	Parent  string            // "" for the first commit
	Files   map[string][]byte // files to add (slash-separated paths)
	Message string
	Name    string // author and committer name
	Email   string
	When    time.Time
	// Sign returns the armored SSH signature of the commit payload
	// (namespace "git"); nil leaves the commit unsigned.
	Sign func(payload []byte) ([]byte, error)
}

// Append writes the files, a tree and a signed commit on top of c.Parent,
// then moves the branch to it if it still points at c.Parent. Existing
// files are never replaced: adding a path that exists is an error.
func (g *Repo) Append(c NewCommit) (string, error) {
	head, err := g.Head()
	if err != nil {
		return "", err
	}
	if head != c.Parent {
		return "", ErrHeadMoved
	}
	id, err := g.WriteCommit(c)
	if err != nil {
		return "", err
	}
	hook("append: objects written")
	if err := g.setBranch(id, c.Parent); err != nil {
		return "", err
	}
	return id, nil
}

// WriteCommit writes the files, a tree and a signed commit on top of
// c.Parent, and returns the commit id, moving no branch.
func (g *Repo) WriteCommit(c NewCommit) (string, error) {
	var base *object.Tree
	var parents []plumbing.Hash
	if c.Parent != "" {
		ph, err := parseHash(c.Parent)
		if err != nil {
			return "", err
		}
		parents = []plumbing.Hash{ph}
		if base, err = g.commitTree(c.Parent); err != nil {
			return "", err
		}
	}
	treeHash, err := g.writeTree(base, c.Files)
	if err != nil {
		return "", err
	}
	sig := object.Signature{Name: c.Name, Email: c.Email, When: c.When}
	commit := &object.Commit{
		Author:       sig,
		Committer:    sig,
		Message:      c.Message,
		TreeHash:     treeHash,
		ParentHashes: parents,
	}
	if c.Sign != nil {
		payload := &plumbing.MemoryObject{}
		if err := commit.EncodeWithoutSignature(payload); err != nil {
			return "", err
		}
		raw, err := readAll(payload)
		if err != nil {
			return "", err
		}
		s, err := c.Sign(raw)
		if err != nil {
			return "", err
		}
		commit.PGPSignature = string(s)
	}
	obj := g.r.Storer.NewEncodedObject()
	if err := commit.Encode(obj); err != nil {
		return "", err
	}
	id, err := g.r.Storer.SetEncodedObject(obj)
	if err != nil {
		return "", fmt.Errorf("writing commit: %w", err)
	}
	return id.String(), nil
}

// writeTree returns the hash of base with files added, writing the blobs
// and every changed tree.
func (g *Repo) writeTree(base *object.Tree, files map[string][]byte) (plumbing.Hash, error) {
	var entries []object.TreeEntry
	if base != nil {
		entries = append(entries, base.Entries...)
	}
	byName := map[string]int{}
	for i, e := range entries {
		byName[e.Name] = i
	}
	subs := map[string]map[string][]byte{}
	for p, data := range files {
		first, rest, isDir := strings.Cut(p, "/")
		if first == "" || first == "." || first == ".." || (isDir && rest == "") {
			return plumbing.ZeroHash, fmt.Errorf("bad path %q", p)
		}
		if isDir {
			if subs[first] == nil {
				subs[first] = map[string][]byte{}
			}
			subs[first][rest] = data
			continue
		}
		if _, ok := byName[first]; ok {
			return plumbing.ZeroHash, fmt.Errorf("%s exists already", first)
		}
		h, err := g.writeBlob(data)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		byName[first] = len(entries)
		entries = append(entries, object.TreeEntry{Name: first, Mode: filemode.Regular, Hash: h})
	}
	for name, sub := range subs {
		var subBase *object.Tree
		if i, ok := byName[name]; ok {
			if entries[i].Mode != filemode.Dir {
				return plumbing.ZeroHash, fmt.Errorf("%s exists already as a file", name)
			}
			t, err := object.GetTree(g.r.Storer, entries[i].Hash)
			if err != nil {
				return plumbing.ZeroHash, err
			}
			subBase = t
		}
		h, err := g.writeTree(subBase, sub)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("%s/%w", name, err)
		}
		if i, ok := byName[name]; ok {
			entries[i].Hash = h
		} else {
			byName[name] = len(entries)
			entries = append(entries, object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: h})
		}
	}
	sort.Sort(object.TreeEntrySorter(entries))
	t := &object.Tree{Entries: entries}
	obj := g.r.Storer.NewEncodedObject()
	if err := t.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return g.r.Storer.SetEncodedObject(obj)
}

func (g *Repo) writeBlob(data []byte) (plumbing.Hash, error) {
	obj := g.r.Storer.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	obj.SetSize(int64(len(data)))
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write(data); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	return g.r.Storer.SetEncodedObject(obj)
}

// setBranch points the branch at id, as git does: a new file renamed over
// the old one, so a crash leaves either the old head or the new one. The
// caller holds the ledger lock; the old value is checked again here.
func (g *Repo) setBranch(id, old string) error {
	cur, err := g.Head()
	if err != nil {
		return err
	}
	if cur != old {
		return ErrHeadMoved
	}
	dir := g.GitDir()
	refPath := filepath.Join(dir, filepath.FromSlash(Branch))
	if err := os.MkdirAll(filepath.Dir(refPath), 0o755); err != nil {
		return err
	}
	tmp := refPath + ".lock"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		return &RefLockError{Path: tmp}
	}
	if err != nil {
		return fmt.Errorf("updating %s: %w", Branch, err)
	}
	_, werr := f.WriteString(id + "\n")
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("updating %s: %w", Branch, err)
	}
	hook("set branch: lock file written")
	if err := os.Rename(tmp, refPath); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("updating %s: %w", Branch, err)
	}
	return nil
}

// Walk calls fn for every file in commit's tree, in path order.
func (g *Repo) Walk(commit string, fn func(path string, data []byte) error) error {
	t, err := g.commitTree(commit)
	if err != nil {
		return err
	}
	return t.Files().ForEach(func(f *object.File) error {
		r, err := f.Blob.Reader()
		if err != nil {
			return err
		}
		defer r.Close()
		data, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		return fn(f.Name, data)
	})
}
