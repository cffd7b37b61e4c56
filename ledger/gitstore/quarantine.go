package gitstore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// A fetch (through git or go-git) is held in a quarantine until its
// caller accepts it (KeepFetched) or refuses it (DiscardFetched), as
// git's receive-pack holds a push until its hooks accept it
// (git-receive-pack(1), QUARANTINE ENVIRONMENT):
//
//   - The quarantine is a bare repository of its own in the git folder,
//     .concord-incoming-XXXX/, whose objects/ receive the fetch's objects
//     and whose refs/ receive the fetched ref. The repository's objects
//     are its alternate (GIT_ALTERNATE_OBJECT_DIRECTORIES), so git
//     negotiates with the repository's refs (an alternate's refs are
//     "haves", as for git clone --reference) and fetches only what is new.
//     Its config includes the repository's (core.sharedRepository and the
//     rest apply).
//   - Nothing of the fetch enters the repository's objects/ or refs/
//     before it is accepted: a stock git working on the repository
//     meanwhile (a push, a fetch, a gc) never sees the fetched objects nor
//     a ref to them, so it cannot come to rely on objects that a refusal
//     then removes.
//   - Meanwhile the Repo's reads (lookup, Preload) see the quarantine's
//     objects before the repository's, each checked as any other read.
//   - KeepFetched moves the objects among the repository's (packs with
//     their .idx last, loose objects one by one, one already there left
//     as it is) and then writes the ref there; DiscardFetched removes the
//     folder. A fetch killed on the way leaves a folder that the next
//     fetch removes (removeQuarantines).
//
// go-git's fallback transport (no git program) fetches into the same
// quarantine: go-git works on a storer (fetchStorer) that writes the pack
// and the ref there and reads the repository's refs and objects through
// it.

// quarantine is a fetch held apart until it is accepted or refused.
type quarantine struct {
	dir  string              // the quarantine's folder, a bare repository
	sto  *filesystem.Storage // its objects, read through go-git
	ref  string              // the ref the fetch wrote there
	head string              // the commit it points at
}

// startQuarantine drops this Repo's pending fetch, removes what killed
// fetches left behind, and makes a new quarantine in the git folder,
// returned with that folder's absolute path.
func (g *Repo) startQuarantine() (*quarantine, string, error) {
	g.dropQuarantine()
	g.removeQuarantines()
	gitDir, err := filepath.Abs(g.GitDir())
	if err != nil {
		return nil, "", err
	}
	q, err := newQuarantine(gitDir)
	return q, gitDir, asWriteError(gitDir, err)
}

// newQuarantine makes an empty quarantine repository in gitDir (an
// absolute path): HEAD, refs/, objects/ and a config that includes the
// repository's, as git would read it for a bare repository of format 0.
func newQuarantine(gitDir string) (*quarantine, error) {
	dir, err := os.MkdirTemp(gitDir, quarantinePrefix)
	if err != nil {
		return nil, err
	}
	cfg := "[core]\n\trepositoryformatversion = 0\n\tbare = true\n"
	if main := filepath.Join(gitDir, "config"); !strings.ContainsAny(main, "\n\r\x00") {
		// git's config quoting: backslash and double quote escaped.
		quoted := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(main)
		// The repository's settings first, the quarantine's own after
		// them (a later value wins).
		cfg = "[include]\n\tpath = \"" + quoted + "\"\n" + cfg
	}
	err = errors.Join(
		os.WriteFile(filepath.Join(dir, "HEAD"), []byte("ref: "+Branch+"\n"), 0o666),
		os.WriteFile(filepath.Join(dir, "config"), []byte(cfg), 0o666),
		os.Mkdir(filepath.Join(dir, "refs"), 0o777),
		os.Mkdir(filepath.Join(dir, "objects"), 0o777))
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("making the fetch's quarantine: %w", err)
	}
	return &quarantine{dir: dir}, nil
}

// openStorage opens the quarantine's objects and refs through go-git:
// what its files are created with get the modes perm gives (objectsFS).
func (q *quarantine) openStorage(perm perms) {
	q.sto = filesystem.NewStorageWithOptions(&objectsFS{Filesystem: osfs.New(q.dir), perm: perm}, cache.NewObjectLRU(objectCacheSize),
		// No alternates: a read not found here goes to the repository's
		// own storage (Repo.encoded). Objects larger than MaxObjectSize
		// are opened lazily, as in the repository's storage.
		filesystem.Options{KeepDescriptors: true, LargeObjectThreshold: MaxObjectSize})
}

// readRef reads ref, which the fetch wrote in the quarantine:
// ErrNoRemoteBranch if it did not.
func (q *quarantine) readRef(ref string) error {
	r, err := q.sto.Reference(plumbing.ReferenceName(ref))
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return ErrNoRemoteBranch
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", ref, err)
	}
	if r.Type() != plumbing.HashReference {
		return fmt.Errorf("reading %s: not a commit id", ref)
	}
	q.ref, q.head = ref, r.Hash().String()
	return nil
}

// fetchStorer is what go-git's fetch (the fallback transport) works on:
// the quarantine's storage, which receives the pack and the ref, with the
// repository's objects and refs seen through it, so that go-git
// negotiates with them and fetches only what is new.
type fetchStorer struct {
	*filesystem.Storage                // the quarantine's
	main                storage.Storer // the repository's
}

// EncodedObject returns object h from the quarantine, else from the
// repository.
func (s *fetchStorer) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	obj, err := s.Storage.EncodedObject(t, h)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return s.main.EncodedObject(t, h)
	}
	return obj, err
}

// HasEncodedObject looks in the quarantine, then in the repository.
func (s *fetchStorer) HasEncodedObject(h plumbing.Hash) error {
	if err := s.Storage.HasEncodedObject(h); !errors.Is(err, plumbing.ErrObjectNotFound) {
		return err
	}
	return s.main.HasEncodedObject(h)
}

// EncodedObjectSize looks in the quarantine, then in the repository.
func (s *fetchStorer) EncodedObjectSize(h plumbing.Hash) (int64, error) {
	n, err := s.Storage.EncodedObjectSize(h)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return s.main.EncodedObjectSize(h)
	}
	return n, err
}

// Reference reads the repository's refs: the fetch's "haves" and the
// ref's old value.
func (s *fetchStorer) Reference(n plumbing.ReferenceName) (*plumbing.Reference, error) {
	return s.main.Reference(n)
}

// IterReferences lists the repository's refs.
func (s *fetchStorer) IterReferences() (storer.ReferenceIter, error) { return s.main.IterReferences() }

// CheckAndSetReference writes the fetched ref into the quarantine, which
// holds no old value to compare.
func (s *fetchStorer) CheckAndSetReference(r, _ *plumbing.Reference) error {
	return s.Storage.SetReference(r)
}

// objects returns the quarantine's objects folder.
func (q *quarantine) objects() string { return filepath.Join(q.dir, "objects") }

// remove closes the quarantine's files and removes its folder.
func (q *quarantine) remove() error {
	if q.sto != nil {
		q.sto.Close()
	}
	return os.RemoveAll(q.dir)
}

// quarantineEnv returns the environment entries that make git read the
// pending quarantine's objects, with the repository's (objects, an
// absolute path) as their alternate; none when no fetch is pending.
func (g *Repo) quarantineEnv(objects string) []string {
	if g.quar == nil {
		return nil
	}
	return []string{"GIT_OBJECT_DIRECTORY=" + g.quar.objects(), alternatesEnv(objects)}
}

// alternatesEnv returns GIT_ALTERNATE_OBJECT_DIRECTORIES naming the one
// folder dir; a path holding the list separator or a leading quote is
// quoted as git unquotes it (C-style, in double quotes).
func alternatesEnv(dir string) string {
	if strings.ContainsAny(dir, string(filepath.ListSeparator)+"\"\\\n") {
		dir = "\"" + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(dir) + "\""
	}
	return "GIT_ALTERNATE_OBJECT_DIRECTORIES=" + dir
}

// encoded returns object h, of any type, from the pending fetch's
// quarantine if it is there, else from the repository, as stored: not yet
// checked (lookup checks it).
func (g *Repo) encoded(h plumbing.Hash) (plumbing.EncodedObject, error) {
	if q := g.quar; q != nil && q.sto != nil {
		obj, err := q.sto.EncodedObject(plumbing.AnyObject, h)
		if err == nil || !errors.Is(err, plumbing.ErrObjectNotFound) {
			return obj, err
		}
	}
	return g.r.Storer.EncodedObject(plumbing.AnyObject, h)
}

// dropQuarantine removes the pending fetch's quarantine, if any: what it
// holds was never accepted.
func (g *Repo) dropQuarantine() error {
	q := g.quar
	if q == nil {
		return nil
	}
	g.quar = nil
	// A history walked through its objects may name commits that are
	// gone with it.
	g.mu.Lock()
	g.known, g.walked = knownChain{}, nil
	g.mu.Unlock()
	return q.remove()
}

// KeepFetched accepts what the pending fetch brought: the objects held in
// its quarantine are moved among the repository's, then the fetch's ref
// is written there (under git's lock protocol: a *RefLockError if its
// lock exists) and the quarantine removed. An error leaves the branch as
// it was; objects already moved stay (they were accepted). Without a
// pending fetch it does nothing.
func (g *Repo) KeepFetched() error {
	q := g.quar
	if q == nil {
		return nil
	}
	g.quar = nil
	defer q.remove()
	if q.sto != nil {
		q.sto.Close() // its pack files, before they are moved
	}
	gitDir, err := filepath.Abs(g.GitDir())
	if err != nil {
		return err
	}
	_, err = migrateObjects(q.objects(), filepath.Join(gitDir, "objects"), g.perm)
	g.refresh()
	if err != nil {
		g.mu.Lock()
		g.known = knownChain{} // it may name commits not moved
		g.mu.Unlock()
		return fmt.Errorf("moving the fetched objects into place: %w", err)
	}
	g.step("fetch: objects kept")
	return g.setRefLocked(q.ref, q.head)
}

// DiscardFetched refuses what the pending fetch brought: its quarantine
// is removed (nothing of it ever entered the repository), and ref is
// deleted from the repository.
func (g *Repo) DiscardFetched(ref string) error {
	if ref == Branch {
		return fmt.Errorf("DiscardFetched cannot delete %s", Branch)
	}
	var errs []error
	if err := g.dropQuarantine(); err != nil {
		errs = append(errs, fmt.Errorf("removing the fetch's quarantine: %w", err))
	}
	if err := g.r.Storer.RemoveReference(plumbing.ReferenceName(ref)); err != nil {
		errs = append(errs, fmt.Errorf("deleting %s: %w", ref, err))
	}
	g.dropPreloaded()
	g.refresh()
	return errors.Join(errs...)
}

// setRefLocked points ref (one of concord's own, never the branch) at id
// under git's lock protocol, as setBranch does, without comparing: the
// lock <ref>.lock is created exclusively (a *RefLockError if it exists),
// then renamed over the ref.
func (g *Repo) setRefLocked(ref, id string) error {
	if ref == Branch {
		return fmt.Errorf("setRefLocked cannot move %s", Branch)
	}
	return g.updateRef(ref, id, nil)
}
