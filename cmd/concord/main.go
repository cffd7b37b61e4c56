// Command concord keeps agreements between institutions in a git-backed,
// append-only ledger, collects each signatory's ed25519 signature, decides
// ratification and lets anyone verify the result offline.
//
// See the README for a tour, and docs/ for the on-disk and signed formats.
package main

import (
	"os"
	"runtime/debug"

	"github.com/concord-ledger/concord/cmd"
)

// A concord command is short-lived and allocates most of what it reads
// once: the collector's default pace (GOGC=100) spent a fifth of a clone's
// CPU. It collects at GOGC=400 instead, and as often as it must to stay
// near memoryLimit, which every command but a verify of a long ledger
// stays well under. GOGC or GOMEMLIMIT in the environment win.
const (
	gcPercent   = 400
	memoryLimit = 384 << 20
)

func main() {
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetGCPercent(gcPercent)
		debug.SetMemoryLimit(memoryLimit)
	}
	os.Exit(cmd.Main(os.Args[1:], cmd.SystemIO()))
}
