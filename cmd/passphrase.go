package cmd

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/concord-ledger/concord/signing"
)

// passphraseFileEnv names the environment variable that gives the
// passphrase file when --passphrase-file is not given.
const passphraseFileEnv = "CONCORD_PASSPHRASE_FILE"

// maxPassphraseFile bounds what is read of a passphrase file.
const maxPassphraseFile = 64 << 10

// addPassphraseFileFlag adds --passphrase-file to c, stored in file. Pass
// the value to passphraseFunc or newPassphrase.
func addPassphraseFileFlag(c *cobra.Command, file *string) {
	c.Flags().StringVar(file, "passphrase-file", "",
		"read the passphrase from the first line of `FILE` (default: $"+passphraseFileEnv+", else ask on the terminal)")
}

// passphraseError is an error about a passphrase with a next step for the
// user.
type passphraseError struct {
	msg  string
	hint string
}

func (e *passphraseError) Error() string { return e.msg }
func (e *passphraseError) Hint() string  { return e.hint }

// passphraseFunc returns the PassphraseFunc that unlocks the key at keyPath
// (named in the prompt). The passphrase is the first line of file (the
// --passphrase-file flag), else of the file named by $CONCORD_PASSPHRASE_FILE,
// else it is asked once on the terminal when stdin and stderr are both
// terminals; otherwise the func returns *signing.PassphraseMissingError.
// Nothing is read or asked until the func is called, which happens only for
// an encrypted key.
func passphraseFunc(s *IO, file, keyPath string) signing.PassphraseFunc {
	return func() ([]byte, error) {
		if path := passphrasePath(s, file); path != "" {
			return readPassphraseFile(path, "")
		}
		if !s.InTerminal || !s.ErrTerminal {
			return nil, &signing.PassphraseMissingError{
				Reason:   "no --passphrase-file, $" + passphraseFileEnv + " is not set, and no terminal to ask on",
				NextStep: "give --passphrase-file FILE or set " + passphraseFileEnv + ", or use ssh-agent",
			}
		}
		p, err := prompt(s, fmt.Sprintf("Passphrase for %s: ", keyPath))
		if err != nil {
			return nil, err
		}
		if len(p) == 0 {
			return nil, &passphraseError{msg: "empty passphrase", hint: "type the passphrase of the key"}
		}
		return p, nil
	}
}

// newPassphrase returns the passphrase for a new key written to keyPath:
// the first line of file (the --passphrase-file flag), else of the file
// named by $CONCORD_PASSPHRASE_FILE, else asked twice on the terminal (the
// answers must match) when stdin and stderr are both terminals; otherwise it
// returns *signing.PassphraseMissingError. An empty passphrase is refused:
// an unencrypted key needs --no-passphrase.
func newPassphrase(s *IO, file, keyPath string) ([]byte, error) {
	const noPass = "use --no-passphrase for an unencrypted key"
	if path := passphrasePath(s, file); path != "" {
		return readPassphraseFile(path, noPass)
	}
	if !s.InTerminal || !s.ErrTerminal {
		return nil, &signing.PassphraseMissingError{
			Reason:   "no --passphrase-file, $" + passphraseFileEnv + " is not set, and no terminal to ask on",
			NextStep: "give --passphrase-file FILE (or set " + passphraseFileEnv + "), or --no-passphrase for an unencrypted key",
		}
	}
	p, err := prompt(s, fmt.Sprintf("New passphrase for %s: ", keyPath))
	if err != nil {
		return nil, err
	}
	if len(p) == 0 {
		return nil, &passphraseError{msg: "empty passphrase", hint: noPass}
	}
	again, err := prompt(s, "Repeat the passphrase: ")
	if err != nil {
		clear(p)
		return nil, err
	}
	same := bytes.Equal(p, again)
	clear(again)
	if !same {
		clear(p)
		return nil, &passphraseError{msg: "the passphrases do not match", hint: "run the command again and type the same passphrase twice"}
	}
	return p, nil
}

// passphrasePath returns the passphrase file to read: file, else
// $CONCORD_PASSPHRASE_FILE, else "".
func passphrasePath(s *IO, file string) string {
	if file != "" {
		return file
	}
	return s.Getenv(passphraseFileEnv)
}

// readPassphraseFile returns the first line of path, without its line
// ending ("\n" or "\r\n"). An empty first line is refused, with hint as the
// next step when not empty. The file may be a pipe (e.g. <(pass show key)).
func readPassphraseFile(path, hint string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading passphrase file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPassphraseFile))
	if err != nil {
		return nil, fmt.Errorf("reading passphrase file %q: %w", path, err)
	}
	line := data
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
		line = bytes.TrimSuffix(line, []byte("\r"))
	}
	p := bytes.Clone(line)
	clear(data)
	if len(p) == 0 {
		if hint == "" {
			hint = "write the passphrase on the first line of the file"
		}
		return nil, &passphraseError{msg: fmt.Sprintf("empty passphrase in passphrase file %q", path), hint: hint}
	}
	return p, nil
}

// prompt writes msg to the terminal and reads a line without echo.
func prompt(s *IO, msg string) ([]byte, error) {
	fmt.Fprint(s.Err, msg)
	p, err := s.ReadPassword()
	fmt.Fprintln(s.Err)
	if err != nil {
		return nil, fmt.Errorf("reading passphrase: %w", err)
	}
	return p, nil
}
