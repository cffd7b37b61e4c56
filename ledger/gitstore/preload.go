package gitstore

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// Reading a whole history through git. An audit reads every object of a
// ledger once, each a lookup in a pack and a chain of deltas, and go-git
// spends about 25 µs of CPU on each: most of a clone's time. git streams
// them all in the order its packs hold them (`git cat-file
// --batch-all-objects --batch --unordered`, see git-cat-file(1)) in a
// fraction of that, resolving each delta once. Preload reads that stream,
// hashes every object as it arrives, and keeps it until the audit's read
// of it takes it. Nothing read this way is trusted more than a read
// through go-git: object still checks each one's id and type. Objects not
// preloaded (past the budget, too large, git absent or failing) are read
// through go-git as before.

// preloaded is one object Preload read, and the hash of its content.
type preloaded struct {
	t   plumbing.ObjectType
	raw []byte
	sum plumbing.Hash
}

// PreloadBudget is the default bound, in bytes of content (and
// preloadOverhead per object), of what Preload keeps: about the objects of
// a 2,000-entry ledger. Past it the rest is read through go-git.
const PreloadBudget = 64 << 20

// PreloadTime bounds how long Preload reads: far more than it takes on
// any ledger (64 MiB of objects is a fraction of a second), and what it
// did not read by then is read through go-git. Without it, a server could
// make it run for hours: a fetch keeps every object the server sends,
// reachable or not, and a pack of tiny deltas, each on the top of a long
// chain of large objects that git's cache of delta bases cannot hold,
// costs git a whole chain for each (TestAttackPreloadDeltaChains).
const PreloadTime = 2 * time.Second

// preloadOverhead is what each object Preload keeps counts against its
// budget besides its content: about what keeping it costs (a map entry,
// its slice, its hash). Without it, objects of a few bytes, which a
// remote can send by the million, would cost the budget nothing.
const preloadOverhead = 128

// Preload reads, through the git program (UseGit), the objects of the
// repository, of its alternates and of a pending fetch's quarantine, in
// the order git stores them, up to budget bytes of content, hashing each,
// and keeps them for the reads that follow: each read takes its object
// (and so frees it). Each object counts preloadOverhead bytes besides its
// content, and it reads for PreloadTime at most. It stops at the
// first object larger than MaxObjectSize, which it never reads. It does
// nothing without git, and its failures are silent: what it did not read
// is read through go-git. Objects no read takes are freed by Close.
func (g *Repo) Preload(ctx context.Context, budget int64) {
	g.preload(ctx, budget, false)
	g.step("read: objects preloaded")
}

// PreloadFetched is Preload of the objects of the pending fetch alone
// (none when no fetch is pending): what an audit that starts after the
// head accepted last needs, without reading the rest of the repository.
func (g *Repo) PreloadFetched(ctx context.Context, budget int64) {
	g.preload(ctx, budget, true)
	g.step("read: objects preloaded")
}

func (g *Repo) preload(ctx context.Context, budget int64, fetchedOnly bool) {
	if g.git == "" || budget <= 0 || fetchedOnly && g.quar == nil {
		return
	}
	dir, err := filepath.Abs(g.GitDir())
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, PreloadTime)
	defer cancel()
	// Replace refs and grafts do not change what cat-file prints of an
	// object; they are turned off all the same.
	cmd := exec.CommandContext(ctx, g.git, "--git-dir="+dir, "--no-replace-objects",
		"-c", "core.bigFileThreshold="+strconv.Itoa(MaxObjectSize),
		"cat-file", "--batch-all-objects", "--batch", "--unordered")
	cmd.Dir = dir
	// A pending fetch's objects are read from its quarantine, the
	// repository's as its alternate (quarantine.go).
	env := g.quarantineEnv(filepath.Join(dir, "objects"))
	if fetchedOnly {
		env = []string{"GIT_OBJECT_DIRECTORY=" + g.quar.objects()}
	}
	cmd.Env = gitEnv(append(env, "GIT_GRAFT_FILE="+filepath.Join(dir, "concord-no-grafts"))...)
	cmd.WaitDelay = time.Second
	out, err := cmd.StdoutPipe()
	if err != nil {
		return
	}
	if err := cmd.Start(); err != nil {
		return
	}
	defer func() {
		cancel() // git may be in the middle of the stream: killed
		cmd.Wait()
	}()
	// One goroutine reads the stream, another hashes what it read.
	type item struct {
		h   plumbing.Hash
		obj preloaded
	}
	items := make(chan item, 256)
	hashed := make(chan map[plumbing.Hash]preloaded)
	go func() {
		got := map[plumbing.Hash]preloaded{}
		for it := range items {
			hasher := plumbing.NewHasher(it.obj.t, int64(len(it.obj.raw)))
			hasher.Write(it.obj.raw)
			it.obj.sum = hasher.Sum()
			got[it.h] = it.obj
		}
		hashed <- got
	}()
	defer func() {
		close(items)
		got := <-hashed
		g.mu.Lock()
		g.pre = got
		g.mu.Unlock()
	}()
	r := bufio.NewReaderSize(out, 256<<10)
	var total int64
	for {
		h, t, size, ok := preloadHeader(r)
		if !ok || size > MaxObjectSize || total+size+preloadOverhead > budget {
			return // cancel kills git; what was read is kept
		}
		raw := make([]byte, size+1)
		if _, err := io.ReadFull(r, raw); err != nil || raw[size] != '\n' {
			return
		}
		items <- item{h, preloaded{t: t, raw: raw[:size:size]}}
		total += size + preloadOverhead
	}
}

// preloadHeader reads cat-file's line "ID TYPE SIZE"; anything else
// (the end, a "missing" line) reports false.
func preloadHeader(r *bufio.Reader) (plumbing.Hash, plumbing.ObjectType, int64, bool) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return plumbing.ZeroHash, 0, 0, false
	}
	f := bytes.Fields(line)
	if len(f) != 3 || !plumbing.IsHash(string(f[0])) {
		return plumbing.ZeroHash, 0, 0, false
	}
	t, err := plumbing.ParseObjectType(string(f[1]))
	if err != nil || !t.Valid() {
		return plumbing.ZeroHash, 0, 0, false
	}
	size, err := strconv.ParseInt(string(f[2]), 10, 64)
	if err != nil || size < 0 {
		return plumbing.ZeroHash, 0, 0, false
	}
	return plumbing.NewHash(string(f[0])), t, size, true
}

// takePreloaded returns object h if Preload read it, and forgets it.
func (g *Repo) takePreloaded(h plumbing.Hash) (preloaded, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	o, ok := g.pre[h]
	if ok {
		delete(g.pre, h)
	}
	return o, ok
}

// dropPreloaded frees what Preload read and no read took.
func (g *Repo) dropPreloaded() {
	g.mu.Lock()
	g.pre = nil
	g.mu.Unlock()
}
