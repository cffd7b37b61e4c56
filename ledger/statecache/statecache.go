// Package statecache keeps, in a folder of the user's, the payloads a
// reader asks it to keep under a key (ledger.Cache): the states concord's
// readers computed, so that the next command need not replay them. It
// owns the folder's safety rules (an absolute path to a folder, not a
// link, that only the user can write and that the user owns), the file
// framing (a magic line and the payload's SHA-256, so a damaged file is
// never read back) and pruning. It knows nothing of what the payloads
// mean; package ledger does (docs/LEDGER.md, "The state cache").
package statecache

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"

	"github.com/concord-ledger/concord/internal/atomicfile"
)

// Dir is a state cache in one folder. Its methods may be called from
// several goroutines; failures to read or write are never errors, since a
// cache that cannot be used only makes readers replay.
type Dir struct{ path string }

// Open returns the cache in the folder path, creating it (mode 0700) if
// needed, or an error saying why states may not be kept there (see
// CheckDir).
func Open(path string) (*Dir, error) {
	if err := CheckDir(path); err != nil {
		return nil, err
	}
	return &Dir{path: path}, nil
}

// Get returns the payload filed under key, or nil. A file that does not
// read back whole is removed.
func (d *Dir) Get(key string) []byte {
	if !validKey(key) {
		return nil
	}
	p := filepath.Join(d.path, key)
	raw, err := os.ReadFile(p)
	if err != nil {
		return nil
	}
	payload, ok := Unframe(raw)
	if !ok {
		os.Remove(p)
		return nil
	}
	return payload
}

// Put files payload under key, atomically; failures are ignored.
func (d *Dir) Put(key string, payload []byte) {
	if !validKey(key) {
		return
	}
	if atomicfile.Write(filepath.Join(d.path, key), Frame(payload), 0o600) != nil {
		return
	}
	if key[0] == '0' && key[1] == '0' { // about one write in 256
		prune(d.path)
	}
}

// validKey reports whether key is a file name the cache uses: 64
// lowercase hex digits (a SHA-256).
func validKey(key string) bool {
	if len(key) != 64 {
		return false
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// magic starts every cache file.
const magic = "concord-state-cache-2\n"

// Pruning: when a write finds more than maxFiles files, the oldest
// are removed down to keepFiles.
const (
	maxFiles  = 4096
	keepFiles = 2048
)

// Frame returns payload behind the magic line and its SHA-256.
func Frame(payload []byte) []byte {
	sum := sha256.Sum256(payload)
	out := make([]byte, 0, len(magic)+65+len(payload))
	out = append(out, magic...)
	out = append(out, hex.EncodeToString(sum[:])...)
	out = append(out, '\n')
	return append(out, payload...)
}

// Unframe checks what Frame wrote and returns the payload.
func Unframe(raw []byte) ([]byte, bool) {
	rest, ok := bytes.CutPrefix(raw, []byte(magic))
	if !ok || len(rest) < 65 || rest[64] != '\n' {
		return nil, false
	}
	payload := rest[65:]
	sum := sha256.Sum256(payload)
	if hex.EncodeToString(sum[:]) != string(rest[:64]) {
		return nil, false
	}
	return payload, true
}

// prune removes the oldest files of dir when there are more than
// maxFiles, down to keepFiles.
func prune(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) <= maxFiles {
		return
	}
	type aged struct {
		name string
		mod  int64
	}
	var files []aged
	for _, e := range entries {
		if info, err := e.Info(); err == nil && info.Mode().IsRegular() {
			files = append(files, aged{e.Name(), info.ModTime().UnixNano()})
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].mod < files[j].mod })
	for _, f := range files[:max(0, len(files)-keepFiles)] {
		os.Remove(filepath.Join(dir, f.name))
	}
}

// CheckDir creates dir if needed and says why states may not be kept
// there, or nil: it must be an absolute path to a folder (not a link) that
// only the user can write, and that the user owns where ownership is known.
// Anyone else who could write it could make a reader show what they like.
func CheckDir(dir string) error {
	if !filepath.IsAbs(dir) {
		return fmt.Errorf("%q is not an absolute path", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	info, err := os.Lstat(dir)
	switch {
	case err != nil:
		return err
	case !info.IsDir():
		return fmt.Errorf("%s is not a folder", dir)
	case runtime.GOOS != "windows" && info.Mode().Perm()&0o022 != 0: // Windows shows every folder as 0777
		return fmt.Errorf("others can write %s (mode %v)", dir, info.Mode().Perm())
	case !ownedByUser(info):
		return fmt.Errorf("%s belongs to another user", dir)
	}
	return nil
}
