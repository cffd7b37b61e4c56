package gitstore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// Packing. go-git writes every object loose (a file each, about 36 KB of
// disk per entry); git keeps them in packs, a few KB per entry. When the
// git program is known (UseGit), a write that leaves more than
// PackThreshold loose objects runs git repack with a wide delta window
// (the files of an agreement's folders are alike, and git's default window
// of 10 finds few of their deltas): the loose objects into one new pack,
// and all packs into one once there are more than MaxPacks. Without git,
// objects stay loose (git gc packs them as for any repository).
const (
	// PackThreshold is the estimated number of loose objects past which a
	// write packs them.
	PackThreshold = 256
	// packWindow and packDepth are git repack's --window and --depth.
	packWindow = 250
	packDepth  = 50
	// packWindowMemory bounds the memory of each thread's delta window
	// (git's pack.windowMemory), and packBigFile is the size over which a
	// blob is stored whole, never compared for deltas (core.bigFileThreshold):
	// a window of 250 would otherwise hold 250 large blobs, and a server can
	// leave hundreds of them loose (TestAttackPackWindowMemory). A
	// ledger's files are far smaller.
	packWindowMemory = "64m"
	packBigFile      = "1m"
)

// looseSample are the object folders counted to estimate the number of
// loose objects (as git gc --auto samples one): object ids are uniform,
// so each holds 1/256 of them.
var looseSample = []string{"00", "10", "20", "30", "40", "50", "60", "70", "80", "90", "a0", "b0", "c0", "d0", "e0", "f0"}

// looseEstimate estimates the number of loose objects.
func (g *Repo) looseEstimate() int {
	n := 0
	for _, d := range looseSample {
		entries, _ := os.ReadDir(filepath.Join(g.GitDir(), "objects", d))
		n += len(entries)
	}
	return n * 256 / len(looseSample)
}

// MaybePack packs the loose objects with git when there are more than
// PackThreshold of them (see above); it does nothing without git. It is
// maintenance: the caller's write has happened whatever it returns.
func (g *Repo) MaybePack(ctx context.Context) error {
	if g.git == "" || g.looseEstimate() <= PackThreshold {
		return nil
	}
	return g.Pack(ctx)
}

// Pack runs git repack -d --geometric=2 with a delta window of 250, within
// packWindowMemory, and blobs over packBigFile stored whole (see above). Readers meanwhile are safe: git removes a pack or a loose object
// only once it is in the new pack, and a read that misses looks again (see
// object).
func (g *Repo) Pack(ctx context.Context) error {
	if g.git == "" {
		return fmt.Errorf("packing needs the git program")
	}
	args := []string{"-c", "repack.writeBitmaps=false", "-c", "pack.windowMemory=" + packWindowMemory,
		"-c", "core.bigFileThreshold=" + packBigFile, "repack", "-d", "-q", "--geometric=2",
		fmt.Sprintf("--window=%d", packWindow), fmt.Sprintf("--depth=%d", packDepth)}
	_, stderr, err := g.runGit(ctx, gitEnv(), args...)
	g.refresh()
	if err != nil {
		return fmt.Errorf("git repack: %v: %s", err, stderr)
	}
	return nil
}
