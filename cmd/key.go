package cmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/ssh"

	"github.com/concord-ledger/concord/documents"
	"github.com/concord-ledger/concord/signing"
)

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
and its public key to FILE.pub. Existing files are never overwritten. Missing
folders on the way to FILE are made, with mode 0700 (as ~/.ssh).

The passphrase is the first line of --passphrase-file FILE (which group and
others must not be able to read: chmod 600), else of the file named by
$CONCORD_PASSPHRASE_FILE, else it is asked twice on the terminal, and again
(three tries) if the two answers differ. An unencrypted key is written only
with --no-passphrase.

The public key line is printed on stdout; where the files went and the key's
fingerprint (as 'ssh-keygen -l' prints it) on stderr.`,
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

func runKeyNew(s *IO, o *keyNewOptions) (err error) {
	if o.output == "" {
		return usagef("key new needs --output FILE")
	}
	if o.noPassphrase && o.passphraseFile != "" {
		return usagef("--passphrase-file and --no-passphrase cannot be used together")
	}
	if !signing.ValidComment(o.comment) {
		return usagef("invalid --comment %q: it must be text without control characters or outer spaces", o.comment)
	}
	// The key's folder is made if missing (0700, as ~/.ssh), and removed
	// again if no key is written in the end.
	made, err := makeKeyFolders(filepath.Dir(o.output))
	defer func() {
		if err != nil {
			removeFolders(made)
		}
	}()
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
	pub, err := signing.CreateKeyFiles(o.output, s.Rand, signing.PrivateKeyOptions{
		Comment: o.comment, Passphrase: pass, Encrypt: s.EncryptKey,
	})
	if err != nil {
		return err
	}
	for _, d := range made {
		fmt.Fprintf(s.Err, "made the folder %s (mode 0700)\n", d)
	}
	if o.noPassphrase {
		fmt.Fprintf(s.Err, "wrote the private key to %s, UNENCRYPTED, and the public key to %s.pub\n", o.output, o.output)
	} else {
		fmt.Fprintf(s.Err, "wrote the private key to %s, encrypted, and the public key to %s.pub\n", o.output, o.output)
	}
	fmt.Fprintf(s.Err, "fingerprint: %s\n", signing.FingerprintLine(pub, o.comment))
	if o.json {
		return printJSON(s, keyNewJSON{keyJSON: newKeyJSON(pub, o.comment), PrivateKeyFile: o.output,
			PublicKeyFile: o.output + ".pub", Encrypted: !o.noPassphrase})
	}
	_, err = s.Out.Write(signing.MarshalPublicKey(pub, o.comment))
	return err
}

// keyShowOptions are the flags and argument of `concord key show` and
// `key fingerprint`.
type keyShowOptions struct {
	file string
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
			o.file = args[0]
			return runKeyShow(s, &o)
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
			o.file = args[0]
			return runKeyFingerprint(s, &o)
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

// keyNewJSON is the --json output of `key new`: the key and where it went.
type keyNewJSON struct {
	keyJSON
	PrivateKeyFile string `json:"private_key_file"`
	PublicKeyFile  string `json:"public_key_file"`
	Encrypted      bool   `json:"encrypted"`
}

func newKeyJSON(pub ssh.PublicKey, comment string) keyJSON {
	line := signing.MarshalPublicKey(pub, "")
	return keyJSON{
		Type:        pub.Type(),
		PublicKey:   string(line[:len(line)-1]),
		Fingerprint: signing.Fingerprint(pub),
		Comment:     comment,
	}
}

// printKeyJSON prints pub and comment as one keyJSON object.
func printKeyJSON(w io.Writer, pub ssh.PublicKey, comment string) error {
	enc := json.NewEncoder(inertJSON{w})
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(newKeyJSON(pub, comment))
}

// makeKeyFolders makes dir and its missing parents with mode 0700 and
// returns the folders it made, outermost first.
func makeKeyFolders(dir string) ([]string, error) {
	var missing []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("checking the key's folder: %w", err)
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	var made []string
	for i := len(missing) - 1; i >= 0; i-- {
		if err := os.Mkdir(missing[i], 0o700); err != nil {
			removeFolders(made)
			return nil, fmt.Errorf("making the key's folder: %w", err)
		}
		made = append(made, missing[i])
	}
	return made, nil
}

// removeFolders removes the folders makeKeyFolders made, innermost first,
// each only if still empty.
func removeFolders(made []string) {
	for i := len(made) - 1; i >= 0; i-- {
		os.Remove(made[i])
	}
}

// runKeyShow prints the public key of a key file.
func runKeyShow(s *IO, o *keyShowOptions) error {
	info, err := signing.ReadKeyInfo(o.file)
	if err != nil {
		return err
	}
	if o.json {
		return printKeyJSON(s.Out, info.PublicKey, info.Comment)
	}
	_, err = s.Out.Write(signing.MarshalPublicKey(info.PublicKey, documents.Inert(info.Comment))) // the comment is the file author's: shown inert
	return err
}

// runKeyFingerprint prints the fingerprint of a key file as ssh-keygen -l
// does.
func runKeyFingerprint(s *IO, o *keyShowOptions) error {
	info, err := signing.ReadKeyInfo(o.file)
	if err != nil {
		return err
	}
	if o.json {
		return printKeyJSON(s.Out, info.PublicKey, info.Comment)
	}
	_, err = fmt.Fprintln(s.Out, signing.FingerprintLine(info.PublicKey, documents.Inert(info.Comment)))
	return err
}
