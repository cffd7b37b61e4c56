// Package testtool lets tests that need an outside tool (ssh-keygen, git,
// pdftotext, …) or the shared test vectors skip with a clear reason on a
// developer's machine, and fail instead when CONCORD_REQUIRE_TOOLS=1 (as in CI),
// so a missing install step can never pass as a skipped check.
package testtool

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Required reports whether missing tools must fail tests rather than skip them.
func Required() bool { return os.Getenv("CONCORD_REQUIRE_TOOLS") == "1" }

// Require returns the path of the named program, or skips t (fails it when
// Required) if it is not installed.
func Require(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, name+" is not installed (apt-get install the package that provides it)")
	}
	return p
}

// Missing skips t with reason, or fails it when Required.
func Missing(t testing.TB, reason string) {
	t.Helper()
	if Required() {
		t.Fatalf("required for this test (CONCORD_REQUIRE_TOOLS=1): %s", reason)
	}
	t.Skipf("skipping: %s (set CONCORD_REQUIRE_TOOLS=1 to make this a failure)", reason)
}

// RepoRoot returns the repository root (the folder holding go.mod), found by
// walking up from the current directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the current directory")
		}
		dir = parent
	}
}

// SharedFile returns the path of a file under ../shared/ beside the
// repository (e.g. "vectors/wycheproof/ed25519_test.json"), or skips t (fails
// it when Required) if it is absent.
func SharedFile(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(RepoRoot(t), "..", "shared", filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		Missing(t, "shared test data "+p+" is absent")
	}
	return p
}

// SameMode fails t unless the files (or folders) ours and git's have the
// same mode, permission and setgid bits included: what concord made
// beside what stock git made in the same repository. what names the pair
// in the failure.
func SameMode(t testing.TB, what, ours, gits string) {
	t.Helper()
	o, err := os.Stat(ours)
	if err != nil {
		t.Fatal(err)
	}
	g, err := os.Stat(gits)
	if err != nil {
		t.Fatal(err)
	}
	if o.Mode() != g.Mode() {
		t.Errorf("%s: %s has mode %v, stock git's %s %v", what, ours, o.Mode(), gits, g.Mode())
	}
}

// FreePort returns a TCP port of 127.0.0.1 that was free a moment ago, for
// a server a test starts (sshd, git daemon, an HTTPS server).
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
