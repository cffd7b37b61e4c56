package ledger

import (
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"golang.org/x/crypto/ssh"

	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/signing"
)

// forger writes commits a well-behaved concord never would, straight through
// go-git, to test that the audit catches them.
type forger struct {
	t    testing.TB
	repo *git.Repository
	dir  string
	body string // put in the commit message before the trailer
}

func (w *world) forger() *forger {
	r, err := git.PlainOpen(w.dir)
	if err != nil {
		w.t.Fatal(err)
	}
	return &forger{t: w.t, repo: r, dir: w.dir}
}

func (f *forger) head() plumbing.Hash {
	ref, err := f.repo.Reference(plumbing.ReferenceName("refs/heads/main"), true)
	if err != nil {
		f.t.Fatal(err)
	}
	return ref.Hash()
}

// files returns every file of commit's tree.
func (f *forger) files(commit plumbing.Hash) map[string][]byte {
	c, err := f.repo.CommitObject(commit)
	if err != nil {
		f.t.Fatal(err)
	}
	tree, _ := c.Tree()
	out := map[string][]byte{}
	tree.Files().ForEach(func(file *object.File) error {
		r, _ := file.Blob.Reader()
		data, _ := io.ReadAll(r)
		r.Close()
		out[file.Name] = data
		return nil
	})
	return out
}

func (f *forger) writeTree(files map[string][]byte) plumbing.Hash {
	dirs := map[string][]object.TreeEntry{}
	var build func(dir string) plumbing.Hash
	children := map[string]map[string]bool{}
	for p := range files {
		for d := path.Dir(p); ; d = path.Dir(d) {
			parent := path.Dir(d)
			if d == "." {
				break
			}
			if parent == "." {
				parent = ""
			}
			if children[parent] == nil {
				children[parent] = map[string]bool{}
			}
			children[parent][d] = true
		}
	}
	build = func(dir string) plumbing.Hash {
		var entries []object.TreeEntry
		for p, data := range files {
			d := path.Dir(p)
			if d == "." {
				d = ""
			}
			if d != dir {
				continue
			}
			obj := f.repo.Storer.NewEncodedObject()
			obj.SetType(plumbing.BlobObject)
			wr, _ := obj.Writer()
			wr.Write(data)
			wr.Close()
			h, err := f.repo.Storer.SetEncodedObject(obj)
			if err != nil {
				f.t.Fatal(err)
			}
			entries = append(entries, object.TreeEntry{Name: path.Base(p), Mode: filemode.Regular, Hash: h})
		}
		for sub := range children[dir] {
			entries = append(entries, object.TreeEntry{Name: path.Base(sub), Mode: filemode.Dir, Hash: build(sub)})
		}
		sort.Sort(object.TreeEntrySorter(entries))
		t := &object.Tree{Entries: entries}
		obj := f.repo.Storer.NewEncodedObject()
		t.Encode(obj)
		h, err := f.repo.Storer.SetEncodedObject(obj)
		if err != nil {
			f.t.Fatal(err)
		}
		dirs[dir] = entries
		return h
	}
	return build("")
}

// commit writes a commit on parent whose tree is parent's with edits
// applied (a nil value deletes), signed by signer (nil: unsigned) as
// actor, and moves the branch to it.
func (f *forger) commit(parent plumbing.Hash, edits map[string][]byte, actor string, signer ssh.Signer, entry int, kind string) plumbing.Hash {
	files := f.files(parent)
	for p, data := range edits {
		if data == nil {
			delete(files, p)
		} else {
			files[p] = data
		}
	}
	return f.commitTree(parent, f.writeTree(files), actor, signer, entry, kind)
}

// commitTree writes a commit of tree on parent, as commit does.
func (f *forger) commitTree(parent, tree plumbing.Hash, actor string, signer ssh.Signer, entry int, kind string) plumbing.Hash {
	when := time.Date(2026, 7, 1, 0, 0, entry, 0, time.UTC)
	c := &object.Commit{
		Author:       object.Signature{Name: actor, Email: actor, When: when},
		Committer:    object.Signature{Name: actor, Email: actor, When: when},
		Message:      fmt.Sprintf("forged\n\n%sConcord-Entry: %d\nConcord-Kind: %s\n", f.body, entry, kind),
		TreeHash:     tree,
		ParentHashes: []plumbing.Hash{parent},
	}
	if signer != nil {
		payload := &plumbing.MemoryObject{}
		c.EncodeWithoutSignature(payload)
		r, _ := payload.Reader()
		raw, _ := io.ReadAll(r)
		sig, err := signing.Sign(signer, signing.GitNamespace, raw)
		if err != nil {
			f.t.Fatal(err)
		}
		c.PGPSignature = string(sig)
	}
	obj := f.repo.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		f.t.Fatal(err)
	}
	h, err := f.repo.Storer.SetEncodedObject(obj)
	if err != nil {
		f.t.Fatal(err)
	}
	f.setHead(h)
	return h
}

func (f *forger) setHead(h plumbing.Hash) {
	ref := filepath.Join(f.dir, "refs", "heads", "main")
	if err := os.WriteFile(ref, []byte(h.String()+"\n"), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

// entries returns the number of entries (the next position).
func (w *world) entries() int { return w.open().Entries() }

// statement returns a signed decision's files for entry p.
func (w *world) decisionFiles(doc string, version, p int, who string, d signing.Decision, signer ssh.Signer, mutate func(*signing.Statement)) map[string][]byte {
	w.t.Helper()
	l := w.open()
	ds, err := l.loadDoc(doc)
	if err != nil {
		w.t.Fatal(err)
	}
	s := &signing.Statement{Ledger: l.ID(), Document: doc, Version: version, Texts: rules.TextHashes(ds.Versions[version-1].V),
		Signatory: who, Decision: d, Time: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)}
	if mutate != nil {
		mutate(s)
	}
	stmt, err := s.Format()
	if err != nil {
		w.t.Fatal(err)
	}
	sig, err := signing.Sign(signer, signing.Namespace, stmt)
	if err != nil {
		w.t.Fatal(err)
	}
	base := rules.DecisionBase(doc, version, p, who)
	return map[string][]byte{base + rules.StatementSuffix: stmt, base + rules.SigSuffix: sig}
}

// wantProblem checks that verify reports a problem containing each want.
func wantProblem(t *testing.T, rep *Report, wants ...string) {
	t.Helper()
	if rep.OK() {
		t.Fatalf("verify found nothing wrong; want %q", wants)
	}
	var all []string
	for _, p := range rep.Problems {
		all = append(all, p.String())
	}
	joined := strings.Join(all, "\n")
	for _, want := range wants {
		if !strings.Contains(joined, want) {
			t.Errorf("no problem mentions %q; problems:\n%s", want, joined)
		}
	}
}
