//go:build !windows

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// ptySession runs concord on a real pseudo-terminal (stdin, stdout and
// stderr all the terminal), so that the terminal checks, prompts, pager
// and colour run as they do for a person.
type ptySession struct {
	t    *testing.T
	cmd  *exec.Cmd
	tty  *os.File
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

func startPTY(t *testing.T, env []string, args ...string) *ptySession {
	t.Helper()
	c := exec.Command("concord", args...)
	c.Env = append(os.Environ(), env...)
	tty, err := pty.StartWithSize(c, &pty.Winsize{Rows: 50, Cols: 200})
	if err != nil {
		t.Fatalf("starting concord on a pseudo-terminal: %v", err)
	}
	s := &ptySession{t: t, cmd: c, tty: tty, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			s.mu.Lock()
			s.out.Write(buf[:n])
			s.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { tty.Close(); c.Process.Kill(); c.Wait() })
	return s
}

// waitFor waits until the output holds want.
func (s *ptySession) waitFor(want string) string {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		got := s.out.String()
		s.mu.Unlock()
		if strings.Contains(got, want) {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatalf("no %q on the terminal within 30s; it shows:\n%s", want, s.output())
	return ""
}

func (s *ptySession) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// finish waits for concord to exit and returns its status and all output.
func (s *ptySession) finish() (int, string) {
	s.t.Helper()
	err := s.cmd.Wait()
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		s.t.Fatal(err)
	}
	return code, s.output()
}

func concordOut(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("concord", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("concord %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func headOf(t *testing.T, ledger string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(ledger, "refs", "heads", "main"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestStewardConfirmsOnATerminal: roster approve on a real terminal shows
// the change in full and asks; "n" signs nothing, "y" signs.
func TestStewardConfirmsOnATerminal(t *testing.T) {
	dir := t.TempDir()
	concordOut(t, "demo", filepath.Join(dir, "demo"))
	ledger := filepath.Join(dir, "demo", "ledger")
	keys := filepath.Join(dir, "demo", "keys")
	env := []string{"CONCORD_LEDGER=" + ledger, "CONCORD_CACHE_DIR=off", "TERM=xterm", "NO_COLOR="}
	out := concordOut(t, "roster", "revoke", "demo-tm", "--reason", "left the forum", "--as", "xjtu", "--key", filepath.Join(keys, "xjtu"), "--ledger", ledger)
	change := regexp.MustCompile(`change ([0-9a-f]{16})`).FindStringSubmatch(out)
	if change == nil {
		t.Fatalf("no change id in %q", out)
	}
	before := headOf(t, ledger)

	for _, answer := range []string{"n", "y"} {
		s := startPTY(t, env, "roster", "approve", change[1], "--as", "kaznu", "--key", filepath.Join(keys, "kaznu"))
		shown := s.waitFor("[y/N] ")
		for _, want := range []string{
			"Roster change " + change[1] + ": REVOKE",
			"member:      demo-tm",
			"(stops counting)",
			"proposed by: xjtu",
			"reason:      left the forum",
			"approvals:   1 of 2 so far (xjtu)",
			"Your approval makes the change TAKE EFFECT.",
			"Signing key: SHA256:",
			"Approve change " + change[1] + " (revoke demo-tm) as kaznu with key SHA256:",
		} {
			if !strings.Contains(shown, want) {
				t.Errorf("the terminal does not show %q before asking:\n%s", want, shown)
			}
		}
		if _, err := s.tty.Write([]byte(answer + "\r")); err != nil {
			t.Fatal(err)
		}
		code, all := s.finish()
		switch answer {
		case "n":
			if code != 1 || !strings.Contains(all, "nothing signed") || headOf(t, ledger) != before {
				t.Fatalf("answer n: exit %d, head moved %v:\n%s", code, headOf(t, ledger) != before, all)
			}
		case "y":
			if code != 0 || !strings.Contains(all, "took effect at entry") || headOf(t, ledger) == before {
				t.Fatalf("answer y: exit %d:\n%s", code, all)
			}
		}
	}
}

// TestSignerSeesBidiOnATerminal: on a real terminal, sign pages the text
// ($PAGER) with a right-to-left override written as <U+202E>, and colours
// nothing when NO_COLOR is set.
func TestSignerSeesBidiOnATerminal(t *testing.T) {
	dir := t.TempDir()
	concordOut(t, "demo", filepath.Join(dir, "demo"))
	ledger := filepath.Join(dir, "demo", "ledger")
	keys := filepath.Join(dir, "demo", "keys")
	text := filepath.Join(dir, "pact.en")
	if err := os.WriteFile(text, []byte("The fee is \u202e0001\u202c euros.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	concordOut(t, "propose", "pact", "--title", "Pact", "--text", "en="+text, "--signers", "xjtu", "--allow-invisible",
		"--as", "xjtu", "--key", filepath.Join(keys, "xjtu"), "--ledger", ledger)
	env := []string{"CONCORD_LEDGER=" + ledger, "CONCORD_CACHE_DIR=off", "TERM=xterm", "PAGER=cat", "NO_COLOR=1"}
	s := startPTY(t, env, "sign", "pact", "--as", "xjtu", "--key", filepath.Join(keys, "xjtu"))
	shown := s.waitFor("[y/N] ")
	if strings.ContainsRune(shown, 0x202E) || !strings.Contains(shown, "The fee is <U+202E>0001<U+202C> euros.") ||
		!strings.Contains(shown, "warning: the text in en holds 2 invisible or bidirectional characters") {
		t.Errorf("the terminal shows the override raw, or no warning:\n%q", shown)
	}
	if strings.Contains(shown, "\x1b[3") {
		t.Errorf("colour with NO_COLOR set:\n%q", shown)
	}
	if !strings.Contains(shown, "This approval ratifies pact v1") {
		t.Errorf("the terminal does not say the approval ratifies:\n%s", shown)
	}
	s.tty.Write([]byte("y\r"))
	if code, all := s.finish(); code != 0 || !strings.Contains(all, "RATIFIED") {
		t.Fatalf("exit %d:\n%s", code, all)
	}
}
