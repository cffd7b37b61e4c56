package cmd

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/ssh"

	"github.com/concord-ledger/concord/documents/pdf"
	"github.com/concord-ledger/concord/ledger"
	"github.com/concord-ledger/concord/signing"
)

// signerOptions are the flags of every command that writes an entry: who
// acts, and the key they sign with.
type signerOptions struct {
	As             string
	Key            string
	PassphraseFile string
	Agent          bool
}

func addSignerFlags(c *cobra.Command, o *signerOptions) {
	c.Flags().StringVar(&o.As, "as", "", "your roster id (required)")
	c.Flags().StringVar(&o.Key, "key", "", "your private key file, or with --agent its public key file (required)")
	addPassphraseFileFlag(c, &o.PassphraseFile)
	c.Flags().BoolVar(&o.Agent, "agent", false, "sign through ssh-agent ($SSH_AUTH_SOCK); --key names the public key")
}

// check reports missing flags as usage errors.
func (o *signerOptions) check() error {
	if o.As == "" {
		return usagef("--as ID is required: your id on the roster")
	}
	if o.Key == "" {
		return usagef("--key FILE is required: your private key (or, with --agent, its public key)")
	}
	return nil
}

// signer loads the key: a private key file, or a key held by ssh-agent.
func (o *signerOptions) signer(s *IO) (ssh.Signer, error) {
	if o.Agent {
		info, err := signing.ReadKeyInfo(o.Key)
		if err != nil {
			return nil, err
		}
		sock := signing.AgentSocket(s.Getenv("SSH_AUTH_SOCK")) // on Windows, OpenSSH's pipe by default
		if sock == "" {
			return nil, &hintedError{msg: "--agent: SSH_AUTH_SOCK is not set", hint: "start ssh-agent and ssh-add your key"}
		}
		return signing.AgentSigner(sock, info.PublicKey)
	}
	return loadPrivateKey(s, o.PassphraseFile, o.Key)
}

// env is the environment of the ledger's writes: the clock, randomness, the
// state cache, the git program that reaches remotes, and the PDF's glyph
// coverage, against which every field and text written is checked.
func env(s *IO) ledger.Env {
	return ledger.Env{Now: s.Now, Rand: s.Rand, Cache: s.cache, Git: gitProgram(s), Glyphs: &lazyCoverage{}}
}

// lazyCoverage is the PDF's glyph coverage (pdf.Coverage), its embedded
// fonts parsed at the first character checked: most commands write no text,
// and the parse costs tens of milliseconds, a large part of a short
// command. Should the fonts be unusable (which the build's tests rule out,
// and 'concord doctor' reports), every character is refused.
type lazyCoverage struct {
	once sync.Once
	cv   *pdf.Coverage
}

func (l *lazyCoverage) get() *pdf.Coverage {
	l.once.Do(func() { l.cv, _ = pdf.NewCoverage() })
	return l.cv
}

// Covers implements documents.Glyphs.
func (l *lazyCoverage) Covers(r rune) bool {
	cv := l.get()
	return cv != nil && cv.Covers(r)
}

// Unshaped implements documents.Shaper.
func (l *lazyCoverage) Unshaped(r rune) string {
	if cv := l.get(); cv != nil {
		return cv.Unshaped(r)
	}
	return ""
}

// Unencodable implements documents.Encoder.
func (l *lazyCoverage) Unencodable(r rune) string {
	if cv := l.get(); cv != nil {
		return cv.Unencodable(r)
	}
	return "the embedded fonts cannot be read"
}

// printJSON writes v as indented JSON to the data stream.
func printJSON(s *IO, v any) error {
	enc := json.NewEncoder(inertJSON{s.Out})
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// demoBanner is printed above every view of a demonstration ledger.
const demoBanner = "DEMONSTRATION LEDGER: illustrative text, demo keys, signed by no real person."

func printDemo(s *IO, demo bool) {
	if demo {
		fmt.Fprintln(s.Out, demoBanner)
	}
}

// openLedger opens the ledger the command works on.
func openLedger(c *cobra.Command, s *IO) (*ledger.Ledger, error) {
	return ledger.OpenWith(ledgerDir(c, s), s.cache)
}
