package ledger

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/ledger/gitstore"
)

// problemsWith returns the problems of rep that contain s.
func problemsWith(rep *Report, s string) []Problem {
	var out []Problem
	for _, p := range rep.Problems {
		if strings.Contains(p.What, s) {
			out = append(out, p)
		}
	}
	return out
}

// TestVerifyReportsOverlays: what stock git honours besides the branch —
// refs/replace, grafts, a shallow file, HEAD or main pointing elsewhere —
// is a problem (exit 3), each named; another branch is a note; a missing
// head commit is invalid evidence, not a failure to read.
func TestVerifyReportsOverlays(t *testing.T) {
	for _, tc := range []struct {
		name    string
		overlay func(t *testing.T, dir, head string)
		want    string // in a problem; "" for a note only
		note    string
	}{
		{"replace", func(t *testing.T, dir, head string) {
			other := runGit(t, dir, "-c", "user.name=x", "-c", "user.email=x@example.org", "commit-tree", "-m", "another text", head+"^{tree}")
			runGit(t, dir, "replace", head, other)
		}, "refs/replace/", ""},
		{"grafts", func(t *testing.T, dir, head string) {
			os.MkdirAll(filepath.Join(dir, "info"), 0o755)
			if err := os.WriteFile(filepath.Join(dir, "info", "grafts"), []byte(head+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "info/grafts", ""},
		{"shallow", func(t *testing.T, dir, head string) {
			if err := os.WriteFile(filepath.Join(dir, "shallow"), []byte(head+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "shallow file cuts the history", ""},
		{"HEAD elsewhere", func(t *testing.T, dir, head string) {
			runGit(t, dir, "branch", "other", head+"~1")
			runGit(t, dir, "symbolic-ref", "HEAD", "refs/heads/other")
		}, "HEAD is", "refs/heads/other"},
		{"main symbolic", func(t *testing.T, dir, head string) {
			runGit(t, dir, "branch", "other", head)
			runGit(t, dir, "symbolic-ref", "refs/heads/main", "refs/heads/other")
		}, "symbolic ref", ""},
		{"head commit missing", func(t *testing.T, dir, head string) {
			if err := os.Remove(filepath.Join(dir, "objects", head[:2], head[2:])); err != nil {
				t.Fatal(err)
			}
		}, "head commit cannot be read", ""},
		{"another branch", func(t *testing.T, dir, head string) {
			runGit(t, dir, "branch", "extra", head)
		}, "", "refs/heads/extra"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := gitWorld(t)
			tc.overlay(t, r.dir, r.head())
			rep, err := Verify(r.dir, VerifyOptions{})
			if err != nil {
				t.Fatalf("verify: %v, want a report", err)
			}
			if tc.want == "" {
				if !rep.OK() {
					t.Fatalf("problems: %v", rep.Problems)
				}
			} else if len(problemsWith(rep, tc.want)) == 0 {
				t.Fatalf("problems %v, none says %q", rep.Problems, tc.want)
			}
			for _, p := range problemsWith(rep, tc.want) {
				if p.Code != CodeOverlay && p.Code != CodeHeadUnreadable {
					t.Errorf("problem %q has the code %q", p, p.Code)
				}
			}
			if tc.note != "" && !strings.Contains(strings.Join(rep.Notes, "\n")+fmtProblems(rep), tc.note) {
				t.Errorf("notes %v and problems %v do not name %q", rep.Notes, rep.Problems, tc.note)
			}
		})
	}
}

func fmtProblems(rep *Report) string {
	var b strings.Builder
	for _, p := range rep.Problems {
		b.WriteString(p.String() + "\n")
	}
	return b.String()
}

// TestVerifyIncompleteCopies: a shallow or partial clone, or one whose
// alternate object folder is gone, cannot be verified: exit 1 with the
// command that completes it, never "tampered".
func TestVerifyIncompleteCopies(t *testing.T) {
	r := gitWorld(t)
	runGit(t, r.dir, "config", "uploadpack.allowFilter", "true")
	tmp := t.TempDir()
	shallow := filepath.Join(tmp, "shallow.git")
	runGit(t, tmp, "clone", "-q", "--bare", "--depth", "2", "file://"+r.dir, shallow)
	partial := filepath.Join(tmp, "partial.git")
	runGit(t, tmp, "clone", "-q", "--bare", "--filter=blob:none", "file://"+r.dir, partial)
	src := filepath.Join(tmp, "src.git")
	runGit(t, tmp, "clone", "-q", "--bare", r.dir, src)
	shared := filepath.Join(tmp, "shared.git")
	runGit(t, tmp, "clone", "-q", "--bare", "--shared", src, shared)
	if rep, err := Verify(shared, VerifyOptions{}); err != nil || !rep.OK() || !strings.Contains(strings.Join(rep.Notes, " "), "alternates") {
		t.Fatalf("a clone --shared with its source: %v %+v", err, rep)
	}
	if err := os.RemoveAll(src); err != nil {
		t.Fatal(err)
	}
	for dir, fix := range map[string]string{shallow: "--unshallow", partial: "without --filter", shared: "alternates"} {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			rep, err := Verify(dir, VerifyOptions{})
			var ie *gitstore.IncompleteError
			if !errors.As(err, &ie) {
				t.Fatalf("verify: %v %+v, want an IncompleteError", err, rep)
			}
			if !strings.Contains(err.Error(), "incomplete copy") || !strings.Contains(ie.Hint(), fix) {
				t.Errorf("%v; hint %q", err, ie.Hint())
			}
		})
	}
}

// TestVerifyStockGitMaintained: a ledger that stock git maintained —
// gc, repack with a wide window, maintenance, packed refs, a clone by
// git — verifies as before.
func TestVerifyStockGitMaintained(t *testing.T) {
	r := gitWorld(t)
	c := r.clone(t, r.dir)
	c.sign("pact", "a")
	c.mustSync("a")
	want := r.mustVerify()
	for _, step := range [][]string{
		{"gc", "-q", "--aggressive", "--prune=now"},
		{"repack", "-adf", "-q", "--window=250"},
		{"-c", "maintenance.strategy=incremental", "maintenance", "run", "--task=loose-objects", "--task=incremental-repack", "--task=pack-refs"},
		{"pack-refs", "--all", "--prune"},
		{"multi-pack-index", "write"},
	} {
		runGit(t, r.dir, step...)
		rep := r.mustVerify()
		if rep.Head != want.Head || rep.Entries != want.Entries {
			t.Fatalf("after git %v: %+v", step, rep)
		}
	}
	cl := filepath.Join(t.TempDir(), "mirror.git")
	runGit(t, filepath.Dir(cl), "clone", "-q", "--mirror", r.dir, cl)
	if rep, err := Verify(cl, VerifyOptions{}); err != nil || !rep.OK() {
		t.Fatalf("a git clone --mirror: %v %+v", err, rep)
	}
}

// TestVerifyUnsupportedFormats: sha256 objects and reftable are refused
// as such (exit 1), not read as tampered.
func TestVerifyUnsupportedFormats(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sha256.git")
	runGit(t, filepath.Dir(dir), "init", "-q", "--bare", "--object-format=sha256", dir)
	_, err := Verify(dir, VerifyOptions{})
	var ue *gitstore.UnsupportedError
	if !errors.As(err, &ue) || errors.As(err, new(interface{ InvalidEvidence() bool })) || !strings.Contains(err.Error(), "sha256") {
		t.Fatalf("verify of a sha256 repository: %v, want an UnsupportedError", err)
	}
}

// TestHugeObjectRefusedBeforeInflating: an entry adding a 64 MiB blob of
// zeros (a few KB compressed) is refused by verify and by sync without
// inflating it: each allocates far less than the blob.
func TestHugeObjectRefusedBeforeInflating(t *testing.T) {
	r := gitWorld(t)
	c := r.clone(t, r.dir)
	zeros := filepath.Join(t.TempDir(), "zeros")
	f, err := os.Create(zeros)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(64 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	blob := runGit(t, r.dir, "hash-object", "-w", zeros)
	head := r.head()
	// The head's tree with the blob added at its root.
	entries := runGit(t, r.dir, "ls-tree", head)
	cmd := exec.Command("git", "-C", r.dir, "mktree")
	cmd.Stdin = strings.NewReader(entries + "\n100644 blob " + blob + "\tzeros.txt\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	bad := runGit(t, r.dir, "-c", "user.name=x", "-c", "user.email=x@example.org", "commit-tree", "-p", head, "-m", "zeros", strings.TrimSpace(string(out)))
	runGit(t, r.dir, "update-ref", "refs/heads/main", bad)

	allocated := func(f func()) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	var rep *Report
	if n := allocated(func() { rep, err = Verify(r.dir, VerifyOptions{}) }); n > 32<<20 {
		t.Errorf("verify allocated %d MiB", n>>20)
	}
	if err != nil || len(problemsWith(rep, "more than")) == 0 {
		t.Fatalf("verify: %v %+v", err, rep)
	}
	if n := allocated(func() { _, err = c.sync("") }); n > 32<<20 {
		t.Errorf("sync allocated %d MiB", n>>20)
	}
	var rr *RemoteRejectedError
	if !errors.As(err, &rr) {
		t.Fatalf("sync: %v", err)
	}
	t.Log(err)
}
