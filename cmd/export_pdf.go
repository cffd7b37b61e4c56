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
	var output, outputDir string
	var all, asJSON bool
	c := &cobra.Command{
		Use:   "pdf (DOC-ID [--version N] --output FILE | --all --output-dir DIR)",
		Short: "Render one version, or every ratified version, as a PDF with its signature appendix and embedded evidence",
		Long: `Render version N (default: the latest) of DOC-ID as a PDF: a title page with
the status, each language text, and a signature appendix (every required
signatory's decision, key fingerprint, claimed time, ledger commit and
signature; the text hashes; the timeline; a QR code; how to verify). The
canonical texts, statements, signatures, allowed_signers, the ledger files
they depend on, a manifest and verify.sh are embedded as attachments, so that
'pdfdetach -saveall' and 'sh verify.sh' check the signatures with ssh-keygen
and sha256sum alone, and 'concord verify-pdf' checks the whole file. The same
ledger head always gives the same bytes.

With --all, write into DIR (absent or empty) the PDF of every ratified
version of every document, named DOC-vN.pdf, with MANIFEST.json (ledger,
head, and each file's document, version, size and SHA-256) and SHA256SUMS
(check it with 'sha256sum -c SHA256SUMS').`,
		Args: argsUpTo("DOC-ID"),
		RunE: func(c *cobra.Command, args []string) error {
			if all {
				switch {
				case len(args) > 0:
					return usagef("--all exports every document: give no DOC-ID")
				case outputDir == "":
					return usagef("give the folder to write with --output-dir DIR")
				case output != "" || c.Flags().Changed("version"):
					return usagef("--all takes --output-dir, not --output or --version")
				}
				l, err := openLedger(c, s)
				if err != nil {
					return err
				}
				stop := startProgress(s, asJSON, "rendering every ratified version")
				arch, err := l.ExportPDFArchive(outputDir)
				stop()
				if err != nil {
					return err
				}
				if asJSON {
					return printJSON(s, pdfArchiveJSON{Format: arch.Format, Ledger: arch.Ledger, Head: arch.Head, Dir: outputDir, Files: nonNil(arch.Files)})
				}
				for _, f := range arch.Files {
					fmt.Fprintf(s.Out, "%s  %s (%s version %d, %d bytes)\n", f.SHA256, filepath.Join(outputDir, f.File), f.Document, f.Version, f.Bytes)
				}
				fmt.Fprintf(s.Err, "wrote %s of ledger %s (head %.12s), MANIFEST.json and SHA256SUMS to %s\n",
					plural(len(arch.Files), "ratified version"), arch.Ledger, arch.Head, outputDir)
				return nil
			}
			switch {
			case len(args) == 0:
				return usagef("give the document to export (DOC-ID), or --all")
			case outputDir != "":
				return usagef("--output-dir goes with --all; for one document give --output FILE")
			case output == "":
				return usagef("give the file to write with --output FILE")
			case version < 0:
				return usagef("--version must be 1 or more (or left out for the latest)")
			case !validDocID(args[0]):
				return checkDocID(args[0])
			}
			l, err := openLedger(c, s)
			if err != nil {
				return err
			}
			stop := startProgress(s, asJSON, "rendering "+args[0])
			data, err := l.ExportPDF(args[0], version)
			stop()
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
	c.Flags().BoolVar(&all, "all", false, "export every ratified version of every document (with --output-dir)")
	c.Flags().StringVar(&outputDir, "output-dir", "", "with --all: the folder (absent or empty) to write the PDFs and their manifest to")
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
