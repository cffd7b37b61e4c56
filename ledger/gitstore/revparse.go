package gitstore

import (
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// MinCommitPrefix is the shortest abbreviated commit id ResolveCommit
// takes: 7 hex digits, git's default abbreviation.
const MinCommitPrefix = 7

// PrefixProblem says why an abbreviated commit id names no one commit.
type PrefixProblem int

const (
	// PrefixMalformed: not 7 to 40 hex digits.
	PrefixMalformed PrefixProblem = iota + 1
	// PrefixUnknown: no commit in the repository starts with it.
	PrefixUnknown
	// PrefixAmbiguous: more than one commit starts with it.
	PrefixAmbiguous
)

// CommitPrefixError is an abbreviated commit id that ResolveCommit cannot
// take. Candidates lists, for PrefixAmbiguous, the full ids of every commit
// that starts with Prefix, in order.
type CommitPrefixError struct {
	Prefix     string
	Problem    PrefixProblem
	Candidates []string
}

func (e *CommitPrefixError) Error() string {
	switch e.Problem {
	case PrefixUnknown:
		return fmt.Sprintf("no commit in this repository starts with %s", e.Prefix)
	case PrefixAmbiguous:
		return fmt.Sprintf("%s is ambiguous: %d commits start with it (%s)", e.Prefix, len(e.Candidates), strings.Join(e.Candidates, ", "))
	}
	return fmt.Sprintf("%q is not a commit id: give %d to 40 hex digits", e.Prefix, MinCommitPrefix)
}

// ResolveCommit returns the full id (40 lowercase hex digits) of the commit
// that id names, as git takes a commit id: the full id, or any prefix of at
// least MinCommitPrefix hex digits (either case) that exactly one commit
// object of the repository starts with. Objects of other types (trees,
// blobs) sharing the prefix do not make it ambiguous, as with git's
// "id^{commit}". A full id is returned as given, lowercased, without looking
// it up, so that a caller can report a commit that is absent as a finding of
// its own. Errors: *CommitPrefixError, or an error reading the object store.
func (g *Repo) ResolveCommit(id string) (string, error) {
	p := strings.ToLower(id)
	if len(p) < MinCommitPrefix || len(p) > 40 || strings.Trim(p, "0123456789abcdef") != "" {
		return "", &CommitPrefixError{Prefix: id, Problem: PrefixMalformed}
	}
	if len(p) == 40 {
		return p, nil
	}
	// The store searches by whole bytes: look up the even part, then
	// keep the ids that also match the last odd digit.
	raw, err := hex.DecodeString(p[:len(p)&^1])
	if err != nil {
		return "", &CommitPrefixError{Prefix: id, Problem: PrefixMalformed}
	}
	hashes, err := g.hashesWithPrefix(raw)
	if err != nil {
		return "", fmt.Errorf("looking up commit %s: %w", id, err)
	}
	var found []string
	seen := map[plumbing.Hash]bool{}
	for _, h := range hashes {
		if seen[h] || !strings.HasPrefix(h.String(), p) {
			continue
		}
		seen[h] = true
		obj, err := g.r.Storer.EncodedObject(plumbing.AnyObject, h)
		if err != nil {
			return "", fmt.Errorf("looking up commit %s: reading %s: %w", id, h, err)
		}
		if obj.Type() == plumbing.CommitObject {
			found = append(found, h.String())
		}
	}
	switch len(found) {
	case 0:
		return "", &CommitPrefixError{Prefix: id, Problem: PrefixUnknown}
	case 1:
		return found[0], nil
	}
	sort.Strings(found)
	return "", &CommitPrefixError{Prefix: id, Problem: PrefixAmbiguous, Candidates: found}
}

// hashesWithPrefix returns the ids of the stored objects (loose and packed)
// whose bytes start with prefix: through the folder storage's index search
// where there is one, else by walking every commit object.
func (g *Repo) hashesWithPrefix(prefix []byte) ([]plumbing.Hash, error) {
	type prefixSearcher interface {
		HashesWithPrefix(prefix []byte) ([]plumbing.Hash, error)
	}
	if ps, ok := g.r.Storer.(prefixSearcher); ok {
		return ps.HashesWithPrefix(prefix)
	}
	iter, err := g.r.Storer.IterEncodedObjects(plumbing.CommitObject)
	if err != nil {
		return nil, err
	}
	var out []plumbing.Hash
	err = iter.ForEach(func(o plumbing.EncodedObject) error {
		if h := o.Hash(); string(h[:len(prefix)]) == string(prefix) {
			out = append(out, h)
		}
		return nil
	})
	if err == storer.ErrStop {
		err = nil
	}
	return out, err
}
