package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// PDFExportFailure is one ratified version an archive export could not
// render, and why.
type PDFExportFailure struct {
	Document string `json:"document"`
	Version  int    `json:"version"`
	Error    string `json:"error"`
	err      error
}

// Unwrap gives the rendering error, e.g. a *pdf.MissingGlyphError.
func (f *PDFExportFailure) Unwrap() error { return f.err }

// PDFArchiveReport is what ExportPDFArchiveAll wrote (Archive, which is
// also MANIFEST.json) and the versions it could not render.
type PDFArchiveReport struct {
	*PDFArchive
	Failed []PDFExportFailure `json:"failed"`
}

// IncompleteArchiveError says an archive export left out versions it could
// not render; everything else was written.
type IncompleteArchiveError struct {
	Failed []PDFExportFailure
}

func (e *IncompleteArchiveError) Error() string {
	names := make([]string, len(e.Failed))
	for i, f := range e.Failed {
		names[i] = fmt.Sprintf("%s v%d", f.Document, f.Version)
	}
	return fmt.Sprintf("%d ratified version(s) could not be rendered and are not in the archive: %s", len(e.Failed), strings.Join(names, ", "))
}

// ExportPDFArchiveAll is ExportPDFArchive that one document cannot block:
// it writes into out (absent or empty) the PDF of every ratified version
// it can render, with MANIFEST.json and SHA256SUMS listing exactly those,
// and returns the report with, if any version failed, an
// *IncompleteArchiveError naming them. Other errors (the folder, the
// ledger) write nothing and return a nil report.
func (l *Ledger) ExportPDFArchiveAll(out string) (*PDFArchiveReport, error) {
	undo, err := claimFolder(out)
	if err != nil {
		return nil, err
	}
	ids, err := l.Documents()
	if err != nil {
		undo()
		return nil, err
	}
	sort.Strings(ids)
	rep := &PDFArchiveReport{PDFArchive: &PDFArchive{Format: PDFArchiveFormat, Ledger: l.ID(), Head: l.head, Files: []PDFArchiveFile{}},
		Failed: []PDFExportFailure{}}
	files := map[string][]byte{}
	var sums strings.Builder
	for _, id := range ids {
		ds, err := loadDoc(l.st, l.repo, l.head, id)
		if err != nil {
			undo()
			return nil, err
		}
		for _, vs := range ds.versions {
			if vs.ratified == nil {
				continue
			}
			data, err := l.ExportPDF(id, vs.v.Number)
			if err != nil {
				rep.Failed = append(rep.Failed, PDFExportFailure{Document: id, Version: vs.v.Number, Error: err.Error(), err: err})
				continue
			}
			name := fmt.Sprintf("%s-v%d.pdf", id, vs.v.Number)
			sum := sha256.Sum256(data)
			f := PDFArchiveFile{File: name, Document: id, Version: vs.v.Number, Bytes: len(data), SHA256: hex.EncodeToString(sum[:])}
			rep.Files = append(rep.Files, f)
			files[name] = data
			fmt.Fprintf(&sums, "%s  %s\n", f.SHA256, name)
		}
	}
	files["MANIFEST.json"] = encodeJSON(rep.PDFArchive)
	files["SHA256SUMS"] = []byte(sums.String())
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("writing the PDF archive: %w", err)
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(out, name), files[name], 0o644); err != nil {
			return nil, fmt.Errorf("writing the PDF archive: %w", err)
		}
	}
	if len(rep.Failed) > 0 {
		return rep, &IncompleteArchiveError{Failed: rep.Failed}
	}
	return rep, nil
}
