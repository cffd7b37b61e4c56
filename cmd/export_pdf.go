package cmd

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

// exportPDFResult is what 'export pdf --json' prints.
type exportPDFResult struct {
	File     string `json:"file"`
	Document string `json:"document"`
	Version  int    `json:"version"`
	Bytes    int    `json:"bytes"`
	SHA256   string `json:"sha256"`
}

func newExportPDFCmd(s *IO) *cobra.Command {
	var version int
	var output string
	var asJSON bool
	c := &cobra.Command{
		Use:   "pdf DOC-ID [--version N] --output FILE",
		Short: "Render one version as a PDF with its signature appendix and embedded evidence",
		Long: `Render version N (default: the latest) of DOC-ID as a PDF: a title page with
the status, each language text, and a signature appendix (every required
signatory's decision, key fingerprint, claimed time, ledger commit and
signature; the text hashes; the timeline; a QR code; how to verify). The
canonical texts, statements, signatures, allowed_signers, the ledger files
they depend on, a manifest and verify.sh are embedded as attachments, so that
'pdfdetach -saveall' and 'sh verify.sh' check the signatures with ssh-keygen
and sha256sum alone. The same ledger head always gives the same bytes.`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if output == "" {
				return usagef("give the file to write with --output FILE")
			}
			if version < 0 {
				return usagef("--version must be 1 or more (or left out for the latest)")
			}
			l, err := openLedger(c, s)
			if err != nil {
				return err
			}
			data, err := l.ExportPDF(args[0], version)
			if err != nil {
				return err
			}
			if err := writeFileAtomic(output, data); err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			res := exportPDFResult{File: output, Document: args[0], Version: version, Bytes: len(data), SHA256: hex.EncodeToString(sum[:])}
			if res.Version == 0 {
				if st, err := l.Status(args[0]); err == nil {
					res.Version = len(st.Versions)
				}
			}
			if asJSON {
				return printJSON(s, res)
			}
			fmt.Fprintf(s.Out, "wrote %s: %s version %d, %d bytes, sha256 %s\n", res.File, res.Document, res.Version, res.Bytes, res.SHA256)
			return nil
		},
	}
	c.Flags().IntVar(&version, "version", 0, "version number (default: the latest)")
	c.Flags().StringVarP(&output, "output", "o", "", "the PDF file to write")
	c.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return c
}

// writeFileAtomic writes data to path through a temporary file in the same
// folder, so that path never holds a partial file.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
