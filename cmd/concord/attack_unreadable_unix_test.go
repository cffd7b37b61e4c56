//go:build unix

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestUnreadableLedger: a ledger some of whose files the user cannot read
// (another user's copy, a mode changed by hand, a backup restored as
// root) is "cannot read", exit 1, naming the file and with a hint about
// permissions. An unreadable refs/heads made every command say "not a
// concord ledger: the repository has no entries", an unreadable config
// "not a concord ledger: open …/config: permission denied", both with the
// hint to found a new ledger; an unreadable pack gave go-git's words and
// no hint. As root (where modes do not stop reads) concord runs as
// nobody.
func TestUnreadableLedger(t *testing.T) {
	bin, err := exec.LookPath("concord")
	if err != nil {
		t.Fatalf("concord is not on $PATH: %v", err)
	}
	asRoot := os.Geteuid() == 0
	for _, tc := range []struct{ name, path string }{
		{"refs/heads", "refs/heads"},
		{"config", "config"},
		{"pack", "objects/pack/*.pack"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			top, err := os.MkdirTemp("", "unreadable")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(top) })
			os.Chmod(top, 0o755)
			// A copy another user can run: the test binary's folder is
			// the test's own (mode 0700).
			data, err := os.ReadFile(bin)
			if err != nil {
				t.Fatal(err)
			}
			bin := filepath.Join(top, "concord")
			if err := os.WriteFile(bin, data, 0o755); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(bin, "demo", filepath.Join(top, "demo")).CombinedOutput(); err != nil {
				t.Fatalf("demo: %v\n%s", err, out)
			}
			ledger := filepath.Join(top, "demo", "ledger")
			if out, err := exec.Command("git", "-C", ledger, "repack", "-q", "-a", "-d").CombinedOutput(); err != nil {
				t.Fatalf("repack: %v\n%s", err, out)
			}
			if asRoot {
				filepath.Walk(top, func(p string, _ os.FileInfo, _ error) error { return os.Lchown(p, 65534, 65534) })
			}
			targets, _ := filepath.Glob(filepath.Join(ledger, tc.path))
			if len(targets) == 0 {
				t.Fatalf("no %s", tc.path)
			}
			for _, p := range targets {
				if err := os.Chmod(p, 0); err != nil {
					t.Fatal(err)
				}
			}
			for _, args := range [][]string{{"verify"}, {"status"}} {
				cmd := exec.Command(bin, append(args, "--ledger", ledger)...)
				cmd.Env = append(os.Environ(), "CONCORD_CACHE_DIR=off", "HOME="+top)
				if asRoot {
					cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
				}
				out, err := cmd.CombinedOutput()
				code := 0
				if ee, ok := err.(*exec.ExitError); ok {
					code = ee.ExitCode()
				} else if err != nil {
					t.Fatal(err)
				}
				s := string(out)
				if code != 1 || !strings.Contains(s, "cannot read") || !strings.Contains(s, "permission denied") ||
					strings.Contains(s, "no entries") || strings.Contains(s, "concord init") || !strings.Contains(s, "hint: check the owner and permissions") {
					t.Errorf("%s: exit %d\n%s", args[0], code, s)
				}
			}
		})
	}
}
