package gitstore

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/go-git/go-billy/v5"
)

// alternatesPath is the file naming the folders git also reads objects
// from, relative to the git folder.
const alternatesPath = "objects/info/alternates"

// parseAlternates returns the object folders an objects/info/alternates
// file names, as git reads it (gitrepository-layout(5), git's
// read_info_alternates): one path a line; empty lines and lines starting
// with '#' are skipped; a line starting with '"' is a C-quoted path; a
// relative path is relative to the repository's objects folder, here
// objectsDir. The paths returned are absolute and cleaned.
func parseAlternates(objectsDir string, data []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		l := strings.TrimRight(sc.Text(), "\r")
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if strings.HasPrefix(l, `"`) {
			if u, err := strconv.Unquote(l); err == nil {
				l = u
			}
		}
		if !filepath.IsAbs(l) {
			l = filepath.Join(objectsDir, l)
		}
		out = append(out, filepath.Clean(l))
	}
	return out
}

// maxAlternateDepth is how deep git follows alternates of alternates
// (git's object-file.c: 5).
const maxAlternateDepth = 5

// alternatesOf returns the object folders a repository whose objects
// folder is objectsDir reads, with alternates file content data: those it
// names, and those their own objects/info/alternates name in turn, as git
// follows them (to maxAlternateDepth), each once.
func alternatesOf(objectsDir string, data []byte) []string {
	var out []string
	seen := map[string]bool{filepath.Clean(objectsDir): true}
	var walk func(dir string, data []byte, depth int)
	walk = func(dir string, data []byte, depth int) {
		for _, alt := range parseAlternates(dir, data) {
			if seen[alt] {
				continue
			}
			seen[alt] = true
			out = append(out, alt)
			if depth < maxAlternateDepth {
				if next, err := os.ReadFile(filepath.Join(alt, "info", "alternates")); err == nil {
					walk(alt, next, depth+1)
				}
			}
		}
	}
	walk(objectsDir, data, 1)
	return out
}

// openAlternates returns objects/info/alternates as go-git is to read it:
// the folders as alternatesOf finds them (their own alternates too), one
// absolute path a line.
// go-git reads the file itself otherwise, and gives up on every alternate
// at a comment line, and takes a relative path from the root of the file
// system, so that objects stock git finds there would be "missing".
func openAlternates(fs billy.Filesystem, name string) (billy.File, error) {
	data, err := readWhole(fs, name)
	if err != nil {
		return nil, err
	}
	objectsDir := filepath.Join(fs.Root(), "objects")
	var b strings.Builder
	for _, p := range alternatesOf(objectsDir, data) {
		b.WriteString(p + "\n")
	}
	return &memFile{Reader: bytes.NewReader([]byte(b.String())), name: name}, nil
}

// readWhole returns the content of the file name of fs, which opens
// rewrite in memory (openAlternates, extensionsFS).
func readWhole(fs billy.Filesystem, name string) ([]byte, error) {
	f, err := fs.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// memFile is a read-only billy.File held in memory.
type memFile struct {
	*bytes.Reader
	name string
}

func (f *memFile) Name() string              { return f.name }
func (f *memFile) Write([]byte) (int, error) { return 0, os.ErrPermission }
func (f *memFile) Close() error              { return nil }
func (f *memFile) Lock() error               { return billy.ErrNotSupported }
func (f *memFile) Unlock() error             { return billy.ErrNotSupported }
func (f *memFile) Truncate(int64) error      { return os.ErrPermission }
