package gitstore

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/concord-ledger/concord/internal/filelock"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/client"
	"github.com/go-git/go-git/v5/plumbing/transport/server"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"golang.org/x/crypto/ssh/knownhosts"
)

// In the fallback (no git program), remotes are reached with go-git over
// file:// (and plain paths), git://, http(s):// and ssh://. file:// is
// served in-process (go-git's server transport), so no git binary is
// needed, with git's own rule for updating a ref added: the ref is locked
// (<ref>.lock, created exclusively) and its old value checked under the
// lock, so two pushes racing for one remote never lose an update.
//
// go-git v5 picks a transport from a process-wide registry and takes none
// per call, so this one is registered there: once, when the fallback is
// first used, never at import.
var installFileTransport = sync.OnceFunc(func() {
	client.InstallProtocol("file", &lockingFile{server.NewClient(atomicRefLoader{})})
})

// SetStepHook makes f be called, with the step's name, between the steps
// of every write to this repository (objects written, branch locked, lock
// file written), of a fetch ("fetch: objects fetched", "fetch: objects
// kept") and after Preload ("read: objects preloaded", as an audit
// starts), so that tests can stop a process, look into the repository, or
// race another writer, at each step; nil (the default) calls nothing.
func (g *Repo) SetStepHook(f func(step string)) { g.stepHook = f }

// Step calls the step hook, if any, with name: callers that write through
// the repository in several steps (a sync) mark theirs with it.
func (g *Repo) Step(name string) { g.step(name) }

// step calls the step hook, if any.
func (g *Repo) step(name string) {
	if g.stepHook != nil {
		g.stepHook(name)
	}
}

// RefLockError is returned when the branch's lock file exists: another git
// process is moving the branch, or one was killed while it did.
type RefLockError struct{ Path string }

func (e *RefLockError) Error() string {
	what := "the branch"
	if !strings.HasSuffix(filepath.ToSlash(e.Path), "/"+Branch+".lock") {
		what = "a ref"
	}
	return fmt.Sprintf("%s is locked by %s: another git process is updating it, or one was killed while it did", what, e.Path)
}

// Hint says how to clear a stale lock (callers add the check to run
// after it: the whole audit of the ledger).
func (e *RefLockError) Hint() string {
	return fmt.Sprintf("if no git or concord process is running, remove %s", e.Path)
}

// RemoteName is the name under which a ledger's remote is kept in the
// repository's configuration, as git does.
const RemoteName = "origin"

// TrackingRef is the remote-tracking ref of the remote's main branch, as
// git's fetch and push keep it (the fetch refspec SetRemoteURL records):
// what `git status` in a checkout compares the branch with.
const TrackingRef = "refs/remotes/" + RemoteName + "/main"

// ErrNoRemoteBranch is returned by Fetch when the remote has no main
// branch (an empty repository).
var ErrNoRemoteBranch = errors.New("the remote has no " + Branch)

// RemoteURL returns the URL of the ledger's remote, or "" if none is set.
func (g *Repo) RemoteURL() (string, error) {
	rc, err := g.r.Remote(RemoteName)
	if errors.Is(err, git.ErrRemoteNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading the remote: %w", err)
	}
	if urls := rc.Config().URLs; len(urls) > 0 {
		return urls[0], nil
	}
	return "", nil
}

// RemoteNames returns the names of the remotes the repository's config
// records, sorted.
func (g *Repo) RemoteNames() []string {
	cfg, err := g.r.Config()
	if err != nil {
		return nil
	}
	var names []string
	for name := range cfg.Remotes {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// SetRemoteURL records url as the ledger's remote. With the git program
// known it is written with git config, which changes nothing else in the
// file; go-git rewrites the whole file, losing its comments and the
// extensions it was not shown (extensions.go).
func (g *Repo) SetRemoteURL(url string) error {
	if g.git != "" {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for _, args := range [][]string{
			{"config", "remote." + RemoteName + ".url", url},
			{"config", "--replace-all", "remote." + RemoteName + ".fetch", "+" + Branch + ":" + TrackingRef},
		} {
			if _, stderr, err := g.runGit(ctx, gitEnv(), args...); err != nil {
				return fmt.Errorf("recording the remote: %v: %s", err, strings.TrimSpace(scrub(stderr, url)))
			}
		}
		return nil
	}
	if err := g.r.DeleteRemote(RemoteName); err != nil && !errors.Is(err, git.ErrRemoteNotFound) {
		return fmt.Errorf("recording the remote: %w", err)
	}
	_, err := g.r.CreateRemote(&config.RemoteConfig{Name: RemoteName, URLs: []string{url},
		Fetch: []config.RefSpec{config.RefSpec("+" + Branch + ":" + TrackingRef)}})
	if err != nil {
		return fmt.Errorf("recording the remote: %w", err)
	}
	return nil
}

// Fetch fetches the remote's main branch from url into ref (a ref of
// concord's own, overwritten) and returns the commit it points at. Nothing
// else changes: the ledger's branch stays where it is. The fetch is
// pending until KeepFetched accepts it or DiscardFetched refuses it: its
// objects and ref are held in a quarantine until then (see
// quarantine.go), and the Repo's reads see them there. A remote without main is ErrNoRemoteBranch (a
// *NoBranchError when it has other branches); a failure to reach or talk
// to it is a *NetError.
func (g *Repo) Fetch(ctx context.Context, url, ref string) (string, error) {
	if g.git != "" {
		return g.fetchGit(ctx, url, ref)
	}
	target, auth, done, err := fallbackSSH(url)
	if err != nil {
		return "", err
	}
	defer done()
	q, _, err := g.startQuarantine()
	if err != nil {
		return "", err
	}
	q.openStorage(g.perm)
	// go-git negotiates with the repository's refs and objects, and
	// writes the pack and the ref into the quarantine.
	rem := git.NewRemote(&fetchStorer{Storage: q.sto, main: g.r.Storer}, &config.RemoteConfig{Name: "fetch", URLs: []string{target}})
	installFileTransport()
	err = rem.FetchContext(ctx, &git.FetchOptions{
		RemoteName: "fetch",
		RefSpecs:   []config.RefSpec{config.RefSpec("+" + Branch + ":" + ref)},
		Tags:       git.NoTags,
		Auth:       auth,
	})
	switch {
	case err == nil:
		err = q.readRef(ref)
	case errors.Is(err, git.NoErrAlreadyUpToDate):
		// The repository's ref names the remote's head already, and
		// holds every object: nothing was written to the quarantine.
		var id string
		if id, err = g.fetchedRef(ref); err == nil {
			q.ref, q.head = ref, id
		}
	case errors.Is(err, transport.ErrEmptyRemoteRepository), isNoMatchingRef(err):
		err = ErrNoRemoteBranch
	case ctx.Err() != nil:
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT), errors.Is(err, syscall.EROFS):
		// Writing the quarantine here failed: this disk's doing.
		err = asWriteError(g.GitDir(), err)
	default:
		err = classifyGoGit(err, url)
	}
	if err != nil {
		q.remove()
		return "", err
	}
	g.quar = q
	g.step("fetch: objects fetched")
	return q.head, nil
}

func isNoMatchingRef(err error) bool {
	var nm git.NoMatchingRefSpecError
	return errors.As(err, &nm) || strings.Contains(err.Error(), "couldn't find remote ref")
}

// Push makes the remote's main branch at url point at the local commit
// the branch points at, if the remote's branch is still old ("" when the
// remote is empty) and id extends it. It never forces. A remote that moved
// meanwhile is ErrRemoteMoved; a failure to reach it, or its refusal, a
// *NetError.
func (g *Repo) Push(ctx context.Context, url, old string) error {
	if g.git != "" {
		return g.pushGit(ctx, url, old)
	}
	target, auth, done, err := fallbackSSH(url)
	if err != nil {
		return err
	}
	defer done()
	rem := git.NewRemote(g.r.Storer, &config.RemoteConfig{Name: "push", URLs: []string{target}})
	opts := &git.PushOptions{RemoteName: "push", RefSpecs: []config.RefSpec{config.RefSpec(Branch + ":" + Branch)}, Auth: auth}
	if old != "" {
		opts.RequireRemoteRefs = []config.RefSpec{config.RefSpec(old + ":" + Branch)}
	}
	installFileTransport()
	err = rem.PushContext(ctx, opts)
	switch {
	case err == nil, errors.Is(err, git.NoErrAlreadyUpToDate):
		return nil
	case ctx.Err() != nil:
		return err
	case lockRejection(err.Error()):
		return remoteLocked(err.Error(), url)
	case errors.Is(err, git.ErrNonFastForwardUpdate), strings.Contains(err.Error(), "remote ref") && strings.Contains(err.Error(), "required"),
		strings.Contains(err.Error(), "non-fast-forward"):
		return fmt.Errorf("%w: %v", ErrRemoteMoved, err)
	}
	return classifyGoGit(err, url)
}

// classifyGoGit turns an error of go-git's transport into a NetError.
func classifyGoGit(err error, url string) *NetError {
	// One line: go-git repeats an HTTP server's answer, newlines and all.
	ne := &NetError{Kind: NetFailed, Detail: strings.Join(strings.Fields(scrub(err.Error(), url)), " "), Err: err}
	var ke *knownhosts.KeyError
	var rev *knownhosts.RevokedError
	switch {
	case errors.As(err, &rev):
		ne.Kind = NetHostKeyRevoked
	case errors.As(err, new(*UnsupportedError)):
		ne.Kind = NetUnsupported
	case strings.Contains(err.Error(), "proxyconnect tcp:"):
		// Go could not reach the proxy (HTTPS_PROXY) at all.
		ne.Kind = NetProxyUnreachable
	case errors.As(err, new(x509.HostnameError)), strings.Contains(err.Error(), "x509: certificate is valid for"):
		ne.Kind = NetCertificateName
	case errors.As(err, &ke) && len(ke.Want) > 0:
		ne.Kind = NetHostKeyChanged
	case errors.As(err, &ke):
		ne.Kind = NetHostKeyUnknown
	case errors.Is(err, transport.ErrAuthenticationRequired), errors.Is(err, transport.ErrAuthorizationFailed),
		strings.Contains(err.Error(), "unable to authenticate"), strings.Contains(err.Error(), "SSH_AUTH_SOCK"):
		ne.Kind = NetAuthRefused
	case errors.Is(err, transport.ErrRepositoryNotFound), errors.Is(err, os.ErrNotExist):
		ne.Kind = NetNotFound
	case strings.Contains(err.Error(), "x509:"), strings.Contains(err.Error(), "certificate"):
		ne.Kind = NetCertificate
	}
	return ne
}

// Ref returns the commit ref points at, or "" if it does not exist.
func (g *Repo) Ref(name string) (string, error) {
	ref, err := g.r.Storer.Reference(plumbing.ReferenceName(name))
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", name, err)
	}
	return ref.Hash().String(), nil
}

// SetRef points ref (one of concord's own, never the branch) at id.
func (g *Repo) SetRef(name, id string) error {
	if name == Branch {
		return fmt.Errorf("SetRef cannot move %s; use SetHead", Branch)
	}
	h, err := parseHash(id)
	if err != nil {
		return err
	}
	if err := g.r.Storer.SetReference(plumbing.NewHashReference(plumbing.ReferenceName(name), h)); err != nil {
		return fmt.Errorf("updating %s: %w", name, err)
	}
	return nil
}

// SetHead moves the branch from old to id (atomically, as Append does),
// failing with ErrHeadMoved if it no longer points at old; a checkout of
// the branch there is brought forward (updateCheckout).
func (g *Repo) SetHead(id, old string) error {
	if _, err := parseHash(id); err != nil {
		return err
	}
	if err := g.setBranch(id, old); err != nil {
		return err
	}
	g.updateCheckout(old, id)
	return nil
}

// atomicRefLoader loads a repository for go-git's server, whose ref
// updates are made atomic (a new file renamed over the old, as git does):
// go-git's own rewrite a ref file in place, so a concurrent fetch may read it
// empty.
type atomicRefLoader struct{}

// Load opens the repository at ep's path.
func (atomicRefLoader) Load(ep *transport.Endpoint) (storer.Storer, error) {
	sto, err := server.DefaultLoader.Load(ep)
	if err != nil {
		return nil, err
	}
	fs, ok := sto.(*filesystem.Storage)
	if !ok {
		return sto, nil
	}
	repo, err := Open(ep.Path)
	if err != nil {
		return nil, err
	}
	defer repo.Close()
	// What the server writes gets the modes git gives it in that
	// repository (objectsFS).
	fs = filesystem.NewStorage(&objectsFS{Filesystem: fs.Filesystem(), perm: repo.perm}, cache.NewObjectLRUDefault())
	return &atomicRefs{Storage: fs, gitDir: repo.GitDir(), perm: repo.perm}, nil
}

type atomicRefs struct {
	*filesystem.Storage
	gitDir string
	perm   perms // the modes git gives new files in the repository
}

// IterReferences lists the refs as go-git does (by reading the refs
// folders), and then makes sure the ledger's branch is there: a folder
// listing that races the rename of SetReference may miss the file, while
// opening it by name always finds the old or the new one. Without this a
// fetch could see an empty remote and call it a rollback.
func (s *atomicRefs) IterReferences() (storer.ReferenceIter, error) {
	iter, err := s.Storage.IterReferences()
	if err != nil {
		return nil, err
	}
	var refs []*plumbing.Reference
	found := false
	if err := iter.ForEach(func(r *plumbing.Reference) error {
		found = found || r.Name() == plumbing.ReferenceName(Branch)
		refs = append(refs, r)
		return nil
	}); err != nil {
		return nil, err
	}
	if !found {
		if r, err := s.Storage.Reference(plumbing.ReferenceName(Branch)); err == nil {
			refs = append(refs, r)
		}
	}
	return storer.NewReferenceSliceIter(refs), nil
}

// SetReference writes a hash ref to a new file and renames it into place.
func (s *atomicRefs) SetReference(ref *plumbing.Reference) error {
	if ref.Type() != plumbing.HashReference {
		return s.Storage.SetReference(ref)
	}
	p := filepath.Join(s.gitDir, filepath.FromSlash(ref.Name().String()))
	if err := s.perm.mkdirAll(filepath.Dir(p)); err != nil {
		return err
	}
	// The new file is made outside refs/, where go-git would read it as a
	// ref while it is still empty.
	f, err := os.CreateTemp(s.gitDir, refTempPattern)
	if err != nil {
		return err
	}
	_, werr := f.WriteString(ref.Hash().String() + "\n")
	if err := errors.Join(werr, f.Chmod(s.perm.file(0o666)), f.Sync(), f.Close()); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), p); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

// lockingFile is the in-process file:// transport with git's ref locking
// added to pushes.
type lockingFile struct{ transport.Transport }

// NewUploadPackSession wraps the server's fetch session.
func (t *lockingFile) NewUploadPackSession(ep *transport.Endpoint, auth transport.AuthMethod) (transport.UploadPackSession, error) {
	s, err := t.Transport.NewUploadPackSession(ep, auth)
	if err != nil {
		return nil, err
	}
	return &knownHaves{UploadPackSession: s, dir: ep.Path}, nil
}

// knownHaves drops from a fetch the commits the client has that the server
// does not know: go-git's server fails on them, where git ignores them.
type knownHaves struct {
	transport.UploadPackSession
	dir string
}

// UploadPack serves the fetch with only the haves the server holds.
func (s *knownHaves) UploadPack(ctx context.Context, req *packp.UploadPackRequest) (*packp.UploadPackResponse, error) {
	repo, err := Open(s.dir)
	if err != nil {
		return nil, err
	}
	defer repo.Close()
	known := req.Haves[:0:0]
	for _, h := range req.Haves {
		if _, err := repo.r.Storer.EncodedObject(plumbing.AnyObject, h); err == nil {
			known = append(known, h)
		}
	}
	req.Haves = known
	return s.UploadPackSession.UploadPack(ctx, req)
}

// NewReceivePackSession wraps the server's push session.
func (t *lockingFile) NewReceivePackSession(ep *transport.Endpoint, auth transport.AuthMethod) (transport.ReceivePackSession, error) {
	s, err := t.Transport.NewReceivePackSession(ep, auth)
	if err != nil {
		return nil, err
	}
	return &lockedReceive{ReceivePackSession: s, dir: ep.Path}, nil
}

type lockedReceive struct {
	transport.ReceivePackSession
	dir string
}

// LedgerLockName is the file, in the git folder, on which a concord
// command holds an OS file lock while it writes to the ledger (package
// internal/filelock); package ledger takes it, and so does the in-process
// server for a push it receives.
const LedgerLockName = "concord.lock"

// takeLedgerLock takes the ledger lock of the repository in gitDir for a
// push received in-process, waiting up to refLockWait for the writer that
// holds it.
func takeLedgerLock(ctx context.Context, gitDir string, perm perms) (func(), error) {
	p := filepath.Join(gitDir, LedgerLockName)
	if err := perm.createFile(p); err != nil {
		return nil, fmt.Errorf("making the ledger lock %s: %w", p, err)
	}
	deadline := time.Now().Add(refLockWait)
	for {
		l, err := filelock.TryLock(p)
		if err == nil {
			return func() { l.Unlock() }, nil
		}
		var held *filelock.HeldError
		if !errors.As(err, &held) || time.Now().After(deadline) {
			return nil, fmt.Errorf("cannot lock ref %s: the ledger is locked by another concord process (%s): %w", Branch, p, err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// refLockWait is how long a push waits for another push's ref lock.
const refLockWait = 10 * time.Second

// ReceivePack locks every ref the push updates, checks that each still has
// the value the pusher saw, and only then lets the server write.
func (s *lockedReceive) ReceivePack(ctx context.Context, req *packp.ReferenceUpdateRequest) (*packp.ReportStatus, error) {
	repo, err := Open(s.dir)
	if err != nil {
		return nil, err
	}
	defer repo.Close()
	gitDir := repo.GitDir()
	// The receiving ledger's own lock first: a concord command writing
	// there (a sign, a sync) and this push never interleave.
	unlock, err := takeLedgerLock(ctx, gitDir, repo.perm)
	if err != nil {
		return nil, err
	}
	defer unlock()
	for _, cmd := range req.Commands {
		lockPath := filepath.Join(gitDir, filepath.FromSlash(cmd.Name.String())) + ".lock"
		if err := repo.perm.mkdirAll(filepath.Dir(lockPath)); err != nil {
			return nil, err
		}
		// The lock is never empty (go-git reads every file under refs/ as a
		// ref): it is made as a full file outside refs/ and hard-linked into
		// place, which fails if the lock exists.
		tmp, err := os.CreateTemp(gitDir, lockTempPattern)
		if err != nil {
			return nil, err
		}
		_, werr := tmp.WriteString(cmd.Old.String() + "\n")
		if err := errors.Join(werr, tmp.Close()); err != nil {
			os.Remove(tmp.Name())
			return nil, err
		}
		defer os.Remove(tmp.Name())
		deadline := time.Now().Add(refLockWait)
		for {
			err := createLock(lockPath, tmp.Name(), cmd.Old.String()+"\n", repo.perm.file(0o666))
			if err == nil {
				defer os.Remove(lockPath)
				break
			}
			if !errors.Is(err, os.ErrExist) || time.Now().After(deadline) {
				return nil, fmt.Errorf("cannot lock ref %s: %w", cmd.Name, err)
			}
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(5 * time.Millisecond):
			}
		}
		cur, err := repo.Ref(cmd.Name.String())
		if err != nil {
			return nil, err
		}
		want := ""
		if !cmd.Old.IsZero() {
			want = cmd.Old.String()
		}
		if cur != want {
			return nil, fmt.Errorf("cannot lock ref %s: it is at %q but expected %q", cmd.Name, cur, want)
		}
	}
	return s.ReceivePackSession.ReceivePack(ctx, req)
}

// fetchedRef returns the commit a fetch left in ref, or ErrNoRemoteBranch
// if it left none.
func (g *Repo) fetchedRef(ref string) (string, error) {
	id, err := g.Ref(ref)
	if err != nil {
		return "", err
	}
	if id == "" {
		return "", ErrNoRemoteBranch
	}
	return id, nil
}
