package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/bench/fixture"
)

// syncEntries is how many new entries BenchmarkSync fetches.
const syncEntries = 500

// syncRemote makes a packed bare copy of the ledger of spec, as a server
// keeps one, and returns its file:// URL, its folder, its head and the
// entry syncEntries before the head.
func syncRemote(b *testing.B, spec fixture.Spec) (url, dir, head, base string) {
	b.Helper()
	git, err := exec.LookPath("git")
	if err != nil {
		b.Skip("git is not installed")
	}
	src := cached(b, spec)
	dir = filepath.Join(b.TempDir(), "remote.git")
	runProcess(b, nil, git, "clone", "-q", "--bare", "--no-local", src, dir)
	head = gitOut(b, git, "-C", dir, "rev-parse", "refs/heads/main")
	base = gitOut(b, git, "-C", dir, "rev-list", "--first-parent", fmt.Sprintf("--skip=%d", syncEntries), "-n", "1", "refs/heads/main")
	return "file://" + dir, dir, head, base
}

func gitOut(b *testing.B, git string, args ...string) string {
	b.Helper()
	c := exec.Command(git, args...)
	c.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull)
	out, err := c.Output()
	if err != nil {
		b.Fatalf("git %v: %v", args, err)
	}
	return strings.TrimSpace(string(out))
}

// BenchmarkClone times 'concord clone' of the mid ledger (599 entries, a
// full audit: 1,195 signatures) and 'git clone --bare' of the same file://
// remote, as processes.
func BenchmarkClone(b *testing.B) {
	bin := concordBin(b)
	url, _, _, _ := syncRemote(b, mid)
	git, _ := exec.LookPath("git")
	env := []string{"CONCORD_CACHE_DIR=off"}
	b.Run("concord", func(b *testing.B) {
		n := 0
		for b.Loop() {
			n++
			runProcess(b, env, bin, "clone", url, filepath.Join(b.TempDir(), fmt.Sprint(n)))
		}
	})
	b.Run("git", func(b *testing.B) {
		n := 0
		for b.Loop() {
			n++
			runProcess(b, nil, git, "clone", "-q", "--bare", url, filepath.Join(b.TempDir(), fmt.Sprint(n)))
		}
	})
}

// BenchmarkSync times 'concord sync' fetching syncEntries new entries into
// a clone of the mid ledger made when the remote had 99 entries, and 'git
// fetch' of the same entries into a bare git clone made then, as processes.
// Each iteration starts from a fresh clone (made with the timer stopped).
func BenchmarkSync(b *testing.B) { benchSync(b, mid) }

// BenchmarkSyncLong is BenchmarkSync on the long ledger (4,418 entries):
// the same 500 new entries at the end of a history seven times as long,
// which a sync that checks only what is new does not read again.
func BenchmarkSyncLong(b *testing.B) { benchSync(b, long) }

func benchSync(b *testing.B, spec fixture.Spec) {
	bin := concordBin(b)
	url, remote, head, base := syncRemote(b, spec)
	git, _ := exec.LookPath("git")
	env := []string{"CONCORD_CACHE_DIR=off"}
	// clone makes a copy of the remote at base with make, then moves the
	// remote to head.
	clone := func(b *testing.B, make func(dir string)) string {
		b.StopTimer()
		defer b.StartTimer()
		runProcess(b, nil, git, "-C", remote, "update-ref", "refs/heads/main", base)
		dir := filepath.Join(b.TempDir(), "local")
		make(dir)
		runProcess(b, nil, git, "-C", remote, "update-ref", "refs/heads/main", head)
		return dir
	}
	// concord-full is the same sync without the accepted head recorded
	// (refs/concord/verified removed): it checks every signature again, as
	// before the incremental sync.
	for _, name := range []string{"concord", "concord-full"} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				dir := clone(b, func(dir string) {
					runProcess(b, env, bin, "clone", url, dir)
					if name == "concord-full" {
						runProcess(b, nil, git, "-C", dir, "update-ref", "-d", "refs/concord/verified")
					}
				})
				runProcess(b, env, bin, "--ledger", dir, "sync")
				b.StopTimer()
				if got := gitOut(b, git, "-C", dir, "rev-parse", "refs/heads/main"); got != head {
					b.Fatalf("after sync the head is %s, want %s", got, head)
				}
				b.StartTimer()
			}
		})
	}
	b.Run("git", func(b *testing.B) {
		for b.Loop() {
			dir := clone(b, func(dir string) { runProcess(b, nil, git, "clone", "-q", "--bare", url, dir) })
			runProcess(b, nil, git, "-C", dir, "fetch", "-q", "origin", "+refs/heads/main:refs/heads/main")
		}
	})
}
