// Tests of the tree diff, folder reads and reads after Close, on trees
// written directly with go-git (file to folder swaps, modified and deleted
// files).
package gitstore_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/concord-ledger/concord/ledger/gitstore"
)

type node struct {
	files map[string]string
	dirs  map[string]*node
}

func writeTree(t *testing.T, r *git.Repository, n *node) plumbing.Hash {
	var es []object.TreeEntry
	for name, data := range n.files {
		o := r.Storer.NewEncodedObject()
		o.SetType(plumbing.BlobObject)
		w, _ := o.Writer()
		w.Write([]byte(data))
		w.Close()
		h, err := r.Storer.SetEncodedObject(o)
		if err != nil {
			t.Fatal(err)
		}
		es = append(es, object.TreeEntry{Name: name, Mode: filemode.Regular, Hash: h})
	}
	for name, d := range n.dirs {
		es = append(es, object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: writeTree(t, r, d)})
	}
	sort.Sort(object.TreeEntrySorter(es))
	tr := &object.Tree{Entries: es}
	o := r.Storer.NewEncodedObject()
	if err := tr.Encode(o); err != nil {
		t.Fatal(err)
	}
	h, err := r.Storer.SetEncodedObject(o)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func commit(t *testing.T, r *git.Repository, tree plumbing.Hash, parent string) string {
	c := &object.Commit{TreeHash: tree, Message: "x"}
	if parent != "" {
		c.ParentHashes = []plumbing.Hash{plumbing.NewHash(parent)}
	}
	o := r.Storer.NewEncodedObject()
	c.Encode(o)
	h, _ := r.Storer.SetEncodedObject(o)
	return h.String()
}

func TestChanges(t *testing.T) {
	dir := t.TempDir()
	if _, err := gitstore.Init(dir); err != nil {
		t.Fatal(err)
	}
	r, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	a := &node{files: map[string]string{"x": "1", "keep": "k", "gone": "g", "y.txt": "f"}, dirs: map[string]*node{
		"d": {files: map[string]string{"a": "1", "b": "2"}},
		"y": {files: map[string]string{"in": "1"}},
		"e": {files: map[string]string{"q": "1"}},
	}}
	b := &node{files: map[string]string{"keep": "k", "d": "now a file", "new": "n", "y.txt": "f2"}, dirs: map[string]*node{
		"x": {files: map[string]string{"sub": "s"}},
		"y": {files: map[string]string{"in": "1", "in2": "2"}},
		"e": {files: map[string]string{"q": "1"}},
	}}
	c1 := commit(t, r, writeTree(t, r, a), "")
	c2 := commit(t, r, writeTree(t, r, b), c1)
	g, err := gitstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	got, err := g.Changes(c1, c2)
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, ch := range got {
		s = append(s, fmt.Sprintf("%s %s %q", ch.Path, ch.Kind, ch.Data))
	}
	sort.Strings(s)
	want := []string{
		`d added "now a file"`, `d/a deleted ""`, `d/b deleted ""`, `gone deleted ""`, `new added "n"`,
		`x deleted ""`, `x/sub added "s"`, `y.txt modified "f2"`, `y/in2 added "2"`,
	}
	if strings.Join(s, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(s, "\n"), strings.Join(want, "\n"))
	}
	all, err := g.Changes("", c1)
	if err != nil || len(all) != 8 {
		t.Fatalf("%v %d", err, len(all))
	}
	files, err := g.ReadDir(c2, "y")
	if err != nil || len(files) != 2 || files[1].Name != "in2" || string(files[1].Data) != "2" {
		t.Fatalf("%v %+v", err, files)
	}
	root, err := g.ReadDir(c2, "")
	if err != nil || len(root) != 7 {
		t.Fatalf("%v %+v", err, root)
	}
	if d, err := g.ReadFile(c2, "x/sub"); err != nil || string(d) != "s" {
		t.Fatal(err, d)
	}
	if _, err := g.ReadFile(c2, "x"); err == nil {
		t.Fatal("dir read as file")
	}
	if _, err := g.ReadFile(c2, "nope/x"); err == nil {
		t.Fatal("missing read")
	}
	if l, err := g.List(c2, "nope"); err != nil || len(l) != 0 {
		t.Fatal(err, l)
	}
	g.Close()
	if d, err := g.ReadFile(c1, "d/b"); err != nil || string(d) != "2" {
		t.Fatal("after close", err, d)
	}
}
