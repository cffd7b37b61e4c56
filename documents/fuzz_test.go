package documents

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// FuzzCanonicalize checks that Canonicalize never panics, fails only with
// its typed errors, and that what it returns is canonical: valid UTF-8, NFC,
// no CR, no BOM, ending in LF, free of refused characters, hashed right, and
// returned unchanged when canonicalised again.
func FuzzCanonicalize(f *testing.F) {
	for _, s := range []string{
		"", "a", "a\n", "a\r\n", "a\r", "\uFEFF", "\uFEFF\uFEFFa", "и\u0306\r\n", "阿拉木图共识\n",
		"\u202Eabc", "a\u200Bb", "a\u200Cb", "\xff", "\xe4\xb8", "\t\n", " \n\n", "\u0378", "e\u0301\u0327",
		"a\r\r\n\n", "\x1b[0m", "\u2028", "\uF900",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, in []byte, allow bool) {
		orig := bytes.Clone(in)
		opts := Options{AllowInvisible: allow}
		c, err := Canonicalize(in, opts)
		if !bytes.Equal(in, orig) {
			t.Fatalf("input modified")
		}
		if err != nil {
			var ee *EncodingError
			var se *SuspiciousCharError
			var empty *EmptyTextError
			switch {
			case errors.As(err, &ee):
				if ee.Offset < 0 || ee.Offset >= len(in) || in[ee.Offset] != ee.Byte || !utf8.Valid(in[:ee.Offset]) {
					t.Fatalf("bad encoding error %+v for %q", *ee, in)
				}
			case errors.As(err, &se):
				if se.Line < 1 || se.Column < 1 || (allow && se.Kind.Overridable()) {
					t.Fatalf("bad refusal %+v with %+v", *se, opts)
				}
			case errors.As(err, &empty):
			default:
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		out := c.Bytes
		switch {
		case !utf8.Valid(out):
			t.Fatalf("output %q is not UTF-8", out)
		case !norm.NFC.IsNormal(out):
			t.Fatalf("output %q is not NFC", out)
		case bytes.IndexByte(out, '\r') >= 0:
			t.Fatalf("output %q has CR", out)
		case bytes.HasPrefix(out, []byte(bom)):
			t.Fatalf("output %q starts with a BOM", out)
		case len(out) == 0 || out[len(out)-1] != '\n':
			t.Fatalf("output %q does not end in LF", out)
		case c.SHA256 != sha256.Sum256(out):
			t.Fatalf("wrong hash")
		case bytes.Equal(out, in) != (len(c.Changes) == 0):
			t.Fatalf("changes %q do not match the bytes: %q -> %q", c.Changes, in, out)
		}
		for _, r := range string(out) {
			if k := classify(r, false); k != "" && r != '\n' && (!allow || !k.Overridable()) {
				t.Fatalf("refused character %U (%s) in the output", r, k)
			}
		}
		again, err := Canonicalize(out, opts)
		if err != nil {
			t.Fatalf("canonical output %q refused: %v", out, err)
		}
		if !bytes.Equal(again.Bytes, out) || len(again.Changes) != 0 {
			t.Fatalf("not idempotent: %q -> %q, changes %q", out, again.Bytes, again.Changes)
		}
		if !IsCanonical(out) {
			t.Fatalf("IsCanonical(%q) = false", out)
		}
		if !allow {
			// Allowing more must not change what was accepted.
			c2, err := Canonicalize(in, Options{AllowInvisible: true})
			if err != nil || !bytes.Equal(c2.Bytes, out) {
				t.Fatalf("AllowInvisible changed the result: %v", err)
			}
		}
	})
}

// FuzzDiff checks that Diff never panics, is empty exactly when the texts
// are equal, and patches the old text into the new one with correct hunk
// headers.
func FuzzDiff(f *testing.F) {
	for _, tt := range diffTests {
		f.Add([]byte(tt.a), []byte(tt.b))
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		d := Diff("old", "new", a, b)
		if err := checkPatch(string(a), string(b), d); err != nil {
			t.Fatalf("a=%q b=%q diff=%q: %v", a, b, d, err)
		}
		if Diff("old", "new", a, a) != "" {
			t.Fatalf("Diff(a, a) is not empty")
		}
	})
}
