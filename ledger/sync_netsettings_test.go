//go:build unix

package ledger

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/concord-ledger/concord/internal/testtool"
	"github.com/concord-ledger/concord/ledger/gitstore"
)

// These tests check that the settings users give git for HTTPS — a CA in
// GIT_SSL_CAINFO, credentials in ~/.netrc, a proxy in http.proxy or
// https_proxy — reach the git that clone and sync run, against the real
// servers of sync_servers_test.go: each would fail if concord ran git
// without the user's environment or configuration.

// credentialHelper is a git configuration whose credential helper
// answers with user alice and password pw.
func credentialHelper(pw string) string {
	return fmt.Sprintf("[credential]\n\thelper = \"!f() { test \\\"$1\\\" = get && echo username=alice && echo password=%s; }; f\"\n", pw)
}

// httpsWorld is a git world whose ledger is served by git http-backend
// behind HTTPS (startHTTPS), with pushes allowed; it returns the world,
// the ledger's URL and the CA's PEM file.
func httpsWorld(t *testing.T) (*world, string, string) {
	t.Helper()
	r := gitWorld(t)
	runGit(t, r.dir, "config", "http.receivepack", "true")
	srv, ca := startHTTPS(t, filepath.Dir(r.dir))
	return r, srv.URL + "/" + filepath.Base(r.dir), ca
}

// noProxy removes the machine's proxy settings, which would send the
// test's requests elsewhere or keep them from the test's proxy.
func noProxy(t *testing.T) {
	t.Helper()
	for _, k := range []string{"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
}

// TestGitSSLCAInfoEnv: with the CA given in GIT_SSL_CAINFO only (no
// http.sslCAInfo), clone and sync over HTTPS work; without it, the
// certificate is not trusted (NetCertificate).
func TestGitSSLCAInfoEnv(t *testing.T) {
	r, url, ca := httpsWorld(t)
	isolateGit(t, credentialHelper("s3cret"))
	noProxy(t)
	t.Setenv("GIT_SSL_CAINFO", ca)
	runTwoSigners(t, r, url)

	t.Run("not set", func(t *testing.T) {
		c := r.clone(t, url)
		c.propose("pact2", []string{"a"}, "all", "en", "Two.\n")
		isolateGit(t, credentialHelper("s3cret")) // unsets GIT_SSL_CAINFO
		err := tryClone(t, r, url)
		if k := netKind(t, err); k != gitstore.NetCertificate {
			t.Fatalf("clone: %v: kind %v", err, k)
		}
		local, remote := c.state(), r.head()
		_, err = c.sync("")
		if k := netKind(t, err); k != gitstore.NetCertificate {
			t.Fatalf("sync: %v: kind %v", err, k)
		}
		if c.state() != local || r.head() != remote {
			t.Errorf("a failed sync changed a ledger")
		}
	})
}

// writeNetrc writes home/.netrc (mode 0600, as curl wants it) giving
// alice's password for 127.0.0.1.
func writeNetrc(t *testing.T, home, password string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(home, ".netrc"), []byte("machine 127.0.0.1\n  login alice\n  password "+password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestGitNetrc: with the credentials in ~/.netrc only (no credential
// helper, none in the URL), clone and sync over HTTPS work; without the
// file, or with a wrong password in it, the server refuses the
// credentials (NetAuthRefused), and the password is never in an error or
// a result.
func TestGitNetrc(t *testing.T) {
	r, url, ca := httpsWorld(t)
	isolateGit(t, "[http]\n\tsslCAInfo = "+ca+"\n")
	noProxy(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	writeNetrc(t, home, "s3cret")
	runTwoSigners(t, r, url)

	dir := filepath.Join(t.TempDir(), "clone")
	cres, err := Clone(context.Background(), url, dir, r.env)
	if err != nil {
		t.Fatal(err)
	}
	c := &world{t: t, dir: dir, env: r.env, people: r.people}
	c.propose("pact2", []string{"a"}, "all", "en", "Two.\n")
	sres := c.mustSync("")
	if sres.Pushed != 1 || r.head() != c.head() {
		t.Fatalf("sync: %+v", sres)
	}
	for _, res := range []string{fmt.Sprintf("%+v", *cres), fmt.Sprintf("%+v", *sres)} {
		if strings.Contains(res, "s3cret") {
			t.Errorf("a result shows the password: %s", res)
		}
	}

	t.Run("no netrc", func(t *testing.T) {
		os.Remove(filepath.Join(home, ".netrc"))
		defer writeNetrc(t, home, "s3cret")
		err := tryClone(t, r, url)
		if k := netKind(t, err); k != gitstore.NetAuthRefused {
			t.Fatalf("%v: kind %v", err, k)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		const wrong = "hunter2-wrong"
		writeNetrc(t, home, wrong)
		defer writeNetrc(t, home, "s3cret")
		err := tryClone(t, r, url)
		if k := netKind(t, err); k != gitstore.NetAuthRefused {
			t.Fatalf("clone: %v: kind %v", err, k)
		}
		if strings.Contains(err.Error(), wrong) {
			t.Errorf("clone's error shows the password: %v", err)
		}
		c.propose("pact3", []string{"a"}, "all", "en", "Three.\n")
		local, remote := c.state(), r.head()
		res, err := c.sync("")
		if k := netKind(t, err); k != gitstore.NetAuthRefused {
			t.Fatalf("sync: %v: kind %v", err, k)
		}
		var re *RemoteError
		if !errors.As(err, &re) {
			t.Fatalf("sync: %v, want a RemoteError", err)
		}
		if s := fmt.Sprintf("%v %+v %s", err, res, re.Hint()); strings.Contains(s, wrong) {
			t.Errorf("sync's error or result shows the password: %s", s)
		}
		if !strings.Contains(re.Hint(), "~/.netrc") {
			t.Errorf("hint %q", re.Hint())
		}
		if c.state() != local || r.head() != remote {
			t.Errorf("a refused sync changed a ledger")
		}
	})
}

// connectProxy is an HTTP proxy on 127.0.0.1 that serves CONNECT (the
// tunnel git's curl asks for to reach an https:// URL) to loopback
// addresses only, and counts the tunnels it opened; with refuse set, it
// answers every CONNECT with that status instead.
type connectProxy struct {
	URL      string
	refuse   int
	connects atomic.Int64
	mu       sync.Mutex
	conns    []net.Conn
}

func startConnectProxy(t *testing.T, refuse int) *connectProxy {
	t.Helper()
	p := &connectProxy{refuse: refuse}
	srv := httptest.NewServer(p)
	p.URL = srv.URL
	t.Cleanup(func() {
		p.mu.Lock()
		for _, c := range p.conns {
			c.Close()
		}
		p.mu.Unlock()
		srv.Close()
	})
	return p
}

func (p *connectProxy) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodConnect {
		http.Error(w, "this proxy only tunnels", http.StatusMethodNotAllowed)
		return
	}
	if p.refuse != 0 {
		if p.refuse == http.StatusProxyAuthRequired {
			w.Header().Set("Proxy-Authenticate", `Basic realm="proxy"`)
		}
		http.Error(w, "refused by the test's proxy", p.refuse)
		return
	}
	if host, _, err := net.SplitHostPort(req.Host); err != nil || !net.ParseIP(host).IsLoopback() {
		http.Error(w, "the test's proxy reaches loopback addresses only", http.StatusForbidden)
		return
	}
	dst, err := net.Dial("tcp", req.Host)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	conn, rw, err := w.(http.Hijacker).Hijack()
	if err != nil {
		dst.Close()
		return
	}
	p.connects.Add(1)
	p.mu.Lock()
	p.conns = append(p.conns, conn, dst)
	p.mu.Unlock()
	if _, err := io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		conn.Close()
		dst.Close()
		return
	}
	go func() {
		io.Copy(dst, rw) // rw holds what the client sent after the request
		dst.(*net.TCPConn).CloseWrite()
	}()
	io.Copy(conn, dst)
	conn.Close()
}

// TestGitProxy: with a proxy given in http.proxy, or in https_proxy or
// HTTPS_PROXY, clone and sync over HTTPS go through it (it opened
// tunnels) and work. A proxy that refuses the tunnel (407, 403) is a
// NetProxyRefused failure that names the proxy's answer, never a remote
// refused as tampered.
func TestGitProxy(t *testing.T) {
	r, url, ca := httpsWorld(t)
	base := "[http]\n\tsslCAInfo = " + ca + "\n" + credentialHelper("s3cret")

	for _, how := range []string{"http.proxy", "https_proxy", "HTTPS_PROXY"} {
		t.Run(how, func(t *testing.T) {
			noProxy(t)
			p := startConnectProxy(t, 0)
			switch how {
			case "http.proxy":
				isolateGit(t, base+"[http]\n\tproxy = "+p.URL+"\n")
			default:
				isolateGit(t, base)
				t.Setenv(how, p.URL)
			}
			c := r.clone(t, url)
			afterClone := p.connects.Load()
			if afterClone == 0 {
				t.Fatalf("the clone did not go through the proxy")
			}
			c.propose(map[string]string{"http.proxy": "via-config", "https_proxy": "via-env", "HTTPS_PROXY": "via-env-upper"}[how], []string{"a"}, "all", "en", "Text.\n")
			if res := c.mustSync(""); res.Pushed != 1 {
				t.Fatalf("sync: %+v", res)
			}
			if p.connects.Load() == afterClone {
				t.Fatalf("the sync did not go through the proxy")
			}
			if c.head() != r.head() {
				t.Fatalf("head %s, remote %s", c.head(), r.head())
			}
			c.mustVerify()
		})
	}

	for _, status := range []int{http.StatusProxyAuthRequired, http.StatusForbidden} {
		t.Run(fmt.Sprint("proxy refuses ", status), func(t *testing.T) {
			noProxy(t)
			isolateGit(t, base)
			c := r.clone(t, url)
			c.propose(fmt.Sprint("refused-", status), []string{"a"}, "all", "en", "Text.\n")
			p := startConnectProxy(t, status)
			isolateGit(t, base+"[http]\n\tproxy = "+p.URL+"\n")
			err := tryClone(t, r, url)
			if k := netKind(t, err); k != gitstore.NetProxyRefused {
				t.Fatalf("clone: %v: kind %v", err, k)
			}
			if !strings.Contains(err.Error(), fmt.Sprint(status)) {
				t.Errorf("clone: %v does not give the proxy's answer", err)
			}
			local, remote := c.state(), r.head()
			_, err = c.sync("")
			var rr *RemoteRejectedError
			var ie interface{ InvalidEvidence() bool }
			if errors.As(err, &rr) || errors.As(err, &ie) && ie.InvalidEvidence() {
				t.Fatalf("sync: %v: a refusing proxy called invalid evidence (exit 3)", err)
			}
			var re *RemoteError
			if !errors.As(err, &re) {
				t.Fatalf("sync: %v, want a RemoteError", err)
			}
			if k := netKind(t, err); k != gitstore.NetProxyRefused {
				t.Fatalf("sync: %v: kind %v", err, k)
			}
			if !strings.Contains(re.Hint(), "proxy") {
				t.Errorf("hint %q", re.Hint())
			}
			if c.state() != local || r.head() != remote {
				t.Errorf("a failed sync changed a ledger")
			}
		})
	}
}

// startHTTP serves git http-backend for the repositories in root over
// plain HTTP, with startHTTPS's basic auth (alice, s3cret).
func startHTTP(t *testing.T, root string) *httptest.Server {
	t.Helper()
	backend := &cgi.Handler{Path: testtool.Require(t, "git"), Args: []string{"http-backend"},
		Env: []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if u, p, ok := req.BasicAuth(); !ok || u != "alice" || p != "s3cret" {
			w.Header().Set("WWW-Authenticate", `Basic realm="ledger"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		backend.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestFallbackHTTPSettings pins what README's sync section says of
// go-git's transport (no git program): it takes credentials from the URL
// only, trusts the system's CAs only, and uses no proxy of git's
// configuration. GIT_SSL_CAINFO and http.sslCAInfo, ~/.netrc and
// credential helpers, and http.proxy are all ignored; the failures are
// typed.
func TestFallbackHTTPSettings(t *testing.T) {
	r, url, ca := httpsWorld(t)
	r.env.Git = ""
	noProxy(t)
	plain := startHTTP(t, filepath.Dir(r.dir)).URL + "/" + filepath.Base(r.dir)
	withCreds := strings.Replace(plain, "http://", "http://alice:s3cret@", 1)

	t.Run("credentials in the URL", func(t *testing.T) {
		isolateGit(t, "")
		c := r.clone(t, withCreds)
		c.propose("pact2", []string{"a"}, "all", "en", "Two.\n")
		if res := c.mustSync(""); res.Pushed != 1 || strings.Contains(fmt.Sprint(*res), "s3cret") {
			t.Fatalf("sync: %+v", res)
		}
	})
	t.Run("GIT_SSL_CAINFO", func(t *testing.T) {
		isolateGit(t, credentialHelper("s3cret"))
		t.Setenv("GIT_SSL_CAINFO", ca)
		if k := netKind(t, tryClone(t, r, url)); k != gitstore.NetCertificate {
			t.Fatalf("kind %v", k)
		}
	})
	t.Run("http.sslCAInfo", func(t *testing.T) {
		isolateGit(t, "[http]\n\tsslCAInfo = "+ca+"\n"+credentialHelper("s3cret"))
		if k := netKind(t, tryClone(t, r, url)); k != gitstore.NetCertificate {
			t.Fatalf("kind %v", k)
		}
	})
	t.Run("netrc", func(t *testing.T) {
		isolateGit(t, "")
		home := t.TempDir()
		t.Setenv("HOME", home)
		writeNetrc(t, home, "s3cret")
		err := tryClone(t, r, plain)
		if k := netKind(t, err); k != gitstore.NetAuthRefused {
			t.Fatalf("kind %v", k)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("not one line: %q", err)
		}
	})
	t.Run("credential helper", func(t *testing.T) {
		isolateGit(t, credentialHelper("s3cret"))
		if k := netKind(t, tryClone(t, r, plain)); k != gitstore.NetAuthRefused {
			t.Fatalf("kind %v", k)
		}
	})
	t.Run("http.proxy", func(t *testing.T) {
		// A proxy that refuses everything: the clone works because it is
		// never asked.
		p := startConnectProxy(t, http.StatusForbidden)
		isolateGit(t, "[http]\n\tproxy = "+p.URL+"\n")
		r.clone(t, withCreds)
		if n := p.connects.Load(); n != 0 {
			t.Fatalf("the proxy was used %d times", n)
		}
	})
}

// TestFallbackSSLCertFile: go-git's transport trusts the CA given in
// SSL_CERT_FILE, the variable README names for it. Go reads it once per
// process, so the clone runs in a new process of this test binary.
func TestFallbackSSLCertFile(t *testing.T) {
	if url := os.Getenv("CONCORD_TEST_FALLBACK_CLONE"); url != "" {
		env := testEnv()
		_, err := Clone(context.Background(), url, filepath.Join(t.TempDir(), "clone"), env)
		if err != nil {
			t.Fatalf("clone in the child: %v", err)
		}
		return
	}
	_, url, ca := httpsWorld(t)
	isolateGit(t, "")
	noProxy(t)
	withCreds := strings.Replace(url, "https://", "https://alice:s3cret@", 1)
	child := func(certFile string) (string, error) {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestFallbackSSLCertFile$", "-test.count=1")
		cmd.Env = append(os.Environ(), "CONCORD_TEST_FALLBACK_CLONE="+withCreds, "SSL_CERT_FILE="+certFile, "SSL_CERT_DIR=/nonexistent")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := child(ca); err != nil {
		t.Fatalf("with SSL_CERT_FILE: %v\n%s", err, out)
	}
	out, err := child(filepath.Join(t.TempDir(), "none.pem"))
	if err == nil || !strings.Contains(out, "has a certificate that is not trusted") {
		t.Fatalf("without the CA: %v\n%s", err, out)
	}
}
