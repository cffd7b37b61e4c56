package cmd

import (
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/concord-ledger/concord/documents"
)

// inertJSON writes JSON with every character that documents.Inert would
// write out as <U+XXXX> escaped as \uXXXX (a surrogate pair above U+FFFF),
// which encoding/json leaves raw for most of them (DEL, the C1 controls,
// bidirectional controls, invisible characters). The JSON still decodes to
// the exact text, and printing it on a terminal cannot drive the terminal
// or reorder what it shows. Each Write must hold whole characters, as
// json.Encoder's do (one Write per value).
type inertJSON struct{ w io.Writer }

func (j inertJSON) Write(b []byte) (int, error) {
	if _, err := j.w.Write(escapeHiddenJSON(b)); err != nil {
		return 0, err
	}
	return len(b), nil
}

// escapeHiddenJSON returns encoded JSON b with the characters Hidden names
// (but LF and tab, which encoding/json writes raw only between values)
// escaped. Outside strings JSON holds only ASCII that is not hidden, so
// every character escaped is inside a string.
func escapeHiddenJSON(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == '\n' || r == '\t' || !documents.Hidden(r) {
			if out != nil {
				out = append(out, b[i:i+size]...)
			}
			i += size
			continue
		}
		if out == nil {
			out = append(make([]byte, 0, len(b)+32), b[:i]...)
		}
		if r > 0xFFFF {
			r -= 0x10000
			out = fmt.Appendf(out, `\u%04x\u%04x`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
		} else {
			out = fmt.Appendf(out, `\u%04x`, r)
		}
		i += size
	}
	if out == nil {
		return b
	}
	return out
}
