package bench

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/concord-ledger/concord/bench/fixture"
	"github.com/concord-ledger/concord/ledger"
	"github.com/concord-ledger/concord/ledger/gitstore"
	"github.com/concord-ledger/concord/ledger/statecache"
	"github.com/concord-ledger/concord/signing"
)

// The benchmark ledgers, built once by bench/gen into the cache folder
// ($CONCORD_BENCH_CACHE, default bench/.cache). A benchmark whose ledger is
// not built skips, saying how to build it; plain 'go test' runs none of
// them.
var (
	// big is the verify ledger: 200 signatories, 100 agreements each signed
	// by all of them (20,498 entries, 40,894 signatures).
	big = fixture.Spec{Members: 200, Docs: 100}
	// mid has big's roster but a single agreement (599 entries).
	mid = fixture.Spec{Members: 200, Docs: 1}
	// long has big's roster and 20 agreements (4,418 entries): a sync of
	// its last 500 entries.
	long = fixture.Spec{Members: 200, Docs: 20}
	// small is a ledger of about 100 entries (20 signatories, 3 agreements).
	small = fixture.Spec{Members: 20, Docs: 3}
)

// statusDoc is the agreement BenchmarkStatusProcess asks about: one of
// big's, signed by all 200.
const statusDoc = "doc-050"

func cacheDir() string {
	if d := os.Getenv("CONCORD_BENCH_CACHE"); d != "" {
		return d
	}
	return ".cache"
}

// cached returns the folder of the built ledger s, or skips b.
func cached(b *testing.B, s fixture.Spec) string {
	b.Helper()
	dir := filepath.Join(cacheDir(), s.Name())
	if _, err := os.Stat(filepath.Join(dir, "HEAD")); err != nil {
		b.Skipf("benchmark ledger %s is not built: run bench/run.sh, or 'go run ./bench/gen' from the repository root", dir)
	}
	return dir
}

// withProcs runs b's body with GOMAXPROCS n, skipping if there are fewer
// CPUs.
func withProcs(b *testing.B, n int) {
	b.Helper()
	if runtime.NumCPU() < n {
		b.Skipf("needs %d CPUs, the machine has %d", n, runtime.NumCPU())
	}
	old := runtime.GOMAXPROCS(n)
	b.Cleanup(func() { runtime.GOMAXPROCS(old) })
}

// peakHeap samples the heap every few milliseconds until stop is called,
// which returns the highest values seen, in bytes: of the heap's objects
// (live, and dead but not yet swept: what the process holds for them) and of
// the live heap as the last garbage collection found it.
func peakHeap() (stop func() (heap, live uint64)) {
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
	var peaks [2]uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(samples)
			for i, s := range samples {
				if s.Value.Kind() == metrics.KindUint64 {
					peaks[i] = max(peaks[i], s.Value.Uint64())
				}
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() (uint64, uint64) {
		close(done)
		wg.Wait()
		return peaks[0], peaks[1]
	}
}

// BenchmarkVerifyLedger audits the big ledger with one signature-checking
// worker on one core (GOMAXPROCS 1) and with two on two cores. It reports
// the time per signature and the peak heap.
func BenchmarkVerifyLedger(b *testing.B) {
	dir := cached(b, big)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			withProcs(b, workers)
			b.ReportAllocs()
			runtime.GC()
			stop := peakHeap()
			var rep *ledger.Report
			for b.Loop() {
				var err error
				if rep, err = ledger.Verify(dir, ledger.VerifyOptions{Workers: workers}); err != nil {
					b.Fatal(err)
				}
			}
			heap, live := stop()
			if !rep.OK() || rep.Signatures != big.Signatures() || len(rep.Ratified) != big.Docs {
				b.Fatalf("verify: ok %v, %d signatures (want %d), %d ratified; problems %v", rep.OK(), rep.Signatures, big.Signatures(), len(rep.Ratified), rep.Problems)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rep.Signatures), "ns/sig")
			b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(live)/(1<<20), "peak-live-MB")
		})
	}
}

// BenchmarkRawEd25519Loop is verify's baseline: crypto/ed25519 alone, on
// one core, over every signature verify checks in the big ledger (each
// commit's and each statement's), given as key, SSHSIG signed data and
// 64-byte signature, extracted beforehand.
func BenchmarkRawEd25519Loop(b *testing.B) {
	dir := cached(b, big)
	sigs, err := fixture.Signatures(dir)
	if err != nil {
		b.Fatal(err)
	}
	if len(sigs) != big.Signatures() {
		b.Fatalf("extracted %d signatures, want %d", len(sigs), big.Signatures())
	}
	withProcs(b, 1)
	for b.Loop() {
		for _, s := range sigs {
			if !ed25519.Verify(s.Key, s.Data, s.Sig) {
				b.Fatal("a signature does not verify")
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(sigs)), "ns/sig")
}

// BenchmarkReadHistory reads what verify reads of the big ledger, on one
// core, and checks nothing: every commit of the history and the files each
// adds. It is the floor the storage layer sets for verify.
func BenchmarkReadHistory(b *testing.B) {
	dir := cached(b, big)
	withProcs(b, 1)
	for b.Loop() {
		repo, err := gitstore.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		head, err := repo.Head()
		if err != nil {
			b.Fatal(err)
		}
		chain, err := repo.FirstParentChain(head)
		if err != nil {
			b.Fatal(err)
		}
		prev := ""
		for _, c := range chain {
			changes, err := repo.Changes(prev, c.ID)
			if err != nil {
				b.Fatal(err)
			}
			if len(changes) == 0 {
				b.Fatalf("commit %s adds no file", c.ID)
			}
			prev = c.ID
		}
		if len(chain) != big.Entries() {
			b.Fatalf("read %d commits, want %d", len(chain), big.Entries())
		}
	}
}

// BenchmarkAppend measures one 'sign' (prepare, then sign and commit) on a
// copy of a ledger of about 100 entries and of about 20,000. The ledger of
// 600 entries has the large one's roster (200 members) and tells the cost
// of the roster's size from that of the ledger's length. Each iteration
// signs once on each ledger in turn (starting with each in turn), timing
// each sign, so that a change in the machine's load falls on all of them
// alike; it reports the mean time
// of a sign on each as ns/sign@entries=N (ns/op is their sum). A sign is
// the next member's approval of the open agreement; past the last member
// but one, approvals are withdrawn in turn, then given again, so the
// agreement never gets ratified. Run with a fixed -benchtime (e.g. 60x) so
// every ledger gets the same sequence. The state cache is on, and warmed
// by opening each ledger once before the timing, as any earlier command
// would: each sign then reads the roster and the agreement from the cache.
func BenchmarkAppend(b *testing.B) {
	type target struct {
		name string
		s    fixture.Spec
		dir  string
		took time.Duration
	}
	targets := []*target{{name: "entries=100", s: small}, {name: "entries=600", s: mid}, {name: "entries=20000", s: big}}
	for _, t := range targets {
		src := cached(b, t.s)
		t.dir = filepath.Join(b.TempDir(), t.s.Name())
		if err := fixture.CopyDir(src, t.dir); err != nil {
			b.Fatal(err)
		}
	}
	cache, err := statecache.Open(filepath.Join(b.TempDir(), "states"))
	if err != nil {
		b.Fatal(err)
	}
	for _, t := range targets {
		l, err := ledger.OpenWith(t.dir, cache)
		if err != nil {
			b.Fatal(err)
		}
		l.Close()
	}
	env := fixture.Env()
	env.Cache = cache
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		for k := range targets {
			t := targets[(i+k)%len(targets)] // each ledger in each place of the round in turn
			n := t.s.Members - 1
			d := signing.Approve
			if (i/n)%2 == 1 {
				d = signing.Withdraw
			}
			start := time.Now()
			if _, err := fixture.Sign(t.dir, env, fixture.OpenDoc, fixture.MemberID(i%n), d); err != nil {
				b.Fatal(err)
			}
			t.took += time.Since(start)
		}
		i++
	}
	for _, t := range targets {
		b.ReportMetric(float64(t.took.Nanoseconds())/float64(i), "ns/sign@"+t.name)
	}
}

// concordBin returns the concord binary to time, from $CONCORD_BIN, or
// skips b.
func concordBin(b *testing.B) string {
	b.Helper()
	p := os.Getenv("CONCORD_BIN")
	if p == "" {
		b.Skip("set CONCORD_BIN to a built concord binary (bench/run.sh does)")
	}
	return p
}

// runProcess runs name with args and the environment variables env,
// failing b unless it exits 0.
func runProcess(b *testing.B, env []string, name string, args ...string) {
	c := exec.Command(name, args...)
	c.Env = append(append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull), env...)
	out, err := c.CombinedOutput()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			b.Fatalf("%s %v: exit %d\n%s", name, args, ee.ExitCode(), out)
		}
		b.Fatal(err)
	}
}

// BenchmarkStatusProcess runs 'concord status DOC' on the big ledger as a
// whole process, to compare with BenchmarkGitLogProcess: with the state
// cache warm (filled by one run before the timing, as any earlier command
// on the ledger fills it), and with the cache off (every process replays
// the roster and the document, checking their signatures).
func BenchmarkStatusProcess(b *testing.B) {
	bin := concordBin(b)
	dir := cached(b, big)
	b.Run("cache=warm", func(b *testing.B) {
		env := []string{"CONCORD_CACHE_DIR=" + filepath.Join(b.TempDir(), "states")}
		runProcess(b, env, bin, "--ledger", dir, "status", statusDoc)
		for b.Loop() {
			runProcess(b, env, bin, "--ledger", dir, "status", statusDoc)
		}
	})
	b.Run("cache=off", func(b *testing.B) {
		env := []string{"CONCORD_CACHE_DIR=off"}
		for b.Loop() {
			runProcess(b, env, bin, "--ledger", dir, "status", statusDoc)
		}
	})
}

// BenchmarkGitLogProcess runs 'git -C LEDGER log -1' on the big ledger:
// the floor for a process that reads the head of a git repository.
func BenchmarkGitLogProcess(b *testing.B) {
	concordBin(b) // measured only beside BenchmarkStatusProcess
	git, err := exec.LookPath("git")
	if err != nil {
		b.Skip("git is not installed")
	}
	dir := cached(b, big)
	for b.Loop() {
		runProcess(b, nil, git, "-C", dir, "log", "-1")
	}
}
