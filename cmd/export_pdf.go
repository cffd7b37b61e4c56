package cmd

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/concord-ledger/concord/documents"
	"github.com/concord-ledger/concord/evidence"
	"github.com/concord-ledger/concord/internal/atomicfile"
	"github.com/concord-ledger/concord/ledger"
)

// exportPDFResult is what 'export pdf --json' prints.
type exportPDFResult struct {
	File     string `json:"file"`
	Document string `json:"document"`
	Version  int    `json:"version"`
	Bytes    int    `json:"bytes"`
	SHA256   string `json:"sha256"`
}

// exportPDFOptions are the flags and argument of `concord export pdf`.
type exportPDFOptions struct {
	Ledger     string   // the ledger folder
	Args       []string // DOC-ID, or none
	Version    int
	VersionSet bool // --version was given
	Output     string
	OutputDir  string
	All        bool
	JSON       bool
	Force      bool
}

func newExportPDFCmd(s *IO) *cobra.Command {
	o := &exportPDFOptions{}
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
			o.Ledger, o.Args, o.VersionSet = ledgerDir(c, s), args, c.Flags().Changed("version")
			return runExportPDF(s, o)
		},
	}
	c.Flags().IntVar(&o.Version, "version", 0, "version number (default: the latest)")
	c.Flags().StringVarP(&o.Output, "output", "o", "", "the PDF file to write")
	c.Flags().BoolVar(&o.All, "all", false, "export every ratified version of every document (with --output-dir)")
	c.Flags().StringVar(&o.OutputDir, "output-dir", "", "with --all: the folder (absent or empty) to write the PDFs and their manifest to")
	c.Flags().BoolVar(&o.JSON, "json", false, "print the result as JSON")
	c.Flags().BoolVar(&o.Force, "force", false, "replace --output FILE if it exists")
	return c
}

// runExportPDF renders one version, or with o.All every ratified version,
// as PDF files.
func runExportPDF(s *IO, o *exportPDFOptions) error {
	if o.All {
		switch {
		case len(o.Args) > 0:
			return usagef("--all exports every document: give no DOC-ID")
		case o.OutputDir == "":
			return usagef("give the folder to write with --output-dir DIR")
		case o.Output != "" || o.VersionSet:
			return usagef("--all takes --output-dir, not --output or --version")
		}
		l, err := ledger.OpenWith(o.Ledger, s.cache)
		if err != nil {
			return err
		}
		stop := startProgress(s, o.JSON, "rendering every ratified version")
		arch, err := evidence.ExportPDFArchive(l, o.OutputDir)
		stop()
		if arch == nil {
			return err
		}
		// What could be rendered was written; what could not is
		// listed, and the command fails (exit 1).
		if o.JSON {
			if jerr := printJSON(s, pdfArchiveJSON{Format: arch.Format, Ledger: arch.Ledger, Head: arch.Head, Dir: o.OutputDir,
				Files: nonNil(arch.Files), Failed: nonNil(arch.Failed)}); jerr != nil {
				return jerr
			}
		} else {
			for _, f := range arch.Files {
				fmt.Fprintf(s.Out, "%s  %s (%s version %d, %d bytes)\n", f.SHA256, filepath.Join(o.OutputDir, f.File), f.Document, f.Version, f.Bytes)
			}
			fmt.Fprintf(s.Err, "wrote %s of ledger %s (head %.12s), MANIFEST.json and SHA256SUMS to %s\n",
				plural(len(arch.Files), "ratified version"), arch.Ledger, arch.Head, o.OutputDir)
		}
		for _, f := range arch.Failed {
			fmt.Fprintf(s.Err, "not exported: %s v%d: %s\n", f.Document, f.Version, documents.Inert(f.Error))
		}
		return err
	}
	switch {
	case len(o.Args) == 0:
		return usagef("give the document to export (DOC-ID), or --all")
	case o.OutputDir != "":
		return usagef("--output-dir goes with --all; for one document give --output FILE")
	case o.Output == "":
		return usagef("give the file to write with --output FILE")
	case o.Version < 0:
		return usagef("--version must be 1 or more (or left out for the latest)")
	case !validDocID(o.Args[0]):
		return checkDocID(o.Args[0])
	}
	l, err := ledger.OpenWith(o.Ledger, s.cache)
	if err != nil {
		return err
	}
	if !o.Force {
		if _, err := os.Lstat(o.Output); err == nil {
			return &existsError{path: o.Output}
		}
	}
	stop := startProgress(s, o.JSON, "rendering "+o.Args[0])
	data, err := evidence.ExportPDF(l, o.Args[0], o.Version)
	stop()
	if err != nil {
		return err
	}
	if err := writePDFFile(o.Output, data, o.Force); err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	res := exportPDFResult{File: o.Output, Document: o.Args[0], Version: o.Version, Bytes: len(data), SHA256: hex.EncodeToString(sum[:])}
	if res.Version == 0 {
		if st, err := l.Status(o.Args[0]); err == nil {
			res.Version = len(st.Versions)
		}
	}
	if o.JSON {
		return printJSON(s, res)
	}
	fmt.Fprintf(s.Out, "wrote %s: %s version %d, %d bytes, sha256 %s\n", res.File, res.Document, res.Version, res.Bytes, res.SHA256)
	return nil
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
