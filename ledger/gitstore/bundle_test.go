package gitstore

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/internal/testtool"
)

// A bundle whose pack inflates to far more than it weighs (a blob of zeros
// over MaxObjectSize) is refused from its headers, before any object is
// resolved, with little memory.
func TestReadBundleRefusesInflationBomb(t *testing.T) {
	git := testtool.Require(t, "git")
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(git, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
			"GIT_AUTHOR_NAME=x", "GIT_AUTHOR_EMAIL=x", "GIT_COMMITTER_NAME=x", "GIT_COMMITTER_EMAIL=x")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("init", "-q", "-b", "main")
	f, err := os.Create(filepath.Join(dir, "zeros"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxObjectSize + 1<<20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	run("add", "zeros")
	run("commit", "-q", "-m", "bomb")
	run("bundle", "create", "-q", "b.bundle", "main")
	data, err := os.ReadFile(filepath.Join(dir, "b.bundle"))
	if err != nil {
		t.Fatal(err)
	}
	if len(data) > 1<<20 {
		t.Fatalf("the bundle has %d bytes; the test wants a small one", len(data))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err = ReadBundle(data)
	runtime.ReadMemStats(&after)
	var be *BundleError
	if !errors.As(err, &be) || !strings.Contains(err.Error(), "more than the") {
		t.Fatalf("ReadBundle: %v, want a *BundleError about the size", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 8<<20 {
		t.Errorf("refusing the bomb allocated %d bytes", grew)
	}
}

func TestDeltaTargetSize(t *testing.T) {
	for _, tc := range []struct {
		in   []byte
		want int64
		ok   bool
	}{
		{[]byte{0x05, 0x07}, 7, true},
		{[]byte{0x80, 0x01, 0x80, 0x80, 0x10}, 0x10 << 14, true},
		{[]byte{0x05}, 0, false},
		{[]byte{0x85}, 0, false},
		{nil, 0, false},
	} {
		got, ok := deltaTargetSize(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("deltaTargetSize(%x) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
