package documents

// Change names one thing Canonicalize changed in a text.
type Change string

// Changes Canonicalize may report.
const (
	ChangedCRLF Change = "CRLF line endings became LF"
	ChangedCR   Change = "CR line endings became LF"
	ChangedBOM  Change = "byte order mark removed"
	ChangedNFC  Change = "text normalised to Unicode NFC"
	ChangedEOL  Change = "final newline added"
)

// Options control Canonicalize.
type Options struct {
	// AllowInvisible accepts bidirectional controls and invisible characters
	// that are otherwise refused.
	AllowInvisible bool
}

// Canonical is a text in canonical form.
type Canonical struct {
	Bytes   []byte   // UTF-8, NFC, LF line endings, no BOM, ending in one LF
	SHA256  [32]byte // of Bytes
	Changes []Change // what was changed from the input, in order
}

// Canonicalize returns the canonical form of text: UTF-8 (invalid UTF-8 is
// refused, never repaired), no byte order mark, LF line endings, Unicode NFC
// and a final newline. Bidirectional control characters (Trojan Source) and
// invisible characters are refused with *SuspiciousCharError naming the line
// and column, unless opts.AllowInvisible.
func Canonicalize(text []byte, opts Options) (*Canonical, error) {
	panic("unimplemented")
}
