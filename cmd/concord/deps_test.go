package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/concord-ledger/concord/internal/testtool"
)

// testOnlyPackages are packages only tests may import: the concord binary
// must not link them (internal/testkeys writes keys with a cheap KDF).
var testOnlyPackages = []string{
	"github.com/concord-ledger/concord/internal/testkeys",
	"github.com/concord-ledger/concord/internal/testtool",
}

// TestTestOnlyPackagesNotLinked: the concord binary (this package without
// its tests) links none of testOnlyPackages.
func TestTestOnlyPackagesNotLinked(t *testing.T) {
	gotool := testtool.Require(t, "go")
	cmd := exec.Command(gotool, "list", "-deps", ".")
	cmd.Dir = "."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps listed only %q", deps)
	}
	for _, d := range deps {
		for _, p := range testOnlyPackages {
			if d == p {
				t.Errorf("the concord binary links the test-only package %s", p)
			}
		}
	}
}
