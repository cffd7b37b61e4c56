// Command gen builds the ledgers concord's benchmarks run on into a cache
// folder (bench/.cache by default), once: a ledger already there is kept.
// Each is built through the ledger package's public API with deterministic
// keys, clock and randomness (see package fixture), in a temporary folder
// renamed into place only when complete and verified.
//
// Usage:
//
//	go run ./bench/gen [-cache DIR] [-pack] [SPEC...]
//
// where SPEC is MEMBERSxDOCS (default: 20x3 200x1 200x100). With -pack, the
// ledger's loose objects are packed afterwards with 'git repack -a -d', as
// a clone would receive them.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/concord-ledger/concord/bench/fixture"
	"github.com/concord-ledger/concord/internal/atomicfile"
	"github.com/concord-ledger/concord/ledger"
)

func main() {
	cache := flag.String("cache", filepath.Join("bench", ".cache"), "folder to build the ledgers in")
	pack := flag.Bool("pack", false, "pack each new ledger's objects with git repack -a -d")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: gen [-cache DIR] [-pack] [MEMBERSxDOCS...]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	args := flag.Args()
	if len(args) == 0 {
		args = []string{"20x3", "200x1", "200x100"}
	}
	var specs []fixture.Spec
	for _, a := range args {
		s, err := parseSpec(a)
		if err != nil {
			fmt.Fprintf(os.Stderr, "gen: %v\n", err)
			os.Exit(2)
		}
		specs = append(specs, s)
	}
	for _, s := range specs {
		if err := generate(*cache, s, *pack); err != nil {
			fmt.Fprintf(os.Stderr, "gen: %s: %v\n", s.Name(), err)
			os.Exit(1)
		}
	}
}

func parseSpec(a string) (fixture.Spec, error) {
	m, d, ok := strings.Cut(a, "x")
	members, err1 := strconv.Atoi(m)
	docs, err2 := strconv.Atoi(d)
	s := fixture.Spec{Members: members, Docs: docs}
	if !ok || err1 != nil || err2 != nil {
		return s, fmt.Errorf("%q is not MEMBERSxDOCS", a)
	}
	return s, s.Check()
}

// generate builds s in cache unless it is there already.
func generate(cache string, s fixture.Spec, pack bool) error {
	dir := filepath.Join(cache, s.Name())
	if _, err := os.Stat(dir); err == nil {
		fmt.Printf("%s: already built in %s\n", s.Name(), dir)
		return nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	tmp := dir + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return err
	}
	total := s.Entries()
	fmt.Printf("%s: building %d entries (%d signatures) in %s\n", s.Name(), total, s.Signatures(), tmp)
	start := time.Now()
	last, lastN := start, 0
	err := fixture.Build(tmp, s, fixture.Options{Progress: func(n int) {
		if time.Since(last) >= 10*time.Second || n == total {
			el := time.Since(start)
			rate := time.Since(last) / time.Duration(n-lastN)
			eta := time.Duration(float64(el) / float64(n) * float64(total-n))
			fmt.Printf("  %6d/%d entries, %v elapsed, %v per entry lately, about %v left at the average rate\n",
				n, total, el.Round(time.Second), rate.Round(time.Millisecond), eta.Round(time.Second))
			last, lastN = time.Now(), n
		}
	}})
	if err != nil {
		return err
	}
	fmt.Printf("%s: built in %v\n", s.Name(), time.Since(start).Round(time.Second))
	rep, err := ledger.Verify(tmp, ledger.VerifyOptions{})
	if err != nil {
		return err
	}
	if !rep.OK() || rep.Signatures != s.Signatures() || rep.Entries != total {
		return fmt.Errorf("the built ledger does not verify as expected: %d entries, %d signatures, problems %v", rep.Entries, rep.Signatures, rep.Problems)
	}
	if pack {
		c := exec.Command("git", "-C", tmp, "repack", "-a", "-d", "-q")
		c.Stdout, c.Stderr = os.Stdout, os.Stderr
		if err := c.Run(); err != nil {
			return fmt.Errorf("git repack: %w", err)
		}
	}
	return atomicfile.Rename(tmp, dir)
}
