package rules

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/concord-ledger/concord/signing"
)

// A checkpoint is a signed note (golang.org/x/mod/sumdb/note) whose text is
// exactly
//
//	concord checkpoint v1
//	ledger <ledger id>
//	entries <number of entries>
//	head <commit id of the last entry>
//
// signed by roster members under their member id. See docs/LEDGER.md,
// "Checkpoints".
const checkpointHeader = "concord checkpoint v1"

var checkpointTextRe = regexp.MustCompile(`\Aconcord checkpoint v1\nledger ([0-9a-f]{64})\nentries ([1-9][0-9]{0,9})\nhead ([0-9a-f]{40})\n\z`)

// Checkpoint is what a checkpoint states: the ledger, how many entries it
// had and its head then.
type Checkpoint struct {
	Ledger  string `json:"ledger"`
	Entries int    `json:"entries"`
	Head    string `json:"head"`
	// Signers are the members whose signatures on the note verified.
	Signers []string `json:"signers,omitempty"`
}

// Text returns the checkpoint's note text.
func (c *Checkpoint) Text() string {
	return fmt.Sprintf("%s\nledger %s\nentries %d\nhead %s\n", checkpointHeader, c.Ledger, c.Entries, c.Head)
}

// ParseCheckpointText parses a checkpoint's note text, accepting only the
// exact form Text writes.
func ParseCheckpointText(text string) (*Checkpoint, error) {
	m := checkpointTextRe.FindStringSubmatch(text)
	if m == nil {
		return nil, errors.New("not a concord checkpoint (want the lines \"concord checkpoint v1\", \"ledger ID\", \"entries N\", \"head COMMIT\")")
	}
	n, err := strconv.Atoi(m[2])
	if err != nil {
		return nil, fmt.Errorf("entries %q: %w", m[2], err)
	}
	return &Checkpoint{Ledger: m[1], Entries: n, Head: m[3]}, nil
}

// NoteVerifiers returns a verifier for every key ever enrolled on the
// roster, named by its member's id.
func (st *State) NoteVerifiers() (note.Verifiers, error) {
	var list []note.Verifier
	for _, id := range st.Order {
		for _, k := range st.Members[id].Keys {
			v, err := signing.NoteVerifier(id, k.Key)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
	}
	return note.VerifierList(list...), nil
}

// OpenCheckpoint checks a checkpoint note's signatures against every key the
// roster ever held and parses its text. At least one signature must verify;
// a signature line by a key the roster never held is refused.
func OpenCheckpoint(st *State, msg []byte) (*Checkpoint, error) {
	vs, err := st.NoteVerifiers()
	if err != nil {
		return nil, err
	}
	n, err := note.Open(msg, vs)
	if err != nil {
		var unverified *note.UnverifiedNoteError
		if errors.As(err, &unverified) {
			if c, perr := ParseCheckpointText(unverified.Note.Text); perr == nil && c.Ledger != st.ID {
				return nil, fmt.Errorf("it is a checkpoint of ledger %s, not of this ledger %s (signed by %s)", c.Ledger, st.ID, sigNames(unverified.Note.UnverifiedSigs))
			}
			return nil, fmt.Errorf("signed by no key on this ledger's roster (%s)", sigNames(unverified.Note.UnverifiedSigs))
		}
		if strings.Contains(err.Error(), "invalid signature") {
			return nil, fmt.Errorf("a signature on it does not verify: it was changed after it was signed (%v)", err)
		}
		return nil, fmt.Errorf("not a signed note as concord writes checkpoints: %v", err)
	}
	if len(n.UnverifiedSigs) > 0 {
		return nil, fmt.Errorf("also carries signatures by keys not on this ledger's roster (%s)", sigNames(n.UnverifiedSigs))
	}
	c, err := ParseCheckpointText(n.Text)
	if err != nil {
		return nil, err
	}
	for _, s := range n.Sigs {
		c.Signers = append(c.Signers, s.Name)
	}
	return c, nil
}

func sigNames(sigs []note.Signature) string {
	s := ""
	for i, sig := range sigs {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s %08x", sig.Name, sig.Hash)
	}
	if s == "" {
		s = "no signature"
	}
	return s
}
