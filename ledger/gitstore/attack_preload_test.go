package gitstore

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"runtime"
	"testing"

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
	git := testtool.Require(t, "git")
	dir := t.TempDir()
	g, err := Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	g.UseGit(git)
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
