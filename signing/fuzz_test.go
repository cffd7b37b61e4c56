package signing

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// Fuzzers for the parsers of outside input: they must never panic, refuse
// with their typed error, and whatever they accept must re-encode to the very
// input bytes.

func FuzzParseStatement(f *testing.F) {
	f.Add([]byte(sgStatementText))
	w := sgStatement()
	w.Decision, w.Texts, w.Version = Withdraw, w.Texts[:1], MaxVersion
	if b, err := w.Format(); err == nil {
		f.Add(b)
	}
	f.Add([]byte(strings.ReplaceAll(sgStatementText, "\n", "\r\n")))
	f.Add([]byte(strings.Replace(sgStatementText, "text kk", "text en", 1)))
	f.Add([]byte(sgApprovalText))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseStatement(b)
		if err != nil {
			var se *StatementError
			if !errors.As(err, &se) || se.Line < 1 {
				t.Fatalf("error %T %v, want *StatementError with a line", err, err)
			}
			return
		}
		out, err := s.Format()
		if err != nil {
			t.Fatalf("accepted input does not format: %v", err)
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("round trip:\n%q\nbecame\n%q", b, out)
		}
		again, err := ParseStatement(out)
		if err != nil || !reflect.DeepEqual(again, s) {
			t.Fatalf("reparse: %+v, %v; want %+v", again, err, s)
		}
	})
}

func FuzzParseRosterApproval(f *testing.F) {
	f.Add([]byte(sgApprovalText))
	f.Add([]byte(sgStatementText))
	f.Add([]byte(strings.Replace(sgApprovalText, "10:00:00Z", "10:00:00.5Z", 1)))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ParseRosterApproval(b)
		if err != nil {
			var se *StatementError
			if !errors.As(err, &se) || se.Line < 1 {
				t.Fatalf("error %T %v, want *StatementError with a line", err, err)
			}
			return
		}
		out, err := a.Format()
		if err != nil {
			t.Fatalf("accepted input does not format: %v", err)
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("round trip:\n%q\nbecame\n%q", b, out)
		}
	})
}

func FuzzParseArmored(f *testing.F) {
	msg := sgStatementBytes(f)
	signer := sgSigner(f, 1)
	for _, ns := range []string{Namespace, GitNamespace, "concordx", "concord-test"} {
		s, err := Sign(signer, ns, msg)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(s)
	}
	good, _ := Sign(signer, Namespace, msg)
	good256 := rawSSHSIG(f, sgKey(1), Namespace, "sha256", msg, nil)
	f.Add(good256)
	f.Add(bytes.ReplaceAll(good, []byte("\n"), []byte("\r\n")))
	f.Add(good[:len(good)-1])
	f.Add([]byte(armorBegin + armorEnd))
	pub := signer.PublicKey()
	f.Fuzz(func(t *testing.T, b []byte) {
		// Verify and SignatureKey share the parser; neither may panic.
		verr := Verify(b, pub, Namespace, msg)
		if verr != nil {
			var ve *VerifyError
			if !errors.As(verr, &ve) {
				t.Fatalf("Verify error %T %v, want *VerifyError", verr, verr)
			}
		}
		_, kerr := SignatureKey(b)
		sig, err := ParseArmored(b)
		if err != nil {
			var ve *VerifyError
			if !errors.As(err, &ve) {
				t.Fatalf("error %T %v, want *VerifyError", err, err)
			}
			if verr == nil || kerr == nil {
				t.Fatalf("ParseArmored refused (%v) what Verify (%v) or SignatureKey (%v) accepted", err, verr, kerr)
			}
			return
		}
		if out := Armor(sig); !bytes.Equal(out, b) {
			t.Fatalf("round trip:\n%q\nbecame\n%q", b, out)
		}
		if verr == nil && !bytes.Equal(b, good) && !bytes.Equal(b, good256) {
			// Without the private key the fuzzer can make no other valid
			// signature; a malleated S or a re-encoding must be refused.
			t.Fatalf("Verify accepted a signature other than the two valid ones:\n%s", b)
		}
	})
}
