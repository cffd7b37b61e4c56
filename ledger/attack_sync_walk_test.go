package ledger

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/internal/testtool"
	"github.com/concord-ledger/concord/ledger/gitstore"
	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/ledger/statecache"
	"github.com/concord-ledger/concord/signing"
)

// Attacks on the sync's walk, which stops at the history kept with the
// accepted state (docs/LEDGER.md, "Sync verifies only what is new"), as a
// remote, or as a stock-git user of the same local repository, which
// concord must tolerate. Whatever the local state, a sync must refuse
// what a full 'concord verify' of the remote refuses, report true
// counts, leave no temporary file and keep no state a later sync trusts
// wrongly.

// acceptedFileHead returns the head the accepted-state file of w is kept
// for, "" when there is none that reads back.
func acceptedFileHead(t *testing.T, w *world) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(w.dir, acceptedStateFile))
	if err != nil {
		return ""
	}
	payload, ok := statecache.Unframe(raw)
	if !ok {
		return ""
	}
	var h acceptedHeader
	if gob.NewDecoder(bytes.NewReader(payload)).Decode(&h) != nil || h.Format != acceptedStateFormat {
		return ""
	}
	return h.Head
}

// noTempFiles fails when a temporary file of the accepted state (or any
// other atomic write) is left in w's git folder.
func noTempFiles(t *testing.T, w *world) {
	t.Helper()
	left, _ := filepath.Glob(filepath.Join(w.dir, ".*.tmp-*"))
	if len(left) > 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

// overTransports runs f with the syncs and clones going through go-git
// alone (git "") and through the git program.
func overTransports(t *testing.T, f func(t *testing.T, git string)) {
	t.Run("go-git", func(t *testing.T) { f(t, "") })
	t.Run("git", func(t *testing.T) {
		git := testtool.Require(t, "git")
		isolateGit(t, "")
		f(t, git)
	})
}

// setBranch moves w's branch main as stock git's update-ref would.
func setBranch(t *testing.T, w *world, id string) {
	t.Helper()
	ref := filepath.Join(w.dir, "refs", "heads", "main")
	if err := os.MkdirAll(filepath.Dir(ref), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ref, []byte(id+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestAttackSyncRetryAfterLostRaceAuditsWhatIsNew: the remote moves
// while a sync that re-created local entries pushes (the push loses the
// race); the next attempt fetches again, with the walk of the first
// attempt, and the local branch already moved onto the remote's first
// head. What the remote added meanwhile is audited: a forged entry is
// refused and nothing is accepted for it; a good one is taken, with
// true counts, and the state kept is the new head's.
func TestAttackSyncRetryAfterLostRaceAuditsWhatIsNew(t *testing.T) {
	overTransports(t, func(t *testing.T, git string) {
		for _, forged := range []bool{true, false} {
			name := "good"
			if forged {
				name = "forged"
			}
			t.Run(name, func(t *testing.T) {
				r := newWorld(t)
				r.env.Git = git
				r.propose("pact", []string{"a", "b", "c"}, "all", "en", "Pact.\n")
				c := r.clone(t, r.dir)
				cloned := c.head()
				c.sign("pact", "b") // a local entry to re-create
				local, localEntry := c.head(), c.entries()-1
				r.sign("pact", "a") // the remote moved
				first := r.head()
				moved := 0
				c.env.StepHook = func(step string) {
					if step != "sync: branch moved" {
						return
					}
					moved++
					if moved > 1 {
						return
					}
					// Between the first attempt's audit and its push.
					if forged {
						forgeBadSignatures(t, r, "pact", "c")
					} else {
						r.sign("pact", "c")
					}
				}
				res, err := c.sync("b")
				if forged {
					var re *RemoteRejectedError
					if !errors.As(err, &re) || !strings.Contains(err.Error(), "signature does not verify") {
						t.Fatalf("sync: %v, %+v; want the forged entry refused", err, res)
					}
					wantProblem(t, r.verify(VerifyOptions{}), "signature does not verify")
					if v := verifiedHead(t, c); v != cloned {
						t.Fatalf("the accepted head moved to %s on a refused sync (was %s)", v, cloned)
					}
					if h := acceptedFileHead(t, c); h != cloned {
						t.Fatalf("the accepted state is kept for %q, want the cloned head %s", h, cloned)
					}
					noTempFiles(t, c)
					c.mustVerify()
					// The refused sync left nothing a later one trusts: it
					// refuses again.
					c.env.StepHook = nil
					if _, err := c.sync("b"); !errors.As(err, &re) {
						t.Fatalf("the sync after the refusal: %v, want a refusal", err)
					}
					return
				}
				if err != nil {
					t.Fatalf("sync: %v", err)
				}
				if res.Attempts != 2 || res.Fetched != 2 || res.Pushed != 1 || res.Entries != r.entries() || res.Head != r.head() || c.head() != r.head() {
					t.Fatalf("sync: %+v; want 2 attempts, 2 fetched, 1 pushed, %d entries at %s", res, r.entries(), r.head())
				}
				// The local entry was re-created on each attempt: it is one
				// entry all the same.
				if res.Recreated != 1 {
					t.Fatalf("sync: %d entries reported re-created, there was 1 local entry", res.Recreated)
				}
				// It is reported with the place and commit it had before the
				// sync, not those of the first attempt's re-creation, and
				// there it ratifies (a, c and now b approved).
				want := []RecreatedEntry{{Was: localEntry, WasCommit: local, Entry: res.Entries - 1, Commit: res.Head}}
				if !slices.Equal(res.RecreatedEntries, want) {
					t.Errorf("re-created %+v, want %+v", res.RecreatedEntries, want)
				}
				if want := []RatifiedVersion{{Document: "pact", Version: 1, Entry: res.Entries - 1}}; !slices.Equal(res.Ratified, want) {
					t.Errorf("ratified %+v, want %+v", res.Ratified, want)
				}
				// The accepted head is the remote's head the second attempt
				// audited (the push made the remote's head ours).
				v := verifiedHead(t, c)
				if v == first || v == cloned || acceptedFileHead(t, c) != v {
					t.Fatalf("accepted head %s, state kept for %s; first fetched %s", v, acceptedFileHead(t, c), first)
				}
				noTempFiles(t, c)
				c.mustVerify()
				r.mustVerify()
				// The next sync resumes from that state and still audits.
				forgeBadSignatures(t, r, "pact", "a")
				wantRefused(t, c, "signature does not verify")
			})
		}
	})
}

// TestAttackSyncAfterStockGitMovesRefs: a stock-git user moves the local
// branch back to an older head, or to one the accepted head is not in,
// or moves refs/concord/verified back, or to a commit that is not there.
// The kept state (for the newer head) is then not used; a forged entry
// from the remote is refused and a good one taken, with true counts.
func TestAttackSyncAfterStockGitMovesRefs(t *testing.T) {
	overTransports(t, func(t *testing.T, git string) {
		for _, move := range []string{"branch back", "verified back", "verified unknown", "verified elsewhere", "both back"} {
			t.Run(move, func(t *testing.T) {
				// setUp makes a remote and a clone synced once, then moves
				// the clone's refs as move says.
				setUp := func() (r, c *world) {
					r = newWorld(t)
					r.env.Git = git
					r.propose("pact", []string{"a", "b", "c"}, "all", "en", "Pact.\n")
					c = r.clone(t, r.dir)
					old := c.head()
					r.sign("pact", "a")
					c.mustSync("")
					if acceptedFileHead(t, c) != c.head() {
						t.Fatal("no accepted state kept for the synced head")
					}
					switch move {
					case "branch back":
						setBranch(t, c, old)
					case "verified back":
						setVerified(t, c, old)
					case "verified unknown":
						setVerified(t, c, strings.Repeat("ab", 20))
					case "verified elsewhere":
						// A commit the clone holds, of another ledger.
						o := newWorld(t)
						o.propose("other", []string{"a"}, "all", "en", "Another.\n")
						copyObjects(t, o, c)
						setVerified(t, c, o.head())
					case "both back":
						setBranch(t, c, old)
						setVerified(t, c, old)
					}
					return r, c
				}
				r, c := setUp()
				forgeBadSignatures(t, r, "pact", "b")
				_, err := c.sync("")
				var re *RemoteRejectedError
				if !errors.As(err, &re) || !strings.Contains(err.Error(), "signature does not verify") {
					t.Fatalf("sync: %v; want the forged entry refused", err)
				}
				noTempFiles(t, c)

				// The same with a good entry on another remote state.
				r2, c2 := setUp()
				r2.sign("pact", "b")
				before := c2.entries()
				res := c2.mustSync("")
				if res.Head != r2.head() || res.Entries != r2.entries() || res.Fetched != r2.entries()-before || res.resumed != 0 {
					t.Fatalf("sync: %+v; want head %s, %d entries, %d fetched, none taken from a kept state", res, r2.head(), r2.entries(), r2.entries()-before)
				}
				if verifiedHead(t, c2) != r2.head() || acceptedFileHead(t, c2) != r2.head() {
					t.Fatalf("accepted head %s, state kept for %s; want %s", verifiedHead(t, c2), acceptedFileHead(t, c2), r2.head())
				}
				noTempFiles(t, c2)
				c2.mustVerify()
			})
		}
	})
}

// TestAttackSyncBranchOnDivergentHead: a stock-git user moves the local
// branch to a commit of their own on an older entry (a divergent head the
// accepted head is not in). The sync does not take the kept state, finds
// the local commit is not an entry it can re-create, and accepts nothing.
func TestAttackSyncBranchOnDivergentHead(t *testing.T) {
	r := newWorld(t)
	r.propose("pact", []string{"a", "b", "c"}, "all", "en", "Pact.\n")
	c := r.clone(t, r.dir)
	old := c.head()
	r.sign("pact", "a")
	c.mustSync("")
	marker := verifiedHead(t, c)
	// b's approval made on the old head in another clone, moved here by
	// stock git (the objects fetched, the branch set).
	r2 := r.clone(t, r.dir)
	setBranch(t, r2, old)
	r2.sign("pact", "b")
	div := r2.head()
	copyObjects(t, r2, c)
	setBranch(t, c, div)
	r.sign("pact", "c")
	res, err := c.sync("")
	if err == nil {
		t.Fatalf("sync without --as re-created a divergent local entry: %+v", res)
	}
	if verifiedHead(t, c) != marker || c.head() != div {
		t.Fatalf("a failed sync moved the accepted head (%s → %s) or the branch (%s → %s)", marker, verifiedHead(t, c), div, c.head())
	}
	noTempFiles(t, c)
	// With b's key, the entry is re-created on the remote's.
	res = c.mustSync("b")
	if res.Recreated != 1 || res.Pushed != 1 || res.Fetched != 2 || res.Entries != r.entries() || res.resumed != 0 {
		t.Fatalf("sync: %+v; want 1 re-created and pushed, 2 fetched, %d entries, no kept state taken", res, r.entries())
	}
	c.mustVerify()
	r.mustVerify()
}

// copyObjects copies the loose objects and packs of from into to, as
// 'git fetch' of from would bring them.
func copyObjects(t *testing.T, from, to *world) {
	t.Helper()
	src := filepath.Join(from.dir, "objects")
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if strings.HasPrefix(rel, "info") {
			return nil
		}
		dst := filepath.Join(to.dir, "objects", rel)
		if _, err := os.Stat(dst); err == nil {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o444)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAttackAcceptedStateInterruptedOrCopied: the file left by a sync
// killed after it moved refs/concord/verified and before it wrote the
// new state (the old file, for the head before), the file copied in from
// another clone of the ledger at another head, and one from a clone of
// another ledger: none is taken, a forged entry is refused, a good one is
// taken and the state kept for it.
func TestAttackAcceptedStateInterruptedOrCopied(t *testing.T) {
	for _, how := range []string{"interrupted", "other clone", "other ledger"} {
		t.Run(how, func(t *testing.T) {
			r := newWorld(t)
			r.propose("pact", []string{"a", "b", "c"}, "all", "en", "Pact.\n")
			c := r.clone(t, r.dir)
			var file []byte
			switch how {
			case "interrupted":
				file = readFile(t, filepath.Join(c.dir, acceptedStateFile))
				r.sign("pact", "a")
				c.mustSync("")
			case "other clone":
				other := r.clone(t, r.dir)
				r.sign("pact", "a")
				other.mustSync("")
				file = readFile(t, filepath.Join(other.dir, acceptedStateFile))
			case "other ledger":
				o := newWorld(t)
				o.propose("other", []string{"a", "b"}, "all", "en", "Another.\n")
				file = readFile(t, filepath.Join(o.clone(t, o.dir).dir, acceptedStateFile))
			}
			if err := os.WriteFile(filepath.Join(c.dir, acceptedStateFile), file, 0o644); err != nil {
				t.Fatal(err)
			}
			if h := acceptedFileHead(t, c); h == "" || h == verifiedHead(t, c) {
				t.Fatalf("the file put in is kept for %q, the accepted head is %s", h, verifiedHead(t, c))
			}
			good := r.head()
			forgeBadSignatures(t, r, "pact", "b")
			wantRefused(t, c, "signature does not verify")
			noTempFiles(t, c)
			// The remote goes back to its good head (the forgery was
			// never fetched into the branch) and moves on.
			setBranch(t, r, good)
			r.sign("pact", "b")
			res := c.mustSync("")
			if res.resumed != 0 || res.Head != r.head() || res.Entries != r.entries() {
				t.Fatalf("sync: %+v; want none taken from the file put in, head %s, %d entries", res, r.head(), r.entries())
			}
			if acceptedFileHead(t, c) != r.head() {
				t.Fatal("no state kept for the head accepted")
			}
			r.sign("pact", "c")
			if res := c.mustSync(""); res.resumed != r.entries()-1 {
				t.Fatalf("the next sync took %d entries from the kept state, want %d", res.resumed, r.entries()-1)
			}
			c.mustVerify()
		})
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestAttackAcceptedStateUnwritable: the accepted state's name taken by a
// folder (stock git, or a user's mistake): a sync still succeeds, leaves
// no temporary file, and the next sync audits the whole history.
func TestAttackAcceptedStateUnwritable(t *testing.T) {
	r := newWorld(t)
	r.propose("pact", []string{"a", "b", "c"}, "all", "en", "Pact.\n")
	c := r.clone(t, r.dir)
	path := filepath.Join(c.dir, acceptedStateFile)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	r.sign("pact", "a")
	res := c.mustSync("")
	if res.resumed != 0 || res.Fetched != 1 || res.Head != r.head() {
		t.Fatalf("sync: %+v", res)
	}
	noTempFiles(t, c)
	forgeBadSignatures(t, r, "pact", "b")
	wantRefused(t, c, "signature does not verify")
	noTempFiles(t, c)
	if _, ok := readAcceptedOf(c); ok {
		t.Fatal("a state read back from a folder")
	}
}

func readAcceptedOf(w *world) (acceptedHeader, bool) {
	l := w.open()
	h, _, ok := readAccepted(l.repo, verifiedHead(w.t.(*testing.T), w))
	return h, ok
}

// TestAttackSyncPushDroppedAfterRecreate: both ledgers moved, the sync
// re-creates its local entry on the remote's and the push is dropped
// mid-pack (the remote did not move). The error must count the local
// entries the remote does not have: the one re-created, not the remote's
// own entry the branch now holds below it, and say that the branch took
// the remote's entry and holds the local one re-created on it (it is not
// "as it was"). Nothing accepted is lost, and the next sync delivers the
// entry.
func TestAttackSyncPushDroppedAfterRecreate(t *testing.T) {
	r := newWorld(t)
	r.propose("pact", []string{"a", "b", "c"}, "all", "en", "Pact.\n")
	p := newFaultProxy(t, startGitDaemon(t, filepath.Dir(r.dir)))
	c := r.clone(t, "git://"+p.addr()+"/"+filepath.Base(r.dir))
	c.sign("pact", "a") // the local entry
	r.sign("pact", "b") // the remote's
	remote := r.head()
	p.set(fault{kind: dropUp, service: "git-receive-pack", after: 40})
	_, err := Sync(context.Background(), c.dir, c.env, SyncOptions{Signers: c.signers("a")})
	var re *RemoteError
	if !errors.As(err, &re) || re.Op != "pushing" {
		t.Fatalf("sync: %v, want a RemoteError pushing", err)
	}
	if !strings.Contains(err.Error(), "; nothing was lost: the ledger took 1 audited entry from the remote and re-created 1 entry of its own on top, and has 1 entry the remote does not have") ||
		re.Local != 1 || re.Fetched != 1 || re.Recreated != 1 {
		t.Fatalf("error %q (Local %d, Fetched %d, Recreated %d): want it to count the 1 local entry, and say the branch took the remote's and re-created the local one", err, re.Local, re.Fetched, re.Recreated)
	}
	if r.head() != remote {
		t.Fatalf("the remote moved from %s to %s", remote, r.head())
	}
	c.mustVerify()
	noTempFiles(t, c)
	p.set(fault{})
	res := c.mustSync("a")
	if res.Pushed != 1 || c.head() != r.head() || res.Entries != r.entries() {
		t.Fatalf("the retry: %+v; want 1 pushed, heads equal", res)
	}
	r.mustVerify()
}

// TestAttackAcceptedStateAcrossResumedSyncs: each sync resumes from the
// state the last one kept, itself reached by a resumed audit, and keeps
// the state it reaches: a state that loses something in the file would
// then drift from the truth over syncs. After every step of a ledger with
// each kind of entry (a rotation, two-language texts, an amendment, a
// withdrawal, a quorum, a revocation, a pending roster change) fetched by
// its own sync, the state kept equals a full audit's at that head, the
// sync took every earlier entry from the kept state, and the history kept
// with it is the head's.
func TestAttackAcceptedStateAcrossResumedSyncs(t *testing.T) {
	overTransports(t, func(t *testing.T, git string) {
		w := newWorld(t)
		w.env.Git = git
		c := w.clone(t, w.dir)
		newA := newPerson(t, "a-new-key", false)
		var change string
		steps := []func(){
			func() {
				res, err := ProposeRosterChange(w.dir, w.env, RosterChangeOptions{Action: rules.ActionRotate, ID: "a", Key: newA.signer.PublicKey(), As: "s1", Signer: w.people["s1"].signer})
				if err != nil {
					t.Fatal(err)
				}
				change = res.Change
			},
			func() {
				if _, err := ApproveRosterChange(w.dir, w.env, change, "s2", w.people["s2"].signer); err != nil {
					t.Fatal(err)
				}
				w.people["a"].signer = newA.signer
			},
			func() { w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n", "zh", "协定。\n") },
			func() { w.sign("pact", "a") },
			func() { w.sign("pact", "b") },
			func() { w.propose("draft", []string{"a", "b", "c"}, "all", "en", "Draft one.\n") },
			func() { w.sign("draft", "c") },
			func() {
				if _, err := Amend(w.dir, w.env, AmendOptions{Document: "draft", Texts: []TextInput{{Lang: "en", Name: "en", Data: []byte("Draft two.\n")}},
					As: "s1", Signer: w.people["s1"].signer}); err != nil {
					t.Fatal(err)
				}
			},
			func() { w.sign("draft", "a") },
			func() {
				if _, err := w.decide("draft", 0, "a", signing.Withdraw); err != nil {
					t.Fatal(err)
				}
			},
			func() { w.sign("draft", "a") },
			func() { w.propose("quorum", []string{"a", "b", "c"}, "quorum:2", "en", "Two of three.\n") },
			func() { w.sign("quorum", "b") },
			func() { w.sign("quorum", "c") },
			func() {
				res, err := ProposeRosterChange(w.dir, w.env, RosterChangeOptions{Action: rules.ActionRevoke, ID: "c", As: "s1", Signer: w.people["s1"].signer})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := ApproveRosterChange(w.dir, w.env, res.Change, "s2", w.people["s2"].signer); err != nil {
					t.Fatal(err)
				}
			},
			func() {
				d := newPerson(t, "d", false)
				m := d.Member
				if _, err := ProposeRosterChange(w.dir, w.env, RosterChangeOptions{Action: rules.ActionAdd, Member: &m, As: "s2", Signer: w.people["s2"].signer}); err != nil {
					t.Fatal(err)
				}
			},
		}
		for i, step := range steps {
			before := c.entries()
			step()
			res := c.mustSync("")
			if res.resumed != before || res.Fetched != w.entries()-before || res.Head != w.head() || res.Entries != w.entries() {
				t.Fatalf("step %d: sync %+v; want %d entries taken from the kept state, %d fetched, head %s", i, res, before, w.entries()-before, w.head())
			}
			l := c.open()
			kept := loadAccepted(l.repo, w.head())
			full, err := verifyRepo(l.repo, w.head(), VerifyOptions{})
			if err != nil || !full.OK() || kept == nil {
				t.Fatalf("step %d: full audit %v %v; kept state %v", i, err, full, kept)
			}
			if a, b := stateView(t, kept), stateView(t, full.state); a != b {
				t.Fatalf("step %d: the kept state drifted from the full audit's:\n%s\n%s", i, a, b)
			}
			h, _, ok := readAccepted(l.repo, w.head())
			if !ok || !slices.Equal(h.Chain, full.chain) {
				t.Fatalf("step %d: the history kept is not the head's", i)
			}
		}
		forgeBadSignatures(t, w, "quorum", "a")
		wantRefused(t, c, "signature does not verify")
	})
}

// TestAttackSyncRefsMovedDuringFetch: a stock-git user moves
// refs/concord/verified, or the branch, while the sync fetches (after it
// read the accepted state and started decoding it). The state decoded for
// the head named before is not taken for another; a forged entry is
// refused; a branch moved under the sync makes it fail without accepting
// anything, and the next sync is whole.
func TestAttackSyncRefsMovedDuringFetch(t *testing.T) {
	overTransports(t, func(t *testing.T, git string) {
		for _, move := range []string{"verified back", "verified forward", "branch back"} {
			t.Run(move, func(t *testing.T) {
				for _, forged := range []bool{true, false} {
					r := newWorld(t)
					r.env.Git = git
					r.propose("pact", []string{"a", "b", "c"}, "all", "en", "Pact.\n")
					c := r.clone(t, r.dir)
					old := c.head()
					r.sign("pact", "a")
					c.mustSync("")
					accepted := c.head()
					if move == "verified forward" {
						setVerified(t, c, old) // forward again during the fetch
					}
					if forged {
						forgeBadSignatures(t, r, "pact", "b")
					} else {
						r.sign("pact", "b")
					}
					c.env.StepHook = func(step string) {
						if step != "fetch: objects fetched" {
							return
						}
						switch move {
						case "verified back":
							setVerified(t, c, old)
						case "verified forward":
							setVerified(t, c, accepted)
						case "branch back":
							setBranch(t, c, old)
						}
					}
					res, err := c.sync("")
					c.env.StepHook = nil
					noTempFiles(t, c)
					if forged {
						var re *RemoteRejectedError
						if !errors.As(err, &re) || !strings.Contains(err.Error(), "signature does not verify") {
							t.Fatalf("forged: sync %v; want the forged entry refused", err)
						}
						continue
					}
					if move == "branch back" {
						if err == nil {
							t.Fatalf("a sync whose branch moved under it succeeded: %+v", res)
						}
						if !errors.Is(err, gitstore.ErrHeadMoved) || !strings.Contains(err.Error(), "moved by another program while the sync ran; nothing was accepted") {
							t.Fatalf("the branch moved under the sync: %v; want it said", err)
						}
						if verifiedHead(t, c) != accepted || acceptedFileHead(t, c) != accepted || c.head() != old {
							t.Fatalf("the failed sync moved the accepted head to %s, the state to %s, or the branch to %s", verifiedHead(t, c), acceptedFileHead(t, c), c.head())
						}
						res = c.mustSync("")
						if res.Fetched != 2 || res.resumed != 0 {
							t.Fatalf("the next sync: %+v; want 2 fetched, the kept state not taken (its head is not in the branch)", res)
						}
					} else if err != nil {
						t.Fatalf("sync: %v", err)
					} else if want := map[string]int{"verified back": 0, "verified forward": r.entries() - 1}[move]; res.resumed != want || res.Fetched != 1 {
						t.Fatalf("sync: %+v; want 1 fetched, %d entries taken from the kept state", res, want)
					}
					if c.head() != r.head() || verifiedHead(t, c) != r.head() || acceptedFileHead(t, c) != r.head() {
						t.Fatalf("head %s, accepted %s, state kept for %s; want %s", c.head(), verifiedHead(t, c), acceptedFileHead(t, c), r.head())
					}
					c.mustVerify()
				}
			})
		}
	})
}

// TestAttackVerifyIgnoresAcceptedState: whoever can write the local
// repository can make it vouch for anything (the trust model: they could
// move the branch too), but 'concord verify' reads neither the file nor
// refs/concord/verified. A forged entry made the branch's head, with the
// accepted head and a kept state (and history) made for it, is found by
// verify all the same.
func TestAttackVerifyIgnoresAcceptedState(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
	c := w.clone(t, w.dir)
	forged := forgeBadSignatures(t, c, "pact", "b")
	l := c.open()
	rep, err := verifyRepo(l.repo, forged, VerifyOptions{accepted: forged})
	if err != nil || !rep.OK() || rep.state == nil {
		t.Fatalf("the audit trusting the forged head: %v %v", err, rep)
	}
	saveAccepted(l.repo, forged, rep.chain, rep.state)
	setVerified(t, c, forged)
	if h, _, ok := readAccepted(l.repo, forged); !ok || h.Head != forged {
		t.Fatal("the made-up state is not kept for the forged head")
	}
	wantProblem(t, c.verify(VerifyOptions{}), "signature does not verify")
}

// TestAttackAcceptedStateTempLeftByCrash: a sync killed while it writes
// the accepted state (megabytes, fsynced, at its very end) leaves the
// temporary file of the write. The next sync that keeps a state removes
// it, and is not misled by it.
func TestAttackAcceptedStateTempLeftByCrash(t *testing.T) {
	w := newWorld(t)
	w.propose("pact", []string{"a", "b"}, "all", "en", "Pact.\n")
	c := w.clone(t, w.dir)
	kept := readFile(t, filepath.Join(c.dir, acceptedStateFile))
	for _, name := range []string{".concord-accepted-state.tmp-123", ".concord-accepted-state.tmp-456"} {
		if err := os.WriteFile(filepath.Join(c.dir, name), kept[:len(kept)/2], 0o600); err != nil {
			t.Fatal(err)
		}
	}
	w.sign("pact", "a")
	if res := c.mustSync(""); res.resumed != w.entries()-1 {
		t.Fatalf("sync: %+v; want %d entries taken from the kept state", res, w.entries()-1)
	}
	noTempFiles(t, c)
	if acceptedFileHead(t, c) != w.head() {
		t.Fatal("no state kept for the head accepted")
	}
}
