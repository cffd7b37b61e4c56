// Command concord keeps agreements between institutions in a git-backed,
// append-only ledger, collects each signatory's ed25519 signature, decides
// ratification and lets anyone verify the result offline.
//
// See the README for a tour, and docs/ for the on-disk and signed formats.
package main

import (
	"os"

	"github.com/concord-ledger/concord/cmd"
)

func main() {
	os.Exit(cmd.Main(os.Args[1:], cmd.SystemIO()))
}
