package gitstore

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/concord-ledger/concord/internal/testtool"
)

// Attacks on Preload, as a remote that chooses every object a fetch
// stores (reachable or not: git keeps whatever the pack holds, and Preload
// reads every object of the repository).

// TestAttackPreloadManyTinyObjects: Preload's budget counted the bytes of
// content only, so objects of a few bytes cost it almost nothing while
// each costs concord a map entry, a slice and a hash (about 100 bytes):
// 40,000 objects of 6 bytes in a budget of 256 KB held several MB, and
// PreloadBudget's 64 MiB of 4-byte objects (16 million) would hold about
// 2 GB. Each object now counts preloadOverhead bytes more.
func TestAttackPreloadManyTinyObjects(t *testing.T) {
	g, dir, git := gitRepo(t)
	var stream bytes.Buffer
	for i := range 100000 {
		d := fmt.Sprintf("%06d", i)
		fmt.Fprintf(&stream, "blob\ndata %d\n%s\n", len(d), d)
	}
	cmd := exec.Command(git, "--git-dir="+dir, "fast-import", "--quiet")
	cmd.Stdin = &stream
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git fast-import: %v\n%s", err, out)
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	const budget = 256 << 10
	before := heap()
	g.Preload(context.Background(), budget)
	held := heap() - min(before, heap())
	n := len(preloadedIDs(g))
	if held > 2*budget+64<<10 {
		t.Fatalf("a budget of %d KB held %d KB (%d objects of 6 bytes)", budget>>10, held>>10, n)
	}
	if n == 0 {
		t.Fatal("nothing was preloaded")
	}
}

// TestAttackPreloadDeltaChains: a pack whose first objects are tiny
// deltas, each on the top of a long chain of deltas of large objects,
// the chains taking turns so that git's cache of delta bases never holds
// the one the next object needs. index-pack resolves each object once, but
// 'git cat-file --batch-all-objects' rebuilds a whole chain for every tiny
// object: here 2 chains of 40 objects of 4 MiB made each of 2,000 tiny
// objects cost 160 MB of copying (some 40 ms), 80 s in all, for a pack of
// 70 KB; the budget, counted in what is kept, let 400,000 of them through
// (hours). None of them is in the ledger's history (a fetch keeps every
// object a server sends), so no read needs them. Preload now stops after
// PreloadTime; what it did not read is read through go-git.
func TestAttackPreloadDeltaChains(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and indexes a pack of 320 MiB of objects")
	}
	g, dir, git := gitRepo(t)
	storePack(t, git, dir, deltaChainPack(2, 40, 4<<20, 2000, false))
	start := time.Now()
	g.Preload(context.Background(), PreloadBudget)
	if took := time.Since(start); took > PreloadTime+5*time.Second {
		t.Fatalf("Preload took %v on a pack of tiny deltas on long chains, more than PreloadTime %v", took, PreloadTime)
	}
}

// deltaChainPack returns a pack (git's format, see gitformat-pack(5)):
// first n blobs of 9 bytes, each a delta (by id) on the top of one of c
// chains in turn; then the chains, each a blob of size zero bytes (but
// for its first 8) and k-1 deltas, each the one before with its first 8
// bytes changed (with chainsFirst, the chains come first, as git's
// pack-objects orders them).
func deltaChainPack(c, k, size, n int, chainsFirst bool) []byte {
	varint := func(b []byte, v int) []byte {
		for ; v >= 0x80; v >>= 7 {
			b = append(b, byte(v)|0x80)
		}
		return append(b, byte(v))
	}
	header := func(typ, size int) []byte {
		b := []byte{byte(typ<<4) | byte(size&0x0f)}
		for size >>= 4; size > 0; size >>= 7 {
			b[len(b)-1] |= 0x80
			b = append(b, byte(size&0x7f))
		}
		return b
	}
	deflate := func(d []byte) []byte {
		var b bytes.Buffer
		w, _ := zlib.NewWriterLevel(&b, zlib.BestCompression)
		w.Write(d)
		w.Close()
		return b.Bytes()
	}
	copyOp := func(off, size int) []byte {
		op, args := byte(0x80), []byte{}
		for i := range 4 {
			if v := byte(off >> (8 * i)); v != 0 {
				op |= 1 << i
				args = append(args, v)
			}
		}
		for i := range 3 {
			if v := byte(size >> (8 * i)); v != 0 {
				op |= 0x10 << i
				args = append(args, v)
			}
		}
		return append([]byte{op}, args...)
	}
	const blob, refDelta = 3, 7
	var objs [][]byte
	tops := make([]plumbing.Hash, c)
	var chains [][]byte
	for ci := range c {
		cur := make([]byte, size)
		binary.BigEndian.PutUint64(cur, uint64(ci)<<32)
		id := plumbing.ComputeHash(plumbing.BlobObject, cur)
		chains = append(chains, append(header(blob, size), deflate(cur)...))
		for j := 1; j < k; j++ {
			var tag [8]byte
			binary.BigEndian.PutUint64(tag[:], uint64(ci)<<32|uint64(j))
			delta := varint(varint(nil, size), size)
			delta = append(append(delta, 8), tag[:]...)
			delta = append(delta, copyOp(8, size-8)...)
			o := append(header(refDelta, len(delta)), id[:]...)
			chains = append(chains, append(o, deflate(delta)...))
			copy(cur, tag[:])
			id = plumbing.ComputeHash(plumbing.BlobObject, cur)
		}
		tops[ci] = id
	}
	for i := range n {
		var tag [8]byte
		binary.BigEndian.PutUint64(tag[:], uint64(i)|1<<62)
		delta := varint(varint(nil, size), 9)
		delta = append(append(delta, 8), tag[:]...)
		delta = append(delta, copyOp(8, 1)...)
		o := append(header(refDelta, len(delta)), tops[i%c][:]...)
		objs = append(objs, append(o, deflate(delta)...))
	}
	if chainsFirst {
		objs = append(chains, objs...)
	} else {
		objs = append(objs, chains...)
	}
	var p bytes.Buffer
	p.WriteString("PACK")
	binary.Write(&p, binary.BigEndian, uint32(2))
	binary.Write(&p, binary.BigEndian, uint32(len(objs)))
	for _, o := range objs {
		p.Write(o)
	}
	sum := sha1.Sum(p.Bytes())
	p.Write(sum[:])
	return p.Bytes()
}

// TestAttackGoGitDeltaChains: the same pack as TestAttackPreloadDeltaChains,
// but with the tiny objects named in a commit's tree, so that the audit
// reads them, through go-git (Preload has stopped). go-git's cache of raw
// objects (objectCacheSize, 32 MiB) cannot hold the chains either, so each
// tiny file costs a whole chain: a commit of a few KB naming 4,096 of them
// (MaxChangeFiles) costs minutes, and a history of such commits hours. A
// stock git server sends such a pack as it stores it (pack-objects reuses
// deltas up to a depth of 50), the chains reachable through a side branch
// no audit reads. Measured: 64 files of 9 bytes took 17 s (270 ms each,
// against 40 ms each through git). Stock git reading them (a checkout)
// pays the same, at git's speed. What bounds it is the time the command
// was given (SetReadDeadline, set by clone and sync from --timeout): the
// read fails with ErrReadDeadline instead of running on (the test asks
// for the error: it does not time anything).
func TestAttackGoGitDeltaChains(t *testing.T) {
	git := testtool.Require(t, "git")
	dir := t.TempDir()
	g, err := Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	const n = 64
	storePack(t, git, dir, deltaChainPack(2, 40, 4<<20, n, true))
	g.refresh()
	out, err := exec.Command(git, "--git-dir="+dir, "cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objectsize)").Output()
	if err != nil {
		t.Fatal(err)
	}
	var entries [][3]string
	for _, line := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		f := bytes.Fields(line)
		if string(f[1]) == "9" {
			entries = append(entries, [3]string{"100644", fmt.Sprintf("f%04d", len(entries)), string(f[0])})
		}
	}
	commit := plantCommit(t, dir, plantTree(t, dir, entries))
	g.SetReadDeadline(time.Now().Add(time.Second))
	if _, err := g.Changes("", commit); !errors.Is(err, ErrReadDeadline) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("reading %d files at the end of long delta chains, with a deadline of a second: %v, want ErrReadDeadline", len(entries), err)
	}
	g.SetReadDeadline(time.Time{})
	if _, err := g.blob(plumbing.NewHash(entries[0][2])); err != nil {
		t.Fatalf("with the deadline removed, a read works again: %v", err)
	}
}

// storePack stores pack in the repository dir as a fetch does (git
// index-pack --stdin), under the name its checksum gives.
func storePack(t *testing.T, git, dir string, pack []byte) {
	t.Helper()
	cmd := exec.Command(git, "--git-dir="+dir, "index-pack", "--stdin")
	cmd.Stdin = bytes.NewReader(pack)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git index-pack: %v\n%s", err, out)
	}
}
