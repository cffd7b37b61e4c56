package bench

import (
	"fmt"
	"io"
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
// keeps one, and returns its folder, its head and the entry syncEntries
// before the head.
func syncRemote(b *testing.B, spec fixture.Spec) (dir, head, base string) {
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
	return dir, head, base
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
// full audit: 1,195 signatures) and 'git clone --bare' of the same remote,
// as processes, for each way of reaching it (remotes). On file:// it also
// times git clone --bare followed by one read of every object it stored
// (git cat-file --batch-all-objects): the least that any check of what
// git stored must add to git's clone.
func BenchmarkClone(b *testing.B) {
	bin := concordBin(b)
	dir, _, _ := syncRemote(b, mid)
	git, _ := exec.LookPath("git")
	for _, r := range remotes(b, dir) {
		env := append([]string{"CONCORD_CACHE_DIR=off"}, r.env...)
		b.Run(r.name+"/concord", func(b *testing.B) {
			n := 0
			for b.Loop() {
				n++
				runProcess(b, env, bin, "clone", r.url, filepath.Join(b.TempDir(), fmt.Sprint(n)))
			}
		})
		b.Run(r.name+"/git", func(b *testing.B) {
			n := 0
			for b.Loop() {
				n++
				runProcess(b, r.env, git, "clone", "-q", "--bare", r.url, filepath.Join(b.TempDir(), fmt.Sprint(n)))
			}
		})
		if r.name != "file" {
			continue
		}
		b.Run(r.name+"/git+read", func(b *testing.B) {
			n := 0
			for b.Loop() {
				n++
				to := filepath.Join(b.TempDir(), fmt.Sprint(n))
				runProcess(b, r.env, git, "clone", "-q", "--bare", r.url, to)
				readAll(b, git, to)
			}
		})
	}
}

// readAll reads every object of the repository dir once, as concord's
// audit has git stream them (gitstore's Preload), and discards them.
func readAll(b *testing.B, git, dir string) {
	c := exec.Command(git, "-C", dir, "cat-file", "--batch-all-objects", "--batch", "--unordered")
	c.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull)
	var stderr strings.Builder
	c.Stdout, c.Stderr = io.Discard, &stderr
	if err := c.Run(); err != nil {
		b.Fatalf("git cat-file: %v: %s", err, stderr.String())
	}
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
	remote, head, base := syncRemote(b, spec)
	git, _ := exec.LookPath("git")
	for _, r := range remotes(b, remote) {
		benchSyncFrom(b, r, bin, git, remote, head, base)
	}
}

// benchSyncFrom is benchSync from one way of reaching the remote.
func benchSyncFrom(b *testing.B, r remote, bin, git, remote, head, base string) {
	url := r.url
	env := append([]string{"CONCORD_CACHE_DIR=off"}, r.env...)
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
	// before the incremental sync. It is timed on file:// only.
	names := []string{"concord"}
	if r.name == "file" {
		names = append(names, "concord-full")
	}
	for _, name := range names {
		b.Run(r.name+"/"+name, func(b *testing.B) {
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
	b.Run(r.name+"/git", func(b *testing.B) {
		for b.Loop() {
			dir := clone(b, func(dir string) { runProcess(b, r.env, git, "clone", "-q", "--bare", url, dir) })
			runProcess(b, r.env, git, "-C", dir, "fetch", "-q", "origin", "+refs/heads/main:refs/heads/main")
		}
	})
}
