package gitstore

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// decodeTree parses a tree object's content as go-git's object.Tree.Decode
// does, with the same result and the same errors (wrapping
// object.ErrMalformedTree), but in one pass over the bytes with one
// allocation for all the names: a replay decodes thousands of trees, and
// go-git's reader-based decoder was a tenth of a clone's time. Each entry
// is "MODE NAME\x00" and a 20-byte hash (git's docs, gitformat-tree); MODE
// is octal, read as go-git reads it (any value of 32 bits, mapped to the
// nearest canonical mode: whether it was written canonically is
// treeProblem's question). FuzzDecodeTree holds it to go-git's decoder.
func decodeTree(h plumbing.Hash, raw []byte) (*object.Tree, error) {
	t := &object.Tree{Hash: h}
	if len(raw) == 0 {
		return t, nil
	}
	names := string(raw) // one copy; every name is a slice of it
	n := bytes.Count(raw, []byte{0})
	t.Entries = make([]object.TreeEntry, 0, n)
	for i := 0; i < len(raw); {
		sp := bytes.IndexByte(raw[i:], ' ')
		if sp < 0 {
			return nil, fmt.Errorf("%w: missing mode terminator", object.ErrMalformedTree)
		}
		m, err := strconv.ParseUint(names[i:i+sp], 8, 32)
		if err != nil {
			return nil, fmt.Errorf("%w: malformed mode", object.ErrMalformedTree)
		}
		i += sp + 1
		nul := bytes.IndexByte(raw[i:], 0)
		if nul < 0 {
			return nil, fmt.Errorf("%w: missing filename terminator", object.ErrMalformedTree)
		}
		if nul == 0 {
			return nil, fmt.Errorf("%w: empty filename", object.ErrMalformedTree)
		}
		name := names[i : i+nul]
		i += nul + 1
		if len(raw)-i < len(plumbing.ZeroHash) {
			return nil, fmt.Errorf("%w: truncated object id", object.ErrMalformedTree)
		}
		var eh plumbing.Hash
		copy(eh[:], raw[i:])
		i += len(eh)
		t.Entries = append(t.Entries, object.TreeEntry{Name: name, Mode: canonicalTreeMode(filemode.FileMode(m)), Hash: eh})
	}
	return t, nil
}

// canonicalTreeMode maps a mode as go-git's tree decoder does.
func canonicalTreeMode(mode filemode.FileMode) filemode.FileMode {
	switch mode & 0o170000 {
	case 0o040000:
		return filemode.Dir
	case 0o100000:
		if mode&0o111 != 0 {
			return filemode.Executable
		}
		return filemode.Regular
	case 0o120000:
		return filemode.Symlink
	default:
		return filemode.Submodule
	}
}

// canonicalModeText is how git writes each mode canonicalTreeMode returns.
var canonicalModeText = map[filemode.FileMode]string{
	filemode.Dir: "40000", filemode.Regular: "100644", filemode.Executable: "100755",
	filemode.Symlink: "120000", filemode.Submodule: "160000",
}

// quickTreeOK reports, without allocating, that treeProblem would find no
// problem in t, decoded from raw: names allowed and strictly sorted as git
// sorts them (so none twice, a file and a folder of one name included)
// and every mode written as git writes it. When it reports false,
// treeProblem says what the problem is. FuzzQuickTreeOK holds the two to
// the same verdict.
func quickTreeOK(t *object.Tree, raw []byte) bool {
	pos := 0
	for i, e := range t.Entries {
		switch {
		case e.Name == "." || e.Name == ".." || len(e.Name) == 4 && strings.EqualFold(e.Name, ".git") || strings.ContainsAny(e.Name, "/\x00"):
			return false
		case i > 0 && compareSortNames(t.Entries[i-1], e) >= 0:
			return false
		case e.Mode == filemode.Dir && fileNamed(t.Entries[:i], e.Name):
			return false
		}
		mode := canonicalModeText[e.Mode]
		if !bytes.HasPrefix(raw[pos:], []byte(mode)) || len(raw) <= pos+len(mode) || raw[pos+len(mode)] != ' ' {
			return false
		}
		pos += len(mode) + 1 + len(e.Name) + 1 + len(e.Hash)
	}
	return pos == len(raw)
}

// fileNamed reports whether entries, sorted as git sorts them, hold a
// file (any entry but a folder) called name.
func fileNamed(entries []object.TreeEntry, name string) bool {
	k := sort.Search(len(entries), func(i int) bool {
		return compareSortNames(entries[i], object.TreeEntry{Name: name, Mode: filemode.Regular}) >= 0
	})
	return k < len(entries) && entries[k].Name == name && entries[k].Mode != filemode.Dir
}
