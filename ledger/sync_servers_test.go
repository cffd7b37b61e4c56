//go:build unix

package ledger

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/concord-ledger/concord/internal/testtool"
	"github.com/concord-ledger/concord/ledger/gitstore"
)

// These tests reach remotes through the git program (Env.Git), against
// real servers started here: OpenSSH's sshd, git http-backend behind
// HTTPS with basic auth, git daemon, and bare and non-bare repositories
// with the server-side rules git enforces.

// netKind returns the kind of the NetError inside err, failing t if there
// is none.
func netKind(t *testing.T, err error) gitstore.NetKind {
	t.Helper()
	t.Logf("error: %v", err)
	var ne *gitstore.NetError
	if !errors.As(err, &ne) {
		t.Fatalf("%v: want a gitstore.NetError", err)
	}
	return ne.Kind
}

// tryClone clones url with the git transport into a new folder and
// returns the error, checking that a failed clone leaves no folder.
func tryClone(t *testing.T, r *world, url string) error {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "clone")
	_, err := Clone(context.Background(), url, dir, r.env)
	if err != nil {
		if _, serr := os.Stat(dir); serr == nil {
			t.Errorf("a failed clone left %s", dir)
		}
	}
	return err
}

// sshServer is OpenSSH's sshd on 127.0.0.1 with an ed25519 and an ecdsa
// host key, and a client key file it authorizes.
type sshServer struct {
	port       int
	dir        string
	clientKey  string // the authorized client's private key file
	otherKey   string // a client key sshd does not authorize
	hostEd     ssh.PublicKey
	hostEcdsa  ssh.PublicKey
	knownHosts string // holds the ed25519 host key only, as OpenSSH records it
}

func writeKey(t *testing.T, path string, priv any) ssh.PublicKey {
	t.Helper()
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s.PublicKey()
}

func (s *sshServer) writeKnownHosts(t *testing.T, path string, keys ...ssh.PublicKey) {
	t.Helper()
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "[127.0.0.1]:%d %s", s.port, ssh.MarshalAuthorizedKey(k))
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

// useSSHConfig makes git's ssh read an ssh configuration naming the
// server "ledgerhost" (so only a client that reads it finds the server),
// with key file and known_hosts given, and no agent.
func (s *sshServer) useSSHConfig(t *testing.T, key, knownHosts string) {
	t.Helper()
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(t.TempDir(), "ssh_config")
	if err := os.WriteFile(cfg, []byte(strings.Join([]string{
		"Host ledgerhost",
		"  HostName 127.0.0.1",
		fmt.Sprintf("  Port %d", s.port),
		"  User " + u.Username,
		"  IdentityFile " + key,
		"  IdentitiesOnly yes",
		"  UserKnownHostsFile " + knownHosts,
		"  GlobalKnownHostsFile /dev/null",
		"  StrictHostKeyChecking yes",
		"  BatchMode yes",
		"",
	}, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GIT_SSH_COMMAND", "ssh -F "+cfg)
}

// TestGitSSH: through git, with an sshd offering ed25519 and ecdsa host
// keys and a known_hosts holding the ed25519 one only, a key file and an
// ssh configuration given in GIT_SSH_COMMAND, no agent: clone and sync
// work, at an scp-like address whose host only the configuration names.
// An unknown or changed host key and a refused key each fail with their
// own kind, and leave nothing behind.
func TestGitSSH(t *testing.T) {
	srv := startRealSSHD(t)
	r := gitWorld(t)
	srv.useSSHConfig(t, srv.clientKey, srv.knownHosts)
	runTwoSigners(t, r, "ledgerhost:"+r.dir)

	t.Run("host key unknown", func(t *testing.T) {
		empty := filepath.Join(t.TempDir(), "known_hosts")
		srv.writeKnownHosts(t, empty)
		srv.useSSHConfig(t, srv.clientKey, empty)
		err := tryClone(t, r, "ledgerhost:"+r.dir)
		if k := netKind(t, err); k != gitstore.NetHostKeyUnknown {
			t.Fatalf("%v: kind %v", err, k)
		}
		if h := (&RemoteError{Err: err}).Hint(); !strings.Contains(h, "known_hosts") {
			t.Errorf("hint %q", h)
		}
	})
	t.Run("host key changed", func(t *testing.T) {
		_, other, _ := ed25519.GenerateKey(rand.Reader)
		sg, _ := ssh.NewSignerFromKey(other)
		kh := filepath.Join(t.TempDir(), "known_hosts")
		srv.writeKnownHosts(t, kh, sg.PublicKey())
		srv.useSSHConfig(t, srv.clientKey, kh)
		err := tryClone(t, r, "ledgerhost:"+r.dir)
		if k := netKind(t, err); k != gitstore.NetHostKeyChanged {
			t.Fatalf("%v: kind %v", err, k)
		}
		if !strings.Contains(err.Error(), "host key that changed") {
			t.Errorf("message: %v", err)
		}
	})
	t.Run("key refused", func(t *testing.T) {
		srv.useSSHConfig(t, srv.otherKey, srv.knownHosts)
		err := tryClone(t, r, "ledgerhost:"+r.dir)
		if k := netKind(t, err); k != gitstore.NetAuthRefused {
			t.Fatalf("%v: kind %v", err, k)
		}
		if !strings.Contains(err.Error(), "refused the credentials") || !strings.Contains(err.Error(), "Permission denied") {
			t.Errorf("message: %v", err)
		}
	})
}

// startHTTPS serves git http-backend for the repositories in root over
// HTTPS (a certificate of the test's own CA) with basic auth (user alice,
// password s3cret), and returns the server and the CA's PEM file.
func startHTTPS(t *testing.T, root string) (*httptest.Server, string) {
	t.Helper()
	gitPath := testtool.Require(t, "git")
	backend := &cgi.Handler{Path: gitPath, Args: []string{"http-backend"},
		Env: []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"}}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		u, p, ok := req.BasicAuth()
		if !ok || u != "alice" || p != "s3cret" {
			w.Header().Set("WWW-Authenticate", `Basic realm="ledger"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		backend.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	return srv, ca
}

// TestGitHTTPS: through git, from git http-backend behind HTTPS with a
// self-signed CA given in http.sslCAInfo and basic auth answered by a
// credential helper, clone and sync work. Without the CA, with a wrong
// password, the failure says which; a token in the URL is never printed.
func TestGitHTTPS(t *testing.T) {
	r := gitWorld(t)
	runGit(t, r.dir, "config", "http.receivepack", "true")
	srv, ca := startHTTPS(t, filepath.Dir(r.dir))
	helper := func(pw string) string {
		return fmt.Sprintf("[credential]\n\thelper = \"!f() { test \\\"$1\\\" = get && echo username=alice && echo password=%s; }; f\"\n", pw)
	}
	url := srv.URL + "/" + filepath.Base(r.dir)
	isolateGit(t, "[http]\n\tsslCAInfo = "+ca+"\n"+helper("s3cret"))
	runTwoSigners(t, r, url)

	t.Run("CA not given", func(t *testing.T) {
		isolateGit(t, helper("s3cret"))
		err := tryClone(t, r, url)
		if k := netKind(t, err); k != gitstore.NetCertificate {
			t.Fatalf("%v: kind %v", err, k)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		isolateGit(t, "[http]\n\tsslCAInfo = "+ca+"\n"+helper("wrong"))
		err := tryClone(t, r, url)
		if k := netKind(t, err); k != gitstore.NetAuthRefused {
			t.Fatalf("%v: kind %v", err, k)
		}
	})
	t.Run("token in the URL", func(t *testing.T) {
		isolateGit(t, "[http]\n\tsslCAInfo = "+ca+"\n")
		withToken := strings.Replace(url, "https://", "https://alice:s3cret@", 1)
		dir := filepath.Join(t.TempDir(), "clone")
		res, err := Clone(context.Background(), withToken, dir, r.env)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(fmt.Sprint(*res), "s3cret") || !strings.Contains(res.Remote, "***@") {
			t.Errorf("clone result shows the token: %+v", res)
		}
		c := &world{t: t, dir: dir, env: r.env, people: r.people}
		c.propose("pact2", []string{"a"}, "all", "en", "Two.\n")
		sres := c.mustSync("")
		if sres.Pushed != 1 {
			t.Errorf("sync: %+v", sres)
		}
		if strings.Contains(fmt.Sprint(*sres), "s3cret") {
			t.Errorf("sync result shows the token: %+v", sres)
		}
		wrong := strings.Replace(url, "https://", "https://alice:t0ken-wrong@", 1)
		err = tryClone(t, r, wrong)
		if err == nil || strings.Contains(err.Error(), "t0ken-wrong") {
			t.Fatalf("clone with a wrong token: %v", err)
		}
		_, err = Sync(context.Background(), dir, r.env, SyncOptions{Remote: wrong + "-missing"})
		if err == nil || strings.Contains(err.Error(), "t0ken-wrong") {
			t.Fatalf("sync with a wrong token: %v", err)
		}
	})
}

// TestGitDaemonThroughGit clones and syncs over git:// through git.
func TestGitDaemonThroughGit(t *testing.T) {
	r := gitWorld(t)
	addr := startGitDaemon(t, filepath.Dir(r.dir))
	runTwoSigners(t, r, fmt.Sprintf("git://%s/%s", addr, filepath.Base(r.dir)))
}

// TestGitServerRules: a push refused by a pre-receive hook fails with the
// hook's own words, and one into a non-bare repository's checked-out
// branch is refused as git refuses it (receive.denyCurrentBranch), the
// colleague's checkout untouched; both leave both sides as they were.
func TestGitServerRules(t *testing.T) {
	t.Run("pre-receive hook", func(t *testing.T) {
		r := gitWorld(t)
		c := r.clone(t, r.dir)
		hook := filepath.Join(r.dir, "hooks", "pre-receive")
		os.MkdirAll(filepath.Dir(hook), 0o755)
		if err := os.WriteFile(hook, []byte("#!/bin/sh\necho 'ledger frozen for the audit until Monday' >&2\nexit 1\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		c.sign("pact", "a")
		local, remote := c.state(), r.head()
		_, err := c.sync("a")
		if k := netKind(t, err); k != gitstore.NetRefused {
			t.Fatalf("%v: kind %v", err, k)
		}
		if !strings.Contains(err.Error(), "ledger frozen for the audit until Monday") || !strings.Contains(err.Error(), "the ledger is as it was, with 1 entry the remote does not have") {
			t.Errorf("message: %v", err)
		}
		if c.state() != local || r.head() != remote {
			t.Errorf("a refused push changed a ledger")
		}
	})
	t.Run("post-receive message", func(t *testing.T) {
		r := gitWorld(t)
		c := r.clone(t, r.dir)
		hook := filepath.Join(r.dir, "hooks", "post-receive")
		os.MkdirAll(filepath.Dir(hook), 0o755)
		if err := os.WriteFile(hook, []byte("#!/bin/sh\necho 'archived: ticket 4711'\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		c.sign("pact", "a")
		res := c.mustSync("a")
		if len(res.ServerMessages) != 1 || res.ServerMessages[0] != "archived: ticket 4711" {
			t.Fatalf("server messages %q", res.ServerMessages)
		}
	})
	t.Run("checked-out branch", func(t *testing.T) {
		r := gitWorld(t)
		co := filepath.Join(t.TempDir(), "colleague")
		runGit(t, filepath.Dir(co), "clone", "-q", r.dir, co)
		c := r.clone(t, co)
		c.sign("pact", "a")
		before := runGit(t, co, "rev-parse", "HEAD")
		_, err := c.sync("a")
		if k := netKind(t, err); k != gitstore.NetRefused {
			t.Fatalf("%v: kind %v", err, k)
		}
		if !strings.Contains(err.Error(), "checked out") {
			t.Errorf("message: %v", err)
		}
		if runGit(t, co, "rev-parse", "HEAD") != before || runGit(t, co, "status", "--porcelain") != "" {
			t.Errorf("the colleague's checkout changed")
		}
	})
}

// TestRefusedFetchLeavesNothing: a fetch whose result is refused (an entry
// that does not verify) leaves neither refs/concord/incoming nor the
// objects it brought, through git and through go-git's fallback.
func TestRefusedFetchLeavesNothing(t *testing.T) {
	for _, transport := range []string{"git", "go-git"} {
		t.Run(transport, func(t *testing.T) {
			r := gitWorld(t)
			if transport == "go-git" {
				r.env.Git = ""
			}
			c := r.clone(t, r.dir)
			// An unsigned commit on the remote, written with stock git.
			tree := runGit(t, r.dir, "rev-parse", "HEAD^{tree}")
			bad := runGit(t, r.dir, "-c", "user.name=x", "-c", "user.email=x@example.org", "commit-tree", "-p", "HEAD", "-m", "unsigned", tree)
			runGit(t, r.dir, "update-ref", "refs/heads/main", bad)
			_, err := c.sync("")
			var rr *RemoteRejectedError
			if !errors.As(err, &rr) {
				t.Fatalf("sync: %v, want a RemoteRejectedError", err)
			}
			repo, err := gitstore.Open(c.dir)
			if err != nil {
				t.Fatal(err)
			}
			defer repo.Close()
			if id, _ := repo.Ref(incomingRef); id != "" {
				t.Errorf("%s left at %s", incomingRef, id)
			}
			if out, err := exec.Command("git", "-C", c.dir, "cat-file", "-e", bad).CombinedOutput(); err == nil {
				t.Errorf("the refused commit %s is still in the clone (%s)", bad, out)
			}
			c.mustVerify()
			if stray := strayFiles(t, c.dir); len(stray) > 0 {
				t.Errorf("left behind: %v", stray)
			}
		})
	}
}

// TestSyncToNewEmptyRemote: after a server migration, sync --remote NEW
// to an empty repository gives it the ledger; the recorded remote, emptied,
// is still a rollback; a remote whose only branch is not main is named.
func TestSyncToNewEmptyRemote(t *testing.T) {
	r := gitWorld(t)
	c := r.clone(t, r.dir)
	c.sign("pact", "a")
	c.mustSync("a")
	newRemote := filepath.Join(t.TempDir(), "new.git")
	runGit(t, filepath.Dir(newRemote), "init", "-q", "--bare", newRemote)
	res, err := Sync(context.Background(), c.dir, c.env, SyncOptions{Remote: newRemote})
	if err != nil {
		t.Fatalf("sync to a new empty remote: %v", err)
	}
	if res.Pushed != c.entries() || runGit(t, newRemote, "rev-parse", "refs/heads/main") != c.head() {
		t.Fatalf("%+v", res)
	}

	other := filepath.Join(t.TempDir(), "other.git")
	runGit(t, filepath.Dir(other), "init", "-q", "--bare", other)
	runGit(t, newRemote, "push", "-q", other, "refs/heads/main:refs/heads/master")
	err = tryClone(t, r, other)
	if err == nil || !strings.Contains(err.Error(), "refs/heads/master") {
		t.Fatalf("clone of a remote without main: %v", err)
	}
	_, err = Sync(context.Background(), c.dir, c.env, SyncOptions{Remote: other})
	if err == nil || !strings.Contains(err.Error(), "refs/heads/master") {
		t.Fatalf("sync with a remote without main: %v", err)
	}

	runGit(t, r.dir, "update-ref", "-d", "refs/heads/main")
	_, err = c.sync("")
	var rr *RemoteRejectedError
	if !errors.As(err, &rr) || !strings.Contains(err.Error(), "rolled back") {
		t.Fatalf("sync with the recorded remote emptied: %v", err)
	}
}

// TestGitTimeout: through git, a remote that never answers fails in the
// time given, git and its children killed.
func TestGitTimeout(t *testing.T) {
	r := gitWorld(t)
	c := r.clone(t, r.dir)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	_, err = Sync(ctx, c.dir, c.env, SyncOptions{Remote: "git://" + ln.Addr().String() + "/ledger"})
	var re *RemoteError
	if !errors.As(err, &re) || !re.TimedOut() {
		t.Fatalf("sync: %v, want a time-out", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

// TestStaleLocalLockNotBlamedOnRemote: a lock left in the local ledger by
// a killed git (refs/concord/incoming.lock) is reported as the local lock
// it is, with the path to remove, not as the remote failing.
func TestStaleLocalLockNotBlamedOnRemote(t *testing.T) {
	r := gitWorld(t)
	c := r.clone(t, r.dir)
	r.sign("pact", "a") // the remote moves: the fetch must update the ref
	lock := filepath.Join(c.dir, "refs", "concord", "incoming.lock")
	if err := os.WriteFile(lock, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := c.sync("")
	var le *gitstore.RefLockError
	var re *RemoteError
	if !errors.As(err, &le) || errors.As(err, &re) || le.Path != lock {
		t.Fatalf("sync: %v, want a RefLockError for %s", err, lock)
	}
	os.Remove(lock)
	c.mustSync("")
}

// TestKilledFetchQuarantineRemoved: the quarantine folder a fetch killed
// on the way left (objects never moved in, never reachable) is removed by
// the next fetch.
func TestKilledFetchQuarantineRemoved(t *testing.T) {
	r := gitWorld(t)
	c := r.clone(t, r.dir)
	left := filepath.Join(c.dir, ".concord-incoming-123456", "pack")
	if err := os.MkdirAll(left, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(left, "tmp_pack_abc"), []byte("half a pack"), 0o444); err != nil {
		t.Fatal(err)
	}
	r.sign("pact", "a")
	if res := c.mustSync(""); res.Fetched != 1 {
		t.Fatalf("%+v", res)
	}
	if _, err := os.Stat(filepath.Dir(left)); !os.IsNotExist(err) {
		t.Fatalf("the quarantine folder is still there: %v", err)
	}
	c.mustVerify()
}

func startRealSSHD(t *testing.T) *sshServer {
	t.Helper()
	sshd := testtool.Require(t, "sshd")
	testtool.Require(t, "ssh")
	testtool.Require(t, "git-upload-pack")
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	s := &sshServer{dir: t.TempDir(), port: testtool.FreePort(t)}
	_, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	ecPriv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s.hostEd = writeKey(t, filepath.Join(s.dir, "host_ed25519"), edPriv)
	s.hostEcdsa = writeKey(t, filepath.Join(s.dir, "host_ecdsa"), ecPriv)
	_, clientPriv, _ := ed25519.GenerateKey(rand.Reader)
	s.clientKey = filepath.Join(s.dir, "id_ed25519")
	clientPub := writeKey(t, s.clientKey, clientPriv)
	_, otherPriv, _ := ed25519.GenerateKey(rand.Reader)
	s.otherKey = filepath.Join(s.dir, "id_other")
	writeKey(t, s.otherKey, otherPriv)
	authorized := filepath.Join(s.dir, "authorized_keys")
	if err := os.WriteFile(authorized, ssh.MarshalAuthorizedKey(clientPub), 0o600); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(s.dir, "sshd_config")
	if err := os.WriteFile(config, []byte(strings.Join([]string{
		"ListenAddress 127.0.0.1",
		// The ecdsa key first: a client that does not ask for ed25519
		// gets ecdsa.
		"HostKey " + filepath.Join(s.dir, "host_ecdsa"),
		"HostKey " + filepath.Join(s.dir, "host_ed25519"),
		"AuthorizedKeysFile " + authorized,
		"PidFile none", "StrictModes no", "UsePAM no",
		"PasswordAuthentication no", "KbdInteractiveAuthentication no", "PubkeyAuthentication yes",
		"PermitRootLogin prohibit-password",
		"AllowUsers " + u.Username,
		// git's own variables reach the server (protocol v2).
		"AcceptEnv GIT_PROTOCOL",
		"",
	}, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(sshd, "-D", "-e", "-f", config, "-p", fmt.Sprint(s.port))
	var log strings.Builder
	cmd.Stderr = &log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting sshd: %v", err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
		if t.Failed() {
			t.Logf("sshd log:\n%s", log.String())
		}
	})
	s.knownHosts = filepath.Join(s.dir, "known_hosts")
	s.writeKnownHosts(t, s.knownHosts, s.hostEd)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", s.port))
		if err == nil {
			c.Close()
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("sshd does not listen: %v\n%s", err, log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
