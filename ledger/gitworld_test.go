package ledger

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/internal/testtool"
)

// gitWorld is newWorld with its syncs and clones going through git, in a
// git configuration of the test's own (no system or user settings).
func gitWorld(t *testing.T) *world {
	t.Helper()
	isolateGit(t, "")
	r := newWorld(t)
	r.env.Git = testtool.Require(t, "git")
	r.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
	return r
}

// isolateGit gives git a global configuration holding config only, no
// system one, and no terminal to prompt on.
func isolateGit(t *testing.T, config string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "gitconfig")
	if err := os.WriteFile(p, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GIT_CONFIG_GLOBAL", p)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_TERMINAL_PROMPT", "0")
	t.Setenv("SSH_AUTH_SOCK", "")
	// Settings of the machine's own that would override the test's.
	for _, k := range []string{"GIT_SSL_CAINFO", "GIT_SSL_CAPATH", "GIT_SSL_NO_VERIFY", "GIT_SSH", "GIT_SSH_COMMAND", "GIT_ASKPASS", "SSH_ASKPASS"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
}

func runGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(testtool.Require(t, "git"), append([]string{"-C", dir}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}
