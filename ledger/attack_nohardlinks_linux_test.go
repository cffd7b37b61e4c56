//go:build linux

package ledger

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/internal/testtool"
	"github.com/concord-ledger/concord/signing"
)

// exfatFolder mounts a new 32 MiB exFAT file system (no hard links, as on
// a USB stick) through FUSE and returns a folder on it. It needs root,
// losetup, mkfs.exfat and mount.exfat-fuse (Debian: exfatprogs,
// exfat-fuse) and a kernel that lets it use a loop device and FUSE;
// without them the test is skipped, saying so, or fails where outside tools
// are required (CONCORD_REQUIRE_TOOLS=1, as in CI, whose .ci/run installs
// them).
func exfatFolder(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		testtool.Missing(t, "mounting a file system without hard links needs root")
	}
	for _, tool := range []string{"losetup", "mkfs.exfat", "mount.exfat-fuse", "umount"} {
		testtool.Require(t, tool)
	}
	img := filepath.Join(t.TempDir(), "usb.img")
	if err := os.WriteFile(img, make([]byte, 32<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mkfs.exfat", img).CombinedOutput(); err != nil {
		testtool.Missing(t, fmt.Sprintf("mkfs.exfat: %v %s", err, out))
	}
	out, err := exec.Command("losetup", "-f", "--show", img).Output()
	if err != nil {
		testtool.Missing(t, fmt.Sprintf("losetup: %v", err))
	}
	dev := strings.TrimSpace(string(out))
	t.Cleanup(func() { exec.Command("losetup", "-d", dev).Run() })
	mnt := filepath.Join(t.TempDir(), "usb")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount.exfat-fuse", dev, mnt).CombinedOutput(); err != nil {
		testtool.Missing(t, fmt.Sprintf("mount.exfat-fuse: %v %s", err, out))
	}
	// Lazily: readers the test left open (a go-git repository keeps its
	// pack files open until collected) would keep it busy.
	t.Cleanup(func() { exec.Command("umount", "-l", mnt).Run() })
	if err := os.WriteFile(filepath.Join(mnt, "a"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(filepath.Join(mnt, "a"), filepath.Join(mnt, "b")); err == nil {
		testtool.Missing(t, "this exFAT allows hard links: no file system without them to test on")
	}
	return mnt
}

// TestLedgerWithoutHardLinks: a ledger on a USB stick (exFAT, no hard
// links; README's own 'concord clone /mnt/usb/ledger.git') could be
// cloned to and read, but every write failed, 'cannot write to …:
// permission denied (updating refs/heads/main: link …/.concord-ref-…
// …/refs/heads/main.lock: operation not permitted)', with a hint about
// permissions; a clone onto the stick failed likewise. Stock git writes
// there. A ref's lock is now written in place where it cannot be linked,
// as git writes its locks; a held lock is still refused.
func TestLedgerWithoutHardLinks(t *testing.T) {
	mnt := exfatFolder(t)
	r := gitWorld(t)
	onStick := filepath.Join(mnt, "ledger.git")
	runGit(t, mnt, "clone", "-q", "--bare", r.dir, onStick)
	s := &world{t: t, dir: onStick, env: r.env, people: r.people}
	s.sign("pact", "a")
	s.mustVerify()
	lock := filepath.Join(onStick, "refs", "heads", "main.lock")
	if err := os.WriteFile(lock, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.decide("pact", 0, "b", signing.Approve); err == nil || !strings.Contains(err.Error(), "main.lock") {
		t.Errorf("a write with the branch locked: %v", err)
	}
	if err := os.Remove(lock); err != nil {
		t.Fatal(err)
	}
	c := s.clone(t, onStick) // onto the disk, from the stick
	c.sign("pact", "b")
	for _, git := range []string{r.env.Git, ""} {
		c.env.Git = git
		c.mustSync("")
	}
	if s.head() != c.head() {
		t.Fatalf("the stick is at %s, the clone at %s", s.head(), c.head())
	}
	copyOnStick := filepath.Join(mnt, "copy")
	if _, err := Clone(t.Context(), r.dir, copyOnStick, r.env); err != nil {
		t.Fatalf("clone onto the stick: %v", err)
	}
}
