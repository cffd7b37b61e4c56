package bench

import (
	"github.com/concord-ledger/concord/internal/testtool"

	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A remote, for the clone and sync benchmarks, is the same bare repository
// reached the three ways git reaches one:
//
//   - file: a file:// URL, git's local transport (upload-pack run on the
//     same machine, no connection): git's cost at its lowest, and so
//     concord's checks at their largest share;
//   - daemon: git daemon on 127.0.0.1 (git://), a connection to a server
//     that starts upload-pack for it, with no encryption and no login;
//   - ssh: Debian's sshd on 127.0.0.1 (ssh://), with a host key and a
//     login key made for the run, as most institutions' servers are
//     reached.
//
// Both concord and git run with the same environment (GIT_SSH_COMMAND
// naming the login key and the host key), so each pays the same
// connection.
type remote struct {
	name string
	url  string
	env  []string // for both concord and git
}

// remotes serves the bare repository dir by each transport, starting git
// daemon and sshd for the benchmark (stopped when it ends). A transport
// whose server cannot start here is left out, and the benchmark says so.
func remotes(b *testing.B, dir string) []remote {
	b.Helper()
	out := []remote{{name: "file", url: "file://" + dir}}
	if r, err := daemonRemote(b, dir); err != nil {
		b.Logf("git daemon remote left out: %v", err)
	} else {
		out = append(out, r)
	}
	if r, err := sshRemote(b, dir); err != nil {
		b.Logf("ssh remote left out: %v", err)
	} else {
		out = append(out, r)
	}
	return out
}

// daemonRemote runs git daemon on 127.0.0.1, serving dir's parent.
func daemonRemote(b *testing.B, dir string) (remote, error) {
	git, err := exec.LookPath("git")
	if err != nil {
		return remote{}, err
	}
	port := testtool.FreePort(b)
	base := filepath.Dir(dir)
	cmd := exec.Command(git, "daemon", "--reuseaddr", "--export-all", "--listen=127.0.0.1",
		fmt.Sprintf("--port=%d", port), "--base-path="+base, base)
	if err := startServer(b, cmd, port); err != nil {
		return remote{}, fmt.Errorf("git daemon: %w", err)
	}
	return remote{name: "daemon", url: fmt.Sprintf("git://127.0.0.1:%d/%s", port, filepath.Base(dir))}, nil
}

// sshRemote runs sshd on 127.0.0.1 as the current user, with a host key
// and a login key made by ssh-keygen for the run.
func sshRemote(b *testing.B, dir string) (remote, error) {
	sshd, err := exec.LookPath("sshd")
	if err != nil {
		if sshd, err = exec.LookPath("/usr/sbin/sshd"); err != nil {
			return remote{}, err
		}
	}
	keygen, err := exec.LookPath("ssh-keygen")
	if err != nil {
		return remote{}, err
	}
	u, err := user.Current()
	if err != nil {
		return remote{}, err
	}
	tmp := b.TempDir()
	for _, k := range []string{"host", "login"} {
		if out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-C", k, "-f", filepath.Join(tmp, k)).CombinedOutput(); err != nil {
			return remote{}, fmt.Errorf("ssh-keygen: %v: %s", err, out)
		}
	}
	login, err := os.ReadFile(filepath.Join(tmp, "login.pub"))
	if err != nil {
		return remote{}, err
	}
	hostPub, err := os.ReadFile(filepath.Join(tmp, "host.pub"))
	if err != nil {
		return remote{}, err
	}
	port := testtool.FreePort(b)
	config := strings.Join([]string{
		"ListenAddress 127.0.0.1",
		"HostKey " + filepath.Join(tmp, "host"),
		"AuthorizedKeysFile " + filepath.Join(tmp, "authorized_keys"),
		"PidFile none",
		"StrictModes no",
		"UsePAM no",
		"PasswordAuthentication no",
		"KbdInteractiveAuthentication no",
		"PubkeyAuthentication yes",
		"PermitRootLogin prohibit-password",
		"AllowUsers " + u.Username,
		"MaxStartups 100",
		"",
	}, "\n")
	known := fmt.Sprintf("[127.0.0.1]:%d %s", port, hostPub)
	for name, data := range map[string]string{"authorized_keys": string(login), "sshd_config": config, "known_hosts": known} {
		if err := os.WriteFile(filepath.Join(tmp, name), []byte(data), 0o600); err != nil {
			return remote{}, err
		}
	}
	if os.Geteuid() == 0 {
		// sshd run by root wants its privilege separation folder.
		if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
			return remote{}, err
		}
	}
	cmd := exec.Command(sshd, "-D", "-e", "-f", filepath.Join(tmp, "sshd_config"), "-p", fmt.Sprint(port))
	if err := startServer(b, cmd, port); err != nil {
		return remote{}, fmt.Errorf("sshd: %w", err)
	}
	sshCommand := fmt.Sprintf("ssh -F none -o BatchMode=yes -o IdentitiesOnly=yes -i %s -o UserKnownHostsFile=%s",
		filepath.Join(tmp, "login"), filepath.Join(tmp, "known_hosts"))
	return remote{name: "ssh", url: fmt.Sprintf("ssh://%s@127.0.0.1:%d%s", u.Username, port, dir),
		env: []string{"GIT_SSH_COMMAND=" + sshCommand}}, nil
}

// startServer starts cmd, a server that listens on 127.0.0.1:port, and
// waits until it accepts connections; it is killed when b ends.
func startServer(b *testing.B, cmd *exec.Cmd, port int) error {
	log, err := os.Create(filepath.Join(b.TempDir(), "server.log"))
	if err != nil {
		return err
	}
	defer log.Close()
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return err
	}
	b.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return nil
		}
	}
	said, _ := os.ReadFile(log.Name())
	return fmt.Errorf("not listening on %s after 10 s: %s", addr, said)
}
