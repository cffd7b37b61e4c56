package cmd

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/concord-ledger/concord/ledger"
)

// TestSyncRehint: a sync refusal whose hint is the next command to run
// names the ledger folder and the remote the sync was called with, as
// one shell word each, the remote's credentials masked.
func TestSyncRehint(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"c2", "c2"},
		{"/srv/ledgers/almaty-2026", "/srv/ledgers/almaty-2026"},
		{"my ledger", `"my ledger"`},
		{"a'b", `"a'b"`},
		{"", `""`},
	} {
		if got := shellWord(tc.in); got != tc.want {
			t.Errorf("shellWord(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
	o := &syncOptions{Remote: "https://ana:s3cret@forge.example/ledger.git"}
	c := &cobra.Command{}
	c.Flags().String("ledger", "", "")
	if err := c.Flags().Set("ledger", "my ledger"); err != nil {
		t.Fatal(err)
	}
	keys := &ledger.RefusedError{Reason: ledger.RefusedKeysNeeded, Msg: "m", Actors: []string{"xjtu", "kaznu"}}
	got := errorHint(o.rehint(keys, c, "my ledger"))
	want := `run 'concord sync --ledger "my ledger" --remote "https://***@forge.example/ledger.git" --as xjtu --key FILE --as kaznu --key FILE' to re-create them with their signatories' keys`
	if got != want {
		t.Errorf("keys needed:\n%s\nwant\n%s", got, want)
	}
	place := &ledger.RefusedError{Reason: ledger.RefusedCannotPlace, Msg: "m", Commit: "0123456789abcdef0123456789abcdef01234567", Entries: 1}
	got = errorHint(o.rehint(place, c, "my ledger"))
	want = `to take the remote's entries instead, dropping your 1 local entry after commit 0123456789ab (make it again afterwards, on the remote's): git -C "my ledger" update-ref refs/heads/main 0123456789abcdef0123456789abcdef01234567, then 'concord sync --ledger "my ledger" --remote "https://***@forge.example/ledger.git"'`
	if got != want {
		t.Errorf("cannot place:\n%s\nwant\n%s", got, want)
	}
	if strings.Contains(got, "s3cret") {
		t.Errorf("a hint prints the remote's credentials: %s", got)
	}
	if code := exitCode(o.rehint(place, c, "x")); code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
}
