// Package gitstore is concord's seam over go-git: a bare git repository
// written only through the object storer (never a worktree or index, whose
// cost grows with the repository), with append-only commits on one branch.
//
// Nothing here knows what the files mean; package ledger does.
package gitstore

import (
	"bytes"
	"cmp"
	"container/list"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"
)

// Branch is the one branch a ledger has.
const Branch = "refs/heads/main"

// ErrNotFound is returned for a path or commit that does not exist.
var ErrNotFound = errors.New("not found")

// CorruptError is an object whose content is not what its id names: the
// repository was damaged or tampered with.
type CorruptError struct {
	ID     string // the id asked for
	Reason string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("object %s is corrupt or tampered with: %s", e.ID, e.Reason)
}

// InvalidEvidence marks this as tampered evidence (the concord command
// exits 3).
func (e *CorruptError) InvalidEvidence() bool { return true }

// ErrHeadMoved is returned by Append when the branch no longer points at the
// parent the new commit was built on.
var ErrHeadMoved = errors.New("ledger head moved")

// Repo is a ledger's git repository. Its read methods keep the trees they
// decode, so reading many files of one commit, or the changes of one commit
// after another, decodes each tree once. A Repo may be used from one
// goroutine at a time.
type Repo struct {
	dir  string
	ofs  *objectsFS // the file system go-git writes through; nil if none
	dirs gitDirs    // the folders git reads there (gitdir.go)
	r    *git.Repository
	sto  *filesystem.Storage // nil for a storage that is not a folder
	root *os.Root            // the folder, for objectsFS; nil if not opened

	mu    sync.Mutex
	trees treeCache
	roots map[string]plumbing.Hash // commit id -> its root tree
	// walked holds the commits FirstParentIDs read, until ReadCommit
	// takes them: a walk followed by a read of each commit reads each
	// object once (about 600 bytes a commit).
	walked map[string]plumbing.EncodedObject
	// known is the last first-parent history walked or given (KnowChain):
	// a walk that reaches one of its commits stops there.
	known knownChain

	git  string // the git program for Fetch, Push and packing; "" for go-git alone
	perm perms  // the modes of new files, as git would give them
	// checkoutLeft says why the last move of the branch left the
	// checkout's files as they were ("" when it brought them forward, or
	// there is no checkout): see CheckoutLeft.
	checkoutLeft string
	// quar is the quarantine holding a fetch through git until it is
	// kept or discarded; nil when none is pending (quarantine.go).
	quar *quarantine
	// messages are the server's lines of the last push through git.
	messages []string
	// stepHook is called between the steps of a write (SetStepHook).
	stepHook func(step string)

	// deadline bounds the reads through go-git (SetReadDeadline).
	deadline time.Time
	// pre holds the objects Preload read through git until a read
	// takes them (preload.go).
	pre map[plumbing.Hash]preloaded
}

// objectCacheSize bounds go-git's cache of raw objects. Decoded trees are
// kept apart, in the Repo's own cache, so this one serves mostly as delta
// bases in packs: measured on the 20,498-entry benchmark ledger, 32 MiB
// reads a packed history as fast as 128 MiB, and verify then peaks at 184
// MB of heap, against 433 MB with 128 MiB (go-git's default is 96 MiB).
const objectCacheSize = 32 * cache.MiByte

// Init creates a new bare repository in dir, which must not exist or be
// empty.
func Init(dir string) (*Repo, error) {
	// go-git's own file system would make the folders 0755; through
	// objectsFS they get git's modes (0777 before the umask).
	perm := perms{umask: processUmask()}
	if err := perm.mkdirAll(dir); err != nil {
		return nil, err
	}
	sto := filesystem.NewStorage(&objectsFS{Filesystem: osfs.New(dir), perm: perm}, cache.NewObjectLRUDefault())
	if _, err := git.InitWithOptions(sto, nil, git.InitOptions{DefaultBranch: plumbing.ReferenceName(Branch)}); err != nil {
		return nil, err
	}
	return Open(dir)
}

// Open opens the repository in dir (bare, or with a .git folder).
// A repository in a format concord does not read (sha256 objects,
// reftable, another extension) is an *UnsupportedError.
func Open(dir string) (*Repo, error) {
	dirs, err := findGitDirs(dir)
	if err != nil {
		return nil, asReadError(dir, err)
	}
	at := dir
	if dirs.viaFile {
		at = dirs.common
	}
	r, err := git.PlainOpenWithOptions(at, &git.PlainOpenOptions{})
	if isExtensionError(err) && onlyReadableExtensions(dirs.common) {
		r, err = openWithReadableExtensions(dirs.common)
	}
	if errors.Is(err, git.ErrUnknownExtension) {
		what := strings.TrimPrefix(err.Error(), git.ErrUnknownExtension.Error()+": ")
		switch what {
		case "objectformat":
			what = "the sha256 object format (extensions.objectFormat)"
		case "refstorage":
			what = "the reftable ref storage (extensions.refStorage)"
		default:
			what = "the repository extension " + what
		}
		return nil, &UnsupportedError{Dir: dir, What: what}
	}
	if err != nil {
		return nil, asReadError(dir, err)
	}
	g, err := newRepo(dir, r)
	if err != nil {
		return nil, err
	}
	g.dirs = dirs
	return g, nil
}

// newRepo reopens r's folder storage keeping its pack files open between
// reads (go-git otherwise reopens a pack for every object), with objectsFS
// and an object cache of objectCacheSize. The descriptors are released by
// Close, or when the Repo is garbage collected.
func newRepo(dir string, r *git.Repository) (*Repo, error) {
	g := &Repo{dir: dir, r: r, perm: repoPerms(r)}
	fsSto, ok := r.Storer.(*filesystem.Storage)
	if !ok {
		return g, nil
	}
	fs := fsSto.Filesystem()
	var root *os.Root
	ofs := &objectsFS{Filesystem: fs, perm: g.perm}
	if osRoot, err := os.OpenRoot(fs.Root()); err == nil {
		root = osRoot
		ofs.root = root
	}
	fs, g.ofs = ofs, ofs
	sto := filesystem.NewStorageWithOptions(fs, cache.NewObjectLRU(objectCacheSize),
		// Objects git reads from elsewhere (objects/info/alternates, as
		// git clone --shared writes it) are read from the whole file
		// system, as git reads them.
		// Objects larger than MaxObjectSize are opened lazily, so that
		// their size is known, and they are refused, before they are
		// inflated.
		filesystem.Options{KeepDescriptors: true, AlternatesFS: osfs.New("/"), LargeObjectThreshold: MaxObjectSize})
	kept, err := git.Open(sto, nil)
	if err != nil {
		if root != nil {
			root.Close()
		}
		return nil, fmt.Errorf("opening %s: %w", dir, err)
	}
	g.r, g.sto, g.root = kept, sto, root
	runtime.AddCleanup(g, func(s *filesystem.Storage) { s.Close() }, sto)
	if root != nil {
		runtime.AddCleanup(g, func(r *os.Root) { r.Close() }, root)
	}
	return g, nil
}

// objectsFS opens the files under objects/ (loose objects and packs)
// through an os.Root: one system call that the kernel keeps inside the
// repository, where go-git's own helper checks every folder on the way
// with a call of its own. Any other file, and any open the Root refuses
// (a symbolic link leading out, say), goes to the helper as before.
type objectsFS struct {
	billy.Filesystem
	root  *os.Root // nil: every open goes to the helper
	perm  perms
	temps tempFiles // the temporary files a failed write would leave
}

// Open opens name for reading.
func (fs *objectsFS) Open(name string) (billy.File, error) {
	if name == alternatesPath {
		return openAlternates(fs.Filesystem, name)
	}
	if fs.root == nil || !isObjectPath(name) {
		return fs.Filesystem.Open(name)
	}
	f, err := fs.root.Open(name)
	if errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err != nil {
		f, err := fs.Filesystem.Open(name)
		return f, asReadError(fs.Filesystem.Root(), err)
	}
	return &objectFile{File: f, name: name}, nil
}

// isObjectPath reports whether name is a loose object's file
// (objects/ab/cdef...) or in objects/pack/.
func isObjectPath(name string) bool {
	rest, ok := strings.CutPrefix(name, "objects/")
	if !ok {
		return false
	}
	if strings.HasPrefix(rest, "pack/") {
		return true
	}
	return len(rest) > 3 && rest[2] == '/' && strings.Trim(rest[:2], "0123456789abcdef") == ""
}

// objectFile is an os.File as a billy.File.
type objectFile struct {
	*os.File
	name string
}

// Name returns the name given to Open, as billy's files do.
func (f *objectFile) Name() string { return f.name }

// Lock is not supported: go-git locks no object file.
func (f *objectFile) Lock() error { return billy.ErrNotSupported }

// Unlock is not supported either.
func (f *objectFile) Unlock() error { return billy.ErrNotSupported }

// Close releases the files the repository keeps open. The Repo stays
// usable: a later read opens the pack files again, and opens objects
// through go-git's own helper. A fetch neither kept nor discarded is
// discarded: its quarantine is removed.
func (g *Repo) Close() error {
	g.dropPreloaded()
	var errs []error
	errs = append(errs, g.dropQuarantine())
	if g.sto != nil {
		errs = append(errs, g.sto.Close())
	}
	if g.root != nil {
		errs = append(errs, g.root.Close())
	}
	return errors.Join(errs...)
}

// GitDir returns the folder holding the repository's objects and refs.
// That is the folder's own .git folder, the folder a .git file leads to
// (for a worktree, the repository it belongs to: gitdir.go), or the
// folder itself.
func (g *Repo) GitDir() string {
	if g.dirs.common != "" {
		return g.dirs.common
	}
	if fi, err := os.Stat(filepath.Join(g.dir, ".git")); err == nil && fi.IsDir() {
		return filepath.Join(g.dir, ".git")
	}
	return g.dir
}

// headDir returns the folder holding the HEAD stock git shows at the
// Repo's folder: GitDir, but in a worktree its own folder.
func (g *Repo) headDir() string {
	if g.dirs.head != "" {
		return g.dirs.head
	}
	return g.GitDir()
}

// Head returns the commit the branch points at, or "" for an empty
// repository.
func (g *Repo) Head() (string, error) {
	ref, err := g.r.Storer.Reference(plumbing.ReferenceName(Branch))
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return "", g.refReadable(Branch)
	}
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", Branch, asReadError(g.GitDir(), err))
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
	// Canonical is false when the stored object is not in the exact form
	// concord writes (see CommitFormProblem), or not what go-git encodes
	// again from its parsed form: such a commit was not written by
	// concord, and may read otherwise in stock git.
	Canonical bool
	// FormProblem says why Canonical is false, "" when it is true.
	FormProblem string
}

// commitObject reads commit id, checked against its id, and decodes it.
// A commit that is not there is ErrNotFound.
func (g *Repo) commitObject(id string) (plumbing.EncodedObject, *object.Commit, error) {
	obj, _, err := g.commitRaw(id)
	if err != nil {
		return nil, nil, err
	}
	c, err := g.decodeCommit(id, obj)
	return obj, c, err
}

// commitRaw reads commit id, checked against its id, and returns it with
// its content. A commit that is not there is ErrNotFound.
func (g *Repo) commitRaw(id string) (plumbing.EncodedObject, []byte, error) {
	h, err := parseHash(id)
	if err != nil {
		return nil, nil, err
	}
	obj, raw, err := g.object(plumbing.CommitObject, h)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return nil, nil, fmt.Errorf("commit %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("reading commit %s: %w", id, err)
	}
	return obj, raw, nil
}

func (g *Repo) decodeCommit(id string, obj plumbing.EncodedObject) (*object.Commit, error) {
	c, err := object.DecodeCommit(g.r.Storer, obj)
	if err != nil {
		return nil, fmt.Errorf("decoding commit %s: %w", id, err)
	}
	return c, nil
}

// ReadCommit reads one commit.
func (g *Repo) ReadCommit(id string) (*Commit, error) {
	g.mu.Lock()
	obj, ok := g.walked[id]
	delete(g.walked, id)
	g.mu.Unlock()
	var c *object.Commit
	var err error
	if ok {
		c, err = g.decodeCommit(id, obj)
	} else {
		obj, c, err = g.commitObject(id)
	}
	if err != nil {
		return nil, err
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
	formProblem := CommitFormProblem(raw)
	canonical := formProblem == "" && bytes.Equal(raw, againRaw) && len(c.ExtraHeaders) == 0
	var payloadRaw []byte
	if canonical {
		payloadRaw = signedPayload(raw)
	} else {
		payload := &plumbing.MemoryObject{}
		if err := c.EncodeWithoutSignature(payload); err != nil {
			return nil, err
		}
		if payloadRaw, err = readAll(payload); err != nil {
			return nil, err
		}
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
	}
	switch {
	case formProblem != "":
		out.FormProblem = formProblem
	case !canonical:
		out.FormProblem = "go-git does not write it back as stored"
	default:
		out.Canonical = true
	}
	for _, p := range c.ParentHashes {
		out.Parents = append(out.Parents, p.String())
	}
	g.noteRoot(id, c.TreeHash)
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

// FirstParentIDs returns the ids of the commits from the root to head
// following first parents, root first. It decodes each commit only as far
// as its parents, and keeps its stored bytes (not the decoded commit) for
// the caller's ReadCommit of it.
//
// A walk stops at a commit of the history this Repo walked last, or was
// given by KnowChain, and takes the rest from it: a commit's id fixes its
// first parent, so the history below it is the same.
func (g *Repo) FirstParentIDs(head string) ([]string, error) {
	var ids, below []string
	walked := map[string]plumbing.EncodedObject{}
	g.mu.Lock()
	known := g.known
	g.mu.Unlock()
	for id := head; id != ""; {
		if k, ok := known.at[id]; ok {
			below = known.ids[:k+1]
			break
		}
		obj, tree, parent, err := g.commitLinks(id)
		if errors.Is(err, ErrNotFound) && id != head { // a parent named by a commit
			return nil, fmt.Errorf("reading history: %w", &CorruptError{ID: id, Reason: "it is missing"})
		}
		if err != nil {
			return nil, err
		}
		walked[id] = obj
		g.noteRoot(id, tree)
		ids = append(ids, id)
		id = parent
	}
	slices.Reverse(ids)
	ids = slices.Concat(below, ids) // a new slice: callers may keep it
	g.mu.Lock()
	g.walked = walked
	if len(ids) > len(below) {
		g.known = newKnownChain(ids)
	}
	g.mu.Unlock()
	return ids, nil
}

// knownChain is a first-parent history, root first, and each commit's
// position in it.
type knownChain struct {
	ids []string
	at  map[string]int
}

func newKnownChain(ids []string) knownChain {
	at := make(map[string]int, len(ids))
	for i, id := range ids {
		at[id] = i
	}
	return knownChain{ids: ids, at: at}
}

// KnowChain gives the Repo a first-parent history, root first, that an
// earlier walk of this repository found (the chain kept with the accepted
// state): FirstParentIDs then stops where it meets it. Anything but 40-hex
// ids, each once, is ignored. The history must be exactly what
// FirstParentIDs of its last commit returns; it is trusted as that walk
// would be.
func (g *Repo) KnowChain(ids []string) {
	if len(ids) == 0 {
		return
	}
	k := newKnownChain(slices.Clone(ids))
	if len(k.at) != len(ids) {
		return
	}
	for _, id := range ids {
		if _, err := parseHash(id); err != nil {
			return
		}
	}
	g.mu.Lock()
	g.known = k
	g.mu.Unlock()
}

// commitLinks reads commit id and returns it with its root tree and its
// first parent ("" for none), as go-git decodes them. The usual commit
// ("tree ID", then "parent ID" lines or none, then "author ", and no
// other parent line in its headers) is read without decoding it whole.
func (g *Repo) commitLinks(id string) (obj plumbing.EncodedObject, tree plumbing.Hash, parent string, err error) {
	obj, raw, err := g.commitRaw(id)
	if err != nil {
		return nil, tree, "", err
	}
	if t, p, ok := quickLinks(raw); ok {
		return obj, t, p, nil
	}
	c, err := g.decodeCommit(id, obj)
	if err != nil {
		return nil, tree, "", err
	}
	if len(c.ParentHashes) > 0 {
		parent = c.ParentHashes[0].String()
	}
	return obj, c.TreeHash, parent, nil
}

// quickLinks reads the tree and first parent of the usual commit (see
// commitLinks) from its first lines; ok is false for any other.
// FuzzQuickLinks holds it to go-git's decoder.
func quickLinks(raw []byte) (tree plumbing.Hash, parent string, ok bool) {
	head, _, found := bytes.Cut(raw, []byte("\n\n"))
	if !found {
		return tree, "", false
	}
	line := func(prefix string, b []byte) (string, []byte, bool) {
		n := len(prefix) + 40
		if len(b) <= n || string(b[:len(prefix)]) != prefix || b[n] != '\n' || !lowerHex(b[len(prefix):n]) {
			return "", b, false
		}
		return string(b[len(prefix):n]), b[n+1:], true
	}
	t, rest, ok := line("tree ", head)
	if !ok {
		return tree, "", false
	}
	p, after, hasParent := line("parent ", rest)
	if hasParent {
		rest = after
	}
	for {
		if _, after, ok := line("parent ", rest); ok {
			rest = after
			continue
		}
		break
	}
	if !bytes.HasPrefix(rest, []byte("author ")) || bytes.Contains(rest, []byte("\nparent ")) {
		return tree, "", false
	}
	return plumbing.NewHash(t), p, true
}

// lowerHex reports whether b is all lower-case hexadecimal digits, as git
// writes ids.
func lowerHex(b []byte) bool {
	for _, c := range b {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// IsAncestor reports whether commit a is head or one of its first-parent
// ancestors (a ledger's history is one line; a commit reachable only through
// a merge's other parent is not in it).
func (g *Repo) IsAncestor(a, head string) (bool, error) {
	ah, err := parseHash(a)
	if err != nil {
		return false, err
	}
	if obj, err := g.encoded(ah); err != nil || obj.Type() != plumbing.CommitObject {
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
	dir, name := path.Split(p)
	if dir = strings.TrimSuffix(dir, "/"); dir != "" {
		t, err = g.subtree(t, dir)
		if err != nil {
			return nil, err
		}
	}
	if t != nil {
		if e, ok := t.entry(name); ok && e.Mode.IsFile() {
			data, err := g.blob(e.Hash)
			if err != nil {
				return nil, fmt.Errorf("reading %s: %w", p, err)
			}
			return data, nil
		}
	}
	return nil, fmt.Errorf("%s: %w", p, ErrNotFound)
}

// Entry is one name in a folder of a tree.
type Entry struct {
	Name  string
	IsDir bool
}

// List returns the entries of folder dir ("" for the root) in commit's
// tree, sorted by name. A missing folder lists as empty.
func (g *Repo) List(commit, dir string) ([]Entry, error) {
	t, err := g.folder(commit, dir)
	if t == nil || err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(t.t.Entries))
	for _, e := range t.t.Entries {
		out = append(out, Entry{Name: e.Name, IsDir: e.Mode == filemode.Dir})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// File is one entry of a folder read by ReadDir.
type File struct {
	Name  string
	IsDir bool   // a sub-folder, whose content is not read
	Data  []byte // the file's content; nil for a folder
}

// ReadDir returns every entry of folder dir ("" for the root) in commit's
// tree, sorted by name, with the content of each file: one pass over the
// folder, each file read by its hash. A missing folder reads as empty. An
// entry that is neither a file nor a folder (a submodule) is ErrNotFound,
// as ReadFile says of it.
func (g *Repo) ReadDir(commit, dir string) ([]File, error) {
	t, err := g.folder(commit, dir)
	if t == nil || err != nil {
		return nil, err
	}
	out := make([]File, 0, len(t.t.Entries))
	for _, e := range t.t.Entries {
		f := File{Name: e.Name, IsDir: e.Mode == filemode.Dir}
		switch {
		case f.IsDir:
		case e.Mode.IsFile():
			if f.Data, err = g.blob(e.Hash); err != nil {
				return nil, fmt.Errorf("reading %s: %w", path.Join(dir, e.Name), err)
			}
		default:
			return nil, fmt.Errorf("%s: %w", path.Join(dir, e.Name), ErrNotFound)
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// folder returns folder dir of commit's tree, or nil if there is none.
func (g *Repo) folder(commit, dir string) (*tree, error) {
	t, err := g.commitTree(commit)
	if err != nil || dir == "" {
		return t, err
	}
	return g.subtree(t, dir)
}

// subtree walks from t down the folders of dir ("a/b"), returning nil if
// one is missing or is not a folder.
func (g *Repo) subtree(t *tree, dir string) (*tree, error) {
	for name := range strings.SplitSeq(dir, "/") {
		e, ok := t.entry(name)
		if !ok || e.Mode != filemode.Dir {
			return nil, nil
		}
		sub, err := g.tree(e.Hash)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", dir, err)
		}
		t = sub
	}
	return t, nil
}

// commitTree returns the root tree of commit.
func (g *Repo) commitTree(commit string) (*tree, error) {
	h, err := g.rootOf(commit)
	if err != nil {
		return nil, err
	}
	return g.tree(h)
}

// rootOf returns the hash of commit's root tree, reading the commit only
// the first time.
func (g *Repo) rootOf(commit string) (plumbing.Hash, error) {
	g.mu.Lock()
	h, ok := g.roots[commit]
	g.mu.Unlock()
	if ok {
		return h, nil
	}
	_, c, err := g.commitObject(commit)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	g.noteRoot(commit, c.TreeHash)
	return c.TreeHash, nil
}

// maxRoots bounds the commit -> root tree map (about 100 bytes each).
const maxRoots = 1 << 16

func (g *Repo) noteRoot(commit string, tree plumbing.Hash) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.roots == nil || len(g.roots) >= maxRoots {
		g.roots = map[string]plumbing.Hash{}
	}
	g.roots[commit] = tree
}

// tree is a decoded tree as the Repo keeps it, with treeProblem's verdict
// on it, so that each tree is checked once.
type tree struct {
	t       *object.Tree
	problem string
}

// entry returns the entry called name.
func (t *tree) entry(name string) (object.TreeEntry, bool) {
	for _, e := range t.t.Entries {
		if e.Name == name {
			return e, true
		}
	}
	return object.TreeEntry{}, false
}

// tree returns the decoded tree h, decoding it only if it is not cached.
func (g *Repo) tree(h plumbing.Hash) (*tree, error) {
	g.mu.Lock()
	t := g.trees.get(h)
	g.mu.Unlock()
	if t != nil {
		return t, nil
	}
	_, raw, err := g.object(plumbing.TreeObject, h)
	if err != nil {
		return nil, missing(h, err)
	}
	ot, err := decodeTree(h, raw)
	if err != nil {
		return nil, err
	}
	t = &tree{t: ot}
	if !quickTreeOK(ot, raw) {
		t.problem = treeProblem(ot, raw)
	}
	g.mu.Lock()
	g.trees.put(h, t)
	g.mu.Unlock()
	return t, nil
}

// maxCachedEntries bounds the decoded trees a Repo keeps, counted in tree
// entries (about 100 bytes each): enough for every folder a ledger's reads
// and the changes of several consecutive commits touch.
const maxCachedEntries = 1 << 17

// treeCache is a least-recently-used cache of decoded trees by hash,
// bounded by their total number of entries.
type treeCache struct {
	order *list.List // of *cached, most recent first
	byKey map[plumbing.Hash]*list.Element
	size  int
}

type cached struct {
	hash plumbing.Hash
	t    *tree
}

func (c *treeCache) get(h plumbing.Hash) *tree {
	el, ok := c.byKey[h]
	if !ok {
		return nil
	}
	c.order.MoveToFront(el)
	return el.Value.(*cached).t
}

func (c *treeCache) put(h plumbing.Hash, t *tree) {
	if c.byKey == nil {
		c.byKey = map[plumbing.Hash]*list.Element{}
		c.order = list.New()
	}
	if _, ok := c.byKey[h]; ok {
		return
	}
	c.byKey[h] = c.order.PushFront(&cached{hash: h, t: t})
	c.size += len(t.t.Entries) + 1
	for c.size > maxCachedEntries && c.order.Len() > 1 {
		last := c.order.Back()
		old := last.Value.(*cached)
		c.order.Remove(last)
		delete(c.byKey, old.hash)
		c.size -= len(old.t.t.Entries) + 1
	}
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
	var from *tree
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
	b := &changeBudget{}
	if err := g.diffTrees("", from, to, &out, b); err != nil && !errors.Is(err, errOverBudget) {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func (g *Repo) diffTrees(prefix string, a, b *tree, out *[]Change, bud *changeBudget) error {
	if b != nil && b.problem != "" {
		*out = append(*out, Change{Path: prefix, Kind: Added, Malformed: b.problem})
		return nil
	}
	var olds, news []object.TreeEntry
	if a != nil {
		olds = a.t.Entries
	}
	if b != nil {
		news = b.t.Entries
	}
	if err := bud.spend(prefix, int64(len(olds)+len(news))*treeEntryCost, 1, out); err != nil {
		return err
	}
	if a != nil && a.problem != "" {
		// Not sorted, or names twice: pair entries by name instead.
		return g.diffUnsorted(prefix, olds, news, out, bud)
	}
	// Both lists are sorted as git sorts them: walk them side by side. A
	// name that is a file on one side and a folder on the other sorts
	// differently on each, so it is reported as deleted and added.
	i := 0
	for _, e := range news {
		for i < len(olds) && compareSortNames(olds[i], e) < 0 {
			if err := g.deleted(path.Join(prefix, olds[i].Name), olds[i], out, bud); err != nil {
				return err
			}
			i++
		}
		var o object.TreeEntry
		had := i < len(olds) && compareSortNames(olds[i], e) == 0
		if had {
			o = olds[i]
			i++
		}
		if err := g.diffEntry(prefix, o, had, e, out, bud); err != nil {
			return err
		}
	}
	for ; i < len(olds); i++ {
		if err := g.deleted(path.Join(prefix, olds[i].Name), olds[i], out, bud); err != nil {
			return err
		}
	}
	return nil
}

// diffUnsorted is diffTrees for an old tree whose entries are not in git's
// order.
func (g *Repo) diffUnsorted(prefix string, olds, news []object.TreeEntry, out *[]Change, bud *changeBudget) error {
	old := make(map[string]object.TreeEntry, len(olds))
	for _, e := range olds {
		old[e.Name] = e
	}
	seen := make(map[string]bool, len(news))
	for _, e := range news {
		seen[e.Name] = true
		o, had := old[e.Name]
		if err := g.diffEntry(prefix, o, had, e, out, bud); err != nil {
			return err
		}
	}
	for name, o := range old {
		if !seen[name] {
			if err := g.deleted(path.Join(prefix, name), o, out, bud); err != nil {
				return err
			}
		}
	}
	return nil
}

// diffEntry reports the changes of entry e of folder prefix, which was o
// before if had.
func (g *Repo) diffEntry(prefix string, o object.TreeEntry, had bool, e object.TreeEntry, out *[]Change, bud *changeBudget) error {
	if had && o.Hash == e.Hash && o.Mode == e.Mode {
		return nil
	}
	p := path.Join(prefix, e.Name)
	if e.Mode == filemode.Dir {
		var oldSub *tree
		sub, err := g.tree(e.Hash)
		if errors.Is(err, object.ErrMalformedTree) {
			*out = append(*out, Change{Path: p, Kind: Added, Malformed: err.Error()})
			return nil
		}
		if err != nil {
			return err
		}
		if had && o.Mode == filemode.Dir {
			if oldSub, err = g.tree(o.Hash); err != nil {
				return err
			}
		} else if had {
			*out = append(*out, Change{Path: p, Kind: Deleted})
		}
		return g.diffTrees(p, oldSub, sub, out, bud)
	}
	kind := Added
	if had {
		kind = Modified
		if o.Mode == filemode.Dir {
			if err := g.deleted(p, o, out, bud); err != nil {
				return err
			}
			kind = Added
		}
	}
	if err := bud.spend(p, 0, 1, out); err != nil {
		return err
	}
	if e.Mode != filemode.Regular && e.Mode != filemode.Executable {
		// A symlink or submodule: nothing concord reads.
		*out = append(*out, Change{Path: p, Kind: kind, Irregular: true})
		return nil
	}
	data, err := g.blob(e.Hash)
	if err != nil {
		return err
	}
	if err := bud.spend(p, int64(len(data)), 0, out); err != nil {
		return err
	}
	*out = append(*out, Change{Path: p, Kind: kind, Data: data, Irregular: e.Mode != filemode.Regular})
	return nil
}

// compareSortNames compares a and b as git orders tree entries: by name,
// with a folder's name read as if it ended in '/'.
func compareSortNames(a, b object.TreeEntry) int {
	n := min(len(a.Name), len(b.Name))
	if c := strings.Compare(a.Name[:n], b.Name[:n]); c != 0 {
		return c
	}
	ad, bd := a.Mode == filemode.Dir, b.Mode == filemode.Dir
	for i := n; ; i++ {
		ca, cb := sortByte(a.Name, ad, i), sortByte(b.Name, bd, i)
		if ca != cb {
			return cmp.Compare(ca, cb)
		}
		if ca < 0 {
			return 0
		}
	}
}

// sortByte is byte i of name's sort name, or -1 past its end.
func sortByte(name string, dir bool, i int) int {
	switch {
	case i < len(name):
		return int(name[i])
	case i == len(name) && dir:
		return '/'
	}
	return -1
}

// treeProblem says why t, decoded from raw, is not a tree that git and
// concord read alike, or returns "": names must be allowed, unique and
// sorted as git sorts them, and the tree must encode back to raw, its own
// bytes (which catches modes written other than git writes them).
func treeProblem(t *object.Tree, raw []byte) string {
	names := make(map[string]bool, len(t.Entries))
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
	// Each entry as object.Tree.Encode writes it: "%o %s\x00" and the hash.
	var buf []byte
	for _, e := range t.Entries {
		buf = strconv.AppendUint(buf[:0], uint64(e.Mode), 8)
		buf = append(buf, ' ')
		buf = append(buf, e.Name...)
		buf = append(buf, 0)
		buf = append(buf, e.Hash[:]...)
		if !bytes.HasPrefix(raw, buf) {
			return notCanonical
		}
		raw = raw[len(buf):]
	}
	if len(raw) != 0 {
		return notCanonical
	}
	return ""
}

const notCanonical = "tree is not in canonical form (a mode or entry written other than git writes it)"

func (g *Repo) deleted(p string, e object.TreeEntry, out *[]Change, bud *changeBudget) error {
	if err := bud.spend(p, 0, 1, out); err != nil {
		return err
	}
	if e.Mode != filemode.Dir {
		*out = append(*out, Change{Path: p, Kind: Deleted})
		return nil
	}
	t, err := g.tree(e.Hash)
	if err != nil {
		return err
	}
	if err := bud.spend(p, int64(len(t.t.Entries))*treeEntryCost, 0, out); err != nil {
		return err
	}
	for _, sub := range t.t.Entries {
		if err := g.deleted(path.Join(p, sub.Name), sub, out, bud); err != nil {
			return err
		}
	}
	return nil
}

func (g *Repo) blob(h plumbing.Hash) ([]byte, error) {
	_, raw, err := g.object(plumbing.BlobObject, h)
	return raw, missing(h, err)
}

// missing turns "not found" for object h, which a tree or commit names,
// into a CorruptError: the repository lacks what its own objects refer
// to. Other errors pass unchanged.
func missing(h plumbing.Hash, err error) error {
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return &CorruptError{ID: h.String(), Reason: "it is missing"}
	}
	return err
}

// object reads object h of type t and checks that its content hashes to
// h, so that nothing read from a repository is trusted for an id it does
// not have (go-git does not check). It returns the object, to decode, and
// its content. The content is hashed as it is inflated (see lookup), and
// the object returned holds the content read, not a second copy.
func (g *Repo) object(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, []byte, error) {
	// Any type is asked for, so that an object of another type stored
	// under the id is found, and refused as tampering below, where go-git
	// would say it is not there.
	obj, raw, got, err := g.lookup(h)
	if packsMoved(err) {
		// git's maintenance may have moved it to a new pack (and removed
		// the old one, or the loose file) since the packs were listed:
		// list them again and look once more before calling it missing.
		g.refresh()
		obj, raw, got, err = g.lookup(h)
	}
	if err != nil {
		return nil, nil, err
	}
	if obj.Type() != t {
		return nil, nil, &CorruptError{ID: h.String(), Reason: fmt.Sprintf("it is a %s, not a %s", obj.Type(), t)}
	}
	if got != h {
		return nil, nil, &CorruptError{ID: h.String(), Reason: "its content hashes to " + got.String()}
	}
	return obj, raw, nil
}

// MaxObjectSize is the size, in bytes once inflated, of the largest
// object concord reads: a larger one is refused as corrupt before it is
// inflated (a blob of zeros compresses a thousandfold, so a small fetch can
// carry one that would fill memory). concord's own files are far smaller:
// a statement is a few KB, a text is capped by the rules.
const MaxObjectSize = 32 << 20

// lookup reads object h, of any type, its content and the hash of its
// content, refusing one larger than MaxObjectSize before reading it. The
// content is hashed as it is inflated, in one pass, and never read past
// the size its header gives (nor past MaxObjectSize): a stream that says
// it is small and inflates to more is refused once it has given one byte
// too many, so memory stays bounded by the size checked.
func (g *Repo) lookup(h plumbing.Hash) (plumbing.EncodedObject, []byte, plumbing.Hash, error) {
	if o, ok := g.takePreloaded(h); ok {
		// Read through git, within MaxObjectSize, and hashed then as
		// any object read through go-git is here.
		return &rawObject{t: o.t, h: h, raw: o.raw}, o.raw, o.sum, nil
	}
	if g.pastDeadline() {
		return nil, nil, plumbing.ZeroHash, ErrReadDeadline
	}
	obj, err := g.encoded(h)
	if err != nil {
		return nil, nil, plumbing.ZeroHash, err
	}
	size := obj.Size()
	if size > MaxObjectSize || size < 0 {
		return nil, nil, plumbing.ZeroHash, &CorruptError{ID: h.String(), Reason: fmt.Sprintf("it is %d bytes, more than the %d concord reads", size, MaxObjectSize)}
	}
	r, err := obj.Reader()
	if err != nil {
		return nil, nil, plumbing.ZeroHash, err
	}
	defer r.Close()
	hasher := plumbing.NewHasher(obj.Type(), size)
	buf := bytes.NewBuffer(make([]byte, 0, size))
	n, err := io.Copy(io.MultiWriter(buf, hasher), io.LimitReader(r, size+1))
	if err != nil {
		return nil, nil, plumbing.ZeroHash, err
	}
	if n != size {
		return nil, nil, plumbing.ZeroHash, &CorruptError{ID: h.String(), Reason: fmt.Sprintf("its content is not the %d bytes its header says", size)}
	}
	raw := buf.Bytes()
	return &rawObject{t: obj.Type(), h: h, raw: raw}, raw, hasher.Sum(), nil
}

// rawObject is an object's content read and checked, as go-git's decoders
// take it, without a copy. It is read-only.
type rawObject struct {
	t   plumbing.ObjectType
	h   plumbing.Hash
	raw []byte
}

func (o *rawObject) Hash() plumbing.Hash            { return o.h }
func (o *rawObject) Type() plumbing.ObjectType      { return o.t }
func (o *rawObject) SetType(plumbing.ObjectType)    {}
func (o *rawObject) Size() int64                    { return int64(len(o.raw)) }
func (o *rawObject) SetSize(int64)                  {}
func (o *rawObject) Reader() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(o.raw)), nil }
func (o *rawObject) Writer() (io.WriteCloser, error) {
	return nil, errors.New("a checked object is read-only")
}

// store writes obj as a loose object. go-git writes it to a temporary file
// beside the objects and renames it into place; a git gc --prune=now
// running meanwhile may remove that file, so a write that finds it gone is
// made once more.
func (g *Repo) store(obj plumbing.EncodedObject) (plumbing.Hash, error) {
	h, err := g.r.Storer.SetEncodedObject(obj)
	if errors.Is(err, os.ErrNotExist) {
		h, err = g.r.Storer.SetEncodedObject(obj)
	}
	return h, err
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
		g.removeTemps()
		return "", asWriteError(g.GitDir(), err)
	}
	g.step("append: objects written")
	if err := g.setBranch(id, c.Parent); err != nil {
		return "", asWriteError(g.GitDir(), err)
	}
	g.updateCheckout(c.Parent, id)
	g.MaybePack(context.Background()) // maintenance: the entry is written whatever it says
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
		t, err := g.commitTree(c.Parent)
		if err != nil {
			return "", err
		}
		base = t.t
	}
	treeHash, err := g.writeTree(base, c.Files)
	if err != nil {
		return "", err
	}
	sig := object.Signature{Name: IdentName(c.Name, c.Email), Email: c.Email, When: c.When}
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
	id, err := g.store(obj)
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
			t, err := g.tree(entries[i].Hash)
			if err != nil {
				return plumbing.ZeroHash, err
			}
			subBase = t.t
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
	return g.store(obj)
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
	return g.store(obj)
}

// setBranch points the branch at id under git's lock protocol: the lock
// refs/heads/main.lock is created first (exclusively: it fails while
// another writer — concord, or a stock git push, update-ref or
// receive-pack — holds it), then the branch's value is compared with old,
// then the lock is renamed over the branch. So no writer's update is ever
// lost between the comparison and the rename, and a crash leaves either
// the old head or the new one. The lock is never empty (go-git lists every
// file under refs/ as a ref): it is made as a full file outside refs/ and
// hard-linked into place.
func (g *Repo) setBranch(id, old string) error {
	return g.updateRef(Branch, id, func() error {
		g.step("set branch: locked")
		cur, err := g.Head()
		if err == nil && cur != old {
			err = ErrHeadMoved
		}
		if err != nil {
			return err
		}
		g.step("set branch: lock file written")
		return nil
	})
}

// updateRef points ref at id under git's lock protocol (see setBranch):
// the lock <ref>.lock, holding id, is created exclusively (a *RefLockError
// if it exists), then check, when given, runs while it is held (its error
// removes the lock and is returned), then the lock is renamed over the ref.
func (g *Repo) updateRef(ref, id string, check func() error) error {
	dir := g.GitDir()
	refPath := filepath.Join(dir, filepath.FromSlash(ref))
	if err := g.perm.mkdirAll(filepath.Dir(refPath)); err != nil {
		return fmt.Errorf("updating %s: %w", ref, err)
	}
	lockPath := refPath + ".lock"
	tmp, err := os.CreateTemp(dir, refTempPattern)
	if err != nil {
		return fmt.Errorf("updating %s: %w", ref, err)
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.WriteString(id + "\n")
	if err := errors.Join(werr, tmp.Chmod(g.perm.file(0o666)), tmp.Sync(), tmp.Close()); err != nil {
		return fmt.Errorf("updating %s: %w", ref, err)
	}
	if err := createLock(lockPath, tmp.Name(), id+"\n", g.perm.file(0o666)); errors.Is(err, os.ErrExist) {
		return &RefLockError{Path: lockPath}
	} else if err != nil {
		return fmt.Errorf("updating %s: %w", ref, err)
	}
	if check != nil {
		if err := check(); err != nil {
			os.Remove(lockPath)
			return err
		}
	}
	if err := os.Rename(lockPath, refPath); err != nil {
		os.Remove(lockPath)
		return fmt.Errorf("updating %s: %w", ref, err)
	}
	return nil
}

// Walk calls fn for every file in commit's tree, in path order (folders
// and files in the order git stores them), each read and checked against
// its id like every other read. Entries that are neither files nor folders
// (submodules) are skipped.
func (g *Repo) Walk(commit string, fn func(path string, data []byte) error) error {
	t, err := g.commitTree(commit)
	if err != nil {
		return err
	}
	return g.walk(t, "", fn)
}

func (g *Repo) walk(t *tree, prefix string, fn func(path string, data []byte) error) error {
	for _, e := range t.t.Entries {
		p := path.Join(prefix, e.Name)
		switch {
		case e.Mode == filemode.Dir:
			sub, err := g.tree(e.Hash)
			if err != nil {
				return fmt.Errorf("reading %s: %w", p, err)
			}
			if err := g.walk(sub, p, fn); err != nil {
				return err
			}
		case e.Mode.IsFile():
			data, err := g.blob(e.Hash)
			if err != nil {
				return fmt.Errorf("reading %s: %w", p, err)
			}
			if err := fn(p, data); err != nil {
				return err
			}
		}
	}
	return nil
}

// Hash returns the object id of the file or folder at p in commit's tree
// (p "" is the root tree), or "" if there is none. Two trees with the same
// id hold the same files, byte for byte, so the id keys what is computed
// from them.
func (g *Repo) Hash(commit, p string) (string, error) {
	t, err := g.commitTree(commit)
	if err != nil {
		return "", err
	}
	if p == "" {
		h, err := g.rootOf(commit)
		return h.String(), err
	}
	dir, name := path.Split(p)
	if dir = strings.TrimSuffix(dir, "/"); dir != "" {
		if t, err = g.subtree(t, dir); err != nil || t == nil {
			return "", err
		}
	}
	e, ok := t.entry(name)
	if !ok {
		return "", nil
	}
	return e.Hash.String(), nil
}

// removeTemps removes the temporary object files a failed write left.
func (g *Repo) removeTemps() {
	if g.ofs != nil {
		g.ofs.temps.removeAll()
	}
}

// packsMoved reports whether err, from a read, may come of git's
// maintenance moving objects since go-git listed the packs: the object is
// not where the list says (absent, or its loose file gone), or the pack
// the index names is gone (go-git's dotgit.ErrPackfileNotFound: the
// index was read, the pack replaced before it was opened).
func packsMoved(err error) bool {
	return errors.Is(err, plumbing.ErrObjectNotFound) || errors.Is(err, os.ErrNotExist) || errors.Is(err, dotgit.ErrPackfileNotFound)
}

// refTempPattern names the temporary files a ref update writes the new id
// to before linking it into place (updateRef, and the fallback's receive).
const refTempPattern = ".concord-ref-*"

// lockTempPattern names the temporary files the fallback's receive side
// writes a ref's lock to before linking it into place.
const lockTempPattern = ".concord-lock-*"

// RemoveStaleTemps removes from the git folder gitDir what a concord that
// died mid-write left: the temporary files of ref updates, and the
// quarantines of fetches (which can hold megabytes, and were otherwise
// removed only by the next fetch). Call it only while holding the
// ledger's lock, which every concord that updates refs or fetches holds.
func RemoveStaleTemps(gitDir string) {
	stale, _ := filepath.Glob(filepath.Join(gitDir, refTempPattern))
	locks, _ := filepath.Glob(filepath.Join(gitDir, lockTempPattern))
	quarantines, _ := filepath.Glob(filepath.Join(gitDir, quarantinePrefix+"*"))
	for _, p := range append(append(stale, locks...), quarantines...) {
		os.RemoveAll(p)
	}
}
