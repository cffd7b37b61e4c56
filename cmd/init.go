package cmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/concord-ledger/concord/ledger"
	"github.com/concord-ledger/concord/ledger/rules"
	"github.com/concord-ledger/concord/signing"
)

func init() { register(newInitCmd) }

// initOptions are the flags of `concord init`.
type initOptions struct {
	signerOptions
	Ledger    string   // the ledger folder
	Command   string   // the command path, for messages
	Missing   []string // the required flags not given, as "--title"
	dry       dryRun
	Title     string
	Stewards  string
	Threshold int
	JSON      bool
}

// stewardEntry is one steward in the --stewards file: a key given inline or
// as a file path relative to the stewards file.
type stewardEntry struct {
	rules.Member
	KeyFile string `json:"key_file,omitempty"`
}

func newInitCmd(s *IO) *cobra.Command {
	o := &initOptions{}
	c := &cobra.Command{
		Use:   "init --title TITLE --stewards FILE --threshold N --as ID --key FILE",
		Short: "Found a new ledger",
		Long: `Found a new ledger in --ledger DIR (absent or empty). The stewards file is a
JSON array of {"id","name","title","institution","country","key"} objects,
where "key" is an ssh-ed25519 public key line, or "key_file" names a .pub file
relative to the stewards file. The founder (--as) must be one of them and signs
the genesis entry; the ledger id is the SHA-256 of that entry.`,
		Args: argsNamed(),
		RunE: func(c *cobra.Command, args []string) error {
			o.Ledger, o.Command = ledgerDir(c, s), c.CommandPath()
			for _, f := range []string{"title", "stewards", "threshold"} {
				if !c.Flags().Changed(f) {
					o.Missing = append(o.Missing, "--"+f)
				}
			}
			return runInit(s, o)
		},
	}
	addSignerFlags(c, &o.signerOptions)
	c.Flags().StringVar(&o.Title, "title", "", "the ledger's title")
	c.Flags().StringVar(&o.Stewards, "stewards", "", "JSON file listing the founding stewards")
	c.Flags().IntVar(&o.Threshold, "threshold", 0, "distinct steward approvals a roster change needs")
	c.Flags().BoolVar(&o.JSON, "json", false, "print the result as JSON")
	addDryRunFlag(c, &o.dry)
	return c
}

// readStewards reads the --stewards file.
func readStewards(path string) ([]rules.Member, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading stewards: %w", err)
	}
	var entries []stewardEntry
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&entries); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, usagef("stewards file %s: expected a JSON array of steward objects (see 'concord init --help')", path)
		}
		return nil, usagef("stewards file %s: %v", path, err)
	}
	var out []rules.Member
	for _, e := range entries {
		m := e.Member
		if e.KeyFile != "" {
			kf := e.KeyFile
			if !filepath.IsAbs(kf) {
				kf = filepath.Join(filepath.Dir(path), kf)
			}
			info, err := signing.ReadKeyInfo(kf)
			if err != nil {
				return nil, err
			}
			m.Key = strings.TrimSpace(string(signing.MarshalPublicKey(info.PublicKey, "")))
		} else if m.Key != "" {
			k, err := signing.ParsePublicKey([]byte(m.Key))
			if err != nil {
				return nil, usagef("stewards file %s: %s: %v", path, m.ID, err)
			}
			m.Key = strings.TrimSpace(string(signing.MarshalPublicKey(k, "")))
		}
		out = append(out, m)
	}
	return out, nil
}

// runInit founds a new ledger.
func runInit(s *IO, o *initOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	if len(o.Missing) > 0 {
		return usagef("%s needs %s", o.Command, strings.Join(o.Missing, ", "))
	}
	if o.Title == "" {
		return usagef("--title is empty: give the ledger a title")
	}
	if o.Threshold < 1 {
		return usagef("--threshold %d: a roster change needs at least 1 steward approval; give a number from 1 to the number of stewards", o.Threshold)
	}
	stewards, err := readStewards(o.Stewards)
	if err != nil {
		return err
	}
	if len(stewards) == 0 {
		return usagef("stewards file %s lists no stewards: a ledger needs at least one", o.Stewards)
	}
	if o.Threshold > len(stewards) {
		return usagef("--threshold %d is more than the %s in %s: no roster change could ever take effect", o.Threshold, plural(len(stewards), "steward"), o.Stewards)
	}
	signer, err := o.signer(s)
	if err != nil {
		return err
	}
	dir := o.Ledger
	l, err := ledger.Init(dir, o.dry.env(s), ledger.InitOptions{Title: o.Title, Threshold: o.Threshold,
		Stewards: stewards, Founder: o.As, Signer: signer})
	if err != nil {
		return err
	}
	if o.dry.on {
		return o.dry.report(s)
	}
	if o.JSON {
		return printJSON(s, initJSON{Ledger: l.ID(), Head: l.Head(), Dir: dir})
	}
	fmt.Fprintf(s.Out, "founded ledger %s in %s\n", l.ID(), dir)
	return nil
}
