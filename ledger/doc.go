// Package ledger is concord's git-backed, append-only store of agreements:
// the roster of signatories and stewards, documents and their versions,
// signed decisions, ratification, and the audit that re-checks all of it
// from the repository alone.
//
// Every change is one commit, signed (SSH format) by the key of whoever made
// it, that only adds files. Each added file's path carries the ledger
// position of the entry that added it, so the state at the head can be read
// from the head's tree without walking history, and the audit can check that
// every path names the position it was really written at. The layout and
// every file format are specified in docs/LEDGER.md. The rules every entry
// must keep are package rules' alone; this package reads and writes the
// repository (through package gitstore) and judges what it reads there by
// those rules.
package ledger
