package gitstore

import (
	"bytes"
	"compress/zlib"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// plantLoose writes a loose object file under id whose header is header
// and whose content is content, compressed as git does.
func plantLoose(t *testing.T, dir string, id plumbing.Hash, header string, content []byte) {
	t.Helper()
	var b bytes.Buffer
	z := zlib.NewWriter(&b)
	z.Write([]byte(header + "\x00"))
	z.Write(content)
	z.Close()
	p := filepath.Join(dir, "objects", id.String()[:2], id.String()[2:])
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b.Bytes(), 0o444); err != nil {
		t.Fatal(err)
	}
}

// TestLookupHashesWhileReading: an object is hashed as it is read, an
// object whose content is not the size its header gives is refused, and
// one whose content hashes to another id is refused.
func TestLookupHashesWhileReading(t *testing.T) {
	dir := t.TempDir()
	g, err := Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	content := []byte("The text.\n")
	good := plumbing.ComputeHash(plumbing.BlobObject, content)
	plantLoose(t, dir, good, "blob 10", content)
	raw, err := g.blob(good)
	if err != nil || !bytes.Equal(raw, content) {
		t.Fatalf("blob: %q, %v", raw, err)
	}
	// The header says 10 bytes; the stream inflates to a megabyte. (go-git
	// inflates a small loose object whole, and gives its size as what it
	// read: the hash of that is not the id.)
	long := plumbing.NewHash(strings.Repeat("1", 40))
	plantLoose(t, dir, long, "blob 10", bytes.Repeat([]byte("x"), 1<<20))
	var ce *CorruptError
	if _, err := g.blob(long); !errors.As(err, &ce) {
		t.Fatalf("a stream longer than its header: %v", err)
	}
	// Content that hashes to another id.
	other := plumbing.NewHash(strings.Repeat("2", 40))
	plantLoose(t, dir, other, "blob 10", content)
	if _, err := g.blob(other); !errors.As(err, &ce) || !strings.Contains(ce.Reason, "hashes to "+good.String()) {
		t.Fatalf("content under another id: %v", err)
	}
}
