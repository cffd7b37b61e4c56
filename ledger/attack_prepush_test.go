//go:build unix

package ledger

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSyncRunsNoPrePushHook: sync pushed with 'git push', which runs the
// repository's own pre-push hook: a ledger copied from someone else (cp
// -r, a USB stick, an archive) with hooks/pre-push had that program run
// by 'concord sync'; and its fetch, reading the repository's config, ran
// a reference-transaction hook in the folder core.hooksPath names and
// the program core.alternateRefsCommand names. No hook or command of the
// repository's runs.
func TestSyncRunsNoPrePushHook(t *testing.T) {
	r := gitWorld(t)
	c := r.clone(t, r.dir)
	marker := filepath.Join(t.TempDir(), "ran")
	hooks := filepath.Join(c.dir, "hooks")
	if err := os.MkdirAll(hooks, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(hooks, "pre-push"), []byte("#!/bin/sh\necho pre-push >> '"+marker+"'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	// The fetch: a reference-transaction hook in the folder
	// core.hooksPath names, and core.alternateRefsCommand, which git runs
	// to list the repository's refs for the quarantine's negotiation.
	runGit(t, c.dir, "config", "core.hooksPath", hooks)
	if err := os.WriteFile(filepath.Join(hooks, "reference-transaction"), []byte("#!/bin/sh\necho reference-transaction >> '"+marker+"'\ncat >/dev/null\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	alt := filepath.Join(hooks, "alt")
	if err := os.WriteFile(alt, []byte("#!/bin/sh\necho alternateRefsCommand >> '"+marker+"'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	runGit(t, c.dir, "config", "core.alternateRefsCommand", alt)
	r.sign("pact", "a")
	if res := c.mustSync(""); res.Fetched != 1 {
		t.Fatalf("sync: %+v", res)
	}
	if data, err := os.ReadFile(marker); err == nil {
		t.Errorf("the sync's fetch ran the repository's commands: %s", data)
	}
	c.propose("pact2", []string{"a"}, "all", "en", "Two.\n")
	if res := c.mustSync(""); res.Pushed != 1 {
		t.Fatalf("sync: %+v", res)
	}
	if data, err := os.ReadFile(marker); err == nil {
		t.Errorf("the sync ran the repository's pre-push hook: %s", data)
	}
}
