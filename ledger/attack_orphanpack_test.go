package ledger

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPackWithoutIndex: a pack whose index is not there yet — git and
// concord both move a pack into objects/pack before its .idx, so a git or
// concord killed between the two renames leaves one — is no pack to stock
// git, which finds packs by their index. go-git listed it and failed every
// read ("reading entry 1: packfile not found", exit 1, go-git's words).
// Such a ledger reads, verifies and takes entries as git sees it.
func TestPackWithoutIndex(t *testing.T) {
	r := gitWorld(t)
	r.sign("pact", "a")
	runGit(t, r.dir, "repack", "-q", "-a", "-d")
	packs, _ := filepath.Glob(filepath.Join(r.dir, "objects", "pack", "pack-*.pack"))
	if len(packs) != 1 {
		t.Fatalf("packs: %v", packs)
	}
	data, err := os.ReadFile(packs[0])
	if err != nil {
		t.Fatal(err)
	}
	orphan := filepath.Join(r.dir, "objects", "pack", "pack-"+strings.Repeat("1", 40)+".pack")
	if err := os.WriteFile(orphan, data, 0o444); err != nil {
		t.Fatal(err)
	}
	runGit(t, r.dir, "log", "--oneline")
	for _, git := range []string{r.env.Git, ""} {
		rep, err := Verify(r.dir, VerifyOptions{Git: git})
		if err != nil || !rep.OK() {
			t.Fatalf("verify (git %q): %v\n%s", git, err, fmtReport(rep))
		}
	}
	r.sign("pact", "b")
	r.mustVerify()
}
