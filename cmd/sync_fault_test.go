package cmd

import (
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// faultListener is a git:// "remote" on 127.0.0.1 that never answers
// (hang) or closes every connection at once. It closes, with its
// connections, when the test ends.
func faultListener(t *testing.T, hang bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if !hang {
				c.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() { defer wg.Done(); io.Copy(io.Discard, c) }()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return "git://" + ln.Addr().String() + "/ledger"
}

// TestSyncFaultExitStatus: a remote that does not answer in --timeout, or
// drops the connection, makes sync and clone fail with exit status 1 and
// an error saying what happened and that nothing was lost; the local
// ledger is unchanged and verifies, and the next sync with the real remote
// delivers the local entry.
func TestSyncFaultExitStatus(t *testing.T) {
	h := newHarness(t)
	f := newFixture(t, h)
	f.propose("pact", "bob", map[string]string{"en": textEN})
	clone := filepath.Join(f.dir, "clone")
	h.mustRun(runOpts{}, "clone", f.ledger, clone)
	h.mustRun(runOpts{}, "sign", "pact", "--ledger", clone, "--as", "bob", "--key", f.key("bob"), "--yes")
	before := readHead(t, clone)

	for _, tc := range []struct {
		name       string
		hang       bool
		what, hint string
	}{
		{"no answer", true, "timed out while fetching: the time given ran out", "check the network, or allow more time with --timeout, then run the command again"},
		{"connection closed", false, "unreachable or failing while fetching: ", "check the remote's address and the network, then run the same command again"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := faultListener(t, tc.hang)
			r := h.run(runOpts{}, "sync", "--ledger", clone, "--remote", url, "--timeout", "500ms")
			if r.code != ExitError {
				t.Fatalf("sync: exit %d, want %d\n%s", r.code, ExitError, r.stderr)
			}
			lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
			if len(lines) != 2 || !strings.HasPrefix(lines[0], "concord: remote "+url+" "+tc.what) ||
				!strings.HasSuffix(lines[0], "; nothing was lost: the ledger is as it was, with 1 entry the remote does not have") || lines[1] != "hint: "+tc.hint {
				t.Errorf("stderr:\n%s", r.stderr)
			}
			if head := readHead(t, clone); head != before {
				t.Errorf("local head moved from %s to %s", before, head)
			}
			h.mustRun(runOpts{}, "verify", "--ledger", clone)

			dir := filepath.Join(t.TempDir(), "fresh")
			r = h.run(runOpts{}, "clone", url, dir, "--timeout", "500ms")
			if r.code != ExitError || !strings.HasPrefix(r.stderr, "concord: remote "+url+" "+tc.what) {
				t.Errorf("clone: exit %d, stderr:\n%s", r.code, r.stderr)
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the failed clone left %s: %v", dir, err)
			}
		})
	}
	// The recorded remote works: the entry is delivered.
	h.mustRun(runOpts{}, "sync", "--ledger", clone)
	if readHead(t, f.ledger) != before {
		t.Errorf("the remote does not hold the local entry")
	}
	h.mustRun(runOpts{}, "verify", "--ledger", f.ledger)
}
