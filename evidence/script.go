package evidence

import _ "embed"

// VerifyScript is the verify.sh that a PDF embeds and an audit kit holds,
// the file evidence/verify.sh of concord's repository (an auditor who does
// not trust the copy a PDF carries takes it from there, or compares its
// SHA-256 with the release's):
// POSIX sh (tested under dash and bash) that checks the evidence beside it
// with stock tools only: git (2.34 or later, for SSH-signed commits),
// ssh-keygen (OpenSSH 8.1 or later, for -Y) and sha256sum. What it checks
// and what it cannot is in docs/EVIDENCE.md.
//
// It reads everything it checks from git's objects (the embedded
// ledger.bundle), never from a checkout, so line-ending conversion (Git for
// Windows' core.autocrlf) cannot change what it hashes; every other file in
// its folder must be a regular file that is a copy of a blob in that
// history. It prints text taken from the evidence inertly (printable ASCII,
// cut short). Exit status: 0 every check holds; 3 the evidence is invalid;
// 1 it cannot check (a tool is missing or too old), which says nothing of
// the evidence.
//
//go:embed verify.sh
var VerifyScript string
