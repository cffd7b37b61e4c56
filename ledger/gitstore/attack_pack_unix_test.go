//go:build unix

package gitstore

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"syscall"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/concord-ledger/concord/internal/testtool"
)

// TestAttackPackWindowMemory: a fetch of fewer than 100 objects leaves
// them loose, and a server may add objects no history names (a fetch
// keeps them all): a few syncs can leave hundreds of large loose blobs,
// 30 KB each to send (30 MiB of almost nothing), and the sync that finds
// more than PackThreshold loose objects runs git repack with a window of
// 250, which held them all in memory to look for deltas among them: 40
// blobs of 16 MB took git to 737 MB and 22 s; 300 of 30 MiB would take
// it to 9 GB. Pack now has git keep its window within pack.windowMemory
// and store blobs over core.bigFileThreshold whole, as git stores large
// files. The repack runs in a child process of this test, whose children's
// peak memory it reports.
func TestAttackPackWindowMemory(t *testing.T) {
	git := testtool.Require(t, "git")
	if os.Getenv("CONCORD_ATTACK_PACK_CHILD") == "1" {
		packChild(t, git)
		return
	}
	if testing.Short() {
		t.Skip("repacks 320 MB of blobs")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestAttackPackWindowMemory$", "-test.v")
	cmd.Env = append(os.Environ(), "CONCORD_ATTACK_PACK_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the child: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`git peak memory: ([0-9]+) KB`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("the child said:\n%s", out)
	}
	kb, _ := strconv.Atoi(string(m[1]))
	t.Logf("git repack peaked at %d MB", kb>>10)
	if kb > 160<<10 {
		t.Fatalf("git repack of 40 loose blobs of 8 MiB peaked at %d MB", kb>>10)
	}
}

// packChild plants 40 distinct loose blobs of 8 MiB and packs them.
func packChild(t *testing.T, git string) {
	dir := t.TempDir()
	g, err := Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	g.UseGit(git)
	for i := range 40 {
		b := append([]byte(fmt.Sprintf("blob %04d\n", i)), bytes.Repeat([]byte{byte('A' + i%20)}, 8<<20)...)
		plantLoose(t, dir, plumbing.ComputeHash(plumbing.BlobObject, b), fmt.Sprintf("blob %d", len(b)), b)
	}
	if err := g.Pack(context.Background()); err != nil {
		t.Fatal(err)
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("git peak memory: %d KB\n", ru.Maxrss)
}
