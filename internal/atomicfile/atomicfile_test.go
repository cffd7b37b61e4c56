package atomicfile

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// names returns the names in dir, sorted.
func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func wantFile(t *testing.T, path, want string) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil || string(got) != want {
		t.Fatalf("%s holds %q (%v), want %q", path, got, err, want)
	}
}

func TestWriteCreatesAndReplaces(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.pdf")
	if err := Write(p, []byte("one"), 0o640); err != nil {
		t.Fatal(err)
	}
	wantFile(t, p, "one")
	if err := Write(p, []byte("two, longer"), 0o644); err != nil {
		t.Fatal(err)
	}
	wantFile(t, p, "two, longer")
	if got := names(t, dir); len(got) != 1 || got[0] != "out.pdf" {
		t.Errorf("folder holds %q, want only out.pdf (no temporary file left)", got)
	}
	if runtime.GOOS != "windows" {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o644 {
			t.Errorf("mode %v, want 0644", info.Mode().Perm())
		}
	}
}

func TestWriteRelativePath(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := Write("rel.txt", []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	wantFile(t, "rel.txt", "x")
}

func TestWriteNew(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "key")
	if err := WriteNew(p, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	wantFile(t, p, "secret")
	if runtime.GOOS != "windows" {
		if info, _ := os.Stat(p); info.Mode().Perm() != 0o600 {
			t.Errorf("mode %v, want 0600", info.Mode().Perm())
		}
	}
	err := WriteNew(p, []byte("other"), 0o600)
	if !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), p) {
		t.Fatalf("WriteNew over an existing file: %v, want fs.ErrExist naming %s", err, p)
	}
	wantFile(t, p, "secret")
	if got := names(t, dir); len(got) != 1 {
		t.Errorf("folder holds %q, want only the key (no temporary file left)", got)
	}
}

// TestWriteNewRace: of many writers racing for one new name, exactly one
// wins, and the file is wholly the winner's.
func TestWriteNewRace(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "checkpoint")
	const n = 16
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = WriteNew(p, bytes.Repeat([]byte{byte('a' + i)}, 1<<16), 0o644)
		}()
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		switch {
		case err == nil && won >= 0:
			t.Fatalf("writers %d and %d both won", won, i)
		case err == nil:
			won = i
		case !errors.Is(err, fs.ErrExist):
			t.Fatalf("writer %d: %v", i, err)
		}
	}
	if won < 0 {
		t.Fatal("no writer won")
	}
	wantFile(t, p, string(bytes.Repeat([]byte{byte('a' + won)}, 1<<16)))
	if got := names(t, dir); len(got) != 1 {
		t.Errorf("folder holds %q, want only the file", got)
	}
}

// TestWriteNewWithoutLinks takes the path for file systems without hard
// links: the same result, and the same refusal of an existing name.
func TestWriteNewWithoutLinks(t *testing.T) {
	dir := t.TempDir()
	noLinks := func(string, string) error { return errors.New("operation not supported") }
	p := filepath.Join(dir, "f")
	tmp := filepath.Join(dir, ".f.tmp-1")
	if err := os.WriteFile(tmp, []byte("data"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := publishNew(tmp, p, noLinks); err != nil {
		t.Fatal(err)
	}
	wantFile(t, p, "data")
	if err := os.WriteFile(tmp, []byte("again"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := publishNew(tmp, p, noLinks); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("over an existing file: %v, want fs.ErrExist", err)
	}
	wantFile(t, p, "data")
}

// TestFailureLeavesTarget: a write that cannot complete leaves the target
// as it was and no temporary file.
func TestFailureLeavesTarget(t *testing.T) {
	dir := t.TempDir()
	// The target is a folder with a file in it: the rename fails.
	p := filepath.Join(dir, "target")
	if err := os.MkdirAll(filepath.Join(p, "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := Write(p, []byte("x"), 0o644)
	if err == nil || !strings.Contains(err.Error(), p) {
		t.Fatalf("Write over a folder: %v, want an error naming %s", err, p)
	}
	if info, err := os.Stat(filepath.Join(p, "inside")); err != nil || !info.IsDir() {
		t.Errorf("the folder was changed: %v", err)
	}
	if got := names(t, dir); len(got) != 1 {
		t.Errorf("folder holds %q, want only the target", got)
	}
	// A missing folder: nothing is created.
	missing := filepath.Join(dir, "no", "such", "file")
	if err := Write(missing, []byte("x"), 0o644); err == nil || !strings.Contains(err.Error(), missing) {
		t.Fatalf("Write into a missing folder: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "no")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a failed write created folders: %v", err)
	}
}

// TestReaderSeesWholeFiles: while one goroutine replaces a file again and
// again, a reader only ever sees one whole version or the other.
func TestReaderSeesWholeFiles(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("on Windows a file open for reading cannot be replaced: there the writer fails, which this test does not cover")
	}
	p := filepath.Join(t.TempDir(), "f")
	a, b := bytes.Repeat([]byte("a"), 1<<18), bytes.Repeat([]byte("b"), 1<<17)
	if err := Write(p, a, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var werr error
	go func() {
		defer close(done)
		for i := range 50 {
			data := a
			if i%2 == 0 {
				data = b
			}
			if werr = Write(p, data, 0o644); werr != nil {
				return
			}
		}
	}()
	for reading := true; reading; {
		select {
		case <-done:
			reading = false
		default:
		}
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, a) && !bytes.Equal(got, b) {
			t.Fatalf("a reader saw %d bytes that are neither version", len(got))
		}
	}
	if werr != nil {
		t.Fatal(werr)
	}
}

func TestRename(t *testing.T) {
	dir := t.TempDir()
	tmp, final := filepath.Join(dir, "built.tmp"), filepath.Join(dir, "built")
	if err := os.MkdirAll(filepath.Join(tmp, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Rename(tmp, final); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(final, "sub")); err != nil {
		t.Fatal(err)
	}
	if err := Rename(tmp, final); err == nil {
		t.Fatal("renaming a missing folder succeeded")
	}
}
