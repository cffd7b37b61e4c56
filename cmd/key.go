package cmd

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/ssh"

	"github.com/concord-ledger/concord/signing"
)

// testKDFRoundsEnv names the environment variable that sets the bcrypt KDF
// rounds of new encrypted keys. It exists so tests can make keys cheaply
// (e.g. 1 round); users should leave it unset (ssh-keygen's 16 rounds).
const testKDFRoundsEnv = "CONCORD_TEST_KDF_ROUNDS"

func init() { register(newKeyCmd) }

func newKeyCmd(s *IO) *cobra.Command {
	c := &cobra.Command{
		Use:   "key",
		Short: "Make and inspect ed25519 signing keys",
		Long: `Make and inspect the ed25519 keys signatories sign with. Keys are OpenSSH
key files, interchangeable with ssh-keygen's: a key made by
'ssh-keygen -t ed25519' works with concord, and a key made by concord works
with ssh-keygen, ssh-add and git.`,
	}
	c.AddCommand(newKeyNewCmd(s), newKeyShowCmd(s), newKeyFingerprintCmd(s))
	return c
}

// keyNewOptions are the flags of `concord key new`.
type keyNewOptions struct {
	output         string
	comment        string
	passphraseFile string
	noPassphrase   bool
	json           bool
}

func newKeyNewCmd(s *IO) *cobra.Command {
	var o keyNewOptions
	c := &cobra.Command{
		Use:   "new --output FILE",
		Short: "Make a new ed25519 key, encrypted with a passphrase",
		Long: `Make a new ed25519 key and write it to FILE (OpenSSH private key, mode 0600,
encrypted with a passphrase: bcrypt KDF and aes256-ctr, as ssh-keygen does)
and its public key to FILE.pub. Existing files are never overwritten.

The passphrase is the first line of --passphrase-file FILE, else of the file
named by $CONCORD_PASSPHRASE_FILE, else it is asked twice on the terminal.
An unencrypted key is written only with --no-passphrase.

The public key line is printed on stdout.`,
		Args: argsNamed(),
		RunE: func(c *cobra.Command, args []string) error {
			return runKeyNew(s, &o)
		},
	}
	f := c.Flags()
	f.StringVarP(&o.output, "output", "o", "", "write the private key to `FILE` and the public key to FILE.pub")
	f.StringVarP(&o.comment, "comment", "C", "", "key comment, e.g. a name or e-mail address")
	addPassphraseFileFlag(c, &o.passphraseFile)
	f.BoolVar(&o.noPassphrase, "no-passphrase", false, "write the private key unencrypted")
	f.BoolVar(&o.json, "json", false, "print the new public key as JSON")
	return c
}

func runKeyNew(s *IO, o *keyNewOptions) error {
	if o.output == "" {
		return usagef("key new needs --output FILE")
	}
	if o.noPassphrase && o.passphraseFile != "" {
		return usagef("--passphrase-file and --no-passphrase cannot be used together")
	}
	if !signing.ValidComment(o.comment) {
		return usagef("invalid --comment %q: it must be text without control characters or outer spaces", o.comment)
	}
	rounds, err := kdfRounds(s)
	if err != nil {
		return err
	}
	// Refuse before asking for a passphrase; CreateKeyFiles checks again.
	if err := signing.CheckNewKeyPaths(o.output); err != nil {
		return err
	}
	var pass []byte
	if !o.noPassphrase {
		if pass, err = newPassphrase(s, o.passphraseFile, o.output); err != nil {
			return err
		}
		defer clear(pass)
	}
	pub, err := signing.CreateKeyFiles(o.output, o.comment, pass, rounds, s.Rand)
	if err != nil {
		return err
	}
	if o.noPassphrase {
		fmt.Fprintf(s.Err, "wrote the private key to %s, UNENCRYPTED, and the public key to %s.pub\n", o.output, o.output)
	} else {
		fmt.Fprintf(s.Err, "wrote the private key to %s, encrypted, and the public key to %s.pub\n", o.output, o.output)
	}
	if o.json {
		return printKeyJSON(s.Out, pub, o.comment)
	}
	_, err = s.Out.Write(signing.MarshalPublicKey(pub, o.comment))
	return err
}

// kdfRounds returns the KDF rounds for new keys: $CONCORD_TEST_KDF_ROUNDS
// if set, else 0 (the default).
func kdfRounds(s *IO) (int, error) {
	v := s.Getenv(testKDFRoundsEnv)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > signing.MaxKDFRounds {
		return 0, usagef("$%s must be a whole number from 1 to %d, not %q", testKDFRoundsEnv, signing.MaxKDFRounds, v)
	}
	return n, nil
}

// keyShowOptions are the flags of `concord key show` and `key fingerprint`.
type keyShowOptions struct {
	json bool
}

func newKeyShowCmd(s *IO) *cobra.Command {
	var o keyShowOptions
	c := &cobra.Command{
		Use:   "show FILE",
		Short: "Print the public key of a key file",
		Long: `Print the public key of FILE in authorized_keys form ("ssh-ed25519 AAAA…
comment"). FILE may be a private key (no passphrase is needed: the public key
is stored unencrypted in it) or a public key file.`,
		Args: argsNamed("FILE"),
		RunE: func(c *cobra.Command, args []string) error {
			info, err := signing.ReadKeyInfo(args[0])
			if err != nil {
				return err
			}
			if o.json {
				return printKeyJSON(s.Out, info.PublicKey, info.Comment)
			}
			_, err = s.Out.Write(signing.MarshalPublicKey(info.PublicKey, info.Comment))
			return err
		},
	}
	c.Flags().BoolVar(&o.json, "json", false, "print type, public key, fingerprint and comment as JSON")
	return c
}

func newKeyFingerprintCmd(s *IO) *cobra.Command {
	var o keyShowOptions
	c := &cobra.Command{
		Use:   "fingerprint FILE",
		Short: "Print the SHA-256 fingerprint of a key file",
		Long: `Print the fingerprint of the key in FILE exactly as 'ssh-keygen -l -f FILE'
does: "256 SHA256:… comment (ED25519)". FILE may be a private key (no
passphrase is needed) or a public key file. As with ssh-keygen, the comment
of a private key comes from FILE.pub when that exists.`,
		Args: argsNamed("FILE"),
		RunE: func(c *cobra.Command, args []string) error {
			info, err := signing.ReadKeyInfo(args[0])
			if err != nil {
				return err
			}
			if o.json {
				return printKeyJSON(s.Out, info.PublicKey, info.Comment)
			}
			_, err = fmt.Fprintln(s.Out, signing.FingerprintLine(info.PublicKey, info.Comment))
			return err
		},
	}
	c.Flags().BoolVar(&o.json, "json", false, "print type, public key, fingerprint and comment as JSON")
	return c
}

// keyJSON is the --json output of the key commands.
type keyJSON struct {
	Type        string `json:"type"`
	PublicKey   string `json:"public_key"`
	Fingerprint string `json:"fingerprint"`
	Comment     string `json:"comment"`
}

// printKeyJSON prints pub and comment as one keyJSON object.
func printKeyJSON(w io.Writer, pub ssh.PublicKey, comment string) error {
	line := signing.MarshalPublicKey(pub, "")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(keyJSON{
		Type:        pub.Type(),
		PublicKey:   string(line[:len(line)-1]),
		Fingerprint: signing.Fingerprint(pub),
		Comment:     comment,
	})
}
