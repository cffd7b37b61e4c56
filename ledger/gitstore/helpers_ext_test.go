package gitstore_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/concord-ledger/concord/ledger/gitstore"
)

// appendN appends n commits to g after parent, each adding one file under
// prefix, and returns the last one.
func appendN(t *testing.T, g *gitstore.Repo, parent string, n int, prefix string) string {
	t.Helper()
	for i := 0; i < n; i++ {
		id, err := g.Append(gitstore.NewCommit{Parent: parent, Message: "entry\n", Name: "a", Email: "a",
			When:  time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC),
			Files: map[string][]byte{fmt.Sprintf("%s/%d/text.txt", prefix, i): []byte(fmt.Sprintf("The text of %s %d.\n", prefix, i))}})
		if err != nil {
			t.Fatal(err)
		}
		parent = id
	}
	return parent
}

// objectPath is the loose object id's file in the git folder dir.
func objectPath(dir, id string) string { return filepath.Join(dir, "objects", id[:2], id[2:]) }
