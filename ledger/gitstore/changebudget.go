package gitstore

import (
	"errors"
	"fmt"
)

// What Changes reads for one commit is bounded by itself, not by the
// rules that judge the files afterwards: a remote serves any objects it
// likes, and a tree that names one large blob a thousand times (or one
// folder a thousand times, nested) is a few KB to send and would be read
// a thousand times. A commit of the ledger adds a handful of files (a
// version with its texts, a decision); these bounds are far above that.
const (
	// MaxChangeFiles is the most paths (files and folders, added or
	// deleted) Changes reports or descends into for one commit.
	MaxChangeFiles = 4096
	// MaxChangeBytes is the most content, in bytes, Changes reads for one
	// commit: the files it hands out, and the tree entries it compares
	// (counted treeEntryCost each).
	MaxChangeBytes = 64 << 20
)

// treeEntryCost is what comparing one tree entry counts against
// MaxChangeBytes: about its size in the tree.
const treeEntryCost = 32

// errOverBudget stops Changes' walk once a commit is over its bounds.
var errOverBudget = errors.New("over the bounds of one commit")

// changeBudget is what Changes has read so far of one commit.
type changeBudget struct {
	files int
	bytes int64
}

// spend counts n bytes and files more paths at path p; over the bounds it
// records the change at p as malformed, saying so, and returns
// errOverBudget.
func (b *changeBudget) spend(p string, n int64, files int, out *[]Change) error {
	b.files += files
	b.bytes += n
	var why string
	switch {
	case b.files > MaxChangeFiles:
		why = fmt.Sprintf("the commit changes more than %d files and folders: concord reads no further", MaxChangeFiles)
	case b.bytes > MaxChangeBytes:
		why = fmt.Sprintf("the commit changes more than %d bytes: concord reads no further", MaxChangeBytes)
	default:
		return nil
	}
	if p == "" {
		p = "."
	}
	*out = append(*out, Change{Path: p, Kind: Added, Malformed: why})
	return errOverBudget
}
