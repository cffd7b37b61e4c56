package gitstore

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"
)

// goGitDecodeTree is the decoder decodeTree replaces.
func goGitDecodeTree(raw []byte) (*object.Tree, error) {
	o := &plumbing.MemoryObject{}
	o.SetType(plumbing.TreeObject)
	o.Write(raw)
	return object.DecodeTree(memory.NewStorage(), o)
}

func hash20(b byte) string {
	h := make([]byte, 20)
	for i := range h {
		h[i] = b + byte(i)
	}
	return string(h)
}

// FuzzDecodeTree holds decodeTree to go-git's decoder: the same entries,
// or an error (object.ErrMalformedTree) for the same inputs.
func FuzzDecodeTree(f *testing.F) {
	for _, seed := range []string{
		"",
		"100644 a\x00" + hash20(1),
		"40000 dir\x00" + hash20(2) + "100644 file\x00" + hash20(3),
		"100755 x\x00" + hash20(4) + "120000 l\x00" + hash20(5) + "160000 s\x00" + hash20(6),
		"0100644 lead\x00" + hash20(7),
		"100664 odd\x00" + hash20(8),
		"100644 \x00" + hash20(9),
		"100644 a\x00short",
		"100644 noterm",
		"nomode",
		"99 a\x00" + hash20(1),
		"+100644 a\x00" + hash20(1),
		"77777777777 big\x00" + hash20(1),
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		want, wantErr := goGitDecodeTree(raw)
		got, err := decodeTree(plumbing.ZeroHash, raw)
		if (wantErr != nil) != (err != nil) {
			t.Fatalf("go-git: %v, decodeTree: %v", wantErr, err)
		}
		if err != nil {
			if !errors.Is(err, object.ErrMalformedTree) || err.Error() != wantErr.Error() {
				t.Fatalf("decodeTree: %v, go-git: %v", err, wantErr)
			}
			return
		}
		if len(want.Entries) == 0 && len(got.Entries) == 0 {
			return
		}
		if !reflect.DeepEqual(want.Entries, got.Entries) {
			t.Fatalf("entries differ:\ngo-git     %+v\ndecodeTree %+v", want.Entries, got.Entries)
		}
	})
}

// FuzzQuickTreeOK holds quickTreeOK to treeProblem: the quick check
// passes exactly the trees in which treeProblem finds nothing.
func FuzzQuickTreeOK(f *testing.F) {
	for _, seed := range []string{
		"",
		"100644 a\x00" + hash20(1),
		"40000 a\x00" + hash20(2) + "100644 a\x00" + hash20(3),
		"100644 a\x00" + hash20(3) + "100644 a.b\x00" + hash20(3) + "40000 a\x00" + hash20(2),
		"100644 a\x00" + hash20(3) + "100644 a\x00" + hash20(3),
		"100644 b\x00" + hash20(3) + "100644 a\x00" + hash20(3),
		"100664 odd\x00" + hash20(8),
		"0100644 lead\x00" + hash20(7),
		"40000 .GIT\x00" + hash20(2),
		"100644 ..\x00" + hash20(2),
		"100755 x\x00" + hash20(4) + "120000 y\x00" + hash20(5) + "160000 z\x00" + hash20(6),
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		tr, err := decodeTree(plumbing.ZeroHash, raw)
		if err != nil {
			return
		}
		quick, full := quickTreeOK(tr, raw), treeProblem(tr, raw)
		if quick != (full == "") {
			t.Fatalf("quickTreeOK %v, treeProblem %q, for %q", quick, full, raw)
		}
	})
}

// FuzzQuickLinks holds quickLinks to go-git's commit decoder: where it
// answers, the tree and first parent are go-git's.
func FuzzQuickLinks(f *testing.F) {
	tree := strings.Repeat("a", 40)
	p1, p2 := strings.Repeat("b", 40), strings.Repeat("c", 40)
	ident := " A <a@x> 1 +0000\n"
	for _, seed := range []string{
		"tree " + tree + "\nauthor" + ident + "committer" + ident + "\nmsg",
		"tree " + tree + "\nparent " + p1 + "\nauthor" + ident + "committer" + ident + "\nmsg",
		"tree " + tree + "\nparent " + p1 + "\nparent " + p2 + "\nauthor" + ident + "committer" + ident + "\nmsg",
		"tree " + tree + "\nauthor" + ident + "parent " + p1 + "\ncommitter" + ident + "\nmsg",
		"parent " + p1 + "\ntree " + tree + "\nauthor" + ident + "\nmsg",
		"tree " + tree + "\nparent " + p1 + "x\nauthor" + ident + "\nmsg",
		"tree " + tree + "\n\nparent " + p1 + "\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		tr, parent, ok := quickLinks(raw)
		if !ok {
			return
		}
		o := &plumbing.MemoryObject{}
		o.SetType(plumbing.CommitObject)
		o.Write(raw)
		c, err := object.DecodeCommit(memory.NewStorage(), o)
		if err != nil {
			t.Fatalf("quickLinks read %q, go-git refuses it: %v", raw, err)
		}
		want := ""
		if len(c.ParentHashes) > 0 {
			want = c.ParentHashes[0].String()
		}
		if c.TreeHash != tr || parent != want {
			t.Fatalf("quickLinks: tree %s parent %q; go-git: tree %s parent %q", tr, parent, c.TreeHash, want)
		}
	})
}
