package gitstore

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"
)

// A bundle is git's own file form of a repository's history (see
// gitformat-bundle(5)): the line "# v2 git bundle", one line
// "<commit id> refs/heads/main", an empty line, then a pack file
// (gitformat-pack(5)) holding every object reachable from that commit.
// Stock git reads it: 'git bundle verify F' and 'git clone F DIR'.
const bundleHeader = "# v2 git bundle\n"

// bundleWindow is the delta window of the pack a bundle holds: deltas make
// the history of a ledger, whose every commit has a tree much like the one
// before, far smaller than whole objects.
const bundleWindow = 10

// MaxBundleSize bounds the bundle ReadBundle reads, and so the memory a
// bundle taken from an untrusted file may cost: 256 MiB.
const MaxBundleSize = 256 << 20

// Bundle returns a git bundle of the history of commit head: every commit
// on its history and every tree and blob they name, with head as
// refs/heads/main. The bytes depend only on the objects, never on how this
// repository stores them (loose or packed, and with which deltas): each
// object is read whole, checked against its id, and packed afresh in a
// fixed order (commits newest first, then each commit's trees and blobs in
// path order), with deltas chosen by go-git's deterministic selector.
func (g *Repo) Bundle(head string) ([]byte, error) {
	ids, err := g.FirstParentIDs(head)
	if err != nil {
		return nil, err
	}
	mem := memory.NewStorage()
	var order []plumbing.Hash
	seen := map[plumbing.Hash]bool{}
	add := func(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
		obj, _, err := g.object(t, h)
		if err != nil {
			return nil, missing(h, err)
		}
		if _, err := mem.SetEncodedObject(obj); err != nil {
			return nil, err
		}
		seen[h] = true
		order = append(order, h)
		return obj, nil
	}
	var addTree func(h plumbing.Hash) error
	addTree = func(h plumbing.Hash) error {
		if seen[h] {
			return nil
		}
		obj, err := add(plumbing.TreeObject, h)
		if err != nil {
			return err
		}
		t, err := object.DecodeTree(mem, obj)
		if err != nil {
			return &CorruptError{ID: h.String(), Reason: err.Error()}
		}
		for _, e := range t.Entries {
			switch {
			case seen[e.Hash]:
			case e.Mode.IsFile():
				if _, err := add(plumbing.BlobObject, e.Hash); err != nil {
					return err
				}
			default:
				if err := addTree(e.Hash); err != nil {
					return err
				}
			}
		}
		return nil
	}
	var trees []plumbing.Hash
	for i := len(ids) - 1; i >= 0; i-- {
		h, _ := parseHash(ids[i])
		obj, err := add(plumbing.CommitObject, h)
		if err != nil {
			return nil, err
		}
		c, err := object.DecodeCommit(mem, obj)
		if err != nil {
			return nil, &CorruptError{ID: h.String(), Reason: err.Error()}
		}
		trees = append(trees, c.TreeHash)
	}
	for _, t := range trees {
		if err := addTree(t); err != nil {
			return nil, err
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s%s %s\n\n", bundleHeader, head, Branch)
	if _, err := packfile.NewEncoder(&b, mem, false).Encode(order, bundleWindow); err != nil {
		return nil, fmt.Errorf("packing the bundle: %w", err)
	}
	return b.Bytes(), nil
}

// BundleError is a bundle that is not one ReadBundle accepts: not a v2
// bundle of one refs/heads/main with no prerequisites, or a pack that does
// not parse. Taken from evidence, it is invalid evidence.
type BundleError struct{ Reason string }

func (e *BundleError) Error() string { return "the git bundle: " + e.Reason }

// InvalidEvidence marks the bundle as invalid evidence.
func (e *BundleError) InvalidEvidence() bool { return true }

// ReadBundle opens a git bundle as Bundle writes it, held in memory: the
// returned Repo's main branch is the bundle's one reference. The header must
// be exactly a v2 header with that one reference and no prerequisite (so
// the bundle is the whole history), and at most MaxBundleSize bytes. Every
// object read from the Repo is checked against its id, as for a repository
// on disk; a history that lacks an object is found when it is read.
func ReadBundle(data []byte) (*Repo, error) {
	if len(data) > MaxBundleSize {
		return nil, &BundleError{Reason: fmt.Sprintf("%d bytes, more than the %d concord reads", len(data), MaxBundleSize)}
	}
	r := bufio.NewReader(bytes.NewReader(data))
	line := func() (string, error) {
		s, err := r.ReadString('\n')
		if err != nil {
			return "", &BundleError{Reason: "the header ends early"}
		}
		return s, nil
	}
	if h, err := line(); err != nil || h != bundleHeader {
		return nil, &BundleError{Reason: "it does not start with the line \"# v2 git bundle\""}
	}
	ref, err := line()
	if err != nil {
		return nil, err
	}
	id, name, ok := strings.Cut(strings.TrimSuffix(ref, "\n"), " ")
	h, herr := parseHash(id)
	if !ok || herr != nil || name != Branch {
		return nil, &BundleError{Reason: fmt.Sprintf("its one reference must be \"<commit id> %s\", not %q", Branch, strings.TrimSuffix(ref, "\n"))}
	}
	if end, err := line(); err != nil || end != "\n" {
		return nil, &BundleError{Reason: "it has more than one reference, or prerequisites (it must hold the whole history of one branch)"}
	}
	sto := memory.NewStorage()
	if err := packfile.UpdateObjectStorage(sto, io.LimitReader(r, MaxBundleSize)); err != nil {
		return nil, &BundleError{Reason: "its pack: " + err.Error()}
	}
	if err := sto.SetReference(plumbing.NewHashReference(plumbing.ReferenceName(Branch), h)); err != nil {
		return nil, err
	}
	if err := sto.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, plumbing.ReferenceName(Branch))); err != nil {
		return nil, err
	}
	repo, err := git.Open(sto, nil)
	if err != nil {
		return nil, errors.Join(&BundleError{Reason: "it cannot be opened"}, err)
	}
	return &Repo{r: repo}, nil
}
