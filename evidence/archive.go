package evidence

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/concord-ledger/concord/internal/atomicfile"
	"github.com/concord-ledger/concord/ledger"
	"github.com/concord-ledger/concord/ledger/rules"
)

// PDFArchiveFile is one PDF of an archive export.
type PDFArchiveFile struct {
	File     string `json:"file"` // DOC-vN.pdf, in the archive folder
	Document string `json:"document"`
	Version  int    `json:"version"`
	Bytes    int    `json:"bytes"`
	SHA256   string `json:"sha256"`
}

// PDFArchive is the MANIFEST.json of an archive export: the ledger state
// the PDFs were made from, and every PDF.
type PDFArchive struct {
	Format string           `json:"format"`
	Ledger string           `json:"ledger"`
	Head   string           `json:"head"`
	Files  []PDFArchiveFile `json:"files"`
}

// PDFArchiveFormat names the layout of an archive export's MANIFEST.json.
const PDFArchiveFormat = "concord-pdf-archive-v1"

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

// ExportPDFArchive writes into out, which must be absent or empty, the PDF
// of every ratified version of every document of l that it can render
// (DOC-vN.pdf, documents in id order, versions in order), MANIFEST.json
// (PDFArchive) and SHA256SUMS (as sha256sum -c reads it), both listing
// exactly the PDFs written: one version that cannot be rendered does not
// block the others. If any failed, the report names them and the error is
// an *IncompleteArchiveError; other errors (the folder, the ledger) write
// nothing and return a nil report. The same ledger head always gives the
// same files.
func ExportPDFArchive(l *ledger.Ledger, out string) (*PDFArchiveReport, error) {
	if err := ledger.ClaimFolder(out); err != nil {
		return nil, err
	}
	ids, err := l.Documents()
	if err != nil {
		return nil, err
	}
	sort.Strings(ids)
	rep := &PDFArchiveReport{PDFArchive: &PDFArchive{Format: PDFArchiveFormat, Ledger: l.ID(), Head: l.Head(), Files: []PDFArchiveFile{}},
		Failed: []PDFExportFailure{}}
	files := map[string][]byte{}
	var sums strings.Builder
	for _, id := range ids {
		st, err := l.Status(id)
		if err != nil {
			return nil, err
		}
		for _, vs := range st.Versions {
			if vs.Ratified == 0 {
				continue
			}
			data, err := ExportPDF(l, id, vs.Version)
			if err != nil {
				rep.Failed = append(rep.Failed, PDFExportFailure{Document: id, Version: vs.Version, Error: err.Error(), err: err})
				continue
			}
			name := fmt.Sprintf("%s-v%d.pdf", id, vs.Version)
			sum := sha256.Sum256(data)
			f := PDFArchiveFile{File: name, Document: id, Version: vs.Version, Bytes: len(data), SHA256: hex.EncodeToString(sum[:])}
			rep.Files = append(rep.Files, f)
			files[name] = data
			fmt.Fprintf(&sums, "%s  %s\n", f.SHA256, name)
		}
	}
	files["MANIFEST.json"] = rules.EncodeJSON(rep.PDFArchive)
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
		if err := atomicfile.Write(filepath.Join(out, name), files[name], 0o644); err != nil {
			return nil, fmt.Errorf("writing the PDF archive: %w", err)
		}
	}
	if len(rep.Failed) > 0 {
		return rep, &IncompleteArchiveError{Failed: rep.Failed}
	}
	return rep, nil
}
