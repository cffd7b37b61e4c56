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
// gitformat-bundle(5)): the line "# v2 git bundle", the lines
// "<commit id> refs/heads/main" and "<commit id> HEAD" (the same id, so
// that 'git clone F DIR' checks out main), an empty line, then a pack file
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
	fmt.Fprintf(&b, "%s%s %s\n%s HEAD\n\n", bundleHeader, head, Branch, head)
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
// returned Repo's main branch is the bundle's reference. The header must be
// exactly a v2 header with refs/heads/main (and optionally HEAD naming the
// same commit) and no prerequisite (so the bundle is the whole history),
// and at most MaxBundleSize bytes; its pack at most MaxBundleInflated bytes
// once inflated, each object at most MaxObjectSize. Every
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
	end, err := line()
	if err == nil && end == id+" HEAD\n" {
		end, err = line()
	}
	if err != nil || end != "\n" {
		return nil, &BundleError{Reason: "it has references besides main (and HEAD, naming the same commit), or prerequisites: it must hold the whole history of one branch"}
	}
	pack, err := io.ReadAll(r)
	if err != nil {
		return nil, &BundleError{Reason: "its pack cannot be read: " + err.Error()}
	}
	if err := checkPackSizes(pack); err != nil {
		return nil, err
	}
	sto := memory.NewStorage()
	if err := packfile.UpdateObjectStorage(sto, bytes.NewReader(pack)); err != nil {
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

// MaxBundleInflated bounds the bytes of all objects a bundle's pack holds,
// once inflated and delta-resolved: 512 MiB. With MaxObjectSize for each
// object, it bounds the memory and time ReadBundle may spend on a bundle
// taken from an untrusted file, whatever its compressed size.
const MaxBundleInflated = 512 << 20

// checkPackSizes reads pack's object headers, and the size each delta
// says its object has, before any object is resolved: an object over
// MaxObjectSize, or all of them over MaxBundleInflated, is refused as a
// *BundleError. Each object is inflated at most once here, never past
// MaxObjectSize.
func checkPackSizes(pack []byte) error {
	sc := packfile.NewScanner(bytes.NewReader(pack))
	_, count, err := sc.Header()
	if err != nil {
		return &BundleError{Reason: "its pack: " + err.Error()}
	}
	var total int64
	for i := uint32(0); i < count; i++ {
		h, err := sc.NextObjectHeader()
		if err != nil {
			return &BundleError{Reason: "its pack: " + err.Error()}
		}
		size := h.Length
		if size > MaxObjectSize {
			return &BundleError{Reason: fmt.Sprintf("object %d of its pack is %d bytes, more than the %d concord reads", i+1, size, MaxObjectSize)}
		}
		w := &headWriter{max: MaxObjectSize}
		if _, _, err := sc.NextObject(w); err != nil {
			return &BundleError{Reason: fmt.Sprintf("object %d of its pack: %v", i+1, err)}
		}
		if h.Type == plumbing.OFSDeltaObject || h.Type == plumbing.REFDeltaObject {
			target, ok := deltaTargetSize(w.head)
			if !ok {
				return &BundleError{Reason: fmt.Sprintf("object %d of its pack is a delta without a size", i+1)}
			}
			size = target
			if size > MaxObjectSize {
				return &BundleError{Reason: fmt.Sprintf("object %d of its pack makes an object of %d bytes, more than the %d concord reads", i+1, size, MaxObjectSize)}
			}
		}
		if total += size; total > MaxBundleInflated {
			return &BundleError{Reason: fmt.Sprintf("its objects hold more than the %d bytes concord reads from a bundle", MaxBundleInflated)}
		}
	}
	return nil
}

// headWriter keeps the first bytes written to it, counts the rest, and
// fails past max bytes.
type headWriter struct {
	head []byte
	n    int64
	max  int64
}

func (w *headWriter) Write(p []byte) (int, error) {
	if w.n+int64(len(p)) > w.max {
		return 0, fmt.Errorf("it inflates to more than %d bytes", w.max)
	}
	if len(w.head) < 32 {
		w.head = append(w.head, p[:min(len(p), 32-len(w.head))]...)
	}
	w.n += int64(len(p))
	return len(p), nil
}

// deltaTargetSize reads the size of the object a delta makes: the second
// of the two variable-length sizes that start it (gitformat-pack(5)).
func deltaTargetSize(d []byte) (int64, bool) {
	var sizes [2]int64
	for k := range sizes {
		var v int64
		shift := uint(0)
		for {
			if len(d) == 0 || shift > 56 {
				return 0, false
			}
			b := d[0]
			d = d[1:]
			v |= int64(b&0x7f) << shift
			shift += 7
			if b&0x80 == 0 {
				break
			}
		}
		sizes[k] = v
	}
	return sizes[1], true
}
