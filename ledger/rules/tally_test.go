package rules

import (
	"crypto/ed25519"
	"crypto/sha256"
	"math/rand/v2"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/concord-ledger/concord/signing"
)

// testKey returns a fixed ed25519 public key for id.
func testKey(t testing.TB, id string) ssh.PublicKey {
	t.Helper()
	seed := sha256.Sum256([]byte("concord test key " + id))
	k, err := ssh.NewPublicKey(ed25519.NewKeyFromSeed(seed[:]).Public())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// The running tally applyDecision keeps agrees with approvalsOf, which
// recounts from the decisions, after every decision of a random sequence.
func TestTallyMatchesApprovalsOf(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	signers := []string{"a", "b", "c", "d", "e"}
	keyOf := map[string]ssh.PublicKey{}
	for i, id := range signers {
		keyOf[id] = testKey(t, signers[i/2]) // a, b share a key; c, d share one
	}
	for round := range 200 {
		doc := &Document{Signers: signers}
		vs := &VersionState{}
		approving := map[string]bool{}
		for step := range 30 {
			who := signers[r.IntN(len(signers))]
			d := Decision{Pos: step, Signatory: who, Decision: signing.Approve, Key: keyOf[who], Late: r.IntN(10) == 0}
			if approving[who] {
				d.Decision = signing.Withdraw
			}
			if round%2 == 1 && step == 10 {
				vs.count = nil // as a state read from the cache has it
			}
			count := vs.tallyOf()
			vs.Decisions = append(vs.Decisions, d)
			if d.Late {
				continue
			}
			approving[who] = d.Decision == signing.Approve
			count.add(&d)
			approvals, distinct := ApprovalsOf(doc, vs)
			if len(approvals) != len(count.approving) || distinct != len(count.keys) {
				t.Fatalf("round %d step %d: tally %d approvals, %d keys; approvalsOf %d, %d",
					round, step, len(count.approving), len(count.keys), len(approvals), distinct)
			}
		}
	}
}
