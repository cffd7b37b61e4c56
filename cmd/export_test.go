package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/concord-ledger/concord/ledger"
	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/signing"
)

// everyRune is the permissive coverage an older release effectively had:
// it lets a test write what export cannot draw.
type everyRune struct{}

func (everyRune) Covers(rune) bool { return true }

// TestExportAllIsNotBlockedByOneDocument: a ratified version an older
// release accepted but no font can draw (U+20000) does not stop the
// others: export pdf --all writes every version it can, lists the one it
// could not and why, and exits 1.
func TestExportAllIsNotBlockedByOneDocument(t *testing.T) {
	h := newHarness(t)
	f := newFixture(t, h)
	f.propose("good", "bob", map[string]string{"en": "Good text.\n"})
	alice, err := signing.LoadPrivateKey(f.key("alice"), nil)
	if err != nil {
		t.Fatal(err)
	}
	old := ledger.Env{Now: time.Now, Glyphs: everyRune{}}
	if _, err := ledger.Propose(f.ledger, old, ledger.ProposeOptions{Document: "rare", Title: "Rare", Signers: []string{"bob"},
		Rule: rules.Rule{Kind: "all"}, As: "alice", Signer: alice,
		Texts: []ledger.TextInput{{Lang: "zh", Name: "zh", Data: []byte("姓名\U00020000。\n")}}}); err != nil {
		t.Fatal(err)
	}
	for _, doc := range []string{"good", "rare"} {
		h.mustRun(runOpts{}, "sign", doc, "--ledger", f.ledger, "--as", "bob", "--key", f.key("bob"), "--yes")
	}
	out := filepath.Join(f.dir, "archive")
	r := h.run(runOpts{}, "export", "pdf", "--all", "--output-dir", out, "--ledger", f.ledger)
	if r.code != ExitError {
		t.Fatalf("exit %d, want 1\nstderr:\n%s", r.code, r.stderr)
	}
	for _, want := range []string{
		"wrote 1 ratified version of ledger ",
		"not exported: rare v1: ",
		"U+20000",
		"concord: 1 ratified version(s) could not be rendered and are not in the archive: rare v1\n",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if !strings.Contains(r.stdout, filepath.Join(out, "good-v1.pdf")) {
		t.Errorf("stdout does not list good-v1.pdf:\n%s", r.stdout)
	}
	for _, name := range []string{"good-v1.pdf", "MANIFEST.json", "SHA256SUMS"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("archive lacks %s: %v", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "rare-v1.pdf")); err == nil {
		t.Errorf("rare-v1.pdf written")
	}
	manifest, _ := os.ReadFile(filepath.Join(out, "MANIFEST.json"))
	if strings.Contains(string(manifest), "rare") {
		t.Errorf("MANIFEST.json names the version it does not hold:\n%s", manifest)
	}
}
