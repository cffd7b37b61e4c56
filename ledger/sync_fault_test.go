package ledger

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concord-ledger/concord/internal/filelock"
	"github.com/concord-ledger/concord/internal/testtool"
)

// startGitDaemon serves the bare repositories in root over git:// from a
// real git daemon with receive-pack enabled, on 127.0.0.1, and returns its
// host:port. The daemon is killed when the test ends.
func startGitDaemon(t *testing.T, root string) string {
	t.Helper()
	gitPath := testtool.Require(t, "git")
	addr := fmt.Sprintf("127.0.0.1:%d", testtool.FreePort(t))
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(gitPath, "daemon", "--enable=receive-pack", "--export-all", "--reuseaddr",
		"--base-path="+root, "--listen=127.0.0.1", "--port="+port, root)
	inOwnGroup(cmd) // its children end with it
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting git daemon: %v", err)
	}
	t.Cleanup(func() {
		killGroup(cmd)
		cmd.Wait()
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("git daemon does not listen: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// strayFiles returns the files under dir that a finished write must not
// leave: a held ledger lock, git lock files (refs/heads/main.lock, …) and
// temporary files (a pack being fetched, a ref being written). The ledger
// lock's file, concord.lock, stays by design; it must not be held.
func strayFiles(t *testing.T, dir string) []string {
	t.Helper()
	var stray []string
	ledgerLock := filepath.Join(dir, lockName)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		n := d.Name()
		if p == ledgerLock {
			l, err := filelock.TryLock(p)
			if err != nil {
				stray = append(stray, p+" (held)")
			} else {
				l.Unlock()
			}
			return nil
		}
		if !d.IsDir() && (strings.HasSuffix(n, ".lock") || strings.HasPrefix(n, "tmp_") || strings.HasPrefix(n, ".concord-")) {
			stray = append(stray, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return stray
}

// ledgerState is what a failed sync must leave as it was.
type ledgerState struct{ head, synced string }

func (w *world) state() ledgerState {
	w.t.Helper()
	l := w.open()
	synced, err := l.repo.Ref(syncedRef)
	if err != nil {
		w.t.Fatal(err)
	}
	return ledgerState{head: l.Head(), synced: synced}
}

// TestSyncFaults syncs a clone holding one local signed entry through a
// proxy that harms the connection to a real git daemon: the remote never
// answers (the fetch, or the push), a push stalls or is dropped mid-pack, a
// fetch gets a corrupt pack or is dropped mid-pack. Each time the sync fails
// with a RemoteError saying what happened and that the local entry is kept;
// the local ledger (branch, last synced head) and the remote are unchanged,
// both verify, and no lock or temporary file is left. Once the fault is
// gone, the next sync delivers the entry.
func TestSyncFaults(t *testing.T) {
	for _, tc := range []struct {
		name         string
		fault        fault
		remoteEntry  bool // the remote has a new entry too, so the fetch brings a pack
		timeout      time.Duration
		op, happened string // the RemoteError's Op, and what its message must say happened
	}{
		{"unanswered", fault{kind: hangAtStart}, false, time.Second, "fetching", "timed out"},
		{"unanswered push", fault{kind: hangAtStart, service: "git-receive-pack"}, false, time.Second, "pushing", "timed out"},
		{"stalled mid-push", fault{kind: stallUp, service: "git-receive-pack", after: 40}, false, time.Second, "pushing", "timed out"},
		{"dropped mid-push", fault{kind: dropUp, service: "git-receive-pack", after: 40}, false, 5 * time.Second, "pushing", ""},
		{"corrupt pack", fault{kind: corruptDown, service: "git-upload-pack", after: 20}, true, 5 * time.Second, "fetching", ""},
		{"dropped mid-fetch", fault{kind: dropDown, service: "git-upload-pack", after: 40}, true, 5 * time.Second, "fetching", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newWorld(t)
			r.propose("pact", []string{"a", "b", "c"}, "all", "en", "Pact.\n")
			p := newFaultProxy(t, startGitDaemon(t, filepath.Dir(r.dir)))
			c := r.clone(t, "git://"+p.addr()+"/"+filepath.Base(r.dir))
			c.sign("pact", "a") // the local entry, not yet sent
			if tc.remoteEntry {
				r.sign("pact", "b")
			}
			local, remote := c.state(), r.head()

			p.set(tc.fault)
			ctx, cancel := context.WithTimeout(context.Background(), tc.timeout)
			defer cancel()
			start := time.Now()
			_, err := Sync(ctx, c.dir, c.env, SyncOptions{Signers: c.signers("a")})
			t.Logf("after %v: %v", time.Since(start).Round(time.Millisecond), err)
			var re *RemoteError
			if !errors.As(err, &re) {
				t.Fatalf("sync: %v, want a RemoteError", err)
			}
			if p.harmedConns() == 0 {
				t.Fatal("the fault was never applied")
			}
			if re.Op != tc.op || !strings.Contains(err.Error(), tc.happened) ||
				!strings.Contains(err.Error(), "nothing was lost: the ledger is as it was, with 1 entry the remote does not have") {
				t.Errorf("error %q: want it to be about %s, say %q and that nothing was lost", err, tc.op, tc.happened)
			}
			if got := c.state(); got != local {
				t.Errorf("local ledger changed: %+v, was %+v", got, local)
			}
			if r.head() != remote {
				t.Errorf("remote head moved from %s to %s", remote, r.head())
			}
			c.mustVerify()
			r.mustVerify()
			if stray := strayFiles(t, c.dir); len(stray) > 0 {
				t.Errorf("left behind: %v", stray)
			}

			// The fault gone, the entry is delivered.
			p.set(fault{})
			c.mustSync("a")
			if c.head() != r.head() {
				t.Fatalf("after the retry: local head %s, remote %s", c.head(), r.head())
			}
			want := 1
			if tc.remoteEntry {
				want = 2
			}
			for name, w := range map[string]*world{"remote": r, "clone": c} {
				w.mustVerify()
				st, err := w.open().Status("pact")
				if err != nil {
					t.Fatal(err)
				}
				if st.Versions[0].Approvals != want {
					t.Errorf("%s: %d approvals, want %d", name, st.Versions[0].Approvals, want)
				}
			}
			if stray := strayFiles(t, r.dir); len(stray) > 0 {
				t.Errorf("left on the remote: %v", stray)
			}
		})
	}
}

// httpFault says what faultHandler does to the POST requests of service
// ("git-upload-pack" or "git-receive-pack"): answer with status, or (status
// 0) cut the response short, `after` bytes past the start of the pack it
// carries, or at its first byte if after < 0.
type httpFault struct {
	service string
	status  int
	after   int
}

// faultHandler serves smart HTTP with git http-backend, harming the
// requests its fault names.
type faultHandler struct {
	backend http.Handler
	mu      sync.Mutex
	fault   *httpFault
	harmed  int
}

func (h *faultHandler) set(f *httpFault) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fault, h.harmed = f, 0
}

func (h *faultHandler) harmedRequests() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.harmed
}

func (h *faultHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	f := h.fault
	if f != nil && r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/"+f.service) {
		h.harmed++
	} else {
		f = nil
	}
	h.mu.Unlock()
	switch {
	case f == nil:
		h.backend.ServeHTTP(w, r)
	case f.status != 0:
		http.Error(w, "injected failure", f.status)
	default:
		h.backend.ServeHTTP(&cutWriter{ResponseWriter: w, after: f.after, packAt: -1}, r)
	}
}

// cutWriter passes a response through until `after` bytes past the start
// of the pack in it (or, with after < 0, until its first byte), then aborts
// the response, as a dropped connection would.
type cutWriter struct {
	http.ResponseWriter
	after, packAt, written int
	seen                   []byte // the response, until the pack starts
}

func (w *cutWriter) Write(b []byte) (int, error) {
	cut := len(b)
	switch {
	case w.after < 0:
		cut = 0
	case w.packAt < 0:
		w.seen = append(w.seen, b...)
		if i := bytes.Index(w.seen, packSignature); i >= 0 {
			w.packAt, w.seen = i, nil
		}
	}
	if w.after >= 0 && w.packAt >= 0 {
		cut = min(max(w.packAt+w.after-w.written, 0), len(b))
	}
	w.ResponseWriter.Write(b[:cut])
	w.written += len(b)
	if cut < len(b) {
		w.ResponseWriter.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	}
	return len(b), nil
}

// TestSyncSmartHTTPFaults syncs a clone holding one local entry with a
// smart HTTP remote (git http-backend) that fails: a server error on the
// push, or a response cut short during the fetch or the push. A failed
// sync leaves both ledgers as they were, says what happened and that
// nothing was lost; the next sync delivers the entry.
func TestSyncSmartHTTPFaults(t *testing.T) {
	for _, tc := range []struct {
		name        string
		fault       httpFault
		remoteEntry bool
		op, want    string // "" op: the sync succeeds
	}{
		{"push answered 500", httpFault{service: "git-receive-pack", status: http.StatusInternalServerError}, false, "pushing", "500"},
		{"fetch answered 500", httpFault{service: "git-upload-pack", status: http.StatusInternalServerError}, true, "fetching", "500"},
		{"fetch cut short", httpFault{service: "git-upload-pack", after: 40}, true, "fetching", ""},
		// The push reached the remote; only its report was lost. The sync
		// fetches again, finds its own head there, and succeeds.
		{"push report cut short", httpFault{service: "git-receive-pack", after: -1}, false, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gitPath := testtool.Require(t, "git")
			r := newWorld(t)
			r.propose("pact", []string{"a", "b", "c"}, "all", "en", "Pact.\n")
			if out, err := exec.Command(gitPath, "-C", r.dir, "config", "http.receivepack", "true").CombinedOutput(); err != nil {
				t.Fatalf("git config: %v: %s", err, out)
			}
			h := &faultHandler{backend: &cgi.Handler{Path: gitPath, Args: []string{"http-backend"},
				Env: []string{"GIT_PROJECT_ROOT=" + filepath.Dir(r.dir), "GIT_HTTP_EXPORT_ALL=1"}}}
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)
			c := r.clone(t, srv.URL+"/"+filepath.Base(r.dir))
			c.sign("pact", "a")
			if tc.remoteEntry {
				r.sign("pact", "b")
			}
			local, remote := c.state(), r.head()

			h.set(&tc.fault)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, err := Sync(ctx, c.dir, c.env, SyncOptions{Signers: c.signers("a")})
			t.Logf("sync: %v", err)
			if h.harmedRequests() == 0 {
				t.Fatal("the fault was never applied")
			}
			if tc.op == "" {
				if err != nil {
					t.Fatalf("sync: %v", err)
				}
				if c.head() != local.head || r.head() != c.head() {
					t.Fatalf("local head %s (was %s), remote %s", c.head(), local.head, r.head())
				}
			} else {
				var re *RemoteError
				if !errors.As(err, &re) || re.Op != tc.op || !strings.Contains(err.Error(), tc.want) ||
					!strings.Contains(err.Error(), "nothing was lost: the ledger is as it was, with 1 entry the remote does not have") {
					t.Fatalf("sync: %v, want a RemoteError about %s saying %q and that nothing was lost", err, tc.op, tc.want)
				}
				if got := c.state(); got != local {
					t.Errorf("local ledger changed: %+v, was %+v", got, local)
				}
				if r.head() != remote {
					t.Errorf("remote head moved from %s to %s", remote, r.head())
				}
			}
			c.mustVerify()
			r.mustVerify()
			if stray := strayFiles(t, c.dir); len(stray) > 0 {
				t.Errorf("left behind: %v", stray)
			}

			h.set(nil)
			c.mustSync("a")
			if c.head() != r.head() {
				t.Fatalf("after the retry: local head %s, remote %s", c.head(), r.head())
			}
			c.mustVerify()
			r.mustVerify()
		})
	}
}
