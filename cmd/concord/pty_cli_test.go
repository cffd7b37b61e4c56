//go:build !windows

package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/concord-ledger/concord/signing"
)

// terminal is concord running on a real pseudo-terminal: what it writes is
// read into out, and the test types answers.
type terminal struct {
	t    *testing.T
	f    *os.File
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
	seen int // how much of out the expectations have consumed
}

func startTerminal(t *testing.T, dir string, env []string, args ...string) *terminal {
	t.Helper()
	bin, err := exec.LookPath("concord")
	if err != nil {
		t.Fatalf("concord is not on $PATH (testscript.Main puts it there): %v", err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 200})
	if err != nil {
		t.Fatalf("starting concord on a pty: %v", err)
	}
	term := &terminal{t: t, f: f, cmd: cmd, done: make(chan struct{})}
	go func() {
		defer close(term.done)
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			term.mu.Lock()
			term.out.Write(buf[:n])
			term.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		f.Close()
	})
	return term
}

// expect waits until the terminal shows want after what was seen before.
func (term *terminal) expect(want string) {
	term.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		term.mu.Lock()
		s := term.out.String()
		term.mu.Unlock()
		if i := strings.Index(s[term.seen:], want); i >= 0 {
			term.seen += i + len(want)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	term.t.Fatalf("the terminal never showed %q; it shows:\n%s", want, term.screen())
}

func (term *terminal) screen() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return term.out.String()
}

// typeLine types s and Enter.
func (term *terminal) typeLine(s string) {
	term.t.Helper()
	if _, err := term.f.Write([]byte(s + "\r")); err != nil {
		term.t.Fatal(err)
	}
}

// typeSecret types s and Enter once the terminal no longer echoes: a
// passphrase prompt is printed before echo is turned off, and a line typed
// in between would be echoed by the terminal (as it would be for a user
// who types ahead), which is not what these tests look for.
func (term *terminal) typeSecret(s string) {
	term.t.Helper()
	if !echoOff(term.f) {
		term.t.Fatalf("the terminal still echoes after the prompt:\n%s", term.screen())
	}
	term.typeLine(s)
}

// wait returns concord's exit status.
func (term *terminal) wait() int {
	term.t.Helper()
	err := term.cmd.Wait()
	<-term.done
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		term.t.Fatal(err)
	}
	return 0
}

// TestPassphrasePTY types passphrases on a real terminal: a new key's
// passphrase that is not repeated the same is asked again; a wrong
// passphrase is asked again, three times in all; the passphrase is never
// echoed.
func TestPassphrasePTY(t *testing.T) {
	dir := t.TempDir()
	env := []string{"CONCORD_TEST_KDF_ROUNDS=1", "CONCORD_CACHE_DIR=off", "CONCORD_PASSPHRASE_FILE="}

	// key new: the repeat differs, then both match
	term := startTerminal(t, dir, env, "key", "new", "--output", "keys/xjtu")
	term.expect("New passphrase for keys/xjtu: ")
	term.typeSecret("tulip")
	term.expect("Repeat the passphrase: ")
	term.typeSecret("tulips")
	term.expect("The passphrases do not match; try again.")
	term.expect("New passphrase for keys/xjtu: ")
	term.typeSecret("rose garden")
	term.expect("Repeat the passphrase: ")
	term.typeSecret("rose garden")
	term.expect("fingerprint: 256 SHA256:")
	if code := term.wait(); code != 0 {
		t.Fatalf("key new: exit %d\n%s", code, term.screen())
	}
	if s := term.screen(); strings.Contains(s, "tulip") || strings.Contains(s, "rose garden") {
		t.Errorf("a passphrase was echoed:\n%s", s)
	}
	key := filepath.Join(dir, "keys", "xjtu")
	if _, err := signing.LoadPrivateKey(key, func() ([]byte, error) { return []byte("rose garden"), nil }); err != nil {
		t.Fatalf("the key does not open with the passphrase typed twice: %v", err)
	}

	// a stewards file for a ledger of one steward, whose key is the new one
	info, err := signing.ReadKeyInfo(key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	stewards := `[{"id":"xjtu","name":"N","title":"T","institution":"I","country":"C","key":"` +
		strings.TrimSpace(string(signing.MarshalPublicKey(info.PublicKey, ""))) + `"}]`
	if err := os.WriteFile(filepath.Join(dir, "stewards.json"), []byte(stewards), 0o600); err != nil {
		t.Fatal(err)
	}
	initArgs := []string{"init", "--title", "T", "--stewards", "stewards.json", "--threshold", "1", "--as", "xjtu", "--key", "keys/xjtu"}

	// three wrong passphrases: refused, nothing founded
	term = startTerminal(t, dir, env, append(initArgs, "--ledger", "l1")...)
	for i, p := range []string{"rose", "garden", "Rose garden"} {
		term.expect("Passphrase for keys/xjtu: ")
		term.typeSecret(p)
		if i < 2 {
			term.expect("Wrong passphrase; try again.")
		}
	}
	term.expect(`concord: wrong passphrase for key "keys/xjtu" (3 tries)`)
	if code := term.wait(); code != 1 {
		t.Errorf("three wrong passphrases: exit %d, want 1\n%s", code, term.screen())
	}
	if _, err := os.Stat(filepath.Join(dir, "l1", "HEAD")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a ledger was founded after three wrong passphrases (%v)", err)
	}

	// wrong, then right: founded
	term = startTerminal(t, dir, env, append(initArgs, "--ledger", "l2")...)
	term.expect("Passphrase for keys/xjtu: ")
	term.typeSecret("rose")
	term.expect("Wrong passphrase; try again.")
	term.expect("Passphrase for keys/xjtu: ")
	term.typeSecret("rose garden")
	term.expect("founded ledger ")
	if code := term.wait(); code != 0 {
		t.Fatalf("init: exit %d\n%s", code, term.screen())
	}
}

// TestProgressPTY: long work shows a spinner on a terminal (here at once:
// $CONCORD_PROGRESS_AFTER=0), cleared before the result; never with --json.
// On a pipe, progress.txtar shows there is none.
func TestProgressPTY(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("concord", "demo", filepath.Join(dir, "demo")).CombinedOutput(); err != nil {
		t.Fatalf("concord demo: %v\n%s", err, out)
	}
	env := []string{"CONCORD_PROGRESS_AFTER=0", "CONCORD_CACHE_DIR=off", "CONCORD_LEDGER=" + filepath.Join(dir, "demo", "ledger")}

	term := startTerminal(t, dir, env, "verify")
	term.expect("OK: everything checked holds")
	if code := term.wait(); code != 0 {
		t.Fatalf("verify: exit %d\n%s", code, term.screen())
	}
	if s := term.screen(); !strings.Contains(s, "verifying the ledger") {
		t.Errorf("no progress on the terminal:\n%q", s)
	}

	term = startTerminal(t, dir, env, "verify", "--json")
	term.expect(`"entries": 22`)
	if code := term.wait(); code != 0 {
		t.Fatalf("verify --json: exit %d\n%s", code, term.screen())
	}
	if s := term.screen(); strings.Contains(s, "verifying the ledger") {
		t.Errorf("progress shown with --json:\n%q", s)
	}
}
