package cmd

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/concord-ledger/concord/documents"
	"github.com/concord-ledger/concord/evidence"
	"github.com/spf13/cobra"

	"github.com/concord-ledger/concord/internal/atomicfile"
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
	var all, asJSON, force bool
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
				arch, err := evidence.ExportPDFArchive(l, outputDir)
				stop()
				if arch == nil {
					return err
				}
				// What could be rendered was written; what could not is
				// listed, and the command fails (exit 1).
				if asJSON {
					if jerr := printJSON(s, pdfArchiveJSON{Format: arch.Format, Ledger: arch.Ledger, Head: arch.Head, Dir: outputDir,
						Files: nonNil(arch.Files), Failed: nonNil(arch.Failed)}); jerr != nil {
						return jerr
					}
				} else {
					for _, f := range arch.Files {
						fmt.Fprintf(s.Out, "%s  %s (%s version %d, %d bytes)\n", f.SHA256, filepath.Join(outputDir, f.File), f.Document, f.Version, f.Bytes)
					}
					fmt.Fprintf(s.Err, "wrote %s of ledger %s (head %.12s), MANIFEST.json and SHA256SUMS to %s\n",
						plural(len(arch.Files), "ratified version"), arch.Ledger, arch.Head, outputDir)
				}
				for _, f := range arch.Failed {
					fmt.Fprintf(s.Err, "not exported: %s v%d: %s\n", f.Document, f.Version, documents.Inert(f.Error))
				}
				return err
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
			if !force {
				if _, err := os.Lstat(output); err == nil {
					return &existsError{path: output}
				}
			}
			stop := startProgress(s, asJSON, "rendering "+args[0])
			data, err := evidence.ExportPDF(l, args[0], version)
			stop()
			if err != nil {
				return err
			}
			if err := writePDFFile(output, data, force); err != nil {
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
	c.Flags().BoolVar(&force, "force", false, "replace --output FILE if it exists")
	return c
}

// existsError is an output file that exists and was not to be replaced.
type existsError struct{ path string }

func (e *existsError) Error() string { return fmt.Sprintf("%s exists; nothing was written", e.path) }
func (e *existsError) Hint() string  { return "pass --force to replace it, or choose another --output" }

// writePDFFile writes data to path atomically; unless replace, it fails
// with *existsError if path exists, even if it appeared meanwhile.
func writePDFFile(path string, data []byte, replace bool) error {
	if replace {
		return atomicfile.Write(path, data, 0o644)
	}
	err := atomicfile.WriteNew(path, data, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return &existsError{path: path}
	}
	return err
}
